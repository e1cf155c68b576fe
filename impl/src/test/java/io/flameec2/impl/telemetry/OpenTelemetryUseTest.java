package io.flameec2.impl.telemetry;

import static io.flameec2.impl.telemetry.TestWars.classFile;
import static io.flameec2.impl.telemetry.TestWars.write;
import static io.flameec2.impl.telemetry.TestWars.zip;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.impl.bundle.WarFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding whether an application's own classes use the OpenTelemetry API, in WAR files and expanded WARs. */
class OpenTelemetryUseTest {

    @TempDir
    Path dir;

    @Test
    void aWarWhoseOnlyUseOfTheApiIsFlameEc2sOwnDoesNotUseIt() throws Exception {
        Path war = write(dir.resolve("plain.war"), Map.of(
                "WEB-INF/classes/com/acme/Plain.class", classFile(TestWars.Plain.class),
                // FlameEC2's classes use the API only once they saw it is visible
                "WEB-INF/lib/flame-ec2-impl.jar", zip(Map.of("io/flameec2/impl/telemetry/OtelTelemetry.class",
                        classFile(TestWars.Traced.class))),
                // a name in a file that is no class is no use
                "WEB-INF/classes/notes.txt", "io/opentelemetry/api".getBytes(StandardCharsets.US_ASCII),
                "WEB-INF/lib/util.jar", zip(Map.of("com/acme/util/Plain.class", classFile(TestWars.Plain.class)))));
        assertFalse(OpenTelemetryUse.in(war));
    }

    @Test
    void flameEc2sImplementationAsBuiltDoesNotCount() throws Exception {
        // every class of this module as the build made it: one that only names the package (a constant) must not
        // give every application's runners MicroProfile Telemetry (WarScan's own constant once did)
        Path classes = Path.of(OpenTelemetryUse.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, byte[]> impl = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> all = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) all.filter(f -> f.toString().endsWith(".class"))::iterator) {
                impl.put(classes.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        assertTrue(impl.keySet().stream().anyMatch(n -> n.startsWith("io/flameec2/impl/telemetry/")), impl.keySet()::toString);
        assertFalse(OpenTelemetryUse.in(write(dir.resolve("impl.war"), Map.of(
                "WEB-INF/classes/com/acme/Plain.class", classFile(TestWars.Plain.class),
                "WEB-INF/lib/flame-ec2-impl.jar", zip(impl)))));
    }

    @Test
    void aClassOfTheWarOrOfOneOfItsLibrariesNamingAnOpenTelemetryTypeUsesIt() throws Exception {
        assertTrue(OpenTelemetryUse.in(write(dir.resolve("classes.war"), Map.of(
                "WEB-INF/classes/com/acme/Plain.class", classFile(TestWars.Plain.class),
                "WEB-INF/classes/com/acme/Traced.class", classFile(TestWars.Traced.class)))));
        assertTrue(OpenTelemetryUse.in(write(dir.resolve("ours.war"), Map.of(
                "WEB-INF/classes/io/flameec2/it/TracedWork.class", classFile(TestWars.Traced.class)))),
                "an application's class in a package under io.flameec2 is the application's");
        assertTrue(OpenTelemetryUse.in(write(dir.resolve("lib.war"), Map.of(
                "WEB-INF/classes/com/acme/Plain.class", classFile(TestWars.Plain.class),
                "WEB-INF/lib/tracing.jar", zip(Map.of("com/acme/tracing/Traced.class",
                        classFile(TestWars.Traced.class)))))));
    }

    @Test
    void anExpandedWarIsReadToo() throws Exception {
        Path war = dir.resolve("expanded.war");
        Files.createDirectories(war.resolve("WEB-INF/classes/com/acme"));
        Files.createDirectories(war.resolve("WEB-INF/lib"));
        Files.write(war.resolve("WEB-INF/classes/com/acme/Plain.class"), classFile(TestWars.Plain.class));
        write(war.resolve("WEB-INF/lib/util.jar"), Map.of("com/acme/util/Plain.class", classFile(TestWars.Plain.class)));
        assertFalse(OpenTelemetryUse.in(war));
        write(war.resolve("WEB-INF/lib/tracing.jar"), Map.of("com/acme/Traced.class", classFile(TestWars.Traced.class)));
        assertTrue(OpenTelemetryUse.in(war), "read again: an expanded WAR is not remembered");
    }

    @Test
    void byteSearchFindsThePackageAnywhereAndNothingElse() {
        byte[] part = "io/opentelemetry/".getBytes(StandardCharsets.US_ASCII);
        assertTrue(WarFiles.contains("Lio/opentelemetry/api/trace/Tracer;".getBytes(StandardCharsets.US_ASCII),
                part));
        assertTrue(WarFiles.contains(part, part));
        assertFalse(WarFiles.contains("io/opentelemetry".getBytes(StandardCharsets.US_ASCII), part));
        assertFalse(WarFiles.contains("io.opentelemetry.api".getBytes(StandardCharsets.US_ASCII), part));
    }
}
