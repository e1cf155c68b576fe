package io.flameec2.it.ec2;

import io.flameec2.FlameCallable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Answers which build of the application the runner runs: the {@code e2e-code.txt} resource of its WAR, which
 * the end-to-end test changes between two builds of the parent's application.
 */
public record CodeTask() implements FlameCallable<String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String call() throws IOException {
        try (InputStream in = CodeTask.class.getResourceAsStream("/e2e-code.txt")) {
            return in == null ? "no e2e-code.txt" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }
}
