package io.flameec2.it.ec2;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.flameec2.FlamePoolConfig;
import io.flameec2.FlameRejectedException;
import io.flameec2.FlameRunnerLostException;
import io.flameec2.event.FlamePoolEvent;
import io.flameec2.event.RunnerBooting;
import io.flameec2.event.RunnerReady;
import io.flameec2.event.RunnerStopped;
import io.flameec2.event.StopReason;
import io.flameec2.impl.backend.ec2.Ec2BackendFactory;
import io.flameec2.impl.config.ConfigBackendContext;
import io.flameec2.impl.pool.FlamePoolEngine;
import io.flameec2.impl.pool.Pool;
import io.flameec2.spi.FlameBackend;
import io.flameec2.spi.FlameCall;
import io.flameec2.spi.FlameInvocation;
import io.flameec2.spi.FlameRunnerHandle;
import io.flameec2.spi.RunnerBootSpec;
import io.flameec2.spi.RunnerListener;
import io.flameec2.spi.RunnerState;
import io.flameec2.status.RunnerStatus;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;

/**
 * Spot runners on EC2-in-a-box, with real Liberty runners, interrupted with a shortened notice (25 s); every call
 * ends exactly once.
 *
 * <p>The {@code ec2} backend by hand ({@link #anInterruptedSpotRunnerRetiresDrainsAndLosesNoCall}): the pool
 * engine's part is played by the test, which keeps the listener's record and sends each call to a runner that takes
 * calls. One pool, {@code market=spot,on-demand}, two runners booted side by side: the first finds no spot capacity
 * and falls back to on-demand, the second runs on spot. The spot instance is then interrupted: its runner retires,
 * the parent hears {@code retiring} while the instance still runs, calls that end within the notice finish, the one
 * that cannot fails as runner-lost naming the spot interruption, and a call made after the notice is served by the
 * other runner.
 *
 * <p>Through the pool engine ({@link #thePoolBootsASuccessorWhileAnInterruptedSpotRunnerDrains}): a
 * {@link FlamePoolEngine} over the {@code ec2} backend, {@code market=spot}, {@code max 2}, {@code min 0}. One spot
 * runner runs two calls when its instance is interrupted: the pool shows it {@code RETIRING} and boots its successor
 * at once (launched before the old instance is taken), a call made after the notice runs on the successor, the call
 * that ends within the notice finishes, and the one that cannot fails as runner-lost naming the spot interruption.
 * The old runner is then stopped {@link StopReason#INTERRUPTED} with that detail: its end was announced, so even
 * gone with a call unfinished it is no loss in the stop reasons (the unfinished call fails as runner-lost).
 */
class Ec2SpotIT {

    private static final Logger LOG = Logger.getLogger(Ec2SpotIT.class.getName());
    private static final String APP_VERSION = "spot-box";
    private static final Duration NOTICE = Duration.ofSeconds(25);

    private static BoxFixture fx;
    private static URI bundle;
    private static Path work;
    private static HttpServer starts;
    /** The calls that reported their start on a runner. */
    private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();

    /** What the parent's listener heard, in order. */
    private final List<String> heard = new CopyOnWriteArrayList<>();
    /** Whether a runner's instance still ran when the parent heard it retire. */
    private final Map<String, Boolean> liveWhenRetiring = new ConcurrentHashMap<>();
    /** The instances of the runners, by runner id (looked up once: the box locks an instance while it boots). */
    private final Map<String, BoxInstance> instances = new ConcurrentHashMap<>();

    @BeforeAll
    static void startBox() throws Exception {
        Optional<String> unsupported = Ec2Box.unsupportedReason();
        Assumptions.assumeTrue(unsupported.isEmpty(), () -> "skipped: " + unsupported.orElse(""));
        System.setProperty("flame.parent.host", BoxNetwork.GATEWAY);
        System.setProperty("flame.app-version", APP_VERSION);
        System.setProperty("flame.serialization.allow", SpotTask.class.getName());
        fx = new BoxFixture();
        fx.box.spotInterruptionNotice(NOTICE);
        work = Files.createTempDirectory("fec2-spot");
        bundle = fx.upload("spot/runner.zip", BoxHarness.packageLibertyRunner(work, APP_VERSION, SpotTask.class));
        Ec2Box.deleteTree(work);
        starts = HttpServer.create(new InetSocketAddress(fx.box.gateway(), 0), 16);
        starts.createContext("/started", ex -> {
            try (ex) {
                STARTED.add(ex.getRequestURI().getQuery());
                ex.sendResponseHeaders(204, -1);
            }
        });
        starts.start();
    }

