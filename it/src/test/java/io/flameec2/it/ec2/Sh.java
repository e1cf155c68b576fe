package io.flameec2.it.ec2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs host commands (ip, mount) for the box; a failing command throws with its output. */
final class Sh {

    private Sh() {
    }

    static String run(String... command) {
        Result r = tryRun(command);
        if (r.status() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.status() + "): " + r.output());
        }
        return r.output();
    }

    static Result tryRun(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + out);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    static boolean available(String binary) {
        return tryRun("sh", "-c", "command -v " + binary).status() == 0;
    }

    record Result(int status, String output) {
    }
}
