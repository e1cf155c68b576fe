package io.flameec2.it.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.it.ec2.BoxHarness;
import io.flameec2.it.ec2.BoxHarness.InstanceView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Parent loss on the EC2-in-a-box: the parent is a JVM of its own ({@link Ec2ParentMain}) whose runners are
 * instances in the box, each busy with a call that would outlast the test; the parent is SIGKILLed (no shutdown
 * hook, no stop request, no TerminateInstances). Every runner must notice the missing heartbeats, drain its busy
 * call for the shutdown-timeout, interrupt it, exit, and its unit must power the instance off, so that every
 * instance is terminated within parent-loss-timeout + shutdown-timeout plus a small margin. The box stays in this
 * JVM; only the parent dies.
 */
class Ec2ParentLossIT {

    /**
     * What the box needs beyond parent-loss-timeout + shutdown-timeout: the runner itself is gone by then (it
     * counts the shutdown-timeout from the parent's last heartbeat, keeps 2 s of it for Liberty to stop and
     * halts the JVM at the end), but the unit's poweroff request and the box's teardown (kill what is left,
     * remove the namespace, delete the instance's files: EC2's shutting-down -> terminated) took 0.3-2.3 s on
     * 2 shared cores, and this test polls every 100 ms. Before the runner bounded its own exit, the totals were
     * 2.0-3.8 s beyond the budget, because Liberty's stop came after a full drain.
     */
    private static final Duration EXIT_MARGIN = Duration.ofSeconds(3);
    /** How often the instances are looked at after the kill: the measurement's resolution. */
    private static final Duration POLL = Duration.ofMillis(100);

    private static BoxHarness box;
    private static URI bundle;
    private Process parent;

    @BeforeAll
    static void boxAndBundle() throws Exception {
        Optional<String> unsupported = BoxHarness.unsupportedReason();
        Assumptions.assumeTrue(unsupported.isEmpty(), () -> "skipped: " + unsupported.orElse(""));
        box = BoxHarness.start();
        bundle = box.uploadLibertyRunner("parent-loss/flamerunner.zip", Ec2ParentMain.APP_VERSION, BusyTask.class);
    }

    @AfterAll
    static void closeBox() {
        if (box != null) {
            box.close();
            assertEquals(List.of(), box.namespaces(), "network namespaces leaked");
        }
    }

    @AfterEach
    void noParentLeft() {
        if (parent != null) {
            parent.destroyForcibly();
        }
    }

