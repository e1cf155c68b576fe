package io.flameec2.impl.remote.runner;

import io.flameec2.impl.backend.ec2.Imds;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Watches a spot runner's instance metadata for EC2's advance notices ({@link SpotNotice}) and hands each on:
 * a rebalance recommendation once, then an interruption notice once, after which the watch ends. Polls on a thread
 * of its own, because a metadata read may wait for its timeout and must never delay the runner's call deadlines.
 * A read that fails (the service restarting, a timeout) is logged and tried again at the next poll.
 */
final class InterruptionWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(InterruptionWatch.class.getName());
    /**
     * How often the metadata is read: two local GETs per poll, far below the service's per-instance limit, and each
     * second sooner is a second more of the two-minute notice for draining (AWS suggests every 5 s at most).
     */
    static final Duration POLL = Duration.ofSeconds(2);

    private final String runnerId;
    private final Imds imds;
    private final Duration every;
    private final Consumer<SpotNotice> onNotice;
    private final ScheduledExecutorService thread;
    private volatile boolean rebalanceSeen;
    private volatile boolean interruptionSeen;
    private volatile String lastError;

    /**
     * Creates a watch; nothing is read until {@link #start()}.
     *
     * @param runnerId the runner, for logs
     * @param imds the instance's metadata service
     * @param every how often to read it
     * @param threads makes the watch's thread
     * @param onNotice hears each notice once, on the watch's thread
     */
    InterruptionWatch(String runnerId, Imds imds, Duration every, ThreadFactory threads,
            Consumer<SpotNotice> onNotice) {
        this.runnerId = runnerId;
        this.imds = imds;
        this.every = every;
        this.onNotice = onNotice;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = threads.newThread(r);
            t.setName("flame-runner-" + runnerId + "-spot-watch");
            return t;
        });
    }

    /** Starts polling now, then every interval. */
    void start() {
        LOG.info(() -> "flame runner " + runnerId + " runs on a spot instance: watching " + imds.endpoint()
                + " for interruption notices and rebalance recommendations every " + every.toMillis() + " ms");
        thread.scheduleWithFixedDelay(this::pollAndTell, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void pollAndTell() {
        try {
            poll().ifPresent(onNotice);
            lastError = null;
        } catch (RuntimeException e) {
            String error = String.valueOf(e.getMessage());
            if (!error.equals(lastError)) { // once per kind of failure, not every poll
                LOG.warning(() -> "flame runner " + runnerId + ": cannot read spot notices from "
                        + imds.endpoint() + " (" + error + "); retrying every " + every.toMillis() + " ms");
            }
            lastError = error;
        }
        if (interruptionSeen) {
            thread.shutdown(); // nothing follows an interruption notice
        }
    }

    /**
     * Reads the metadata once.
     *
     * @return a notice not reported before, if there is one: the interruption wins over a recommendation
     */
    Optional<SpotNotice> poll() {
        if (interruptionSeen) {
            return Optional.empty();
        }
        Optional<String> action = imds.get(SpotNotice.INSTANCE_ACTION);
        if (action.isPresent()) {
            interruptionSeen = true;
            return Optional.of(SpotNotice.interruption(action.get(), Instant.now()));
        }
        if (!rebalanceSeen) {
            Optional<String> rebalance = imds.get(SpotNotice.REBALANCE);
            if (rebalance.isPresent()) {
                rebalanceSeen = true;
                return Optional.of(SpotNotice.rebalance(rebalance.get(), Instant.now()));
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
