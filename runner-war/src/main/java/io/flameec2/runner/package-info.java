/**
 * The runner side inside the application's WAR. Applications overlay this WAR (a Maven dependency of
 * {@code <type>war</type>} on {@code flame-ec2-runner-war}); the same application WAR then runs as parent
 * and as runner. With {@code FLAME_RUNNER=true} in the environment, {@link io.flameec2.runner.FlameRunnerListener}
 * connects to the parent (one TLS connection, opened by the runner) and joins; the runner serves nothing
 * over HTTP for FlameEC2.
 *
 * <p>Server needs: {@code servlet-6.0}; {@code mpConfig} to read {@code flame.*} keys (else system
 * properties); {@code concurrent-3.0} with {@code jndi-1.0} (or a profile including them) so calls and the
 * connection's event loop run on the container's managed threads (else plain threads with the application's
 * class loader).
 */
package io.flameec2.runner;
