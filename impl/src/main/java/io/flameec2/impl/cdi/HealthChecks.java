package io.flameec2.impl.cdi;

import io.flameec2.impl.pool.Pools;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Registers FlameEC2's health checks when the application has MicroProfile Health; touches none of its types
 * itself, so an application without it never loads {@link MpHealthChecks}.
 */
final class HealthChecks {

    private static final Logger LOG = Logger.getLogger(HealthChecks.class.getName());
    static final String HEALTH_API = "org.eclipse.microprofile.health.HealthCheck";

    private HealthChecks() {
    }

    /**
     * Adds a readiness check per pool and a liveness check of the pool engine, if MicroProfile Health is there.
     *
     * @param event where beans are added
     * @param poolNames the pools the application uses
     * @param pools the application's pools, once started
     */
    static void register(AfterBeanDiscovery event, Set<String> poolNames, Supplier<Pools> pools) {
        try {
            Class.forName(HEALTH_API, false, HealthChecks.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.fine(() -> "FlameEC2 health checks off: " + HEALTH_API + " is not visible to the application");
            return;
        }
        MpHealthChecks.register(event, poolNames, pools);
    }
}
