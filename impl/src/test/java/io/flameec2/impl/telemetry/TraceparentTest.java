package io.flameec2.impl.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The trace context in the call message: W3C {@code traceparent}, written by the parent, read by the runner. */
class TraceparentTest {

    @Test
    void aSpanContextTravelsAsItsTraceparentAndComesBackAsARemoteParent() {
        SpanContext sent = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
                TraceFlags.getSampled(), TraceState.getDefault());
        String header = OtelTelemetry.traceparent(sent);
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", header);
        SpanContext read = OtelTelemetry.parse(header);
        assertEquals(sent.getTraceId(), read.getTraceId());
        assertEquals(sent.getSpanId(), read.getSpanId());
        assertTrue(read.isSampled());
        assertTrue(read.isRemote());
    }

    @Test
    void anInvalidSpanContextSendsNoTraceparent() {
        assertNull(OtelTelemetry.traceparent(SpanContext.getInvalid()));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "garbage", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00-4bf92f3577b34da6a3ce929d0e0e4736x00f067aa0ba902b7-01"})
    void aMissingOrMalformedTraceparentStartsNoRemoteParent(String header) {
        assertNull(OtelTelemetry.parse(header));
    }
}
