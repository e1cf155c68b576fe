/**
 * The runner side of the remote backends, independent of the container: {@link
 * io.flameec2.impl.remote.runner.RunnerCore} (joining the parent, calls, heartbeat watchdog, drain, deadlines)
 * over the connection {@link io.flameec2.impl.remote.runner.ParentLink} opens; started by the runner WAR's
 * listener in Open Liberty, or in-process by tests.
 */
package io.flameec2.impl.remote.runner;
