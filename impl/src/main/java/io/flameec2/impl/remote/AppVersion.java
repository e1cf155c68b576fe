package io.flameec2.impl.remote;

import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.config.Setting;
import io.flameec2.impl.config.SettingType;
import io.flameec2.impl.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.jar.Manifest;

/**
 * The application version a parent and its runners must agree on: config {@code flame.app-version}, else the
 * WAR manifest's {@code Implementation-Version} (recorded at deployment by the runner WAR's listener, which
 * runs in the parent and in runners alike), else {@code unversioned}. Parent and runner run the same WAR and
 * resolve it the same way, so a mismatch means two different builds.
 */
public final class AppVersion {

    /** Key: the application version; overrides the WAR manifest. */
    public static final String KEY = "flame.app-version";
    /** The declaration of {@link #KEY}; its default is worked out by {@link #resolve}. */
    public static final Setting<String> SETTING = Setting.of(KEY, SettingType.TEXT,
            "the application version parent and runners must agree on");
    /** The version when nothing says otherwise. */
    public static final String UNVERSIONED = "unversioned";

    private static volatile String manifestVersion;

    private AppVersion() {
    }

    /**
     * Records the deployed WAR's manifest version.
     *
     * @param manifest the WAR's {@code META-INF/MANIFEST.MF}, or {@code null} when it has none
     */
    public static void recordManifest(InputStream manifest) {
        if (manifest == null) {
            return;
        }
        try (InputStream in = manifest) {
            String v = new Manifest(in).getMainAttributes().getValue("Implementation-Version");
            if (v != null && !v.isBlank()) {
                manifestVersion = v.trim();
            }
        } catch (IOException e) {
            // an unreadable manifest is the same as none
        }
    }

    /**
     * Resolves the version.
     *
     * @param config the configuration
     * @return the version, never blank
     */
    public static String resolve(ConfigLookup config) {
        return Settings.global(config).get(SETTING).or(() -> Optional.ofNullable(manifestVersion)).orElse(UNVERSIONED);
    }
}
