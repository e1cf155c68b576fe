package io.flameec2.spi;

import io.flameec2.FlamePoolConfig;

/**
 * What to boot.
 *
 * @param runnerId the id the pool gives the new runner, unique within this parent
 * @param config the pool's configuration (boot, idle and shutdown timeouts)
 */
public record RunnerBootSpec(String runnerId, FlamePoolConfig config) {
}
