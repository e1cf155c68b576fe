package io.flameec2.impl.telemetry;

import io.flameec2.event.BootPhases;
import io.flameec2.event.StopReason;
import io.flameec2.impl.pool.CallOutcome;
import io.flameec2.impl.pool.Pool;
import io.flameec2.spi.FlameInvocation;
import io.flameec2.status.PoolStatus;
import io.flameec2.status.RunnerStatus;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * FlameEC2's metrics and spans through the application's OpenTelemetry (MicroProfile Telemetry's
 * {@code OpenTelemetry} bean). Loaded only through {@link Telemetry#find}, once the API is known to be there.
 * The instrument names are listed in README.md ("Observability").
 */
public final class OtelTelemetry implements Telemetry.Hooks {

    static final String SCOPE = "io.flameec2";
    static final AttributeKey<String> POOL = AttributeKey.stringKey("flame.pool");
    static final AttributeKey<String> RUNNER = AttributeKey.stringKey("flame.runner.id");
    static final AttributeKey<String> STATE = AttributeKey.stringKey("flame.runner.state");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("flame.call.outcome");
    static final AttributeKey<String> KIND = AttributeKey.stringKey("flame.call.kind");
    static final AttributeKey<String> TARGET = AttributeKey.stringKey("flame.call.target");
    static final AttributeKey<String> CALL_ID = AttributeKey.stringKey("flame.call.id");
    static final AttributeKey<Long> QUEUE_WAIT = AttributeKey.longKey("flame.call.queue_wait_ms");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("flame.reason");
    static final AttributeKey<String> MARKET = AttributeKey.stringKey("flame.market");
    static final AttributeKey<String> PHASE = AttributeKey.stringKey("flame.boot.phase");
    /**
     * Bucket bounds in seconds for calls and queue waits: from a no-op call's ~0.2 ms on a warm channel up to
     * the default 30 s timeout (OpenTelemetry's default bounds are meant for milliseconds).
     */
    static final List<Double> CALL_BUCKETS = List.of(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
            0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0);
    /** Bucket bounds in seconds for boots: an in-process runner in milliseconds, Liberty or EC2 in 10-120 s. */
    static final List<Double> BOOT_BUCKETS = List.of(0.01, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 45.0, 60.0,
            90.0, 120.0, 300.0);

    private final Tracer tracer;
    private final DoubleHistogram callDuration;
    private final DoubleHistogram queueWait;
    private final DoubleHistogram bootDuration;
    private final DoubleHistogram bootPhase;
    private final LongCounter failures;
    private final LongCounter stops;
    private final List<AutoCloseable> observers = new ArrayList<>();
    private final Set<Pool> pools = ConcurrentHashMap.newKeySet();

    OtelTelemetry(OpenTelemetry otel) {
        tracer = otel.getTracer(SCOPE);
        Meter meter = otel.getMeter(SCOPE);
        callDuration = meter.histogramBuilder("flame.pool.call.duration").setUnit("s")
                .setDescription("Calls from submission to their end, by pool and outcome")
                .setExplicitBucketBoundariesAdvice(CALL_BUCKETS).build();
        queueWait = meter.histogramBuilder("flame.pool.call.queue_wait").setUnit("s")
                .setDescription("How long calls waited for a free slot on a runner")
                .setExplicitBucketBoundariesAdvice(CALL_BUCKETS).build();
        bootDuration = meter.histogramBuilder("flame.pool.runner.boot.duration").setUnit("s")
                .setDescription("Runner boots, from their start until the runner joined or the boot failed")
                .setExplicitBucketBoundariesAdvice(BOOT_BUCKETS).build();
        bootPhase = meter.histogramBuilder("flame.pool.runner.boot.phase.duration").setUnit("s")
                .setDescription("Phases of the runner boots that succeeded (jvm, liberty, app, join, ...)")
                .setExplicitBucketBoundariesAdvice(BOOT_BUCKETS).build();
        failures = meter.counterBuilder("flame.pool.call.failures").setUnit("{call}")
                .setDescription("Calls that failed, by pool and reason").build();
        stops = meter.counterBuilder("flame.pool.runner.stops").setUnit("{runner}")
                .setDescription("Runners that left their pool, by pool and reason").build();
        observers.add(meter.upDownCounterBuilder("flame.pool.runners").setUnit("{runner}")
                .setDescription("Runners by pool and state (booting, ready)").buildWithCallback(this::runners));
        observers.add(meter.counterBuilder("flame.pool.runner.time").ofDoubles().setUnit("s")
                .setDescription("Runner time used (the cost report): from each runner's boot until its stop, by pool"
                        + " and market (on-demand, spot)").buildWithCallback(this::runnerTime));
        observers.add(meter.upDownCounterBuilder("flame.pool.calls.in_flight").setUnit("{call}")
                .setDescription("Calls running on runners").buildWithCallback(m -> observe(m, PoolStatus::inFlight)));
        observers.add(meter.upDownCounterBuilder("flame.pool.callers.waiting").setUnit("{call}")
                .setDescription("Callers waiting for a free slot").buildWithCallback(m -> observe(m, PoolStatus::waiting)));
    }

    /**
     * The application's OpenTelemetry: MicroProfile Telemetry's CDI bean, else the global one.
     *
     * @param beans resolves a bean type, or answers {@code null}
     * @return the telemetry
     */
    static OtelTelemetry create(Function<Class<?>, Object> beans) {
        Object bean = beans == null ? null : beans.apply(OpenTelemetry.class);
        return new OtelTelemetry(bean instanceof OpenTelemetry o ? o : GlobalOpenTelemetry.get());
    }

    /**
     * Telemetry through a given OpenTelemetry, for code outside CDI (benchmarks, a plain-Java parent).
     *
     * @param otel the OpenTelemetry instance
     * @return the hooks to hand to the pool engine and the runner core
     */
    public static Telemetry.Hooks of(OpenTelemetry otel) {
        return new OtelTelemetry(otel);
    }

    // ---- metrics read from the pools when exported ---------------------------------------------------------

    private void runners(ObservableLongMeasurement m) {
        for (Pool pool : pools) {
            PoolStatus s = pool.status();
            for (RunnerStatus.State state : RunnerStatus.State.values()) {
                m.record(s.runners(state), Attributes.of(POOL, s.name(), STATE, state.name().toLowerCase(Locale.ROOT)));
            }
        }
    }

    private void runnerTime(ObservableDoubleMeasurement m) {
        for (Pool pool : pools) {
            PoolStatus s = pool.status();
            s.runnerTime().forEach((market, time) -> m.record(seconds(time), Attributes.of(POOL, s.name(), MARKET,
                    market)));
        }
    }

    private void observe(ObservableLongMeasurement m, java.util.function.ToIntFunction<PoolStatus> value) {
        for (Pool pool : pools) {
            PoolStatus s = pool.status();
            m.record(value.applyAsInt(s), Attributes.of(POOL, s.name()));
        }
    }

    @Override
    public void poolStarted(Pool pool) {
        pools.add(pool);
    }

    @Override
    public void poolStopped(Pool pool) {
        pools.remove(pool);
    }

    @Override
    public void bootEnded(String pool, String runnerId, Duration took, boolean failed) {
        bootDuration.record(seconds(took), Attributes.of(POOL, pool, OUTCOME, failed ? "failed" : "ok"));
    }

    @Override
    public void bootPhases(String pool, BootPhases phases) {
        phases.phases().forEach(p -> bootPhase.record(seconds(p.duration()), Attributes.of(POOL, pool, PHASE, p.name())));
    }

    @Override
    public void runnerStopped(String pool, StopReason reason) {
        stops.add(1, Attributes.of(POOL, pool, REASON, label(reason.name())));
    }

    // ---- the parent's client span --------------------------------------------------------------------------

    @Override
    public CallObservation callStarted(String pool, FlameInvocation invocation) {
        Span span = tracer.spanBuilder("flame " + pool).setSpanKind(SpanKind.CLIENT).setParent(Context.current())
                .setAttribute(POOL, pool).setAttribute(KIND, kind(invocation))
                .setAttribute(TARGET, invocation.describe()).startSpan();
        return new ParentCall(pool, span);
    }

    /** One call on the parent: its client span and its metrics. */
    private final class ParentCall implements CallObservation {
        private final String pool;
        private final Span span;

        ParentCall(String pool, Span span) {
            this.pool = pool;
            this.span = span;
        }

        @Override
        public String dispatched(String runnerId, Duration waited) {
            queueWait.record(seconds(waited), Attributes.of(POOL, pool));
            span.setAttribute(RUNNER, runnerId);
            span.setAttribute(QUEUE_WAIT, waited.toMillis());
            return traceparent(span.getSpanContext());
        }

        @Override
        public void ended(CallOutcome outcome, Duration took, Throwable error) {
            callDuration.record(seconds(took), Attributes.of(POOL, pool, OUTCOME, outcome.label()));
            if (outcome != CallOutcome.OK) {
                failures.add(1, Attributes.of(POOL, pool, REASON, outcome.label()));
                span.setStatus(StatusCode.ERROR, String.valueOf(error == null ? outcome : error.getMessage()));
            }
            span.setAttribute(OUTCOME, outcome.label());
            span.end();
        }
    }

    // ---- the runner's span ---------------------------------------------------------------------------------

    @Override
    public RunSpan start(String runnerId, String callId, FlameInvocation invocation, String traceparent) {
        SpanContext remote = parse(traceparent);
        Context parent = remote == null ? Context.current() : Context.root().with(Span.wrap(remote));
        Span span = tracer.spanBuilder("flame run " + invocation.describe()).setSpanKind(SpanKind.SERVER)
                .setParent(parent).setAttribute(RUNNER, runnerId).setAttribute(CALL_ID, callId)
                .setAttribute(KIND, kind(invocation)).setAttribute(TARGET, invocation.describe()).startSpan();
        Scope scope = span.makeCurrent();
        return (outcome, failure) -> {
            span.setAttribute(OUTCOME, outcome);
            if (failure != null) {
                span.recordException(failure);
            }
            if (!"ok".equals(outcome)) {
                span.setStatus(StatusCode.ERROR, outcome);
            }
            scope.close();
            span.end();
        };
    }

    /**
     * The W3C {@code traceparent} of a span, {@code null} when it is invalid (OpenTelemetry disabled).
     *
     * @param c the span's context
     * @return {@code 00-<trace id>-<span id>-<flags>}
     */
    static String traceparent(SpanContext c) {
        return c.isValid() ? "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex() : null;
    }

    /**
     * Reads a W3C {@code traceparent} of version 00.
     *
     * @param traceparent the header value, or {@code null}
     * @return the remote span's context, or {@code null} when absent or malformed
     */
    static SpanContext parse(String traceparent) {
        if (traceparent == null || traceparent.length() != 55 || !traceparent.startsWith("00-")
                || traceparent.charAt(35) != '-' || traceparent.charAt(52) != '-') {
            return null;
        }
        SpanContext c = SpanContext.createFromRemoteParent(traceparent.substring(3, 35),
                traceparent.substring(36, 52), TraceFlags.fromHex(traceparent, 53), TraceState.getDefault());
        return c.isValid() ? c : null;
    }

    private static String kind(FlameInvocation invocation) {
        return invocation instanceof FlameInvocation.BeanMethod ? "bean-method" : "closure";
    }

    private static String label(String enumName) {
        return enumName.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** Unregisters the observed instruments (at application stop): their callbacks would keep the pools. */
    @Override
    public void close() {
        for (AutoCloseable o : observers) {
            try {
                o.close();
            } catch (Exception e) {
                // nothing more to do: the instrument is gone with the application's meter provider
            }
        }
        pools.clear();
    }
}
