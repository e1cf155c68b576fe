package io.flameec2;

/**
 * A configuration value is missing or invalid. The message and {@link #key()} name the culprit, such as
 * {@code flame.pools.thumbnails.max}.
 */
public class FlameConfigurationException extends FlameException {

    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * Creates a configuration error.
     *
     * @param key the configuration key at fault
     * @param message what is wrong with its value and what is expected
     */
    public FlameConfigurationException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    /**
     * The configuration key at fault.
     *
     * @return the key
     */
    public String key() {
        return key;
    }
}
