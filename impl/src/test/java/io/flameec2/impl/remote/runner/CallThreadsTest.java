package io.flameec2.impl.remote.runner;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallThreadsTest {

    private static final Duration LONG = Duration.ofSeconds(20);

    private final List<Thread> made = new CopyOnWriteArrayList<>();
    private final ThreadFactory factory = r -> {
        Thread t = new Thread(r, "call-" + made.size());
        t.setDaemon(true);
        made.add(t);
        return t;
    };

    @Test
    void everyCallRunsAtOnceOnItsOwnThread() throws Exception {
        CallThreads threads = new CallThreads(factory);
        int calls = 200;
        CountDownLatch allIn = new CountDownLatch(calls);
        CountDownLatch release = new CountDownLatch(1);
        Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < calls; i++) {
            threads.execute(() -> {
                ranOn.add(Thread.currentThread());
                allIn.countDown();
                awaitQuietly(release);
            }, () -> { throw new AssertionError("refused"); });
        }
        assertTrue(allIn.await(LONG.toSeconds(), TimeUnit.SECONDS), "all calls run at the same time");
        assertEquals(calls, ranOn.size());
        release.countDown();
        threads.shutdown();
    }

    @Test
    void anIdleThreadTakesTheNextCall() throws Exception {
        CallThreads threads = new CallThreads(factory);
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 20; i++) {
            CountDownLatch done = new CountDownLatch(1);
            threads.execute(() -> {
                ranOn.add(Thread.currentThread());
                done.countDown();
            }, () -> { throw new AssertionError("refused"); });
            assertTrue(done.await(LONG.toSeconds(), TimeUnit.SECONDS));
            // the thread that ran it is back waiting before the next call comes
            await().atMost(LONG).until(() -> ranOn.get(0).getState() == Thread.State.TIMED_WAITING);
        }
        assertEquals(1, Set.copyOf(ranOn).size(), "one thread ran all calls one after the other");
        threads.shutdown();
    }

    @Test
    void afterShutdownCallsAreRefusedAndIdleThreadsEnd() throws Exception {
        CallThreads threads = new CallThreads(factory);
        CountDownLatch ran = new CountDownLatch(1);
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        threads.execute(() -> {
            ranOn.add(Thread.currentThread());
            ran.countDown();
        }, () -> { });
        assertTrue(ran.await(LONG.toSeconds(), TimeUnit.SECONDS));
        await().atMost(LONG).until(() -> ranOn.get(0).getState() == Thread.State.TIMED_WAITING);
        threads.shutdown();
        AtomicInteger refused = new AtomicInteger();
        threads.execute(() -> { throw new AssertionError("ran after shutdown"); }, refused::incrementAndGet);
        assertEquals(1, refused.get());
        await().atMost(LONG).until(() -> made.stream().noneMatch(Thread::isAlive)); // the starter too
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
