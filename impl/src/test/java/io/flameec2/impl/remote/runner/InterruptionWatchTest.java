package io.flameec2.impl.remote.runner;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.impl.backend.ec2.Imds;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InterruptionWatchTest {

    private final FakeImds imds = startImds();
    private final List<SpotNotice> heard = new CopyOnWriteArrayList<>();
    private InterruptionWatch watch;

    private static FakeImds startImds() {
        try {
            return new FakeImds();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void tearDown() {
        if (watch != null) {
            watch.close();
        }
        imds.close();
    }

    private InterruptionWatch watch(Duration every) {
        watch = new InterruptionWatch("r-1", Imds.at(imds.endpoint()), every, Thread::new, heard::add);
        return watch;
    }

    @Test
    void noNoticeIsA404AndReportsNothing() {
        InterruptionWatch w = watch(Duration.ofMillis(50));
        assertEquals(Optional.empty(), w.poll());
        assertEquals(Optional.empty(), w.poll());
        assertEquals(2, imds.reads.get(SpotNotice.INSTANCE_ACTION).get());
        assertEquals(2, imds.reads.get(SpotNotice.REBALANCE).get());
        assertEquals(1, imds.tokensIssued.get(), "one IMDSv2 token serves every poll");
    }

    @Test
    void aRebalanceRecommendationThenAnInterruptionAreEachHeardOnceAndTheWatchEnds() {
        InterruptionWatch w = watch(Duration.ofMillis(50));
        w.start();
        imds.recommendRebalance();
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 1);
        assertEquals(SpotNotice.Kind.REBALANCE, heard.get(0).kind());
        Instant time = Instant.now().plusSeconds(120).truncatedTo(ChronoUnit.SECONDS);
        imds.interrupt(time);
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 2);
        assertEquals(new SpotNotice(SpotNotice.Kind.INTERRUPTION, "terminate", time), heard.get(1));
        int reads = imds.reads.get(SpotNotice.INSTANCE_ACTION).get();
        // nothing follows an interruption notice: the watch stops reading
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> imds.reads.get(SpotNotice.INSTANCE_ACTION).get() == reads);
        assertEquals(2, heard.size());
    }

    @Test
    void aTokenTheServiceForgotIsRenewedAndFailuresAreRetriedAtTheNextPoll() {
        InterruptionWatch w = watch(Duration.ofMillis(50));
        assertEquals(Optional.empty(), w.poll());
        imds.forgetTokens();
        Instant time = Instant.now().plusSeconds(90).truncatedTo(ChronoUnit.SECONDS);
        imds.interrupt(time);
        assertEquals(Optional.of(new SpotNotice(SpotNotice.Kind.INTERRUPTION, "terminate", time)), w.poll());
        assertEquals(2, imds.tokensIssued.get());

        // unreachable: the poll fails, the watch keeps going
        InterruptionWatch down = new InterruptionWatch("r-2", Imds.at(java.net.URI.create("http://127.0.0.1:1")),
                Duration.ofMillis(50), Thread::new, heard::add);
        try {
            down.start();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(heard::isEmpty);
        } finally {
            down.close();
        }
    }

    @Test
    void noticesAreReadAsEc2WritesThem() {
        Instant now = Instant.parse("2026-12-03T06:00:00Z");
        SpotNotice stop = SpotNotice.interruption("{\"action\": \"stop\", \"time\": \"2026-12-03T06:02:00Z\"}", now);
        assertEquals(new SpotNotice(SpotNotice.Kind.INTERRUPTION, "stop", Instant.parse("2026-12-03T06:02:00Z")),
                stop);
        assertEquals(Instant.parse("2026-12-03T06:01:55Z"), stop.drainDeadline(now), "5 s kept for the exit");
        assertEquals(now.plusSeconds(200), stop.drainDeadline(now.plusSeconds(200)), "never before now");
        // a notice whose time cannot be read is still a notice, two minutes out
        SpotNotice garbled = SpotNotice.interruption("{\"action\": \"terminate\", \"time\": \"soon\"}", now);
        assertEquals(now.plus(SpotNotice.WARNING), garbled.time());
        assertEquals("spot interruption", garbled.reason());
        SpotNotice rebalance = SpotNotice.rebalance("{\"noticeTime\": \"2026-12-03T05:59:00Z\"}", now);
        assertEquals(Instant.parse("2026-12-03T05:59:00Z"), rebalance.time());
        assertEquals(now.plus(SpotNotice.WARNING), rebalance.drainDeadline(now), "drains as long as a notice gives");
        assertTrue(rebalance.reason().startsWith("spot rebalance"));
    }
}
