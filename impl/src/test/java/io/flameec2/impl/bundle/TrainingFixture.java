package io.flameec2.impl.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/** Java and Liberty installations as far as a runner server's training sees them. */
final class TrainingFixture {

    private TrainingFixture() {
    }

    /** A Java installation as far as its release file goes. */
    static Path java(Path tmp, String version) throws IOException {
        Path home = Files.createDirectories(tmp.resolve("jdk-" + version));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    /**
     * A Liberty installation whose {@code bin/server run} does what a training run leaves behind: a workarea in
     * its output directory (framework state, and what Liberty keeps of the application: an annotation cache, an
     * extracted jar, a lock file) and, when asked by {@code -XX:AOTCacheOutput}, the cache file; it counts its
     * runs in {@code tmp/runs} and keeps its {@code JVM_ARGS} and runner id in {@code tmp/jvm-args} and
     * {@code tmp/runner-id}.
     */
    static RunnerTraining.Server server(Path tmp, String name) throws IOException {
        Path wlp = tmp.resolve(name);
        Path server = Files.createDirectories(wlp.resolve("bin")).resolve("server");
        Files.writeString(server, """
                #!/bin/sh
                n=$(cat "%1$s/runs" 2>/dev/null || echo 0); echo $((n + 1)) > "%1$s/runs"
                echo "$JVM_ARGS" > "%1$s/jvm-args"
                echo "$FLAME_RUNNER_ID" > "%1$s/runner-id"
                test "$FLAME_RUNNER" = true || exit 3
                w="$WLP_OUTPUT_DIR/$2/workarea"
                mkdir -p "$w/platform" "$w/org.eclipse.osgi/10/data" "$w/org.eclipse.osgi/43/data/anno/A_app_A" \\
                    "$w/org.eclipse.osgi/51/data/cache/com.ibm.ws.app.manager_0"
                printf '%2$s' > "$w/platform/state"
                printf components > "$w/org.eclipse.osgi/10/data/componentMetadataStore"
                printf classes > "$w/org.eclipse.osgi/43/data/anno/A_app_A/C_app_C.data"
                printf jar > "$w/org.eclipse.osgi/51/data/cache/com.ibm.ws.app.manager_0/lib.jar"
                : > "$w/.sLock"
                case "$JVM_ARGS" in -XX:AOTCacheOutput=*) printf cache > "${JVM_ARGS#-XX:AOTCacheOutput=}" ;; esac
                """.formatted(tmp, "warm"));
        Files.setPosixFilePermissions(server, PosixFilePermissions.fromString("rwx------"));
        return new RunnerTraining.Server(wlp, Optional.empty(), "flamerunner");
    }
}
