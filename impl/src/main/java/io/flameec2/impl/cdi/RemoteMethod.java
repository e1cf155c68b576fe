package io.flameec2.impl.cdi;

import io.flameec2.FlameKey;
import io.flameec2.FlamePool;
import io.flameec2.FlameRemote;
import io.flameec2.impl.config.Durations;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * A {@link FlameRemote @FlameRemote} method as the interceptor dispatches it, and the deployment rules it
 * must meet; every problem names the method.
 *
 * @param beanClass the bean class
 * @param method the method
 * @param pool the pool name
 * @param timeout the per-call timeout, or {@code null} for the pool's
 * @param parameterTypes the parameter type names, to find the overload on the runner
 * @param asynchronous whether the method returns a stage or future
 * @param keyParameter the index of the parameter marked {@link FlameKey @FlameKey} (the first, if several, which
 *     {@link #problems()} reports), -1 for none
 */
record RemoteMethod(Class<?> beanClass, Method method, String pool, Duration timeout, List<String> parameterTypes,
        boolean asynchronous, int keyParameter) {

    static RemoteMethod of(Class<?> beanClass, Method method, FlameRemote annotation) {
        String pool = annotation.pool().isBlank() ? FlamePool.DEFAULT : annotation.pool();
        Duration timeout = annotation.timeout().isBlank() ? null
                : Durations.parse("@FlameRemote(timeout) of " + describe(method), annotation.timeout());
        boolean async = CompletionStage.class.isAssignableFrom(method.getReturnType())
                || Future.class.isAssignableFrom(method.getReturnType());
        return new RemoteMethod(beanClass, method, pool,
                timeout, Arrays.stream(method.getParameterTypes()).map(Class::getName).toList(), async,
                keyParameters(method).stream().findFirst().orElse(-1));
    }

    /** The indexes of the parameters marked {@code @FlameKey}. */
    private static List<Integer> keyParameters(Method method) {
        Parameter[] params = method.getParameters();
        return IntStream.range(0, params.length).filter(i -> params[i].isAnnotationPresent(FlameKey.class))
                .boxed().toList();
    }

    /**
     * The routing key of one call.
     *
     * @param arguments the call's arguments
     * @return the {@code @FlameKey} argument, {@code null} when the method has none (or it is {@code null})
     */
    Object key(Object[] arguments) {
        return keyParameter < 0 ? null : arguments[keyParameter];
    }

    /** The problems that make this method unfit to run remotely, each naming it. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        String where = describe(method);
        if (Modifier.isFinal(beanClass.getModifiers())) {
            problems.add(where + ": class " + beanClass.getName() + " is final, so CDI cannot intercept it");
        }
        int m = method.getModifiers();
        if (Modifier.isFinal(m) || Modifier.isPrivate(m) || Modifier.isStatic(m)) {
            problems.add(where + ": a @FlameRemote method must not be final, private or static");
        }
        Class<?>[] params = method.getParameterTypes();
        for (int i = 0; i < params.length; i++) {
            if (!travels(params[i])) {
                problems.add(where + ": parameter " + i + " of type " + params[i].getName()
                        + " is not serializable, so it cannot be sent to a runner");
            }
        }
        List<Integer> keys = keyParameters(method);
        if (keys.size() > 1) {
            problems.add(where + ": parameters " + keys + " are all marked @FlameKey; at most one parameter may be"
                    + " the routing key");
        }
        if (!asynchronous && !travels(method.getReturnType())) {
            problems.add(where + ": return type " + method.getReturnType().getName()
                    + " is not serializable, so it cannot come back from a runner");
        }
        return problems;
    }

    /** Primitives, serializable classes, and interfaces (List, Map: their implementations usually are). */
    private static boolean travels(Class<?> type) {
        return type.isPrimitive() || type == void.class || type.isInterface() || Serializable.class.isAssignableFrom(type)
                || (type.isArray() && travels(type.getComponentType()));
    }

    static String describe(Method method) {
        return method.getDeclaringClass().getName() + "#" + method.getName() + Arrays.stream(method.getParameterTypes())
                .map(Class::getSimpleName).toList().toString().replace('[', '(').replace(']', ')');
    }
}
