package io.flameec2.it.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.it.ec2.BoxHarness;
import io.flameec2.it.ec2.BoxHarness.InstanceView;
import io.flameec2.it.ec2.E2eTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Orphan clean-up with replicas, on the EC2-in-a-box: two parents ({@link Ec2ReplicaMain}, JVMs of their own) of
 * one {@code app} and pool, each with one Liberty runner instance called twice a second, run side by side for
 * {@link #SIDE_BY_SIDE}: each refreshes its runner's lease, each sweeps for expired leases, and neither may take
 * the other's runner (every call answered by the same runner, no instance terminated, no lease ever passed). Then
 * parent B is SIGKILLed; its runner was made to ignore its parent's loss (a parent-loss-timeout of an hour), so
 * only orphan clean-up can end it: A must terminate it once its lease passed, within lease-duration + a third of
 * it (A's sweep interval) + {@link #REAP_MARGIN}, and not before the lease B last refreshed could have passed.
 *
 * <p>The lease is {@value #LEASE_SECONDS} s (refreshed every 10 s): short enough that the side-by-side phase sees
 * a dozen and more refreshes per runner, long enough that a refresh delayed by a loaded machine does not expire it.
 */
class Ec2ReplicasIT {

    static final int LEASE_SECONDS = 30;
    private static final Duration LEASE = Duration.ofSeconds(LEASE_SECONDS);
    private static final Duration SWEEP = LEASE.dividedBy(3);
    /** How long the two parents run side by side (the issue asks for 3 minutes); -Dflame.it.replicas.seconds. */
    private static final Duration SIDE_BY_SIDE = Duration.ofSeconds(Long.getLong("flame.it.replicas.seconds", 180));
    /**
     * What A's sweep needs beyond the lease and its own interval: a DescribeInstances and a TerminateInstances
     * (tens of ms here), the refresh that runs before the sweep in the same round, this test's 250 ms polling, and
     * scheduling delays on 2 loaded cores.
     */
    private static final Duration REAP_MARGIN = Duration.ofSeconds(8);
    /** The lease tag has whole seconds: an expiry can be up to 1 s earlier than now + lease. */
    private static final Duration TAG_ROUNDING = Duration.ofSeconds(1);

    private static BoxHarness box;
    private static URI bundle;
    private final Map<String, Process> parents = new TreeMap<>();

    @BeforeAll
    static void boxAndBundle() throws Exception {
        Optional<String> unsupported = BoxHarness.unsupportedReason();
        Assumptions.assumeTrue(unsupported.isEmpty(), () -> "skipped: " + unsupported.orElse(""));
        box = BoxHarness.start();
        bundle = box.uploadLibertyRunner("replicas/flamerunner.zip", Ec2ReplicaMain.APP_VERSION, E2eTask.class);
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
        parents.values().forEach(Process::destroyForcibly);
    }

    @Test
    void replicasOfOneAppAndPoolNeverTakeEachOthersRunnersButTheOrphanOfAKilledOneIsReapedWithinTheLeaseBound()
            throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "ec2-replicas"));
        Map<String, Path> logs = Map.of("A", dir.resolve("parent-A.log"), "B", dir.resolve("parent-B.log"));
        parents.put("A", start("A", Duration.ofSeconds(5), logs.get("A")));
        parents.put("B", start("B", Duration.ofHours(1), logs.get("B"))); // its runner ignores the parent's loss
        await("both replicas served a call").atMost(Duration.ofMinutes(7)).pollInterval(Duration.ofMillis(500))
                .failFast("a parent JVM exited; logs in " + dir.toAbsolutePath(),
                        () -> parents.values().stream().anyMatch(p -> !p.isAlive()))
                .until(() -> logs.values().stream().allMatch(l -> read(l).contains(Ec2ReplicaMain.CALL_OK)));
        Map<String, String> instanceOf = new TreeMap<>(); // replica -> its runner's instance
        for (InstanceView i : box.instances()) {
            String parent = box.tag(i.id(), "flame:parent-id");
            instanceOf.put(parent.substring("replica-".length(), "replica-".length() + 1), i.id());
        }
        assertEquals(Set.of("A", "B"), instanceOf.keySet(), () -> "one instance each: " + box.instances());
        assertEquals(2, box.instances().size(), () -> "instances: " + box.instances());
        Map<String, Integer> callsBefore = new TreeMap<>();
        logs.forEach((r, l) -> callsBefore.put(r, count(read(l), Ec2ReplicaMain.CALL_OK)));

        // side by side: both keep their runner, every lease stays ahead of the clock and moves forward
        Map<String, Set<String>> leases = new TreeMap<>();
        instanceOf.keySet().forEach(r -> leases.put(r, new TreeSet<>()));
        AtomicReference<String> violation = new AtomicReference<>();
        long sideBySide = System.nanoTime();
        await("side by side for " + SIDE_BY_SIDE).atMost(SIDE_BY_SIDE.plusSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .failFast(() -> violation.get() != null)
                .until(() -> {
                    for (Map.Entry<String, String> e : instanceOf.entrySet()) {
                        InstanceView i = view(e.getValue());
                        String lease = box.tag(e.getValue(), "flame:lease-until");
                        if (!i.state().equals("running")) {
                            violation.set("replica " + e.getKey() + " lost its runner instance: " + i);
                        } else if (!Instant.parse(lease).isAfter(Instant.now())) {
                            violation.set("the lease of replica " + e.getKey() + "'s instance passed: " + lease);
                        } else if (!parents.get(e.getKey()).isAlive()) {
                            violation.set("parent " + e.getKey() + " exited");
                        }
                        leases.get(e.getKey()).add(lease);
                    }
                    return System.nanoTime() - sideBySide >= SIDE_BY_SIDE.toNanos();
                });
        for (String r : instanceOf.keySet()) {
            String log = read(logs.get(r));
            assertEquals(0, count(log, Ec2ReplicaMain.CALL_FAILED), () -> "replica " + r + " had failed calls:\n" + log);
            assertEquals(Set.of(box.runnerId(instanceOf.get(r))), runnersThatAnswered(log),
                    () -> "replica " + r + "'s calls were all answered by its one runner:\n" + log);
            assertTrue(count(log, Ec2ReplicaMain.CALL_OK) - callsBefore.get(r) >= SIDE_BY_SIDE.toSeconds(),
                    () -> "replica " + r + " kept calling (2 a second):\n" + log);
            assertEquals(0, count(log, "RunnerStopped"), () -> "replica " + r + " lost a runner:\n" + log);
            // a refresh every 10 s: 18 in 3 minutes; a few may be missed by this 1 s sampling on a loaded machine
            long expected = SIDE_BY_SIDE.dividedBy(SWEEP);
            assertTrue(leases.get(r).size() >= expected / 2, () -> "replica " + r + " refreshed its lease "
                    + leases.get(r).size() + " times in " + SIDE_BY_SIDE + " (expected about " + expected + ")");
        }

        // B dies without a word; its runner does not notice (parent-loss-timeout of an hour)
        String orphan = instanceOf.get("B");
        Instant lastLease = Instant.parse(box.tag(orphan, "flame:lease-until"));
        parents.get("B").destroyForcibly();
        long killed = System.nanoTime();
        Instant killedAt = Instant.now();
        assertTrue(parents.get("B").waitFor(30, TimeUnit.SECONDS), "parent B survived SIGKILL");
        Duration bound = LEASE.plus(SWEEP).plus(REAP_MARGIN);
        long reapedMs = -1;
        try {
            await("B's orphan reaped").atMost(bound.multipliedBy(2)).pollInterval(Duration.ofMillis(250))
                    .failFast("A lost its runner", () -> !view(instanceOf.get("A")).state().equals("running"))
                    .until(() -> !view(orphan).state().equals("running"));
            reapedMs = (System.nanoTime() - killed) / 1_000_000;
        } catch (ConditionTimeoutException e) {
            // measured as missing: the assertions below say so
        }
        InstanceView reaped = view(orphan);
        Instant finalLease = Instant.parse(box.tag(orphan, "flame:lease-until"));
        long leaseLeftAtKillMs = Duration.between(killedAt, finalLease).toMillis();
        long measured = reapedMs;
        Suite.figure("replicas ec2: 2 parents of one app and pool side by side for " + SIDE_BY_SIDE.toSeconds()
                + " s with calls, lease " + LEASE_SECONDS + " s refreshed every " + SWEEP.toSeconds() + " s: leases seen "
                + leases.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size()).collect(Collectors.joining(", "))
                + ", no runner lost; parent B SIGKILLed with " + leaseLeftAtKillMs + " ms of its runner's lease left;"
                + " its orphan reaped by A " + measured + " ms after the kill (bound lease + sweep interval + margin "
                + bound.toMillis() + " ms)");
        assertTrue(measured >= 0, () -> "B's orphan was not reaped within " + bound.multipliedBy(2) + ": " + reaped
                + "\nparent A:\n" + read(logs.get("A")));
        assertEquals("terminated by TerminateInstances", reaped.stateReason(),
                "reaped by A's orphan clean-up, not by itself");
        assertTrue(measured <= bound.toMillis(), () -> "reaped " + measured + " ms after the kill, bound " + bound);
        // never before its lease passed: B's last refresh was at most one interval before the kill
        assertTrue(!finalLease.isBefore(lastLease), "the lease only moves forward");
        assertTrue(measured >= leaseLeftAtKillMs - TAG_ROUNDING.toMillis(), () -> "reaped " + measured
                + " ms after the kill, but its lease had " + leaseLeftAtKillMs + " ms left");
        assertTrue(measured >= LEASE.minus(SWEEP).minus(TAG_ROUNDING).minusSeconds(1).toMillis(),
                () -> "reaped " + measured + " ms after the kill: sooner than a lease refreshed before it could pass");
        // A and its runner are untouched
        assertEquals("running", view(instanceOf.get("A")).state());
        assertTrue(parents.get("A").isAlive());
        int callsOfA = count(read(logs.get("A")), Ec2ReplicaMain.CALL_OK);
        await("A keeps calling its runner").atMost(Duration.ofSeconds(30))
                .until(() -> count(read(logs.get("A")), Ec2ReplicaMain.CALL_OK) > callsOfA + 5);
        assertEquals(0, count(read(logs.get("A")), Ec2ReplicaMain.CALL_FAILED), () -> read(logs.get("A")));
    }

    private Process start(String name, Duration parentLossTimeout, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx192m", "-cp", System.getProperty("java.class.path")));
        box.parentSystemProperties().forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add(Ec2ReplicaMain.class.getName());
        command.add(name);
        command.add(Long.toString(parentLossTimeout.toMillis()));
        Map<String, String> settings = box.ec2Settings("replicas", bundle);
        settings.put("flame.ec2.lease-duration", LEASE_SECONDS + "s");
        settings.forEach((k, v) -> command.add(k + "=" + v));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static InstanceView view(String id) {
        return box.instances().stream().filter(i -> i.id().equals(id)).findFirst().orElseThrow();
    }

    private static Set<String> runnersThatAnswered(String log) {
        Set<String> runners = new HashSet<>();
        log.lines().filter(l -> l.startsWith(Ec2ReplicaMain.CALL_OK))
                .forEach(l -> runners.add(l.substring(Ec2ReplicaMain.CALL_OK.length()).trim()));
        return runners;
    }

    private static int count(String text, String what) {
        return (int) text.lines().filter(l -> l.contains(what)).count();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
