package io.flameec2.impl.backend.process;

import io.flameec2.impl.bundle.ContentCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A configured runner bundle ({@code bundle}: a Liberty server package zip), unpacked once per bundle file into
 * the work directory; every runner runs that same server with its own {@code WLP_OUTPUT_DIR}, which Liberty
 * supports for several instances of one server and which costs nothing per runner, unlike copying it.
 */
final class UnpackedBundle implements RunnerServerSource {

    private static final Logger LOG = Logger.getLogger(UnpackedBundle.class.getName());

    private final String pool;
    private final Path bundle;
    private volatile RunnerServer unpacked;

    /**
     * @param pool the pool, for logs
     * @param bundle the bundle zip
     */
    UnpackedBundle(String pool, Path bundle) {
        this.pool = pool;
        this.bundle = bundle;
    }

    @Override
    public synchronized RunnerServer prepare(Path workDir) throws IOException {
        if (unpacked != null) {
            return unpacked;
        }
        String key = bundle.getFileName() + "-" + Files.size(bundle) + "-" + Files.getLastModifiedTime(bundle).toMillis();
        long start = System.nanoTime();
        ContentCache.Entry entry = ContentCache.getOrBuild(workDir.resolve(key), staging -> unzip(bundle, staging));
        if (entry.built()) {
            LOG.info(() -> "flame pool '" + pool + "': unpacked runner bundle " + bundle + " into " + entry.path()
                    + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
        Path wlp = entry.path().resolve("wlp");
        Path servers = wlp.resolve("usr/servers");
        List<String> names;
        try (Stream<Path> s = Files.list(servers)) {
            names = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
        if (names.size() != 1) {
            throw new IOException("runner bundle " + bundle + " must hold exactly one server under wlp/usr/servers, found "
                    + names);
        }
        unpacked = new RunnerServer(wlp, Optional.empty(), names.get(0), entry.path().resolve("output"));
        return unpacked;
    }

    private static void unzip(Path zip, Path target) throws IOException {
        Files.createDirectories(target);
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path out = target.resolve(e.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("runner bundle " + zip + " has an entry outside its root: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                // zip entries lose their mode here; Liberty's launch scripts must be executable
                if (e.getName().startsWith("wlp/bin/") || e.getName().endsWith(".sh")) {
                    out.toFile().setExecutable(true, false);
                }
            }
        }
    }
}
