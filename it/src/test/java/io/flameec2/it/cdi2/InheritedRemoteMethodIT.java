package io.flameec2.it.cdi2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flameec2.it.LibertyServer;
import io.flameec2.it.process.RunnerBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #19 bug 1 in a real Open Liberty parent (Weld): two beans inherit one method and carry different
 * class-level {@code @FlameRemote} pools. Each call must land in its own bean's pool and run that bean, which
 * needs the extension to key remote methods by bean class and method and the interceptor to take the bean
 * from {@code @Intercepted Bean<?>}. Both pools use the local backend, so no runner process is booted.
 */
class InheritedRemoteMethodIT {

    private static final String CONFIG = """
            flame.pools.a.max=1
            flame.pools.a.backend=local
            flame.pools.b.max=1
            flame.pools.b.backend=local
            """;
    private static LibertyServer server;

    @BeforeAll
    static void startParentServer() throws Exception {
        Path war = Files.createTempFile("flame-cdi2-app", ".war");
        RunnerBundle.war(war, Map.of("WEB-INF/classes/META-INF/microprofile-config.properties", CONFIG),
                Worker.class, WorkerA.class, WorkerB.class, BootLog.class, WorkerServlet.class);
        server = LibertyServer.create("parent-cdi2").deploy("app", war, "/app");
        server.start("/app/work/ready", r -> r.statusCode() == 200);
    }

    @AfterAll
    static void stopParentServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String get(String path) throws Exception {
        return server.getOk("/app" + path);
    }

    @Test
    void eachBeanInheritingTheMethodRunsItselfInItsOwnPool() throws Exception {
        assertEquals("A did x [a]", get("/work/a"), "WorkerA's call: bean A, pool a only");
        assertEquals("B did y [a, b]", get("/work/b"), "WorkerB's call: bean B, then pool b");
        assertEquals("A did x [a, b]", get("/work/a"), "WorkerA again: its runner in pool a is reused");
    }
}
