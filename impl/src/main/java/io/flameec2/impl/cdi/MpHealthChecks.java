package io.flameec2.impl.cdi;

import io.flameec2.impl.pool.Pools;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * The MicroProfile Health checks, as synthetic beans: {@code flame-pool-<name>} (readiness, one per pool,
 * DOWN naming the pool and why) and {@code flame-pools} (liveness of the pool engine). Loaded only through
 * {@link HealthChecks}.
 */
final class MpHealthChecks {

    private MpHealthChecks() {
    }

    static void register(AfterBeanDiscovery event, Set<String> poolNames, Supplier<Pools> pools) {
        for (String name : poolNames) {
            HealthCheck check = () -> readiness(name, pools);
            event.addBean().types(HealthCheck.class, Object.class).qualifiers(Readiness.Literal.INSTANCE)
                    .beanClass(FlameExtension.class).id("flame-readiness-" + name).createWith(c -> check);
        }
        HealthCheck live = () -> liveness(pools);
        event.addBean().types(HealthCheck.class, Object.class).qualifiers(Liveness.Literal.INSTANCE)
                .beanClass(FlameExtension.class).id("flame-liveness").createWith(c -> live);
    }

    private static HealthCheckResponse readiness(String name, Supplier<Pools> pools) {
        Pools p;
        try {
            p = pools.get();
        } catch (IllegalStateException e) {
            return HealthCheckResponse.named("flame-pool-" + name).down().withData("reason", e.getMessage()).build();
        }
        PoolHealth health = PoolHealth.of(name, p.started(name)
                ? p.statuses().stream().filter(s -> s.name().equals(name)).findFirst() : java.util.Optional.empty());
        HealthCheckResponseBuilder b = HealthCheckResponse.named("flame-pool-" + name).status(health.up());
        health.reason().ifPresent(r -> b.withData("reason", r));
        health.data().forEach((k, v) -> put(b, k, v));
        return b.build();
    }

    private static HealthCheckResponse liveness(Supplier<Pools> pools) {
        try {
            Pools p = pools.get();
            // a pool engine that stops serving once the application stops is expected, not a failure
            return HealthCheckResponse.named("flame-pools").up().withData("state", p.state().name())
                    .withData("pools", p.statuses().size()).build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("flame-pools").down().withData("reason", String.valueOf(e.getMessage()))
                    .build();
        }
    }

    private static void put(HealthCheckResponseBuilder b, String key, Object value) {
        if (value instanceof Number n) {
            b.withData(key, n.longValue());
        } else if (!(value instanceof Map)) {
            b.withData(key, String.valueOf(value));
        }
    }
}
