package io.flameec2;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated CDI bean method (or every public method of the annotated bean, inherited ones included)
 * on a runner of a pool instead of in the calling JVM. The pool is the method's annotation's, else the bean
 * class's: two beans inheriting one method each use their own.
 *
 * <p>On a runner, the same bean is resolved by CDI (so its injected resources are the runner's own) and the
 * method is invoked there without being dispatched again. A runner invokes only such methods: a call naming
 * any other method of a bean is refused, naming it. Arguments and the result travel by Java
 * serialization, so they must be {@link java.io.Serializable}; the deployment fails with an error naming the
 * method when they are not. A method returning {@link java.util.concurrent.CompletionStage} or
 * {@link java.util.concurrent.Future} returns at once and completes when the remote call does.
 *
 * <p>A parameter marked {@link FlameKey @FlameKey} routes the call: calls with equal keys go to the same runner
 * while it lives (see {@link FlameKey} for what happens when it is full or gone).
 *
 * <p>MicroProfile Fault Tolerance annotations on the same method ({@code @Timeout}, {@code @Retry},
 * {@code @CircuitBreaker}, {@code @Bulkhead}, {@code @Fallback}) wrap the remote dispatch, so every retry is
 * a new remote call.
 */
@Inherited
@Documented
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface FlameRemote {

    /**
     * The pool to run on.
     *
     * @return the pool name as used in {@code flame.pools.<name>.*}; empty for the default pool
     */
    @Nonbinding
    String pool() default "";

    /**
     * A per-call timeout overriding the pool's {@code timeout}, covering the wait for a runner and the
     * remote execution, in the duration syntax of the configuration ({@code 30s}, {@code 500ms},
     * {@code PT1M}).
     *
     * @return the timeout; empty for the pool's timeout
     */
    @Nonbinding
    String timeout() default "";
}
