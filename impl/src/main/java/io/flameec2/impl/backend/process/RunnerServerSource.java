package io.flameec2.impl.backend.process;

import java.io.IOException;
import java.nio.file.Path;

/** Where a pool's runner server comes from: a configured bundle, or the parent itself. */
interface RunnerServerSource {

    /**
     * The runner server, made ready on first use and cached after (called before every launch).
     *
     * @param workDir this user's private work directory, already checked
     * @return the server
     * @throws IOException when it cannot be made ready; the message says why and what to set
     */
    RunnerServer prepare(Path workDir) throws IOException;
}
