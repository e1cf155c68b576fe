/**
 * The runner side of the remote backends, independent of the HTTP container: {@link
 * io.flameec2.impl.remote.runner.RunnerCore} (routes, registration, heartbeat watchdog, drain, deadlines),
 * hosted by the runner WAR's servlet in Open Liberty or by {@link io.flameec2.impl.remote.runner.JdkRunnerServer}.
 */
package io.flameec2.impl.remote.runner;
