package io.flameec2.impl.backend.process;

import io.flameec2.impl.bundle.RunnerTraining;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Liberty server a {@code process} runner runs: {@code <wlp>/bin/server run <name>}, with
 * {@code WLP_USER_DIR} set when the server lives outside the installation, and each runner's own output
 * directory under {@code outputRoot}.
 *
 * @param wlp the Liberty installation
 * @param userDir the user directory holding {@code servers/<name>}, or empty for {@code <wlp>/usr}
 * @param name the server's name
 * @param outputRoot where the runners' {@code WLP_OUTPUT_DIR}s are made, one per runner id
 */
record RunnerServer(Path wlp, Optional<Path> userDir, String name, Path outputRoot) {

    /**
     * The directory made once for this server (per application build), where its training results live.
     *
     * @return the parent of {@link #outputRoot()}
     */
    Path home() {
        return outputRoot.getParent();
    }

    /**
     * This server as its training and its runners' warm start know it.
     *
     * @return installation, user directory and name
     */
    RunnerTraining.Server training() {
        return new RunnerTraining.Server(wlp, userDir, name);
    }
}
