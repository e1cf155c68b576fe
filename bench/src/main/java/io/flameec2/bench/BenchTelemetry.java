package io.flameec2.bench;

import io.flameec2.impl.pool.PoolTelemetry;
import io.flameec2.impl.telemetry.OtelTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/**
 * TransportBench's telemetry-on mode: the parent's pool reports to a real OpenTelemetry SDK (every span
 * sampled and batched, metrics aggregated and collected every 10 s, as a deployment would), whose exporters
 * drop what they get: the benchmark measures the instrumentation on the call path, not a collector.
 */
final class BenchTelemetry {

    /** The runner's settings: its Liberty SDK enabled, every span sampled, nothing exported. */
    static final Map<String, String> RUNNER_ENV = Map.of("OTEL_SDK_DISABLED", "false", "OTEL_TRACES_EXPORTER", "none",
            "OTEL_METRICS_EXPORTER", "none", "OTEL_LOGS_EXPORTER", "none");

    private BenchTelemetry() {
    }

    static PoolTelemetry sdk() {
        SdkTracerProvider traces = SdkTracerProvider.builder()
                // spans are recorded and batched as with a real exporter; the composite of none drops them
                .addSpanProcessor(BatchSpanProcessor.builder(SpanExporter.composite()).build()).build();
        SdkMeterProvider metrics = SdkMeterProvider.builder().registerMetricReader(PeriodicMetricReader.builder(
                new MetricExporter() {
                    @Override
                    public AggregationTemporality getAggregationTemporality(InstrumentType type) {
                        return AggregationTemporality.CUMULATIVE;
                    }

                    @Override
                    public CompletableResultCode export(Collection<MetricData> data) {
                        return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode flush() {
                        return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode shutdown() {
                        return CompletableResultCode.ofSuccess();
                    }
                }).setInterval(Duration.ofSeconds(10)).build()).build();
        return OtelTelemetry.of(OpenTelemetrySdk.builder().setTracerProvider(traces).setMeterProvider(metrics).build());
    }
}
