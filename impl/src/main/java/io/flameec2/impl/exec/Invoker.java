package io.flameec2.impl.exec;

import io.flameec2.spi.FlameInvocation;

/**
 * Executes an invocation where it landed (on a runner, or in-process for the local backend): a closure is
 * called; a bean method is resolved through CDI and invoked without being dispatched again. The runner
 * endpoint and the local backend both go through this one type, so both behave the same.
 */
@FunctionalInterface
public interface Invoker {

    /**
     * Runs the invocation on the calling thread; the thread is interrupted when the call's deadline passes.
     *
     * @param invocation what to run
     * @return the result, possibly {@code null}
     * @throws Exception whatever the task threw
     */
    Object run(FlameInvocation invocation) throws Exception;

    /**
     * Runs closures only; bean methods need CDI and are refused with a message naming the bean.
     *
     * @return the invoker
     */
    static Invoker closuresOnly() {
        return invocation -> {
            if (invocation instanceof FlameInvocation.Closure closure) {
                return closure.callable().call();
            }
            throw new IllegalStateException("cannot run " + invocation.describe()
                    + ": bean methods need the FlameEC2 CDI extension, which is not active in this JVM");
        };
    }
}
