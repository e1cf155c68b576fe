package io.flameec2.impl.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parent finds its own WAR from where Open Liberty loads the application's classes. */
class DeployedApplicationTest {

    private static final String CLASS = "/WEB-INF/classes/io/flameec2/runner/FlameRunnerListener.class";

    @TempDir
    Path tmp;

    @Test
    void anArchiveAnExpandedWarAndLooseClasses() throws Exception {
        Path war = Files.write(tmp.resolve("shop app.war"), new byte[] {1});
        assertEquals(Optional.of(war), DeployedApplication.fromResource("wsjar:" + war.toUri() + "!" + CLASS));
        assertEquals(Optional.of(war), DeployedApplication.fromResource("jar:" + war.toUri() + "!" + CLASS));
        Path expanded = Files.createDirectories(tmp.resolve("expanded/shop.war/WEB-INF/classes"))
                .getParent().getParent();
        assertEquals(Optional.of(expanded), DeployedApplication.fromResource(
                expanded.toUri().toString().replaceAll("/$", "") + CLASS));
        // a development server's loose application: classes straight from the build, no WAR to copy
        assertEquals(Optional.empty(), DeployedApplication.fromResource(
                tmp.toUri() + "target/classes/io/flameec2/runner/FlameRunnerListener.class"));
        assertEquals(Optional.empty(), DeployedApplication.fromResource(
                "wsjar:" + tmp.resolve("gone.war").toUri() + "!" + CLASS));
    }
}
