package io.flameec2.impl.pool;

import static java.util.concurrent.TimeUnit.SECONDS;

import io.flameec2.FlamePoolConfig;
import io.flameec2.event.FlamePoolEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;

/** What the pool engine's tests share: a fake backend, the events, and one pool, shut down after each test. */
abstract class EngineTest {

    final FakeBackend backend = new FakeBackend();
    final List<FlamePoolEvent> events = new CopyOnWriteArrayList<>();
    FlamePoolEngine pool;

    @AfterEach
    void shutdownPool() {
        if (pool != null) {
            pool.shutdown().orTimeout(10, SECONDS).join();
        }
    }

    /** Starts the test's pool on the fake backend. */
    FlamePoolEngine pool(FlamePoolConfig.Builder config) {
        pool = new FlamePoolEngine(config.build(), backend, events::add);
        return pool;
    }

    /** Pool "p": calls time out after 10 s, runners stop within 1 s. */
    static FlamePoolConfig.Builder config(int max, int maxConcurrency) {
        return FlamePoolConfig.builder("p").max(max).maxConcurrency(maxConcurrency).timeout(Duration.ofSeconds(10))
                .shutdownTimeout(Duration.ofSeconds(1));
    }
}
