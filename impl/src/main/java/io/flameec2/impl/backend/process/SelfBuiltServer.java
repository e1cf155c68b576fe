package io.flameec2.impl.backend.process;

import io.flameec2.impl.bundle.ContentCache;
import io.flameec2.impl.bundle.RunnerRecipe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The runner server a parent makes of itself when its pool names no bundle (FLAME's code sync): a Liberty user
 * directory with the runner {@code server.xml} and a copy of the parent's deployed WAR, run by the parent's
 * own Liberty installation ({@code WLP_USER_DIR} pointing at it). Nothing of the installation is copied, so
 * it is ready in the time of one WAR hash and copy, about 0.5 s for 42 MB (a {@code server package
 * --include=minify} and its unpacking took 6-31 s on a loaded 2-core machine, and its runners boot no faster:
 * README). It is made on first use, in the work directory under a name of the application's version and
 * content hash ({@link RunnerRecipe}): once per application build, shared by all pools and parents of this
 * user, and built once when several want it at the same time ({@link ContentCache}).
 */
final class SelfBuiltServer implements RunnerServerSource {

    private static final Logger LOG = Logger.getLogger(SelfBuiltServer.class.getName());

    private final String pool;
    private final Path wlp;
    private final Supplier<Optional<Path>> war;
    private final Supplier<String> appVersion;
    private final String bundleKey;
    private final AtomicInteger builds = new AtomicInteger();
    private volatile RunnerServer prepared;

    /**
     * @param pool the pool, for logs
     * @param wlp the parent's Liberty installation ({@code wlp.install.dir})
     * @param war finds the parent's deployed WAR (file or expanded directory) when first needed
     * @param appVersion the application's version, part of the directory name for people reading it (read at
     *     first use: the WAR's manifest version is known once the application is deployed)
     * @param bundleKey the {@code bundle} key, named when the WAR cannot be found
     */
    SelfBuiltServer(String pool, Path wlp, Supplier<Optional<Path>> war, Supplier<String> appVersion,
            String bundleKey) {
        this.pool = pool;
        this.wlp = wlp;
        this.war = war;
        this.appVersion = appVersion;
        this.bundleKey = bundleKey;
    }

    @Override
    public synchronized RunnerServer prepare(Path workDir) throws IOException {
        if (prepared != null) {
            return prepared;
        }
        Path app = war.get().orElseThrow(() -> new IOException("pool '" + pool + "' has no " + bundleKey
                + " and the application's deployed WAR could not be found to build one from (an application"
                + " deployed as loose classes, such as by a development server?): set " + bundleKey));
        long start = System.nanoTime();
        String version = appVersion.get();
        RunnerRecipe recipe = RunnerRecipe.of(app);
        ContentCache.Entry entry = ContentCache.getOrBuild(workDir.resolve(recipe.name(version)),
                staging -> recipe.writeUserDir(staging.resolve("usr")));
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (entry.built()) {
            builds.incrementAndGet();
        }
        LOG.info(() -> "flame pool '" + pool + "': runner server of " + app + " (version " + version + ", SHA-256 "
                + recipe.hash().substring(0, 16) + "...) " + (entry.built() ? "built" : "found") + " in "
                + entry.path() + " in " + ms + " ms; runners run it with Liberty " + wlp);
        prepared = new RunnerServer(wlp, Optional.of(entry.path().resolve("usr")), RunnerRecipe.SERVER,
                entry.path().resolve("output"));
        return prepared;
    }

    /**
     * How many times this pool built the runner server: 0 when it was found made (by another pool, another
     * parent or an earlier run), 1 at most.
     *
     * @return the count
     */
    int builds() {
        return builds.get();
    }
}
