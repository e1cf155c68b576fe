package io.flameec2.impl.cdi;

import io.flameec2.impl.exec.Invoker;
import io.flameec2.spi.FlameInvocation;
import jakarta.enterprise.inject.spi.CDI;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Runs invocations with CDI: a bean method is invoked on the bean CDI resolves here (so its injected
 * resources are this JVM's), marked as arrived so the interceptor does not dispatch it again. A method
 * returning a stage or future is awaited, and its value is the result.
 *
 * <p>Only the methods the extension registered as {@code @FlameRemote} for the bean class a message names
 * are invoked (issue #13): a message naming any other method of any bean, private ones included, is refused
 * with an error naming that method before the bean is resolved, so nothing of it runs. One authenticated
 * message must not be able to run arbitrary bean code with the runner's rights.
 */
final class CdiInvoker implements Invoker {

    private final RemoteMethods registered;
    private final Function<Class<?>, Object> beans;

    /**
     * Creates the invoker.
     *
     * @param registered the methods runners may invoke
     * @param beans resolves a bean class to its contextual instance
     */
    CdiInvoker(RemoteMethods registered, Function<Class<?>, Object> beans) {
        this.registered = registered;
        this.beans = beans;
    }

    /** Resolves beans through {@link CDI#current()}, as the application's own lookups do. */
    static Function<Class<?>, Object> beansFromCdi() {
        return beanClass -> CDI.current().select(beanClass).get();
    }

    @Override
    public Object run(FlameInvocation invocation) throws Exception {
        if (invocation instanceof FlameInvocation.Closure closure) {
            return closure.callable().call();
        }
        FlameInvocation.BeanMethod call = (FlameInvocation.BeanMethod) invocation;
        RemoteMethod remote = registered.forInvocation(call); // refuses before anything of the bean runs
        Method method = remote.method();
        if (!Modifier.isPublic(method.getModifiers())
                || !Modifier.isPublic(method.getDeclaringClass().getModifiers())) {
            // a registered protected or package-private method (or one of a non-public class): reachable only
            // because the extension registered it; a private one never is (the deployment fails on it)
            method.trySetAccessible();
        }
        Object bean = beans.apply(remote.beanClass());
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
}
