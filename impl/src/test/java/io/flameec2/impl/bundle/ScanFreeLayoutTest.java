package io.flameec2.impl.bundle;

import static io.flameec2.impl.telemetry.TestWars.classFile;
import static io.flameec2.impl.telemetry.TestWars.write;
import static io.flameec2.impl.telemetry.TestWars.zip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.impl.telemetry.TestWars;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which library jars a runner loads from its private library, and the runner copy of the WAR that results. */
class ScanFreeLayoutTest {

    /** A bean of a library jar without beans.xml: an implicit bean archive. */
    @ApplicationScoped
    static final class LibraryBean {
    }

    @TempDir
    Path dir;

    private Map<String, byte[]> application(Map<String, byte[]> more) throws Exception {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>(Map.of(
                "WEB-INF/classes/com/acme/Plain.class", classFile(TestWars.Plain.class),
                "WEB-INF/lib/util.jar", zip(Map.of("com/acme/util/Plain.class", classFile(TestWars.Plain.class))),
                "WEB-INF/lib/flame-ec2-api.jar", zip(Map.of("io/flameec2/FlameRemote.class",
                        classFile(LibraryBean.class))),
                "WEB-INF/lib/explicit.jar", zip(Map.of("META-INF/beans.xml", new byte[0],
                        "com/acme/explicit/Bean.class", classFile(LibraryBean.class)))));
        entries.putAll(more);
        return entries;
    }

    @Test
    void libraryJarsThatMatterToNoContainerMoveAndTheWarGetsAnnotatedDiscovery() throws Exception {
        Path war = write(dir.resolve("app.war"), application(Map.of()));
        ScanFreeLayout layout = ScanFreeLayout.of(war).orElseThrow();
        assertEquals(Set.of("WEB-INF/lib/util.jar"), layout.moved(), "FlameEC2's own and explicit archives stay");
        assertTrue(layout.addsBeansXml());

        Path server = Files.createDirectories(dir.resolve("server/apps")).getParent();
        layout.write(war, server);
        try (ZipFile copy = new ZipFile(server.resolve("apps/app.war").toFile())) {
            List<String> names = Collections.list(copy.entries()).stream().map(ZipEntry::getName).sorted().toList();
            assertEquals(List.of("WEB-INF/beans.xml", "WEB-INF/classes/com/acme/Plain.class",
                    "WEB-INF/lib/explicit.jar", "WEB-INF/lib/flame-ec2-api.jar"), names);
            String beans = new String(copy.getInputStream(copy.getEntry("WEB-INF/beans.xml")).readAllBytes(),
                    StandardCharsets.UTF_8);
            assertTrue(beans.contains("bean-discovery-mode=\"annotated\""), beans);
        }
        assertTrue(Files.isRegularFile(server.resolve("lib/util.jar")));
        assertTrue(Files.readString(server.resolve(ScanFreeLayout.CONFIG)).contains(
                "<cdi enableImplicitBeanArchives=\"false\"/>"));
    }

    @Test
    void aWarWithItsOwnBeansXmlKeepsIt() throws Exception {
        Path war = write(dir.resolve("beans.war"), application(Map.of("WEB-INF/beans.xml",
                "<beans bean-discovery-mode=\"all\"/>".getBytes(StandardCharsets.UTF_8))));
        assertFalse(ScanFreeLayout.of(war).orElseThrow().addsBeansXml());
    }

    @Test
    void aLibraryJarThatMayHoldBeansWithoutBeansXmlOrServeTheServletContainerKeepsTheWarAsItIs() throws Exception {
        assertEquals(Optional.empty(), ScanFreeLayout.of(write(dir.resolve("implicit.war"), application(Map.of(
                "WEB-INF/lib/beans.jar", zip(Map.of("com/acme/lib/LibraryBean.class",
                        classFile(LibraryBean.class))))))));
        assertEquals(Optional.empty(), ScanFreeLayout.of(write(dir.resolve("fragment.war"), application(Map.of(
                "WEB-INF/lib/fragment.jar", zip(Map.of("META-INF/web-fragment.xml", new byte[0],
                        "com/acme/f/Plain.class", classFile(TestWars.Plain.class))))))));
        assertEquals(Optional.empty(), ScanFreeLayout.of(write(dir.resolve("extension.war"), application(Map.of(
                "WEB-INF/lib/extension.jar", zip(Map.of(
                        "META-INF/services/jakarta.enterprise.inject.spi.Extension", new byte[0],
                        "com/acme/e/Plain.class", classFile(TestWars.Plain.class))))))));
    }

    @Test
    void aRunnerServerOfARecipeHasThePrivateLibraryEvenWhenNothingMoved() throws Exception {
        Path war = write(dir.resolve("implicit2.war"), application(Map.of("WEB-INF/lib/beans.jar",
                zip(Map.of("com/acme/lib/LibraryBean.class", classFile(LibraryBean.class))))));
        Path usr = dir.resolve("usr");
        RunnerRecipe.of(war).writeUserDir(usr);
        Path server = usr.resolve("servers/" + RunnerRecipe.SERVER);
        assertTrue(Files.isDirectory(server.resolve("lib")), "server.xml's fileset directory exists");
        assertFalse(Files.exists(server.resolve(ScanFreeLayout.CONFIG)));
        assertEquals(Files.size(war), Files.size(server.resolve("apps/app.war")), "the WAR as it is");
        assertTrue(Files.readString(server.resolve("server.xml")).contains("privateLibraryRef=\"flameAppLibraries\""));
    }
}
