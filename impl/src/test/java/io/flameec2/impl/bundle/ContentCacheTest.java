package io.flameec2.impl.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parents of one user that first want the same runner server at the same time build it once: the file lock
 * serializes JVMs (within one JVM the pools meet at its own lock first, see SelfBuiltServerTest).
 */
class ContentCacheTest {

    @TempDir
    Path tmp;

    @Test
    void threeJvmsWantingOneEntryAtOnceBuildItOnce() throws Exception {
        Path target = tmp.resolve("runner-1.0-abc");
        List<Process> jvms = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jvms.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin/java").toString(), "-cp",
                    System.getProperty("java.class.path"), Builder.class.getName(), target.toString())
                    .redirectErrorStream(true).start());
        }
        List<String> outcomes = new ArrayList<>();
        for (Process p : jvms) {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "a builder JVM did not finish");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, p.exitValue(), out);
            outcomes.add(out.substring(out.lastIndexOf('\n') + 1));
        }
        assertEquals(1, outcomes.stream().filter("built"::equals).count(), outcomes.toString());
        assertEquals(2, outcomes.stream().filter("found"::equals).count(), outcomes.toString());
        assertEquals("complete", Files.readString(target.resolve("marker")));
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.contains(".building"))
                    .toList(), "no staging directory left behind");
        }
    }

    /** A parent JVM: gets or builds the entry, slowly (the JVMs start within a second or two of each other). */
    public static final class Builder {
        public static void main(String[] args) throws Exception {
            Path target = Path.of(args[0]);
            ContentCache.Entry entry = ContentCache.getOrBuild(target, staging -> {
                Files.createDirectories(staging);
                try {
                    Thread.sleep(3000); // stands for a build that takes a while: the others must wait, not build
                } catch (InterruptedException e) {
                    throw new java.io.IOException(e);
                }
                Files.writeString(staging.resolve("marker"), "complete");
            });
            System.out.println(entry.built() ? "built" : "found");
        }
    }
}
