package io.flameec2.it.reliability;

import io.flameec2.impl.remote.ChannelServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hears the parent channel's log line "flame parent channel: runner X joined from A (TLS and join took N ms)"
 * and keeps N per runner: how long the parent took from accepting the runner's connection to its join.
 */
final class JoinLog extends Handler implements AutoCloseable {

    private static final Pattern JOINED = Pattern.compile(
            "flame parent channel: runner (\\S+) joined from (\\S+) \\(TLS and join took (\\d+) ms\\)");
    /** Held here: a logger nobody references may be collected, handlers and all. */
    private final Logger logger = Logger.getLogger(ChannelServer.class.getName());
    private final Map<String, CompletableFuture<Long>> took = new ConcurrentHashMap<>();

    JoinLog() {
        logger.addHandler(this);
    }

    /** The milliseconds the parent logged for runner {@code runnerId}'s TLS handshake and join. */
    long tookMs(String runnerId, Duration wait) throws Exception {
        return future(runnerId).get(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<Long> future(String runnerId) {
        return took.computeIfAbsent(runnerId, k -> new CompletableFuture<>());
    }

    @Override
    public void publish(LogRecord record) {
        String message = record.getMessage();
        if (message == null) {
            return;
        }
        Matcher m = JOINED.matcher(message);
        if (m.find()) {
            future(m.group(1)).complete(Long.parseLong(m.group(3)));
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