    @AfterAll
    static void stopBox() {
        if (starts != null) {
            starts.stop(0);
        }
        System.clearProperty("flame.parent.host");
        System.clearProperty("flame.app-version");
        System.clearProperty("flame.serialization.allow");
        if (fx != null) {
            fx.close();
            assertEquals(List.of(), BoxNetwork.namespaces(), "network namespaces leaked");
        }
        if (work != null) {
            Ec2Box.deleteTree(work);
        }
    }

    @Test
    void anInterruptedSpotRunnerRetiresDrainsAndLosesNoCall() throws Exception {
        FlamePoolConfig config = config("spot", 8);
        FlameBackend backend = backend(config, "spot,on-demand");
        List<FlameRunnerHandle> runners = new ArrayList<>();
        try {
            // no spot capacity for the first runner: it falls back to on-demand; the second gets spot
            fx.box.refuseSpot("InsufficientInstanceCapacity");
            CompletableFuture<FlameRunnerHandle> first = backend.boot(new RunnerBootSpec("spot-r1", config),
                    listener());
            await().atMost(Duration.ofMinutes(1)).until(() -> fx.box.instances().stream()
                    .anyMatch(i -> "spot-r1".equals(i.tagsCopy().get("flame:runner-id"))));
            fx.box.refuseSpot(null);
            CompletableFuture<FlameRunnerHandle> second = backend.boot(new RunnerBootSpec("spot-r2", config),
                    listener());
            FlameRunnerHandle onDemand = first.get(5, TimeUnit.MINUTES);
            runners.add(onDemand);
            FlameRunnerHandle spot = second.get(5, TimeUnit.MINUTES);
            runners.add(spot);
            assertEquals("on-demand", onDemand.market());
            assertEquals("spot", spot.market());
            instances.put(onDemand.id(), instanceOf(onDemand.id()));
            BoxInstance spotInstance = instanceOf(spot.id());
            instances.put(spot.id(), spotInstance);
            assertEquals(InstanceLifecycleType.SPOT, fx.ec2Client.describeInstances(b -> b.instanceIds(spotInstance.id))
                    .reservations().get(0).instances().get(0).instanceLifecycle());
            assertEquals("one-time", spotInstance.request.get("InstanceMarketOptions.SpotOptions.SpotInstanceType"));

            // in flight on the spot runner: two calls that end within the notice, one that cannot
            AtomicInteger ends = new AtomicInteger();
            List<CompletableFuture<Object>> finishing = List.of(send(spot, "c-1", 8_000, ends),
                    send(spot, "c-2", 8_000, ends));
            CompletableFuture<Object> tooLong = send(spot, "c-3", TimeUnit.MINUTES.toMillis(10), ends);
            await("the calls run on the runner").atMost(Duration.ofMinutes(1))
                    .until(() -> STARTED.containsAll(List.of("c-1", "c-2", "c-3")));
            Instant taken = fx.box.interrupt(spotInstance.id);
            LOG.info("box spot: interrupted " + spotInstance.id + " (runner " + spot.id() + "), taken at " + taken);

            await("the parent hears the runner retire").atMost(Duration.ofSeconds(20))
                    .until(() -> heard.contains("retiring spot-r2: spot interruption"));
            assertEquals(Boolean.TRUE, liveWhenRetiring.get(spot.id()), "heard while the instance still ran");
            assertEquals(RunnerState.DRAINING, spot.state(), "it takes no new calls");
            FlameRejectedException refused = assertInstanceOf(FlameRejectedException.class,
                    failure(spot.invoke(call("c-4", 1))));
            assertTrue(refused.retryable(), refused.getMessage());
            // a call after the notice goes to a runner that takes calls: the on-demand one
            FlameRunnerHandle next = runners.stream().filter(r -> r.state() == RunnerState.READY).findFirst()
                    .orElseThrow();
            assertEquals(onDemand.id(), send(next, "c-5", 1, ends).get(1, TimeUnit.MINUTES));

            for (CompletableFuture<Object> f : finishing) {
                assertEquals(spot.id(), f.get(1, TimeUnit.MINUTES), "a call that ends within the notice finishes");
            }
            FlameRunnerLostException lost = assertInstanceOf(FlameRunnerLostException.class, failure(tooLong));
            assertTrue(lost.getMessage().contains("spot interruption"), lost.getMessage());
            assertTrue(Instant.now().isBefore(taken.plusSeconds(5)), "failed by the time the instance was taken");

            await("the spot instance is gone").atMost(NOTICE.plusSeconds(60))
                    .until(() -> spotInstance.state == BoxInstance.State.TERMINATED);
            await().atMost(Duration.ofSeconds(30)).until(() -> heard.contains("lost spot-r2"));
            assertTrue(heard.indexOf("retiring spot-r2: spot interruption") < heard.indexOf("lost spot-r2"), heard::toString);
            assertEquals(1, heard.stream().filter(h -> h.startsWith("retiring")).count(), heard::toString);
            String journal = spotInstance.journalOutput();
            assertTrue(journal.contains("spot interruption notice for " + taken + ": draining 3 calls"), journal);
            assertEquals(4, ends.get(), "every call ended exactly once");
            assertTrue(onDemand.state() == RunnerState.READY, "the on-demand runner is untouched");
        } finally {
            for (FlameRunnerHandle r : runners) {
                r.stop(StopReason.POOL_SHUTDOWN, Duration.ofSeconds(10)).get(1, TimeUnit.MINUTES);
            }
            backend.close();
            fx.box.refuseSpot(null);
            await().atMost(Duration.ofMinutes(1)).until(() -> fx.box.unterminatedInstanceIds().isEmpty());
        }
    }

