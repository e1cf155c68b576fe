package io.flameec2.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JVM's CPU went, from a JFR recording's Java execution samples ({@code jdk.ExecutionSample}: threads
 * running Java code; time blocked or in native calls such as epoll_wait is not in them): samples per thread,
 * the hottest methods (self), and the share of samples under each part of a FlameEC2 call (inclusive: a
 * sample counts for every part its stack passes through). Used by {@code bench/profile.sh}.
 *
 * <p>Run: {@code java -cp "bench/target/classes:bench/target/lib/*" io.flameec2.bench.JfrTop file.jfr [top]}
 */
public final class JfrTop {

    /** Inclusive buckets: name, then substrings of "class.method" any frame may contain. */
    private static final Map<String, List<String>> PARTS = new LinkedHashMap<>();

    static {
        PARTS.put("pool engine (submit/dispatch)", List.of("io.flameec2.impl.pool.FlamePoolEngine."));
        PARTS.put("wire encode (ObjectOutputStream)", List.of("java.io.ObjectOutputStream."));
        PARTS.put("wire decode (ObjectInputStream)", List.of("java.io.ObjectInputStream."));
        PARTS.put("  of which serial filter", List.of("io.flameec2.impl.wire.WireFilter", "ObjectInputFilter"));
        PARTS.put("  of which lambda (de)serialization", List.of("SerializedLambda", "$deserializeLambda$",
                "InnerClassLambdaMetafactory"));
        PARTS.put("TLS (SslHandler, JDK SSLEngine)", List.of("io.netty.handler.ssl.", "sun.security.ssl.",
                "com.sun.crypto.provider."));
        PARTS.put("netty frames (decoder, inbox, outbox)", List.of("io.flameec2.impl.channel."));
        PARTS.put("netty event loop / epoll", List.of("io.netty.channel.epoll.", "io.netty.channel.nio."));
        PARTS.put("executor hand-offs (TPE, FJP, CF)", List.of("java.util.concurrent.ThreadPoolExecutor.",
                "java.util.concurrent.CompletableFuture.", "java.util.concurrent.SynchronousQueue."));
        PARTS.put("runner: run the call (invoker)", List.of("io.flameec2.impl.remote.runner.RunnerCore.execute",
                "io.flameec2.impl.exec."));
        PARTS.put("Liberty managed-thread context", List.of("com.ibm.ws.concurrent.", "com.ibm.ws.context.",
                "com.ibm.ws.threading."));
        PARTS.put("logging (JUL)", List.of("java.util.logging."));
    }

    private JfrTop() {
    }

    /**
     * Prints the summary.
     *
     * @param args the recording, and how many hot methods to print (15)
     * @throws IOException when the recording cannot be read
     */
    public static void main(String[] args) throws IOException {
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> parts = new LinkedHashMap<>();
        PARTS.keySet().forEach(k -> parts.put(k, 0));
        int total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            total++;
            String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
            threads.merge(thread.replaceAll("\\d+$", "N"), 1, Integer::sum);
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            self.merge(name(frames.get(0)), 1, Integer::sum);
            StringBuilder all = new StringBuilder();
            for (RecordedFrame f : frames) {
                all.append(name(f)).append('\n');
            }
            String stack = all.toString();
            for (Map.Entry<String, List<String>> p : PARTS.entrySet()) {
                if (p.getValue().stream().anyMatch(stack::contains)) {
                    parts.merge(p.getKey(), 1, Integer::sum);
                }
            }
        }
        int n = Math.max(1, total);
        System.out.println(total + " Java execution samples");
        System.out.println("-- by thread (numbers folded to N)");
        print(threads, n, 10);
        System.out.println("-- hottest methods (self)");
        print(self, n, top);
        System.out.println("-- parts of a call (inclusive)");
        parts.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * v / n, k));
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static void print(Map<String, Integer> counts, int total, int top) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(e -> System.out.printf(Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * e.getValue() / total,
                        e.getKey()));
    }
}
