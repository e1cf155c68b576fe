package io.flameec2.impl.backend.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.impl.bundle.RunnerTraining;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserDataTest {

    private static final URI PRESIGNED = URI.create(
            "http://10.213.0.1:9000/bucket/app/runner.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc");

    private static Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FLAME_RUNNER", "true");
        env.put("FLAME_RUNNER_ID", "r-7");
        env.put("FLAME_SECRET", "s3cr3t-_AbC");
        env.put("FLAME_PARENT_URL", "http://10.0.0.5:9080/flame");
        env.put("TRICKY", "$(touch /tmp/pwned) `id` $HOME ; echo");
        return env;
    }

    @Test
    void rendersEveryPlaceholderAndLaunchesTheRunnerUnderSystemd() {
        String script = UserData.render("r-7", PRESIGNED, null, null, 9080, env());
        assertFalse(script.contains("{{"), "unreplaced placeholder in\n" + script);
        assertTrue(script.startsWith("#!/bin/bash\n"));
        assertTrue(script.contains("readonly BUNDLE_URL='" + PRESIGNED + "'"));
        assertTrue(script.contains("readonly BUNDLE_FORMAT=zip"));
        assertTrue(script.contains("ExecStart=${BASH} ${FLAME_HOME}/wlp/bin/server run ${server}"),
                "bin/server under bash, as process runners run it, not under the image's /bin/sh");
        assertTrue(script.contains("ExecStopPost=+/usr/bin/systemctl --no-block poweroff"), "as root, not as the user");
        assertTrue(script.contains("User=${RUNNER_USER}"));
        assertTrue(script.contains("readonly RUNNER_USER=flame-runner"));
        assertTrue(script.contains("readonly BUNDLE_SHA256=''"), "no check without bundle-sha256");
        assertTrue(script.contains("logger -s -t flame_ec2_init"));
        assertTrue(script.contains("chmod 0600 \"${ENV_FILE}\""));
        assertTrue(script.contains("trap 'fail"), "a failing step must power the instance off");
        assertEquals(script, new String(Base64.getDecoder().decode(UserData.base64(script)), StandardCharsets.UTF_8));
    }

    @Test
    void aBundleSha256IsCheckedBeforeUnpacking() {
        String sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        String script = UserData.render("r-7", PRESIGNED, sha, null, 9080, env());
        assertTrue(script.contains("readonly BUNDLE_SHA256='" + sha + "'"));
        assertTrue(script.indexOf("sha256sum \"${bundle}\"") < script.indexOf("unzip -q -o"), "checked before unpacking");
        assertThrows(IllegalArgumentException.class, () -> UserData.render("r-7", PRESIGNED, "abc", null, 9080, env()));
    }

    @Test
    void tarballsAreUnpackedWithTar() {
        String script = UserData.render("r-1", URI.create("https://example.com/app.tar.gz"), null, "temurin-21-jre", 8080,
                Map.of());
        assertTrue(script.contains("readonly BUNDLE_FORMAT=tar.gz"));
        assertTrue(script.contains("readonly JAVA_PACKAGE='temurin-21-jre'"));
        assertTrue(script.contains("readonly RUNNER_PORT=8080"));
    }

    @Test
    void theEnvFileIsReadLiterallyByTheShell(@TempDir Path dir) throws Exception {
        String script = UserData.render("r-7", PRESIGNED, null, null, 9080, env());
        int start = script.indexOf("<<'FLAME_ENV'\n") + "<<'FLAME_ENV'\n".length();
        String envFile = script.substring(start, script.indexOf("\nFLAME_ENV\n", start));
        Path file = Files.writeString(dir.resolve("runner.env"), envFile + "\n");
        Path marker = Path.of("/tmp/pwned");
        Files.deleteIfExists(marker);
        String out = run(dir, "bash", "-c", "set -a; . " + file + "; printf '%s|%s|%s' \"$FLAME_SECRET\" "
                + "\"$FLAME_PARENT_URL\" \"$TRICKY\"");
        assertEquals("s3cr3t-_AbC|http://10.0.0.5:9080/flame|$(touch /tmp/pwned) `id` $HOME ; echo", out);
        assertFalse(Files.exists(marker), "a value was executed");
    }

    @Test
    void unsafeValuesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UserData.render("r", PRESIGNED, null, null, 9080, Map.of("A", "x'y")));
        assertTrue(e.getMessage().contains("A"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> UserData.render("r", PRESIGNED, null, null, 9080, Map.of("A", "line\nFLAME_ENV\nreboot")));
        assertThrows(IllegalArgumentException.class,
                () -> UserData.render("r", PRESIGNED, null, null, 9080, Map.of("BAD-NAME", "x")));
    }

    @Test
    void theBootPhasesBeforeTheJvmAreMarkedAndHandedToTheRunner() {
        String script = UserData.render("r-7", PRESIGNED, null, null, 9080, env());
        assertTrue(script.contains("boot_marks=\"instance=${started_ms}\""), "the instance phase ends as it starts");
        assertTrue(script.indexOf("mark java") < script.indexOf("mark bundle"), "java, then the bundle");
        assertTrue(script.indexOf("mark bundle") < script.indexOf("FLAME_BOOT_MARKS=${boot_marks}"));
        assertTrue(script.indexOf("FLAME_BOOT_MARKS=${boot_marks}\" >> \"${ENV_FILE}\"")
                < script.indexOf("systemctl start"), "in the runner's env file before it starts");
    }

    @Test
    void aPreBakedBundleIsUsedOnlyWhenItsSha256IsTheOneAskedFor() {
        String script = UserData.render("r-7", PRESIGNED, null, null, 9080, env());
        int baked = script.indexOf("baked=yes");
        assertTrue(baked > 0);
        assertTrue(script.lastIndexOf("[ -n \"${BUNDLE_SHA256}\" ]", baked) > 0, "no SHA-256, no trust");
        assertTrue(script.indexOf("if [ -z \"${baked}\" ]; then") < script.indexOf("curl -fsS --retry 5 --retry-connrefused --retry-delay"),
                "the download is skipped for a baked bundle");
    }

    @Test
    void anImagesTrainingIsUsedOnlyWithItsOwnBundle() {
        String script = UserData.render("r-7", PRESIGNED, null, null, 9080, env());
        int workarea = script.indexOf("if [ -n \"${baked}\" ] && [ -f \"${trained_mark}\" ]; then");
        assertTrue(workarea > 0, "the trained workarea only with the image's own bundle");
        assertTrue(script.indexOf("rm -rf \"${OUTPUT_DIR:?}/${server}\"", workarea) > workarea,
                "a runner of another build starts clean");
        assertTrue(script.contains("if [ -n \"${baked}\" ] && [ -f \"${AOT_CACHE}\" ]; then"));
        assertTrue(script.indexOf("-XX:AOTCache=${aot_cache}") < script.indexOf("systemctl start"));
        // where the bundle's train-image.sh leaves them, by default (RunnerTraining.imageScript)
        assertTrue(script.contains("trained_mark=${OUTPUT_DIR}/${server}/workarea/" + RunnerTraining.IMAGE_MARK));
        assertTrue(script.contains("readonly OUTPUT_DIR=/opt/flame/output")
                && RunnerTraining.imageScript("s").contains("${WLP_OUTPUT_DIR:-/opt/flame/output}"));
        assertTrue(script.contains("readonly AOT_CACHE=/opt/flame/runner.aot")
                && RunnerTraining.imageScript("s").contains("aot=${1:-/opt/flame/runner.aot}"));
    }

    @Test
    void quotingSurvivesSingleQuotes() throws Exception {
        assertEquals("it's", run(Path.of("."), "bash", "-c", "printf %s " + UserData.quote("it's")));
    }

    @Test
    void shellcheckFindsNothing(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("user-data.sh"), UserData.render("r-7", PRESIGNED,
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", null, 9080, env()));
        Process which = new ProcessBuilder("sh", "-c", "command -v shellcheck").start();
        assertEquals(0, which.waitFor(), "shellcheck is not installed: apt-get install -y shellcheck (.ci/run does)");
        String out = run(dir, "shellcheck", "--severity=style", "--shell=bash", script.toString());
        assertEquals("", out);
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
        return out;
    }
}