    @Test
    void thePoolBootsASuccessorWhileAnInterruptedSpotRunnerDrains() throws Exception {
        List<FlamePoolEvent> events = new CopyOnWriteArrayList<>();
        FlamePoolConfig config = config("spot-pool", 4);
        FlamePoolEngine pool = new FlamePoolEngine(config, backend(config, "spot"), events::add);
        try {
            // one call that ends within the notice, one that cannot: one runner (4 slots) boots for both
            AtomicInteger ends = new AtomicInteger();
            CompletableFuture<Object> finishing = submit(pool, "p-1", 8_000, ends);
            CompletableFuture<Object> tooLong = submit(pool, "p-2", TimeUnit.MINUTES.toMillis(10), ends);
            String old = await("a runner boots").atMost(Duration.ofMinutes(5))
                    .until(() -> events(events, RunnerReady.class), r -> !r.isEmpty()).get(0).runnerId();
            await("the calls run on it").atMost(Duration.ofMinutes(1))
                    .until(() -> STARTED.containsAll(List.of("p-1", "p-2")));
            assertEquals(1, events(events, RunnerBooting.class).size(), events::toString);
            BoxInstance oldInstance = instanceOf(old);
            assertEquals("spot", oldInstance.market);
            Instant taken = fx.box.interrupt(oldInstance.id);

            // the pool hears it retire and boots its successor at once, launched before the old instance is taken
            await("a successor boots").atMost(NOTICE).until(() -> pool.status().runners().size() == 2);
            Map<String, RunnerStatus> runners = pool.status().runners().stream()
                    .collect(Collectors.toMap(RunnerStatus::id, r -> r));
            assertEquals(RunnerStatus.State.RETIRING, runners.get(old).state(), runners::toString);
            assertEquals(2, runners.get(old).inFlight(), runners::toString);
            String successor = runners.keySet().stream().filter(id -> !id.equals(old)).findFirst().orElseThrow();
            BoxInstance next = await("its instance launches").atMost(NOTICE)
                    .until(() -> fx.box.instances().stream()
                            .filter(i -> successor.equals(i.tagsCopy().get("flame:runner-id"))).findFirst(),
                            Optional::isPresent).orElseThrow();
            assertTrue(next.launchTime.isBefore(taken), next.launchTime + " is not before " + taken);
            assertEquals("spot", next.market);

            // a call made after the notice waits for the successor, not for the retiring runner
            CompletableFuture<Object> after = submit(pool, "p-3", 1, ends);
            assertEquals(old, finishing.get(1, TimeUnit.MINUTES), "the call that ends within the notice finishes");
            FlameRunnerLostException lost = assertInstanceOf(FlameRunnerLostException.class, failure(tooLong));
            assertEquals(old, lost.runnerId());
            assertTrue(lost.getMessage().contains("spot interruption"), lost.getMessage());
            assertEquals(successor, after.get(5, TimeUnit.MINUTES));

            // the old runner went with a call unfinished: interrupted as announced, naming the interruption, once
            await("the old runner stops").atMost(Duration.ofMinutes(1)).until(() -> events(events,
                    RunnerStopped.class).stream().anyMatch(e -> e.runnerId().equals(old)));
            List<RunnerStopped> stops = events(events, RunnerStopped.class).stream()
                    .filter(e -> e.runnerId().equals(old)).toList();
            assertEquals(1, stops.size(), stops::toString);
            assertEquals(StopReason.INTERRUPTED, stops.get(0).reason(), stops::toString);
            assertTrue(stops.get(0).detail().contains("spot interruption"), stops.get(0).detail());
            await("the old instance is gone").atMost(NOTICE.plusSeconds(60))
                    .until(() -> oldInstance.state == BoxInstance.State.TERMINATED);
            assertEquals(2, events(events, RunnerBooting.class).size(), events::toString);
            await().atMost(Duration.ofSeconds(5)).until(() -> ends.get() >= 3);
            assertEquals(3, ends.get(), "every call ended exactly once");
            assertEquals(0, pool.status().inFlight());
        } finally {
            pool.shutdown().orTimeout(2, TimeUnit.MINUTES).join();
            await().atMost(Duration.ofMinutes(1)).until(() -> fx.box.unterminatedInstanceIds().isEmpty());
        }
    }

