package io.flameec2.it.reliability;

import com.example.untrusted.CanaryComparator;
import com.example.untrusted.Outsider;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.it.process.RunnerBundle;
import io.flameec2.it.process.RunnerTasks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the reliability suite's tests share: the runner bundle, finding runner processes, printing figures. */
final class Suite {

    /** Where the figures are collected, besides standard output. */
    static final Path FIGURES = Path.of("target", "reliability-figures.txt");

    private Suite() {
    }

    /** The runner bundle: the runner WAR plus the suite's tasks (and the process tests' Busy) and the untrusted classes. */
    static Path bundle() throws Exception {
        List<Class<?>> classes = new ArrayList<>(List.of(ReliabilityTasks.class, Outsider.class, CanaryComparator.class,
                RunnerTasks.class, RunnerTasks.Busy.class));
        classes.addAll(Arrays.asList(ReliabilityTasks.class.getDeclaredClasses()));
        return RunnerBundle.get(classes.toArray(Class<?>[]::new));
    }

    /** The runner JVMs of a pool that are alive now, found by the pool name in their environment. */
    static List<ProcessHandle> runnerJvms(String pool) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .filter(p -> {
                    Map<String, String> env = environ(p.pid());
                    return pool.equals(env.get(RunnerEnv.POOL)) && "true".equals(env.get(RunnerEnv.RUNNER));
                })
                .toList();
    }

    /**
     * Whether a process has ended: gone, or a zombie (exited, its entry not yet collected by its parent;
     * runners whose parent JVM was killed are collected by this machine's init, which can take a second or
     * two here, while under systemd or a live parent it is at once).
     */
    static boolean exited(ProcessHandle process) {
        if (!process.isAlive()) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true; // the entry went away while we looked
        }
    }

    /** A process's environment (Linux {@code /proc/<pid>/environ}; readable for processes of the same user). */
    static Map<String, String> environ(long pid) {
        Map<String, String> env = new HashMap<>();
        try {
            String raw = Files.readString(Path.of("/proc", Long.toString(pid), "environ"), StandardCharsets.ISO_8859_1);
            for (String entry : raw.split("\0")) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
        } catch (IOException | SecurityException e) {
            // gone, or not ours: no environment
        }
        return env;
    }

    /** Prints a figure for the closing note and keeps it in {@link #FIGURES}. */
    static void figure(String line) {
        String text = "FIGURE " + line;
        System.out.println(text);
        try {
            Files.createDirectories(FIGURES.getParent());
            Files.writeString(FIGURES, text + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("(could not append to " + FIGURES + ": " + e + ")");
        }
    }

    /** The value at a percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