    @Test
    void whenTheParentJvmIsKilledItsBusyRunnersAndTheirInstancesAreGoneWithinParentLossPlusShutdownTimeout()
            throws Exception {
        Path log = Files.createDirectories(Path.of("target", "ec2-parent-loss")).resolve("parent.log");
        parent = new ProcessBuilder(parentCommand()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await("both runners busy").atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(250))
                .failFast("the parent JVM exited early; its output: " + log.toAbsolutePath(), () -> !parent.isAlive())
                .until(() -> read(log).contains(Ec2ParentMain.BUSY));
        List<InstanceView> launched = box.instances();
        assertEquals(Ec2ParentMain.RUNNERS, launched.size(), () -> "instances: " + launched);
        // the runners' side too: each instance's runner is executing its call when the parent dies
        Map<String, String> runnerIds = launched.stream().collect(Collectors.toMap(InstanceView::id,
                i -> box.runnerId(i.id())));
        await("busy tasks started on the runners").atMost(Duration.ofMinutes(1)).pollInterval(POLL).until(() -> launched
                .stream().allMatch(i -> box.journal(i.id()).contains(BusyTask.STARTED + runnerIds.get(i.id()))));
        assertFalse(read(log).contains("CALL ENDED"), () -> "a busy call ended before the kill:\n" + read(log));

        parent.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye to the runners or to EC2
        long killed = System.nanoTime();
        assertTrue(parent.waitFor(30, TimeUnit.SECONDS), "the parent JVM survived SIGKILL");

        Duration budget = Ec2ParentMain.PARENT_LOSS_TIMEOUT.plus(Ec2ParentMain.SHUTDOWN_TIMEOUT);
        Map<String, Timeline> timelines = new TreeMap<>();
        launched.forEach(i -> timelines.put(i.id(), new Timeline()));
        try {
            // well past the limit asserted below, so that a late instance is measured rather than just missing
            await().atMost(budget.plus(EXIT_MARGIN).multipliedBy(2)).pollInterval(POLL).until(() -> {
                for (InstanceView i : box.instances()) {
                    timelines.get(i.id()).observe(i, box.journal(i.id()), (System.nanoTime() - killed) / 1_000_000);
                }
                return timelines.values().stream().allMatch(t -> t.terminated >= 0);
            });
        } catch (ConditionTimeoutException e) {
            // fall through: the figures below say what is left, and the assertions fail on it
        }
        long measuredMs = timelines.values().stream().mapToLong(t -> t.terminated).max().orElse(-1);
        List<InstanceView> after = box.instances();
        long left = after.stream().filter(i -> !i.terminated()).count();
        List<String> namespaces = box.namespaces();
        Suite.figure("parent-loss ec2: " + launched.size() + " busy runners on " + launched.size()
                + " instances, parent SIGKILLed; all instances terminated " + measuredMs + " ms after the kill"
                + " (budget parent-loss-timeout " + Ec2ParentMain.PARENT_LOSS_TIMEOUT.toMillis() + " + shutdown-timeout "
                + Ec2ParentMain.SHUTDOWN_TIMEOUT.toMillis() + " + margin " + EXIT_MARGIN.toMillis() + " ms); left: "
                + left + " instances unterminated, " + namespaces.size() + " namespaces; per instance, ms after the"
                + " kill: " + timelines);

        assertEquals(0, left, () -> "instances left unterminated: " + after + "\nconsoles:\n" + consoles(after));
        assertEquals(List.of(), namespaces, "namespaces (hosts) left");
        for (InstanceView i : after) {
            // the runner exited and its unit powered the instance off: nobody else could terminate it
            assertTrue(i.stateReason().contains("powered itself off"), () -> i + "\n" + box.console(i.id()));
        }
        assertTrue(measuredMs <= budget.plus(EXIT_MARGIN).toMillis(), () -> "took " + measuredMs + " ms, more than "
                + budget.toMillis() + " ms + margin " + EXIT_MARGIN.toMillis() + " ms; " + timelines);
        // and not sooner than the runners could have drained: heartbeats stopped at most one interval (plus its
        // round trip, well under another interval) before the kill, then the busy calls get the shutdown-timeout
        // less the 2 s the runner keeps for its own exit
        long earliest = budget.minusSeconds(2).minus(Ec2ParentMain.HEARTBEAT_INTERVAL.multipliedBy(2)).toMillis();
        long firstMs = timelines.values().stream().mapToLong(t -> t.terminated).min().orElseThrow();
        assertTrue(firstMs >= earliest, () -> "an instance was gone after " + firstMs + " ms: its runner did not"
                + " drain its busy call for the shutdown-timeout (expected at least " + earliest + " ms)");
    }

    private List<String> parentCommand() {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path")));
        box.parentSystemProperties().forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add(Ec2ParentMain.class.getName());
        box.ec2Settings("parent-loss", bundle).forEach((k, v) -> command.add(k + "=" + v));
        return command;
    }

    /**
     * When the test first saw each step of one instance going away, in ms after the kill (-1: not seen). The steps
     * come from the runner's journal (Liberty's console, which the box deletes at termination, so a step can be
     * missed when the next poll comes too late) and from the box's instance state.
     */
    private static final class Timeline {
        long interrupted = -1; // the runner gave up on its busy call: parent loss noticed + shutdown-timeout
        long unitExited = -1; // Open Liberty's JVM ended; ExecStopPost runs now
        long poweroff = -1; // the box got the poweroff request (shutting-down)
        long terminated = -1;

        void observe(InstanceView i, String journal, long now) {
            if (interrupted < 0 && journal.contains("drain timeout passed, interrupting")) {
                interrupted = now;
            }
            if (unitExited < 0 && journal.contains("flame-runner.service exited with status")) {
                unitExited = now;
            }
            if (poweroff < 0 && !i.state().equals("running")) {
                poweroff = now;
            }
            if (terminated < 0 && i.terminated()) {
                terminated = now;
            }
        }

        @Override
        public String toString() {
            return "interrupted " + interrupted + ", unit exited " + unitExited + ", poweroff " + poweroff
                    + ", terminated " + terminated;
        }
    }

    private static String consoles(List<InstanceView> instances) {
        return instances.stream().map(i -> "--- " + i.id() + "\n" + box.console(i.id()))
                .collect(Collectors.joining("\n"));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