    private RunnerListener listener() {
        return new RunnerListener() {
            @Override
            public void lost(String runnerId, FlameRunnerLostException cause) {
                heard.add("lost " + runnerId);
            }

            @Override
            public void retiring(String runnerId, String reason) {
                BoxInstance instance = instances.get(runnerId);
                liveWhenRetiring.put(runnerId, instance != null && instance.isLive());
                heard.add("retiring " + runnerId + ": " + reason);
            }
        };
    }

    private static BoxInstance instanceOf(String runnerId) {
        return fx.box.instances().stream().filter(i -> runnerId.equals(i.tagsCopy().get("flame:runner-id")))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no instance of runner " + runnerId));
    }

    private static FlamePoolConfig config(String pool, int maxConcurrency) {
        return FlamePoolConfig.builder(pool).max(2).maxConcurrency(maxConcurrency)
                .bootTimeout(Duration.ofMinutes(4)).timeout(Duration.ofMinutes(4))
                .shutdownTimeout(Duration.ofSeconds(10)).backend("ec2").build();
    }

    private static FlameBackend backend(FlamePoolConfig config, String market) {
        Map<String, String> settings = BoxHarness.ec2Settings(fx, config.name() + "-it", bundle);
        settings.put("flame.ec2.market", market);
        return new Ec2BackendFactory().create(ConfigBackendContext.of(config, settings, "parent-" + config.name()));
    }

    /** A {@link SpotTask} that reports its start as {@code id}. */
    private static FlameInvocation task(String id, long millis) {
        String started = "http://" + fx.box.gateway() + ":" + starts.getAddress().getPort() + "/started?" + id;
        return new FlameInvocation.Closure(new SpotTask(millis, started));
    }

    private static FlameCall call(String id, long millis) {
        return new FlameCall(id, task(id, millis), Instant.now().plusSeconds(240));
    }

    private static CompletableFuture<Object> send(FlameRunnerHandle runner, String id, long millis,
            AtomicInteger ends) {
        return counted(runner.invoke(call(id, millis)), ends);
    }

    /** A call through the pool (its timeout covers a boot on a loaded machine). */
    private static CompletableFuture<Object> submit(Pool pool, String id, long millis, AtomicInteger ends) {
        return counted(pool.submit(task(id, millis), Duration.ofMinutes(6)), ends);
    }

    private static CompletableFuture<Object> counted(CompletableFuture<Object> f, AtomicInteger ends) {
        f.whenComplete((v, e) -> ends.incrementAndGet());
        return f;
    }

    private static <E extends FlamePoolEvent> List<E> events(List<FlamePoolEvent> events, Class<E> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static Throwable failure(CompletableFuture<?> f) {
        return assertThrows(ExecutionException.class, () -> f.get(2, TimeUnit.MINUTES)).getCause();
    }
}
