package io.flameec2.impl.pool;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Chooses the runner that owns a routing key ({@link io.flameec2.FlameKey}): rendezvous (highest random weight)
 * hashing over the members, the pool's ready runners that take calls (not retiring, not a spent single-use
 * runner). Every member has a seed; a key's weight on a member is a 64-bit mix of the key's hash and the seed,
 * and the member with the highest weight owns the key. So a member that leaves moves only its own keys (each to
 * the member it weighs second highest on), and a member that joins takes only the keys it now weighs highest on,
 * about 1/n of them.
 *
 * <p>Seeds are handed back when a member leaves and reused by the next runner to join, so the runner booted in
 * place of a lost or retired one owns exactly the keys the old one owned: the other runners keep theirs.
 *
 * <p>Routing costs one mix (two multiplications) per member and allocates nothing; members sit in plain
 * arrays. Not thread-safe: the pool calls it under its lock.
 */
final class KeyRouter {

    private Runner[] members = new Runner[8];
    private long[] seeds = new long[8];
    private int size;
    /** Seeds of members that left, most recent first: the next runner to join takes one. */
    private final ArrayDeque<Long> freeSeeds = new ArrayDeque<>();
    private long seedSequence;

    /**
     * The hash of a key: its {@link Object#hashCode()}, spread over 64 bits.
     *
     * @param key the key, not {@code null}
     * @return the hash routing uses
     */
    static long hash(Object key) {
        return mix(key.hashCode());
    }

    /** SplitMix64's finalizer: every input bit flips about half of the output bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * Makes a runner a member (once), with a seed handed back by a member that left, else a new one.
     *
     * @param runner a ready runner that takes calls
     */
    void add(Runner runner) {
        if (runner.routeIndex >= 0) {
            return;
        }
        if (size == members.length) {
            members = Arrays.copyOf(members, size * 2);
            seeds = Arrays.copyOf(seeds, size * 2);
        }
        Long reused = freeSeeds.poll();
        seeds[size] = reused != null ? reused : mix(0x9e3779b97f4a7c15L * ++seedSequence);
        members[size] = runner;
        runner.routeIndex = size++;
    }

    /**
     * Takes a runner out (if it is a member), handing its seed back.
     *
     * @param runner the runner
     */
    void remove(Runner runner) {
        int i = runner.routeIndex;
        if (i < 0) {
            return;
        }
        freeSeeds.push(seeds[i]);
        int last = --size;
        members[i] = members[last];
        seeds[i] = seeds[last];
        members[i].routeIndex = i;
        members[last] = null;
        runner.routeIndex = -1;
    }

    /**
     * Whether a runner is a member.
     *
     * @param runner the runner
     * @return {@code true} while keys may be routed to it
     */
    static boolean contains(Runner runner) {
        return runner.routeIndex >= 0;
    }

    /**
     * The owner of a key.
     *
     * @param keyHash the key's {@link #hash}
     * @return the member with the highest weight for the key, {@code null} when there is no member
     */
    Runner owner(long keyHash) {
        Runner best = null;
        long bestWeight = 0;
        for (int i = 0; i < size; i++) {
            long weight = mix(keyHash ^ seeds[i]);
            if (best == null || weight > bestWeight) {
                best = members[i];
                bestWeight = weight;
            }
        }
        return best;
    }
}
