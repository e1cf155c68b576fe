package io.flameec2.impl.remote;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameCallable;
import io.flameec2.FlamePoolConfig;
import io.flameec2.FlameRejectedException;
import io.flameec2.FlameRunnerLostException;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.remote.ThreadLauncher.ThreadRunner;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.impl.remote.runner.FakeImds;
import io.flameec2.spi.FlameCall;
import io.flameec2.spi.FlameInvocation;
import io.flameec2.spi.FlameRunnerHandle;
import io.flameec2.spi.RunnerBootSpec;
import io.flameec2.spi.RunnerListener;
import io.flameec2.spi.RunnerState;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A spot runner's retirement over the real channel, with the runner in this JVM ({@link ThreadLauncher}) watching
 * a metadata service on loopback ({@link FakeImds}): EC2's notice makes it retire, the parent hears
 * {@link RunnerListener#retiring} before it is gone, calls that can finish do, the rest fail naming the spot
 * interruption, and every call ends exactly once.
 */
class SpotRetirementTest {

    static volatile CountDownLatch release = new CountDownLatch(1);
    static final AtomicInteger STARTED = new AtomicInteger();

    private final ThreadLauncher launcher = new ThreadLauncher();
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private final List<FlameRunnerLostException> lost = new CopyOnWriteArrayList<>();
    private FakeImds imds;
    private RemoteBackend backend;
    private FlamePoolConfig pool;

    @BeforeEach
    void setUp() throws Exception {
        release = new CountDownLatch(1);
        STARTED.set(0);
        imds = new FakeImds();
        launcher.extraEnv = Map.of(RunnerEnv.MARKET, "spot", RunnerEnv.IMDS_ENDPOINT, imds.endpoint().toString());
        pool = FlamePoolConfig.builder("p").max(2).bootTimeout(Duration.ofSeconds(20))
                .shutdownTimeout(Duration.ofSeconds(5)).backend("thread").build();
        RemoteSettings settings = RemoteSettings.read(ConfigLookup.of(Map.of(RemoteSettings.PARENT_HOST, "127.0.0.1",
                RemoteSettings.HEARTBEAT_INTERVAL, "200ms", RemoteSettings.PARENT_LOSS_TIMEOUT, "2s",
                AppVersion.KEY, "1.0")));
        backend = new RemoteBackend(new TestBackendContext(pool), launcher, settings);
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        launcher.killAll();
        backend.close();
        imds.close();
    }

    private FlameRunnerHandle boot(String id) throws Exception {
        return backend.boot(new RunnerBootSpec(id, pool), new RunnerListener() {
            @Override
            public void lost(String runnerId, FlameRunnerLostException cause) {
                heard.add("lost " + runnerId);
                lost.add(cause);
            }

            @Override
            public void retiring(String runnerId, String reason) {
                heard.add("retiring " + runnerId + ": " + reason);
            }
        }).get(30, TimeUnit.SECONDS);
    }

    /** Waits for the release, then answers. */
    static String finishesWhenReleased() throws InterruptedException {
        STARTED.incrementAndGet();
        release.await();
        return "finished";
    }

    /** Runs longer than any notice. */
    static String outlivesTheInstance() throws InterruptedException {
        STARTED.incrementAndGet();
        Thread.sleep(TimeUnit.MINUTES.toMillis(10));
        return "never";
    }

    private static CompletableFuture<Object> send(FlameRunnerHandle runner, String id, FlameCallable<?> task,
            AtomicInteger ends) {
        CompletableFuture<Object> f = runner.invoke(new FlameCall(id, new FlameInvocation.Closure(task),
                Instant.now().plus(Duration.ofMinutes(5))));
        f.whenComplete((v, e) -> ends.incrementAndGet());
        return f;
    }

    @Test
    void anInterruptionNoticeRetiresTheRunnerWhichDrainsWhatCanFinishAndFailsTheRestAsSpotInterruption()
            throws Exception {
        FlameRunnerHandle runner = boot("r-1");
        assertEquals("spot", runner.market());
        AtomicInteger ends = new AtomicInteger();
        CompletableFuture<Object> finishing = send(runner, "c-1", SpotRetirementTest::finishesWhenReleased, ends);
        CompletableFuture<Object> tooLong = send(runner, "c-2", SpotRetirementTest::outlivesTheInstance, ends);
        await().atMost(Duration.ofSeconds(10)).until(() -> STARTED.get() == 2);

        // EC2 takes the instance in 20 s: the runner drains until 5 s before, keeping 2 s of that for its exit
        Instant taken = Instant.now().plusSeconds(20).truncatedTo(ChronoUnit.SECONDS);
        imds.interrupt(taken);
        await().atMost(Duration.ofSeconds(10)).until(() -> !heard.isEmpty());
        assertEquals("retiring r-1: spot interruption", heard.get(0));
        assertEquals(RunnerState.DRAINING, runner.state(), "a retiring runner takes no new calls");
        FlameRejectedException refused = assertInstanceOf(FlameRejectedException.class,
                failure(runner.invoke(new FlameCall("c-3", new FlameInvocation.Closure(() -> "late"),
                        Instant.now().plusSeconds(30)))));
        assertTrue(refused.getMessage().contains("retiring (spot interruption)"), refused.getMessage());
        assertTrue(refused.retryable(), "another runner can take it");

        release.countDown();
        assertEquals("finished", finishing.get(30, TimeUnit.SECONDS), "a call that ends within the notice finishes");
        FlameRunnerLostException gone = assertInstanceOf(FlameRunnerLostException.class, failure(tooLong));
        assertTrue(Instant.now().isBefore(taken), "the runner is gone before EC2 takes its instance");
        assertTrue(gone.getMessage().contains("spot interruption"), gone.getMessage());
        assertTrue(gone.retryable());

        ThreadRunner remote = launcher.runners.get("r-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> remote.exitReason != null);
        assertTrue(remote.exitReason.startsWith("spot interruption notice for " + taken), remote.exitReason);
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 2);
        assertEquals(List.of("retiring r-1: spot interruption", "lost r-1"), heard, "retiring before lost, once each");
        assertTrue(lost.get(0).getMessage().contains("spot interruption"), lost.get(0).getMessage());
        assertEquals(2, ends.get(), "each call ended exactly once");
    }

    @Test
    void aRebalanceRecommendationRetiresTooAndAnInterruptionThatFollowsShortensTheDrain() throws Exception {
        FlameRunnerHandle runner = boot("r-2");
        AtomicInteger ends = new AtomicInteger();
        CompletableFuture<Object> tooLong = send(runner, "c-1", SpotRetirementTest::outlivesTheInstance, ends);
        await().atMost(Duration.ofSeconds(10)).until(() -> STARTED.get() == 1);
        imds.recommendRebalance();
        await().atMost(Duration.ofSeconds(10)).until(() -> !heard.isEmpty());
        assertEquals("retiring r-2: spot rebalance recommendation", heard.get(0));
        // the drain would last two minutes; the interruption that follows ends it 5 s before its time
        Instant taken = Instant.now().plusSeconds(8).truncatedTo(ChronoUnit.SECONDS);
        imds.interrupt(taken);
        FlameRunnerLostException gone = assertInstanceOf(FlameRunnerLostException.class, failure(tooLong));
        assertTrue(Instant.now().isBefore(taken), "gone before the instance is taken");
        assertTrue(gone.getMessage().contains("spot rebalance recommendation"), gone.getMessage());
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 2);
        assertEquals(List.of("retiring r-2: spot rebalance recommendation", "lost r-2"), heard, "retiring once");
        assertEquals(1, ends.get());
    }

    @Test
    void anOnDemandRunnerReadsNoMetadata() throws Exception {
        launcher.extraEnv = Map.of(RunnerEnv.MARKET, "on-demand", RunnerEnv.IMDS_ENDPOINT, imds.endpoint().toString());
        FlameRunnerHandle runner = boot("r-3");
        assertEquals("on-demand", runner.market());
        imds.interrupt(Instant.now().plusSeconds(5));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> runner.state() == RunnerState.READY && heard.isEmpty());
        assertTrue(imds.reads.isEmpty(), "read: " + imds.reads);
    }

    private static Throwable failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
        return e.getCause();
    }
}
