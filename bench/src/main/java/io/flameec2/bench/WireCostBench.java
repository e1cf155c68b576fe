package io.flameec2.bench;

import io.flameec2.impl.wire.WireCall;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireFilter;
import io.flameec2.impl.wire.WireReply;
import io.flameec2.spi.FlameCall;
import io.flameec2.spi.FlameInvocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The CPU cost of FlameEC2's wire protocol for one call, in this JVM, without any transport: what the parent
 * and the runner each compute per no-op call and per 1 MB argument, both ways: the parent encodes the call,
 * the runner decodes it, the runner encodes the reply, the parent decodes it. Nothing is signed or verified:
 * the runner channel authenticates the runner once, at its join, inside one TLS 1.3 connection, and carries
 * no per-message signature since (TLS's own record protection is part of the transport, measured by
 * {@link TransportBench}'s {@code tls-pingpong} row, not here). Prints a table and writes
 * {@code bench/target/wire-cost.csv}.
 *
 * <p>Run: {@code java -cp "bench/target/classes:bench/target/lib/*" io.flameec2.bench.WireCostBench}
 */
public final class WireCostBench {

    private static volatile Object sink;

    private WireCostBench() {
    }

    /**
     * Runs the measurement.
     *
     * @param args unused
     * @throws IOException when the CSV cannot be written
     */
    public static void main(String[] args) throws IOException {
        WireCodec codec = new WireCodec(WireFilter.read(io.flameec2.impl.config.ConfigLookup.of(
                Map.of(WireFilter.ALLOW, "io.flameec2.bench.*"))));
        ClassLoader loader = WireCostBench.class.getClassLoader();
        byte[] mb = new byte[1 << 20];
        new Random(7).nextBytes(mb);
        List<String[]> rows = new ArrayList<>();
        for (int round = 0; round < 2; round++) { // the first round warms the JIT; the second is reported
            rows.clear();
            for (boolean big : new boolean[] {false, true}) {
                FlameInvocation inv = new FlameInvocation.Closure(big ? BenchTasks.echo(mb) : BenchTasks.noop());
                String what = big ? "1 MB" : "no-op";
                int n = big ? 200 : 20_000;
                FlameCall call = new FlameCall("c-1", inv, Instant.now().plusSeconds(600));
                byte[] req = codec.encode(WireCall.of(call));
                byte[] rep = codec.encode(new WireReply.Value(big ? mb : null));
                rows.add(time(what, "parent: encode call (" + req.length + " B)", n,
                        () -> codec.encode(WireCall.of(call))));
                rows.add(time(what, "runner: decode call", n, () -> codec.decode(req, loader, WireCall.class)));
                rows.add(time(what, "runner: encode reply (" + rep.length + " B)", n,
                        () -> codec.encode(new WireReply.Value(big ? mb : null))));
                rows.add(time(what, "parent: decode reply", n, () -> codec.decode(rep, loader, WireReply.class)));
            }
        }
        String header = "payload,step,ops,mean_us,p50_us,p99_us";
        StringBuilder csv = new StringBuilder(header).append('\n');
        String fmt = "%-6s %-44s %7s %9s %9s %9s%n";
        System.out.printf(Locale.ROOT, fmt, (Object[]) header.split(","));
        for (String[] r : rows) {
            System.out.printf(Locale.ROOT, fmt, (Object[]) r);
            csv.append(String.join(",", r)).append('\n');
        }
        Path file = Path.of("bench/target/wire-cost.csv");
        Files.createDirectories(file.getParent());
        Files.writeString(file, csv);
    }

    private static String[] time(String payload, String step, int n, Supplier<Object> op) {
        long[] lat = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            sink = op.get();
            lat[i] = System.nanoTime() - s;
            total += lat[i];
        }
        Arrays.sort(lat);
        return new String[] {payload, step, Integer.toString(n), String.format(Locale.ROOT, "%.1f", total / 1e3 / n),
            String.format(Locale.ROOT, "%.1f", lat[n / 2] / 1e3),
            String.format(Locale.ROOT, "%.1f", lat[n * 99 / 100] / 1e3)};
    }
}
