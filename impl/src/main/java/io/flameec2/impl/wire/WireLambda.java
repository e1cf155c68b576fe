package io.flameec2.impl.wire;

import java.io.InvalidObjectException;
import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * A serializable lambda as it travels: {@link SerializedLambda}'s data with the capturing class as a
 * <em>name</em>, not a {@code Class}.
 *
 * <p>Why: a {@code SerializedLambda} carries its capturing class as a {@code Class} object, so the stream holds
 * the class descriptors of that class and of all its serializable superclasses (for a closure written in a
 * servlet: {@code HttpServlet}, {@code GenericServlet}). The deserialization filter sees those descriptors
 * exactly as it sees the descriptor of an instance about to be created, and a descriptor allowed once can be
 * referenced again by later objects of the stream without another check, so allowing them would let the
 * stream instantiate such classes. Carrying the name instead keeps every class descriptor of the stream under
 * the ordinary allow-list; the capturing class is only ever used to look up its compiler-generated
 * {@code $deserializeLambda$} method, which accepts nothing but the lambdas that class really declares.
 *
 * @param capturingClass the class whose code declares the lambda
 * @param functionalInterfaceClass see {@link SerializedLambda}
 * @param functionalInterfaceMethodName see {@link SerializedLambda}
 * @param functionalInterfaceMethodSignature see {@link SerializedLambda}
 * @param implMethodKind see {@link SerializedLambda}
 * @param implClass see {@link SerializedLambda}
 * @param implMethodName see {@link SerializedLambda}
 * @param implMethodSignature see {@link SerializedLambda}
 * @param instantiatedMethodType see {@link SerializedLambda}
 * @param capturedArgs the captured values, deserialized through the filter like any other value
 */
public record WireLambda(String capturingClass, String functionalInterfaceClass,
        String functionalInterfaceMethodName, String functionalInterfaceMethodSignature, int implMethodKind,
        String implClass, String implMethodName, String implMethodSignature, String instantiatedMethodType,
        Object[] capturedArgs) implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * The travelling form of a serialized lambda.
     *
     * @param lambda what the lambda's {@code writeReplace} returned
     * @return its data
     */
    static WireLambda of(SerializedLambda lambda) {
        Object[] args = new Object[lambda.getCapturedArgCount()];
        for (int i = 0; i < args.length; i++) {
            args[i] = lambda.getCapturedArg(i);
        }
        return new WireLambda(lambda.getCapturingClass().replace('/', '.'), lambda.getFunctionalInterfaceClass(),
                lambda.getFunctionalInterfaceMethodName(), lambda.getFunctionalInterfaceMethodSignature(),
                lambda.getImplMethodKind(), lambda.getImplClass(), lambda.getImplMethodName(),
                lambda.getImplMethodSignature(), lambda.getInstantiatedMethodType(), args);
    }

    /**
     * The lambda a {@link SerializedLambda} stands for, in this JVM: an equivalent instance, with the same
     * captured values. For serialized lambdas at hand, not read from a stream (no allow-list applies).
     *
     * @param lambda what a lambda's {@code writeReplace} returned
     * @param loader the class loader of its capturing class
     * @return the lambda
     * @throws InvalidObjectException when its capturing class is not found or declares no such lambda
     */
    public static Object rebuild(SerializedLambda lambda, ClassLoader loader) throws InvalidObjectException {
        return of(lambda).resolve(loader, info -> ObjectInputFilter.Status.ALLOWED);
    }

    /**
     * The lambda again. Its capturing class must be one of the application's own classes (defined by
     * {@code loader}) or allowed by {@code patterns}: classes of the server or of the JDK outside the
     * allow-list cannot be made to produce their lambdas.
     *
     * @param loader the application's class loader
     * @param patterns the allow-list, to accept capturing classes outside the application
     * @return the lambda
     * @throws InvalidObjectException naming the capturing class when it is unknown, not allowed, or declares
     *     no such lambda
     */
    Object resolve(ClassLoader loader, ObjectInputFilter patterns) throws InvalidObjectException {
        ClassLoader resolving = loader != null ? loader : WireLambda.class.getClassLoader();
        Class<?> capturing;
        try {
            capturing = Class.forName(capturingClass, false, resolving);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new InvalidObjectException("the capturing class " + capturingClass + " of a lambda is not found here");
        }
        boolean applicationClass = loader != null && capturing.getClassLoader() == loader;
        if (!applicationClass && patterns.checkInput(new ClassCheck(capturing))
                != ObjectInputFilter.Status.ALLOWED) {
            throw new InvalidObjectException("a lambda captured in class " + capturingClass
                    + " is not allowed: lambdas must be declared in the application's own classes, or their class"
                    + " allowed by " + WireFilter.ALLOW);
        }
        try {
            Method deserialize = capturing.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
            deserialize.setAccessible(true);
            return deserialize.invoke(null, new SerializedLambda(capturing, functionalInterfaceClass,
                    functionalInterfaceMethodName, functionalInterfaceMethodSignature, implMethodKind, implClass,
                    implMethodName, implMethodSignature, instantiatedMethodType,
                    capturedArgs == null ? new Object[0] : capturedArgs));
        } catch (NoSuchMethodException e) {
            throw new InvalidObjectException("class " + capturingClass + " declares no serializable lambda");
        } catch (InvocationTargetException e) {
            throw new InvalidObjectException("class " + capturingClass + " declares no lambda " + implMethodName
                    + implMethodSignature + " for " + functionalInterfaceClass + ": " + e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new InvalidObjectException("cannot rebuild a lambda of class " + capturingClass + ": " + e);
        }
    }

    /** What the allow-list is asked about a capturing class: the class alone, no instance, no graph. */
    private record ClassCheck(Class<?> serialClass) implements ObjectInputFilter.FilterInfo {
        @Override
        public long arrayLength() {
            return -1;
        }

        @Override
        public long depth() {
            return 1;
        }

        @Override
        public long references() {
            return 0;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }
}
