package io.flameec2.it.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A parent in a JVM of its own (the test's classpath), for the tests that SIGKILL a parent: it is started, and
 * the test waits for the line the parent prints once it is where the test needs it.
 */
public final class ParentJvm {

    private ParentJvm() {
    }

    /**
     * Starts {@code main} with these arguments in a new JVM; its output is read with {@link #awaitLine}.
     *
     * @param main the class whose {@code main} runs
     * @param args its arguments
     * @return the JVM's process
     * @throws IOException when it cannot start
     */
    public static Process start(Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /**
     * Reads the JVM's output until a line starts with {@code prefix}.
     *
     * @param parent the JVM
     * @param prefix what the awaited line starts with
     * @param timeout the longest wait
     * @return the line
     * @throws Exception when the JVM ended first or the wait timed out
     */
    public static String awaitLine(Process parent, String prefix, Duration timeout) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream()));
        return CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("the parent JVM ended before it printed '" + prefix + "'");
        }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
