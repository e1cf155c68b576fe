/**
 * The backend SPI: how a pool boots, calls and stops runners. Implement {@link io.flameec2.spi.FlameBackend}
 * and register a {@link io.flameec2.spi.FlameBackendFactory} with {@link java.util.ServiceLoader} to add a
 * backend; pools select it with {@code flame.pools.<name>.backend}.
 */
package io.flameec2.spi;
