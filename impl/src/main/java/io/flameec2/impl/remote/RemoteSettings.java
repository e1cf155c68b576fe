package io.flameec2.impl.remote;

import io.flameec2.FlameConfigurationException;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.config.Durations;
import io.flameec2.impl.wire.WireFilter;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The global settings of every remote backend (not per pool): where the parent's callback endpoint listens
 * and is reached, heartbeats, the application version and the serialization filter.
 *
 * @param parentHost {@code flame.parent.host}: the address the callback endpoint binds to
 * @param parentPort {@code flame.parent.port}: its port, 0 for any free port
 * @param parentUrl {@code flame.parent.url}: the base URL runners reach it at; empty to derive it
 * @param heartbeatInterval {@code flame.heartbeat-interval}: how often the parent pings each runner
 * @param parentLossTimeout {@code flame.parent-loss-timeout}: a runner without heartbeat this long drains and
 *        exits; the parent gives up on a runner that does not answer heartbeats this long
 * @param appVersion {@code flame.app-version} (see {@link AppVersion}), resolved when the backend is created
 * @param filter the {@code flame.serialization.*} allow-list and limits
 */
public record RemoteSettings(String parentHost, int parentPort, Optional<URI> parentUrl, Duration heartbeatInterval,
        Duration parentLossTimeout, String appVersion, WireFilter filter) {

    /** Key: the bind address of the parent's callback endpoint. */
    public static final String PARENT_HOST = "flame.parent.host";
    /** Key: the port of the parent's callback endpoint. */
    public static final String PARENT_PORT = "flame.parent.port";
    /** Key: the URL runners reach the parent at. */
    public static final String PARENT_URL = "flame.parent.url";
    /** Key: the heartbeat interval. */
    public static final String HEARTBEAT_INTERVAL = "flame.heartbeat-interval";
    /** Key: the parent-loss timeout. */
    public static final String PARENT_LOSS_TIMEOUT = "flame.parent-loss-timeout";

    /**
     * Checks the values.
     *
     * @param parentHost the record component
     * @param parentPort the record component
     * @param parentUrl the record component
     * @param heartbeatInterval the record component
     * @param parentLossTimeout the record component
     * @param appVersion the record component
     * @param filter the record component
     */
    public RemoteSettings {
        Objects.requireNonNull(parentHost, "parentHost");
        Objects.requireNonNull(parentUrl, "parentUrl");
        Objects.requireNonNull(appVersion, "appVersion");
        Objects.requireNonNull(filter, "filter");
        if (parentPort < 0 || parentPort > 65535) {
            throw new FlameConfigurationException(PARENT_PORT, "must be a port 0..65535, was " + parentPort);
        }
        if (parentLossTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new FlameConfigurationException(PARENT_LOSS_TIMEOUT, "must be at least twice "
                    + HEARTBEAT_INTERVAL + " (" + heartbeatInterval.toMillis() + " ms), was "
                    + parentLossTimeout.toMillis() + " ms");
        }
    }

    /**
     * Reads the settings.
     *
     * @param config the configuration
     * @return the settings
     * @throws FlameConfigurationException naming the key of a bad value
     */
    public static RemoteSettings read(ConfigLookup config) {
        int port = config.get(PARENT_PORT).map(v -> {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new FlameConfigurationException(PARENT_PORT, "must be a port number, was '" + v + "'");
            }
        }).orElse(0);
        Optional<URI> url = config.get(PARENT_URL).map(v -> {
            String text = v.trim();
            URI u;
            try {
                u = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            } catch (IllegalArgumentException e) {
                throw new FlameConfigurationException(PARENT_URL, "must be an http(s) URL, was '" + v + "'");
            }
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new FlameConfigurationException(PARENT_URL, "must be an http(s) URL, was '" + v + "'");
            }
            return u;
        });
        return new RemoteSettings(config.get(PARENT_HOST).map(String::trim).orElse("0.0.0.0"), port, url,
                config.get(HEARTBEAT_INTERVAL).map(v -> Durations.parse(HEARTBEAT_INTERVAL, v))
                        .orElse(Duration.ofSeconds(2)),
                config.get(PARENT_LOSS_TIMEOUT).map(v -> Durations.parse(PARENT_LOSS_TIMEOUT, v))
                        .orElse(Duration.ofSeconds(10)),
                AppVersion.resolve(config), WireFilter.read(config));
    }

    /**
     * Reads the settings from MicroProfile Config when it is present (in the container), else from system
     * properties.
     *
     * @return the settings
     */
    public static RemoteSettings fromConfig() {
        ConfigLookup config = configLookup();
        String inheritedParentUrl = System.getenv(RunnerEnv.PARENT_URL);
        if (inheritedParentUrl != null && "true".equalsIgnoreCase(System.getenv(RunnerEnv.RUNNER))) {
            // on a runner, MicroProfile Config maps FLAME_PARENT_URL (where this runner registers) onto
            // flame.parent.url; that is not the URL of this JVM's own endpoint (for nested pools)
            ConfigLookup all = config;
            config = key -> all.get(key).filter(v -> !(key.equals(PARENT_URL) && v.equals(inheritedParentUrl)));
        }
        return read(config);
    }

    /**
     * MicroProfile Config when it is present (in the container), else system properties.
     *
     * @return the lookup
     */
    public static ConfigLookup configLookup() {
        return MicroProfileLookup.get();
    }

    /** MicroProfile Config when on the class path, else system properties. */
    static final class MicroProfileLookup {
        static ConfigLookup get() {
            try {
                org.eclipse.microprofile.config.Config c = org.eclipse.microprofile.config.ConfigProvider.getConfig();
                return key -> c.getOptionalValue(key, String.class).filter(v -> !v.isBlank());
            } catch (LinkageError | RuntimeException e) {
                return key -> Optional.ofNullable(System.getProperty(key)).filter(v -> !v.isBlank());
            }
        }
    }
}
