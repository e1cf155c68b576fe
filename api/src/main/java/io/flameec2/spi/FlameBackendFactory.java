package io.flameec2.spi;

/**
 * Creates the backend of a pool. Registered in {@code META-INF/services/io.flameec2.spi.FlameBackendFactory}.
 */
public interface FlameBackendFactory {

    /**
     * The name pools use to select this backend in {@code flame.pools.<name>.backend}.
     *
     * @return the backend name, such as {@code ec2}
     */
    String name();

    /**
     * Creates a backend for one pool; it reads its settings from the context and fails fast on bad ones.
     *
     * @param context the pool's configuration and settings
     * @return the backend
     * @throws io.flameec2.FlameConfigurationException when a setting is missing or invalid, naming its key
     */
    FlameBackend create(BackendContext context);
}
