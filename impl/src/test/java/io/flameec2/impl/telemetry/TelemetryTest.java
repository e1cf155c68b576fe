package io.flameec2.impl.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.impl.pool.CallOutcome;
import io.flameec2.impl.pool.PoolTelemetry;
import io.flameec2.spi.FlameInvocation;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Finding OpenTelemetry, and running with it disabled. */
class TelemetryTest {

    @Test
    void withoutTheOpenTelemetryApiTheApplicationGetsNoTelemetryAndNoBeanIsLookedUp() {
        ClassLoader withoutOtel = new ClassLoader(null) { }; // the JDK only, as an application without the feature
        Optional<Telemetry.Hooks> found = Telemetry.find(withoutOtel, type -> {
            throw new AssertionError("looked up " + type);
        });
        assertEquals(Optional.empty(), found);
        assertEquals(PoolTelemetry.NONE, Telemetry.pools(found));
    }

    @Test
    void withTheApiButNoBeanTheGlobalOpenTelemetryIsUsed() {
        Optional<Telemetry.Hooks> found = Telemetry.find(TelemetryTest.class.getClassLoader(), type -> null);
        assertTrue(found.isPresent());
        found.get().close();
    }

    @Test
    void aDisabledOpenTelemetrySendsNoTraceparentAndItsSpansEndQuietly() {
        Telemetry.Hooks hooks = OtelTelemetry.of(OpenTelemetry.noop());
        PoolTelemetry.CallObservation call = hooks.callStarted("p", new FlameInvocation.Closure(() -> 1));
        assertNull(call.dispatched("p-1", Duration.ofMillis(3)), "an invalid span context must not travel");
        call.ended(CallOutcome.TIMEOUT, Duration.ofSeconds(1), new IllegalStateException("late"));
        hooks.start("p-1", "c-1", new FlameInvocation.Closure(() -> 1), null).end("ok", null);
        hooks.close();
    }
}
