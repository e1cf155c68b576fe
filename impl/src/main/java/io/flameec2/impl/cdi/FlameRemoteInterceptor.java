package io.flameec2.impl.cdi;

import io.flameec2.FlameRemote;
import io.flameec2.impl.pool.Pool;
import io.flameec2.spi.FlameInvocation;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Intercepted;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a {@link FlameRemote @FlameRemote} method call to its pool. Its priority is above MicroProfile Fault
 * Tolerance's ({@code PLATFORM_AFTER + 10}), so it runs inside it: every retry is a new remote dispatch, and
 * {@code @Timeout}, {@code @Bulkhead} and {@code @Fallback} wrap the whole remote call. A call that arrived
 * from a pool, or any call on a runner, runs here.
 */
@FlameRemote
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_AFTER + 100)
public class FlameRemoteInterceptor implements Serializable {

    private static final long serialVersionUID = 1L;

    @Inject
    BeanManager beanManager;

    /** The bean whose method is intercepted: its class names the bean on the runner, never a proxy class. */
    @Inject
    @Intercepted
    Bean<?> intercepted;

    /**
     * Dispatches the call, or runs it here when it already arrived from a pool.
     *
     * @param context the invocation
     * @return the result, or a future of it for methods returning a stage or future
     * @throws Exception what the remote method threw, as a {@link io.flameec2.FlameException}
     */
    @AroundInvoke
    public Object dispatch(InvocationContext context) throws Exception {
        FlameExtension flame = beanManager.getExtension(FlameExtension.class);
        if (RemoteDispatch.arrived() || flame.pools().runnerMode()) {
            return context.proceed();
        }
        Method method = context.getMethod();
        Optional<RemoteMethod> registered = flame.remoteMethod(intercepted.getBeanClass(), method);
        if (registered.isEmpty()) {
            return context.proceed(); // reached by a class-level binding, but not a remote method: runs here
        }
        RemoteMethod remote = registered.get();
        Pool pool = flame.pools().get(remote.pool());
        CompletableFuture<Object> result = pool.submit(new FlameInvocation.BeanMethod(remote.beanClass().getName(),
                method.getName(), remote.parameterTypes(), context.getParameters()), remote.timeout(),
                remote.key(context.getParameters()));
        if (remote.asynchronous()) {
            return result.handle((value, error) -> {
                if (error != null) {
                    throw PoolExecutor.asFlame(error);
                }
                return value;
            });
        }
        return PoolExecutor.await(result);
    }
}
