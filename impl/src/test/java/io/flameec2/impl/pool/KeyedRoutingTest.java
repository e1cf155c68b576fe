package io.flameec2.impl.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameTimeoutException;
import io.flameec2.spi.FlameInvocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Sticky routing: calls with the same key go to the same runner (rendezvous hashing, {@link KeyRouter}). */
class KeyedRoutingTest extends EngineTest {

    private static final int KEYS = 100;
    private static final int CALLS = 10_000;

    /**
     * Sends {@link #CALLS} calls over {@link #KEYS} keys at once and answers where each key's calls ran.
     *
     * @return key to the runners its calls ran on
     */
    private Map<String, Set<String>> route() {
        Map<FlameInvocation, String> keyOf = new IdentityHashMap<>();
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        backend.runners.values().forEach(r -> r.invocations.clear());
        for (int i = 0; i < CALLS; i++) {
            String key = "tenant-" + (i % KEYS);
            FlameInvocation task = new FlameInvocation.Closure(() -> key);
            keyOf.put(task, key);
            calls.add(pool.submit(task, null, key));
        }
        for (int i = 0; i < CALLS; i++) {
            assertEquals("tenant-" + (i % KEYS), calls.get(i).join());
        }
        Map<String, Set<String>> runnersOf = new HashMap<>();
        backend.runners.values().forEach(r -> r.invocations.forEach(inv ->
                runnersOf.computeIfAbsent(keyOf.get(inv), k -> new HashSet<>()).add(r.id)));
        assertEquals(KEYS, runnersOf.size());
        return runnersOf;
    }

    /** Every key's calls ran on one runner: key to that runner. */
    private static Map<String, String> owners(Map<String, Set<String>> runnersOf) {
        Map<String, String> owners = new HashMap<>();
        runnersOf.forEach((key, runners) -> {
            assertEquals(1, runners.size(), key + " ran on " + runners);
            owners.put(key, runners.iterator().next());
        });
        return owners;
    }

    @Test
    void eachKeyStaysOnOneRunnerAndALostRunnerMovesOnlyItsKeys() {
        pool(config(4, 50).min(4).timeout(Duration.ofSeconds(30)));
        await().atMost(5, SECONDS).until(() -> backend.live() == 4);
        Map<String, String> before = owners(route());
        assertEquals(4, new HashSet<>(before.values()).size(), "100 keys spread over the 4 runners");
        assertEquals(before, owners(route()), "a second round routes every key as the first");

        backend.autoBoot = false; // the replacement min asks for stays booting: 3 runners serve
        FakeBackend.FakeRunner victim = backend.runners.get(before.get("tenant-0"));
        victim.lose();
        Map<String, String> after = owners(route());
        before.forEach((key, owner) -> {
            if (owner.equals(victim.id)) {
                assertNotEquals(victim.id, after.get(key), key);
            } else {
                assertEquals(owner, after.get(key), key + " moved although its runner lives");
            }
        });

        // the replacement takes the lost runner's place: exactly its keys come back to it, no other moves
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 5);
        FakeBackend.FakeRunner replacement = backend.complete(backend.boots.get(4));
        await().atMost(5, SECONDS).until(() -> pool.snapshot().booting() == 0);
        Map<String, String> healed = owners(route());
        before.forEach((key, owner) -> assertEquals(owner.equals(victim.id) ? replacement.id : owner,
                healed.get(key), key));
    }

    @Test
    void aKeyedCallWaitsForItsOwnerEvenWhenAnotherRunnerIsFree() throws Exception {
        backend.holdCalls = true;
        pool(config(2, 1).min(2).timeout(Duration.ofSeconds(30)));
        await().atMost(5, SECONDS).until(() -> backend.live() == 2);
        CompletableFuture<Object> first = pool.submit(new FlameInvocation.Closure(() -> 1), null, "k");
        FakeBackend.FakeRunner owner = backend.runners.values().stream().filter(r -> r.held.size() == 1)
                .findFirst().orElseThrow();
        FakeBackend.FakeRunner other = backend.runners.values().stream().filter(r -> r != owner)
                .findFirst().orElseThrow();
        CompletableFuture<Object> second = pool.submit(new FlameInvocation.Closure(() -> 2), null, "k");
        assertEquals(1, pool.snapshot().waiting());
        // a keyed caller that gives up while waiting leaves no trace
        ExecutionException timedOut = assertThrows(ExecutionException.class, () -> pool.submit(
                new FlameInvocation.Closure(() -> 3), Duration.ofMillis(200), "k").get(10, SECONDS));
        assertInstanceOf(FlameTimeoutException.class, timedOut.getCause());
        assertEquals(1, pool.snapshot().waiting());
        // an unkeyed call takes the free runner at once
        CompletableFuture<Object> unkeyed = pool.submit(new FlameInvocation.Closure(() -> 4), null);
        assertEquals(1, other.held.size());
        assertFalse(second.isDone());

        owner.held.get(0).finish();
        assertEquals(1, first.join());
        await().atMost(5, SECONDS).until(() -> owner.held.size() == 2);
        owner.held.get(1).finish();
        assertEquals(2, second.join());
        other.held.get(0).finish();
        assertEquals(4, unkeyed.join());
        assertEquals(0, pool.snapshot().waiting());
        assertEquals(0, backend.concurrencyViolations.get());
    }

    @Test
    void withNoRunnerReadyAKeyGoesToTheRunnerThatBoots() {
        backend.autoBoot = false;
        pool(config(3, 10).timeout(Duration.ofSeconds(30)));
        CompletableFuture<Object> first = pool.submit(new FlameInvocation.Closure(() -> "a"), null, "k");
        await().atMost(5, SECONDS).until(() -> backend.boots.size() == 1);
        FakeBackend.FakeRunner booted = backend.complete(backend.boots.get(0));
        assertEquals("a", first.join());
        for (int i = 0; i < 20; i++) {
            assertEquals("b", pool.submit(new FlameInvocation.Closure(() -> "b"), null, "k").join());
        }
        assertEquals(21, booted.served.get());
    }

    @Test
    void theKeyRouterMovesOnlyTheKeysOfAMemberThatLeavesAndGivesThemToItsReplacement() {
        KeyRouter router = new KeyRouter();
        List<Runner> members = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Runner r = new Runner("r" + i);
            members.add(r);
            router.add(r);
        }
        Map<Integer, Runner> before = new HashMap<>();
        for (int key = 0; key < 10_000; key++) {
            before.put(key, router.owner(KeyRouter.hash(key)));
        }
        Set<Runner> used = new HashSet<>(before.values());
        assertEquals(8, used.size());
        Runner gone = members.get(3);
        router.remove(gone);
        assertFalse(KeyRouter.contains(gone));
        Runner replacement = new Runner("r8");
        for (int key = 0; key < 10_000; key++) {
            Runner now = router.owner(KeyRouter.hash(key));
            assertTrue(before.get(key) == gone ? now != gone : now == before.get(key), "key " + key);
        }
        router.add(replacement);
        for (int key = 0; key < 10_000; key++) {
            Runner now = router.owner(KeyRouter.hash(key));
            assertEquals(before.get(key) == gone ? replacement : before.get(key), now, "key " + key);
        }
        long share = before.values().stream().filter(r -> r == gone).count();
        assertTrue(share > 10_000 / 8 / 2 && share < 10_000 / 8 * 2, "an even share: " + share);
    }
}
