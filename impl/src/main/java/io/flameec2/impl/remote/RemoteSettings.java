package io.flameec2.impl.remote;

import io.flameec2.FlameConfigurationException;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.config.Setting;
import io.flameec2.impl.config.SettingType;
import io.flameec2.impl.config.Settings;
import io.flameec2.impl.wire.WireFilter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The global settings of every remote backend (not per pool): where the parent's channel listens and is
 * reached, heartbeats, the application version, the serialization filter and the limits on connections that
 * have not joined.
 *
 * @param parentHost {@code flame.parent.host}: the address the channel listener binds to
 * @param parentPort {@code flame.parent.port}: its port, 0 for any free port
 * @param parentUrl {@code flame.parent.url}: where runners connect ({@code tls://host:port}; only host and port
 *        count); empty to derive it
 * @param heartbeatInterval {@code flame.heartbeat-interval}: how often the parent pings each runner
 * @param parentLossTimeout {@code flame.parent-loss-timeout}: a runner without heartbeat this long drains and
 *        exits; the parent gives up on a runner that does not answer heartbeats this long
 * @param appVersion {@code flame.app-version} (see {@link AppVersion}), resolved when the backend is created
 * @param filter the {@code flame.serialization.*} allow-list and limits
 * @param joinTimeout {@code flame.channel.join-timeout}: a connection must finish its TLS handshake and join
 *        within this, else it is closed
 * @param maxUnauthenticated {@code flame.channel.max-unauthenticated}: connections that have not joined yet
 *        beyond this many close the oldest of them
 * @param replyFilter the narrower {@code flame.serialization.replies.*} filter the parent reads replies with
 */
public record RemoteSettings(String parentHost, int parentPort, Optional<URI> parentUrl, Duration heartbeatInterval,
        Duration parentLossTimeout, String appVersion, WireFilter filter, Duration joinTimeout,
        int maxUnauthenticated, WireFilter replyFilter) {

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
    /** Key: how long a new connection may take to finish TLS and join. */
    public static final String JOIN_TIMEOUT = "flame.channel.join-timeout";
    /** Key: how many connections may wait to join at once. */
    public static final String MAX_UNAUTHENTICATED = "flame.channel.max-unauthenticated";

    private static final Setting<String> HOST = Setting.of(PARENT_HOST, SettingType.TEXT, "0.0.0.0",
            "the address the parent's channel listener binds to");
    private static final Setting<Integer> PORT = Setting.of(PARENT_PORT, SettingType.INTEGER, 0,
            "its port, 0 for any free port");
    private static final Setting<URI> URL = Setting.of(PARENT_URL, RemoteSettings::parentUrl,
            "where runners connect, tls://host:port");
    private static final Setting<Duration> HEARTBEAT = Setting.of(HEARTBEAT_INTERVAL, SettingType.DURATION,
            Duration.ofSeconds(2), "how often the parent pings each runner");
    private static final Setting<Duration> PARENT_LOSS = Setting.of(PARENT_LOSS_TIMEOUT, SettingType.DURATION,
            Duration.ofSeconds(10), "a runner without heartbeat this long drains and exits");
    private static final Setting<Duration> JOIN = Setting.of(JOIN_TIMEOUT, SettingType.DURATION,
            Duration.ofSeconds(5), "a new connection must finish TLS and join within this");
    private static final Setting<Integer> UNAUTHENTICATED = Setting.of(MAX_UNAUTHENTICATED, SettingType.INTEGER,
            256, "connections that have not joined yet beyond this many close the oldest");
    /** Every global setting (not per pool) of the remote backends, with the serialization filter's. */
    public static final List<Setting<?>> SETTINGS = Stream.concat(
            Stream.of(HOST, PORT, URL, HEARTBEAT, PARENT_LOSS, JOIN, UNAUTHENTICATED, AppVersion.SETTING),
            WireFilter.SETTINGS.stream()).toList();

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
     * @param joinTimeout the record component
     * @param maxUnauthenticated the record component
     * @param replyFilter the record component
     */
    public RemoteSettings {
        Objects.requireNonNull(parentHost, "parentHost");
        Objects.requireNonNull(parentUrl, "parentUrl");
        Objects.requireNonNull(appVersion, "appVersion");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(replyFilter, "replyFilter");
        if (parentPort < 0 || parentPort > 65535) {
            throw new FlameConfigurationException(PARENT_PORT, "must be a port 0..65535, was " + parentPort);
        }
        if (parentLossTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new FlameConfigurationException(PARENT_LOSS_TIMEOUT, "must be at least twice "
                    + HEARTBEAT_INTERVAL + " (" + heartbeatInterval.toMillis() + " ms), was "
                    + parentLossTimeout.toMillis() + " ms");
        }
        if (joinTimeout.isZero() || joinTimeout.isNegative()) {
            throw new FlameConfigurationException(JOIN_TIMEOUT, "must be positive, was " + joinTimeout.toMillis() + " ms");
        }
        if (maxUnauthenticated < 1) {
            throw new FlameConfigurationException(MAX_UNAUTHENTICATED, "must be 1 or more, was " + maxUnauthenticated);
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
        Settings s = Settings.global(config);
        return new RemoteSettings(s.value(HOST), s.value(PORT), s.get(URL), s.value(HEARTBEAT), s.value(PARENT_LOSS),
                AppVersion.resolve(config), WireFilter.read(config), s.value(JOIN), s.value(UNAUTHENTICATED),
                WireFilter.readReplies(config));
    }

    /** Where runners connect: {@code tls://host:port}, the scheme optional; only host and port count. */
    private static URI parentUrl(String key, String text) {
        URI u;
        try {
            u = URI.create(text.contains("://") ? text : "tls://" + text);
        } catch (IllegalArgumentException e) {
            u = null;
        }
        if (u == null || u.getHost() == null) {
            throw new FlameConfigurationException(key, "must be the address runners connect to, such as "
                    + "tls://10.0.0.5:7443, was '" + text + "'");
        }
        return u;
    }

    /**
     * These settings with another address runners connect to (such as the instance's private address that
     * {@code auto-configure} read).
     *
     * @param url {@code tls://host} or {@code tls://host:port}; without a port, the listener's port is used
     * @return the copy
     */
    public RemoteSettings withParentUrl(URI url) {
        return new RemoteSettings(parentHost, parentPort, Optional.of(url), heartbeatInterval, parentLossTimeout,
                appVersion, filter, joinTimeout, maxUnauthenticated, replyFilter);
    }

    /**
     * Reads the settings from MicroProfile Config when it is present (in the container), else from system
     * properties.
     *
     * @return the settings
     */
    public static RemoteSettings fromConfig() {
        return read(ConfigLookup.discover());
    }
}
