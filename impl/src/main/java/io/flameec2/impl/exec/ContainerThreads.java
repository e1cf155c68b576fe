package io.flameec2.impl.exec;

import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Where FlameEC2's threads come from: inside a Jakarta EE container, its default managed thread factory (so
 * work runs with the application's context and the container knows the threads); elsewhere (tests, plain
 * Java), daemon threads with the application's class loader. Every thread FlameEC2 starts comes from here.
 */
public final class ContainerThreads {

    private static final Logger LOG = Logger.getLogger(ContainerThreads.class.getName());
    private static final String MANAGED = "java:comp/DefaultManagedThreadFactory";

    private ContainerThreads() {
    }

    /**
     * The container's managed thread factory, else plain daemon threads.
     *
     * @param loader the class loader plain threads get as context class loader
     * @return the factory
     */
    public static ThreadFactory factory(ClassLoader loader) {
        try {
            Object f = new InitialContext().lookup(MANAGED);
            if (f instanceof ThreadFactory tf) {
                return tf;
            }
        } catch (NamingException | RuntimeException | LinkageError e) {
            LOG.fine(() -> "flame: no managed thread factory (" + e + "); using plain threads");
        }
        ThreadFactory plain = Executors.defaultThreadFactory();
        return r -> {
            Thread t = plain.newThread(r);
            t.setContextClassLoader(loader);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Named threads from {@link #factory}: {@code name}, then {@code name-2}, {@code name-3}... when there are
     * more.
     *
     * @param loader the class loader plain threads get as context class loader
     * @param name the name of the threads, for thread dumps and logs
     * @return the factory
     */
    public static ThreadFactory named(ClassLoader loader, String name) {
        ThreadFactory threads = factory(loader);
        AtomicInteger made = new AtomicInteger();
        return r -> {
            Thread t = threads.newThread(r);
            int n = made.incrementAndGet();
            t.setName(n == 1 ? name : name + "-" + n);
            return t;
        };
    }
}
