package io.flameec2.impl.cdi;

import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.AnnotatedType;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.ProcessManagedBean;
import jakarta.interceptor.InvocationContext;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The few CDI SPI objects the extension and the interceptor read, built from plain reflection as a container
 * would present them. Weld SE is not on the test class path; these let the real extension and interceptor
 * code run without it. Any method the code under test was not expected to call fails the test by name.
 */
final class CdiStubs {

    private CdiStubs() {
    }

    /** The {@code ProcessManagedBean} event of a managed bean of this class. */
    static ProcessManagedBean<?> processManagedBean(Class<?> beanClass) {
        AnnotatedType<?> type = annotatedType(beanClass);
        Bean<?> bean = bean(beanClass);
        return stub(ProcessManagedBean.class, (name, args) -> switch (name) {
            case "getBean" -> bean;
            case "getAnnotatedBeanClass", "getAnnotated" -> type;
            default -> unexpected(ProcessManagedBean.class, name);
        });
    }

    /** A bean of this class, as {@code @Intercepted Bean<?>} injects it. */
    static Bean<?> bean(Class<?> beanClass) {
        return stub(Bean.class, (name, args) -> switch (name) {
            case "getBeanClass" -> beanClass;
            default -> unexpected(Bean.class, name);
        });
    }

    /** A bean manager that knows one extension. */
    static BeanManager beanManager(FlameExtension extension) {
        return stub(BeanManager.class, (name, args) -> switch (name) {
            case "getExtension" -> extension;
            default -> unexpected(BeanManager.class, name);
        });
    }

    /** An intercepted call of {@code method}; proceeding runs {@code here}. */
    static InvocationContext invocation(Object target, Method method, Object[] parameters, Callable<Object> here) {
        return stub(InvocationContext.class, (name, args) -> switch (name) {
            case "getTarget" -> target;
            case "getMethod" -> method;
            case "getParameters" -> parameters.clone();
            case "proceed" -> here.call();
            default -> unexpected(InvocationContext.class, name);
        });
    }

    /**
     * The annotated type a container builds for a class: the class's annotations ({@code @Inherited} ones
     * included) and every method of the class and its superclasses, an overriding method hiding the one it
     * overrides.
     */
    static <T> AnnotatedType<T> annotatedType(Class<T> type) {
        Set<AnnotatedMethod<? super T>> methods = new LinkedHashSet<>();
        List<String> seen = new ArrayList<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                String signature = m.getName() + Arrays.toString(m.getParameterTypes());
                if (m.isSynthetic() || (!Modifier.isPrivate(m.getModifiers()) && seen.contains(signature))) {
                    continue;
                }
                seen.add(signature);
                methods.add(annotatedMethod(m));
            }
        }
        @SuppressWarnings("unchecked")
        AnnotatedType<T> annotated = stub(AnnotatedType.class, (name, args) -> switch (name) {
            case "getJavaClass", "getBaseType" -> type;
            case "getMethods" -> methods;
            case "getAnnotation" -> type.getAnnotation((Class<? extends Annotation>) args[0]);
            case "isAnnotationPresent" -> type.isAnnotationPresent((Class<? extends Annotation>) args[0]);
            default -> unexpected(AnnotatedType.class, name);
        });
        return annotated;
    }

    @SuppressWarnings("unchecked")
    private static <T> AnnotatedMethod<T> annotatedMethod(Method m) {
        return stub(AnnotatedMethod.class, (name, args) -> switch (name) {
            case "getJavaMember" -> m;
            case "getAnnotation" -> m.getAnnotation((Class<? extends Annotation>) args[0]);
            case "isAnnotationPresent" -> m.isAnnotationPresent((Class<? extends Annotation>) args[0]);
            default -> unexpected(AnnotatedMethod.class, name);
        });
    }

    @FunctionalInterface
    private interface Answer {
        Object answer(String method, Object[] args) throws Exception;
    }

    private static <T> T stub(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(CdiStubs.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> type.getSimpleName() + " stub";
                    default -> answer.answer(method.getName(), args);
                }));
    }

    private static Object unexpected(Class<?> type, String method) {
        throw new AssertionError("the code under test called " + type.getSimpleName() + "." + method
                + ", which this stub does not provide");
    }
}
