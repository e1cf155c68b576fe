package io.flameec2.impl.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class ContainerThreadsTest {

    @Test
    void outsideAContainerThreadsAreNamedDaemonsWithTheApplicationsLoader() {
        ClassLoader app = new URLClassLoader(new URL[0], getClass().getClassLoader());
        ThreadFactory threads = ContainerThreads.named(app, "flame-pool-p-boot");
        Thread first = threads.newThread(() -> { });
        Thread second = threads.newThread(() -> { });
        assertEquals("flame-pool-p-boot", first.getName());
        assertEquals("flame-pool-p-boot-2", second.getName());
        assertTrue(first.isDaemon(), "a plain thread never keeps a JVM alive");
        assertSame(app, first.getContextClassLoader());
    }
}
