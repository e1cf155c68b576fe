package io.flameec2.impl.cdi;

import io.flameec2.impl.exec.InvocationRunner;
import io.flameec2.spi.FlameInvocation;
import jakarta.enterprise.inject.spi.CDI;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Runs invocations with CDI: a bean method is invoked on the bean CDI resolves here (so its injected
 * resources are this JVM's), marked as arrived so the interceptor does not dispatch it again. A method
 * returning a stage or future is awaited, and its value is the result.
 */
final class CdiInvocationRunner implements InvocationRunner {

    @Override
    public Object run(FlameInvocation invocation) throws Exception {
        if (invocation instanceof FlameInvocation.Closure closure) {
            return closure.callable().call();
        }
        FlameInvocation.BeanMethod call = (FlameInvocation.BeanMethod) invocation;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> beanClass = Class.forName(call.beanClass(), false, loader);
        Method method = find(beanClass, call.method(), call.parameterTypes(), loader);
        Object bean = CDI.current().select(beanClass).get();
        return RemoteDispatch.runArrived(() -> {
            Object value;
            try {
                value = method.invoke(bean, call.arguments());
            } catch (InvocationTargetException e) {
                throw rethrowable(e.getCause());
            }
            return await(value);
        });
    }

    private static Object await(Object value) throws Exception {
        try {
            if (value instanceof CompletionStage<?> stage) {
                return stage.toCompletableFuture().get();
            }
            if (value instanceof Future<?> future) {
                return future.get();
            }
            return value;
        } catch (ExecutionException e) {
            throw rethrowable(e.getCause());
        }
    }

    private static Exception rethrowable(Throwable t) {
        if (t instanceof Exception e) {
            return e;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(t);
    }

    static Method find(Class<?> beanClass, String name, List<String> parameterTypes, ClassLoader loader)
            throws ClassNotFoundException, NoSuchMethodException {
        Class<?>[] types = new Class<?>[parameterTypes.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = type(parameterTypes.get(i), loader);
        }
        for (Class<?> c = beanClass; c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(name, types);
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException e) {
                // look in the superclass
            }
        }
        throw new NoSuchMethodException(beanClass.getName() + "#" + name + parameterTypes
                + " does not exist in this application: is the runner running the same version?");
    }

    private static Class<?> type(String name, ClassLoader loader) throws ClassNotFoundException {
        return switch (name) {
            case "boolean" -> boolean.class;
            case "byte" -> byte.class;
            case "char" -> char.class;
            case "short" -> short.class;
            case "int" -> int.class;
            case "long" -> long.class;
            case "float" -> float.class;
            case "double" -> double.class;
            default -> Class.forName(name, false, loader);
        };
    }
}
