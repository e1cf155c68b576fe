/**
 * What the parent and the runner sides of the remote backends share, so neither depends on the other:
 * {@link io.flameec2.impl.remote.common.RunnerEnv}, the environment a runner boots with.
 */
package io.flameec2.impl.remote.common;
