package io.flameec2.impl.remote.runner;

import io.flameec2.impl.channel.BootMark;
import io.flameec2.impl.remote.common.RunnerEnv;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The runner's own record of its boot, reported with its join: each phase's end in milliseconds since this
 * JVM started (the JVM's uptime, so no wall clock is read), plus what happened before the JVM and was handed
 * over in {@link RunnerEnv#BOOT_MARKS} (wall-clock milliseconds of this same machine, turned into offsets
 * from the JVM's start time). One per application class loader: the CDI extension marks {@link #LIBERTY},
 * the runner marks {@link #APP} when it starts joining and {@link #JOIN} when its join is on the wire.
 */
public final class BootMarks {

    /** Open Liberty's kernel and features are up: the application begins to start (CDI discovery). */
    public static final String LIBERTY = "liberty";
    /** The application and CDI started: the runner can take calls and starts joining. */
    public static final String APP = "app";
    /** The join is on its way to the parent (connection and TLS done). */
    public static final String JOIN = "join";
    /** The JVM started: offset 0 by definition. */
    static final String JVM = "jvm";

    private static final Logger LOG = Logger.getLogger(BootMarks.class.getName());
    private static final Map<String, Long> MARKS = new ConcurrentHashMap<>();

    private BootMarks() {
    }

    /**
     * Records that a phase ended now; the first record of a phase wins.
     *
     * @param phase {@link #LIBERTY}, {@link #APP} or {@link #JOIN}
     */
    public static void mark(String phase) {
        MARKS.putIfAbsent(phase, uptimeMs());
    }

    /**
     * The marks so far, with {@code jvm} at 0, the handed-over ones before it and {@code join} at now, in
     * time order.
     *
     * @param env the runner's environment, for {@link RunnerEnv#BOOT_MARKS}
     * @return the marks
     */
    static List<BootMark> forJoin(Map<String, String> env) {
        List<BootMark> out = new ArrayList<>(handedOver(env.get(RunnerEnv.BOOT_MARKS), jvmStartWallMs()));
        out.add(new BootMark(JVM, 0));
        MARKS.forEach((phase, at) -> {
            if (!phase.equals(JOIN)) {
                out.add(new BootMark(phase, at));
            }
        });
        out.add(new BootMark(JOIN, uptimeMs()));
        out.sort(Comparator.comparingLong(BootMark::sinceJvmStartMs));
        return out;
    }

    /**
     * Parses {@code instance=1733212345678,java=...}: wall-clock milliseconds of this machine, each the end of
     * the phase it names, into offsets from the JVM's start. Malformed entries are skipped (logged): a boot
     * must not fail over its statistics.
     *
     * @param value the variable, or {@code null}
     * @param jvmStartWallMs the JVM's start on the same clock
     * @return the marks, in the order given
     */
    static List<BootMark> handedOver(String value, long jvmStartWallMs) {
        List<BootMark> out = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        for (String entry : value.split(",")) {
            int eq = entry.indexOf('=');
            try {
                out.add(new BootMark(entry.substring(0, eq).trim(),
                        Long.parseLong(entry.substring(eq + 1).trim()) - jvmStartWallMs));
            } catch (RuntimeException e) {
                LOG.fine(() -> "flame runner: ignoring boot mark '" + entry + "' of " + RunnerEnv.BOOT_MARKS);
            }
        }
        return out;
    }

    private static long uptimeMs() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }

    private static long jvmStartWallMs() {
        return ManagementFactory.getRuntimeMXBean().getStartTime();
    }
}
