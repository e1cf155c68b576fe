package io.flameec2.impl.cdi;

import io.flameec2.FlameRejectedException;
import io.flameec2.spi.FlameInvocation;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link io.flameec2.FlameRemote @FlameRemote} methods of the application, keyed by bean class and method
 * (as SmallRye Fault Tolerance keys its operations): two beans inheriting one method under different
 * class-level pools are two entries, not one overwriting the other.
 *
 * <p>The parent's interceptor looks a call up by the intercepted bean's class and the method; a runner looks
 * an arriving {@link FlameInvocation.BeanMethod} up by the names it carries, and runs nothing that is not
 * here: a message naming any other method is refused before its bean is even resolved.
 */
final class RemoteMethods {

    /** What a message names: bean class, method and parameter types, all as strings. */
    private record Signature(String beanClass, String method, List<String> parameterTypes) {
    }

    private record Local(Class<?> beanClass, Method method) {
    }

    private final Map<Local, RemoteMethod> byMethod = new ConcurrentHashMap<>();
    private final Map<Signature, RemoteMethod> bySignature = new ConcurrentHashMap<>();

    /**
     * Registers a method of a bean. Registering the same bean class and method again replaces the entry.
     *
     * @param remote the method, with the bean class it is registered for
     */
    void add(RemoteMethod remote) {
        byMethod.put(new Local(remote.beanClass(), remote.method()), remote);
        bySignature.put(new Signature(remote.beanClass().getName(), remote.method().getName(),
                remote.parameterTypes()), remote);
    }

    /**
     * The entry of an intercepted call.
     *
     * @param beanClass the intercepted bean's class (from {@code @Intercepted Bean<?>}, never a proxy class)
     * @param method the intercepted method
     * @return the entry, or empty when this bean's method is not remote
     */
    Optional<RemoteMethod> forCall(Class<?> beanClass, Method method) {
        return Optional.ofNullable(byMethod.get(new Local(beanClass, method)));
    }

    /**
     * The entry an arriving invocation names, checked before anything of the bean runs.
     *
     * @param call the invocation as it arrived on the runner
     * @return the registered method
     * @throws FlameRejectedException naming the method, when it is not a registered {@code @FlameRemote}
     *     method of the bean class the message names
     */
    RemoteMethod forInvocation(FlameInvocation.BeanMethod call) {
        RemoteMethod remote = bySignature.get(new Signature(call.beanClass(), call.method(), call.parameterTypes()));
        if (remote == null) {
            throw new FlameRejectedException(call.beanClass() + "#" + call.method()
                    + call.parameterTypes().toString().replace('[', '(').replace(']', ')')
                    + " is not a @FlameRemote method of bean " + call.beanClass()
                    + " in this application, so a runner does not invoke it (is the runner running the same"
                    + " version as its parent?)", null);
        }
        return remote;
    }

    /**
     * How many methods are registered.
     *
     * @return the count, for the start-up log
     */
    int size() {
        return byMethod.size();
    }
}
