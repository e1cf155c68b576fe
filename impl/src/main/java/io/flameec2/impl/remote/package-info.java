/**
 * The parent side common to every remote backend: {@link io.flameec2.impl.remote.RemoteBackend} composes a
 * backend-specific {@link io.flameec2.impl.remote.RunnerLauncher} with the channel listener runners connect
 * to and join ({@link io.flameec2.impl.remote.ChannelServer}), and drives each joined runner over its
 * connection: calls, heartbeats, loss detection and drain ({@code RemoteRunnerHandle}).
 * {@link io.flameec2.impl.remote.common.RunnerEnv} is the contract of the environment a runner boots with.
 */
package io.flameec2.impl.remote;

import io.flameec2.impl.remote.common.RunnerEnv;
