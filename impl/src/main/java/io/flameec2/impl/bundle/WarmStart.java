package io.flameec2.impl.bundle;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.Set;

/**
 * What a new runner of a runner server starts with, chosen and laid out in its output directory before it is
 * spawned:
 * <ul>
 *   <li>{@link Kind#TRAINED}: its own server's training ({@link RunnerTraining}): a copy of the warm workarea
 *       and, on Java 25+, the AOT cache;</li>
 *   <li>{@link Kind#INHERITED}: until that training has ended (a new build of the application: the runner server
 *       is new, its training starts with the pool), the training of the runner server trained last by the same
 *       Liberty installation for the same Java, another build of the application. Its workarea is copied without
 *       what belongs to that build's application (Liberty's annotation caches, the application's extracted
 *       jars): Liberty then starts as after a redeployment, OSGi framework, feature resolution and component
 *       metadata warm, the application scanned afresh. Its AOT cache is used as it is: the JVM takes from it
 *       only classes whose bytes are the same (a class is matched by name, size and CRC), so code of the new build
 *       is loaded from the new build;</li>
 *   <li>{@link Kind#COLD}: neither exists.</li>
 * </ul>
 * An inherited start saved an untrained runner about a second of a five-second boot (README "Runner cold
 * start"), close to a trained one; a build's first runners on a machine where the same Liberty trained another
 * build no longer boot cold.
 *
 * @param kind how the runner starts
 * @param trainedDir the runner server directory whose training it uses, empty when cold
 * @param aotCache the AOT cache it maps, empty when none
 */
public record WarmStart(Kind kind, Optional<Path> trainedDir, Optional<Path> aotCache) {

    /** How a runner starts. */
    public enum Kind {
        /** No training to start from: Liberty's first start. */
        COLD,
        /** Its own runner server's training. */
        TRAINED,
        /** Another build's training, until its own has ended. */
        INHERITED
    }

    /**
     * Names, under {@code workarea/org.eclipse.osgi/<bundle>/data/}, of what belongs to one application: Liberty's
     * annotation caches ({@code anno}), the application's extracted nested archives ({@code cache}) and web
     * container temporary files ({@code temp}, such as compiled JSPs).
     */
    private static final Set<String> APPLICATION_DATA = Set.of("anno", "cache", "temp");

    /**
     * Chooses how a new runner starts and lays it out: the chosen workarea copied into the runner's own output
     * directory.
     *
     * @param server the runner server (its Liberty installation must be the one that trained an inherited
     *     workarea)
     * @param dir the runner server's directory, whose siblings are other builds' runner servers
     * @param javaHome the runner's Java
     * @param output the runner's own {@code WLP_OUTPUT_DIR}, still empty
     * @return how it starts
     * @throws IOException when a workarea cannot be copied
     */
    public static WarmStart prepare(RunnerTraining.Server server, Path dir, Path javaHome, Path output)
            throws IOException {
        Path workarea = output.resolve(server.name()).resolve("workarea");
        if (RunnerTraining.trained(dir, javaHome)) {
            FileTrees.copy(RunnerTraining.workarea(dir, javaHome), workarea, rel -> false,
                    StandardCopyOption.COPY_ATTRIBUTES);
            return new WarmStart(Kind.TRAINED, Optional.of(dir), aotCache(dir, javaHome));
        }
        Optional<Path> base = lastTrainedSibling(server, dir, javaHome);
        if (base.isEmpty()) {
            return new WarmStart(Kind.COLD, Optional.empty(), Optional.empty());
        }
        FileTrees.copy(RunnerTraining.workarea(base.get(), javaHome), workarea, WarmStart::ofTheApplication,
                StandardCopyOption.COPY_ATTRIBUTES);
        return new WarmStart(Kind.INHERITED, base, aotCache(base.get(), javaHome));
    }

