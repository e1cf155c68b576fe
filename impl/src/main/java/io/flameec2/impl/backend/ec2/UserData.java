package io.flameec2.impl.backend.ec2;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the user-data script that turns a fresh instance into a runner, from the template
 * {@code user-data.sh} next to this class. Every value is single-quoted for the shell; the runner's
 * environment goes into a quoted here-document, so nothing in it is ever expanded or executed.
 */
public final class UserData {

    /** EC2 refuses user-data above 16 KB (before base64). */
    static final int MAX_BYTES = 16 * 1024;

    private static final String TEMPLATE = load();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Z_]+)}}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private UserData() {
    }

    /**
     * Renders the script.
     *
     * @param runnerId the runner's id, for log lines
     * @param bundleUrl where to download the Liberty server package (presigned when it came from S3)
     * @param bundleSha256 the SHA-256 (64 hex digits) the download must have, or {@code null} for no check
     * @param javaPackage the package installing Java when missing, or {@code null} to pick per distribution
     * @param runnerPort the runner's HTTP port, for {@code FLAME_RUNNER_URL}
     * @param env the runner's environment (the backend's {@code RunnerEnv} plus the pool's {@code env})
     * @return the script
     * @throws IllegalArgumentException when a variable name or value cannot be written safely
     */
    public static String render(String runnerId, URI bundleUrl, String bundleSha256, String javaPackage,
            int runnerPort, Map<String, String> env) {
        Objects.requireNonNull(runnerId, "runnerId");
        if (bundleSha256 != null && !bundleSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("bundle SHA-256 must be 64 lower-case hex digits");
        }
        StringBuilder envFile = new StringBuilder();
        new TreeMap<>(env).forEach((k, v) -> {
            if (!ENV_NAME.matcher(k).matches()) {
                throw new IllegalArgumentException("invalid environment variable name '" + k + "'");
            }
            if (!Ec2Settings.safeEnvValue(v)) {
                throw new IllegalArgumentException("the value of environment variable " + k
                        + " contains a quote, backslash or control character");
            }
            // systemd's EnvironmentFile and bash both read KEY='value' literally
            envFile.append(k).append("='").append(v).append("'\n");
        });
        String path = bundleUrl.getPath().toLowerCase(Locale.ROOT);
        Map<String, String> values = Map.of(
                "RUNNER_ID", quote(runnerId),
                "BUNDLE_URL", quote(bundleUrl.toString()),
                "BUNDLE_FORMAT", path.endsWith(".zip") ? "zip" : "tar.gz",
                "BUNDLE_CHECKSUM", quote(bundleSha256 == null ? "" : bundleSha256),
                "JAVA_PACKAGE", quote(javaPackage == null ? "" : javaPackage),
                "RUNNER_PORT", Integer.toString(runnerPort),
                "ENV_FILE", envFile.toString().stripTrailing());
        Matcher m = PLACEHOLDER.matcher(TEMPLATE);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("user-data template has an unknown placeholder " + m.group());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        String script = out.toString();
        int size = script.getBytes(StandardCharsets.UTF_8).length;
        if (size > MAX_BYTES) {
            throw new IllegalArgumentException("user-data of runner " + runnerId + " is " + size
                    + " bytes, EC2 allows " + MAX_BYTES + "; shorten the pool's ec2.env");
        }
        return script;
    }

    /**
     * The script as RunInstances wants it.
     *
     * @param script the rendered script
     * @return base64 of its UTF-8 bytes
     */
    public static String base64(String script) {
        return Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Quotes a value for bash: {@code 'it'\''s'}.
     *
     * @param value the value
     * @return the quoted value
     */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static String load() {
        try (InputStream in = UserData.class.getResourceAsStream("user-data.sh")) {
            if (in == null) {
                throw new IllegalStateException("user-data.sh template missing next to " + UserData.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
