/**
 * The parent side common to every remote backend: {@link io.flameec2.impl.remote.RemoteBackend} composes a
 * backend-specific {@link io.flameec2.impl.remote.RunnerLauncher} with the callback endpoint runners
 * register at ({@link io.flameec2.impl.remote.ParentEndpoint}), signed calls, heartbeats, loss detection and
 * drain ({@code RemoteRunnerHandle}). {@link io.flameec2.impl.remote.RunnerEnv} is the contract of the
 * environment a runner boots with.
 */
package io.flameec2.impl.remote;