    /**
     * Removes what a runner's start laid out, once the runner has ended: its workarea (a copy of a trained one, plus
     * what Liberty added) is most of what a runner leaves in its output directory, a few MB each, which a
     * long-lived parent's runners would pile up; its logs stay for a post-mortem.
     *
     * @param server the runner server
     * @param output the runner's own {@code WLP_OUTPUT_DIR}
     */
    public static void discard(RunnerTraining.Server server, Path output) {
        FileTrees.deleteQuietly(output.resolve(server.name()).resolve("workarea"));
    }

    /**
     * The JVM option of the AOT cache.
     *
     * @return {@code -XX:AOTCache=<file>}, empty without a cache
     */
    public Optional<String> jvmOption() {
        return aotCache.map(RunnerTraining::useOption);
    }

    /**
     * For the log: how runners start and, without an AOT cache, why.
     *
     * @param javaHome the runners' Java
     * @param training whether this runner server's own training is under way (or will be), which ends an inherited
     *     start
     * @return such as {@code with a warm workarea and the AOT cache ...}
     */
    public String describe(Path javaHome, boolean training) {
        String workarea = switch (kind) {
            case COLD -> "cold (the runner server is not trained yet)";
            case TRAINED -> "with a warm workarea";
            case INHERITED -> "with the workarea of " + trainedDir.orElseThrow().getFileName() + " (trained for"
                    + " another build of the application, " + (training ? "until this build's training has ended"
                            : "as this runner server is not trained") + ")";
        };
        if (kind == Kind.COLD) {
            return workarea;
        }
        return workarea + (aotCache.isPresent() ? " and the AOT cache " + aotCache.get()
                : RunnerTraining.supported(javaHome) ? "; no AOT cache (its training made none)"
                : "; no AOT cache: Java " + RunnerTraining.javaVersion(javaHome).orElse("?") + " at " + javaHome
                        + " is older than " + RunnerTraining.MIN_FEATURE);
    }

    private static Optional<Path> aotCache(Path dir, Path javaHome) {
        Path cache = RunnerTraining.aotCache(dir, javaHome);
        return RunnerTraining.supported(javaHome) && Files.isRegularFile(cache) ? Optional.of(cache) : Optional.empty();
    }

    /**
     * The runner server beside {@code dir} trained last for this Java by this Liberty installation: a workarea
     * holds the installation's paths and its features' bundles, so another installation's is of no use.
     */
    private static Optional<Path> lastTrainedSibling(RunnerTraining.Server server, Path dir, Path javaHome) {
        Path parent = dir.toAbsolutePath().getParent();
        String wlp;
        try {
            wlp = server.wlp().toRealPath().toString();
        } catch (IOException e) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(parent, Files::isDirectory)) {
            Path best = null;
            FileTime bestTime = null;
            for (Path sibling : siblings) {
                if (sibling.equals(dir.toAbsolutePath()) || !RunnerTraining.trained(sibling, javaHome)
                        || !RunnerTraining.trainedBy(sibling, javaHome).map(wlp::equals).orElse(false)) {
                    continue;
                }
                FileTime t = Files.getLastModifiedTime(RunnerTraining.workarea(sibling, javaHome));
                if (bestTime == null || t.compareTo(bestTime) > 0) {
                    best = sibling;
                    bestTime = t;
                }
            }
            return Optional.ofNullable(best);
        } catch (IOException | SecurityException e) {
            return Optional.empty(); // a cold start, as without any
        }
    }

    /**
     * Whether a workarea path belongs to one build's application (or to one server run: its lock and command
     * authentication files), so that another build must not inherit it.
     */
    static boolean ofTheApplication(Path rel) {
        if (rel.getNameCount() == 1 && rel.getFileName().toString().startsWith(".s")) {
            return true; // .sLock, .sCommandAuth
        }
        return rel.getNameCount() >= 4 && rel.getName(0).toString().equals("org.eclipse.osgi")
                && rel.getName(2).toString().equals("data")
                && APPLICATION_DATA.contains(rel.getName(3).toString());
    }
}
