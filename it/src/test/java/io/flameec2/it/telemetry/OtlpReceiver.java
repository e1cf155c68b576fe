package io.flameec2.it.telemetry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A real OTLP/HTTP receiver (protobuf, as Liberty's exporters send with {@code http/protobuf}): keeps every
 * span with the {@code service.name} of the process that sent it, and the latest export of each metric per
 * service. Listens on loopback, on a free port.
 */
final class OtlpReceiver implements AutoCloseable {

    /** A received span, ids in lower-case hex as in a {@code traceparent}. */
    record ReceivedSpan(String service, String name, String traceId, String spanId, String parentSpanId,
            Span.SpanKind kind, Map<String, String> attributes) {
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    /** Service name to metric name to the metric as last exported (cumulative temporality: the latest is all). */
    private final Map<String, Map<String, Metric>> metrics = new ConcurrentHashMap<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", this::traces);
        server.createContext("/v1/metrics", this::metrics);
        server.createContext("/v1/logs", ex -> answer(ex, new byte[0]));
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    Map<String, Metric> metrics(String service) {
        return Map.copyOf(metrics.getOrDefault(service, Map.of()));
    }

    private void traces(HttpExchange ex) throws IOException {
        ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body(ex));
        for (ResourceSpans rs : request.getResourceSpansList()) {
            String service = service(rs.getResource());
            rs.getScopeSpansList().forEach(ss -> ss.getSpansList().forEach(s -> spans.add(new ReceivedSpan(service,
                    s.getName(), hex(s.getTraceId().toByteArray()), hex(s.getSpanId().toByteArray()),
                    hex(s.getParentSpanId().toByteArray()), s.getKind(), attributes(s.getAttributesList())))));
        }
        answer(ex, ExportTraceServiceResponse.getDefaultInstance().toByteArray());
    }

    private void metrics(HttpExchange ex) throws IOException {
        ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(body(ex));
        for (ResourceMetrics rm : request.getResourceMetricsList()) {
            Map<String, Metric> byName = metrics.computeIfAbsent(service(rm.getResource()),
                    s -> new ConcurrentHashMap<>());
            rm.getScopeMetricsList().forEach(sm -> sm.getMetricsList().forEach(m -> byName.put(m.getName(), m)));
        }
        answer(ex, ExportMetricsServiceResponse.getDefaultInstance().toByteArray());
    }

    private static byte[] body(HttpExchange ex) throws IOException {
        try (InputStream in = "gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))
                ? new GZIPInputStream(ex.getRequestBody()) : ex.getRequestBody()) {
            return in.readAllBytes();
        }
    }

    private static void answer(HttpExchange ex, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
        ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    private static String service(Resource resource) {
        return attributes(resource.getAttributesList()).getOrDefault("service.name", "?");
    }

    static Map<String, String> attributes(List<KeyValue> list) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (KeyValue kv : list) {
            AnyValue v = kv.getValue();
            out.put(kv.getKey(), v.hasStringValue() ? v.getStringValue() : v.hasIntValue()
                    ? Long.toString(v.getIntValue()) : v.hasBoolValue() ? Boolean.toString(v.getBoolValue())
                    : v.hasDoubleValue() ? Double.toString(v.getDoubleValue()) : v.toString());
        }
        return out;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
