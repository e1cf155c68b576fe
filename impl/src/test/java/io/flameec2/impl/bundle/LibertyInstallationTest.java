package io.flameec2.impl.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the process backend and the training run Liberty's {@code bin/server}. */
class LibertyInstallationTest {

    @Test
    void theServerScriptRunsWithBashWhereTheMachineHasIt() {
        Path wlp = Path.of("/opt/wlp");
        List<String> command = LibertyInstallation.serverCommand(wlp, "run", "flamerunner");
        assertEquals(List.of("/opt/wlp/bin/server", "run", "flamerunner"), command.subList(command.size() - 3,
                command.size()));
        boolean bash = Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash"));
        assertEquals(bash ? 4 : 3, command.size(), command.toString());
        if (bash) {
            assertEquals("bash", Path.of(command.get(0)).getFileName().toString());
        }
    }
}
