package io.flameec2.impl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlamePoolConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PoolConfigReaderTest {

    private static FlamePoolConfig read(Map<String, String> values) {
        return new PoolConfigReader(ConfigLookup.of(values)).read("p");
    }

    private static FlameConfigurationException failure(Map<String, String> values) {
        return assertThrows(FlameConfigurationException.class, () -> read(values));
    }

    @Test
    void flameDefaultsApplyWhenOnlyMaxIsSet() {
        FlamePoolConfig c = read(Map.of("flame.pools.p.max", "3"));
        assertEquals(0, c.min());
        assertEquals(3, c.max());
        assertEquals(0, c.spare());
        assertEquals(100, c.maxConcurrency());
        assertEquals(Duration.ofSeconds(30), c.idleShutdownAfter());
        assertEquals(Optional.empty(), c.minIdleShutdownAfter());
        assertFalse(c.singleUse());
        assertEquals(Duration.ofSeconds(30), c.timeout());
        assertEquals(Duration.ofSeconds(30), c.bootTimeout());
        assertEquals(Duration.ofSeconds(30), c.shutdownTimeout());
        assertEquals("local", c.backend());
    }

    @Test
    void everyKeyIsRead() {
        Map<String, String> v = new HashMap<>();
        v.put("flame.pools.p.min", "1");
        v.put("flame.pools.p.max", "4");
        v.put("flame.pools.p.spare", "2");
        v.put("flame.pools.p.max-concurrency", "7");
        v.put("flame.pools.p.idle-shutdown-after", "5m");
        v.put("flame.pools.p.min-idle-shutdown-after", "PT1H");
        v.put("flame.pools.p.single-use", "TRUE");
        v.put("flame.pools.p.timeout", "1500");
        v.put("flame.pools.p.boot-timeout", "2m");
        v.put("flame.pools.p.shutdown-timeout", "250ms");
        v.put("flame.pools.p.backend", " ec2 ");
        FlamePoolConfig c = read(v);
        assertEquals(1, c.min());
        assertEquals(2, c.spare());
        assertEquals(7, c.maxConcurrency());
        assertEquals(Duration.ofMinutes(5), c.idleShutdownAfter());
        assertEquals(Optional.of(Duration.ofHours(1)), c.minIdleShutdownAfter());
        assertTrue(c.singleUse());
        assertEquals(Duration.ofMillis(1500), c.timeout());
        assertEquals(Duration.ofMinutes(2), c.bootTimeout());
        assertEquals(Duration.ofMillis(250), c.shutdownTimeout());
        assertEquals("ec2", c.backend());
    }

    @ParameterizedTest
    @CsvSource({"30s,30000", "PT30S,30000", "pt0.5s,500", "500ms,500", "250,250", "2m,120000", "1h,3600000",
        "1d,86400000", "15 s,15000"})
    void durationsAcceptUnitsIsoAndMillis(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse("k", text));
    }

    @ParameterizedTest
    @CsvSource({"infinity", "Infinite", "never"})
    void minIdleShutdownAfterAcceptsInfinity(String text) {
        FlamePoolConfig c = read(Map.of("flame.pools.p.max", "1", "flame.pools.p.min-idle-shutdown-after", text));
        assertEquals(Optional.empty(), c.minIdleShutdownAfter());
    }

    @ParameterizedTest
    @CsvSource({"timeout,abc", "timeout,-5s", "timeout,0", "boot-timeout,30x", "idle-shutdown-after,PT",
        "shutdown-timeout,99999999999999999999", "timeout,infinity"})
    void malformedDurationsNameTheirKey(String setting, String value) {
        FlameConfigurationException e = failure(Map.of("flame.pools.p.max", "1", "flame.pools.p." + setting, value));
        assertEquals("flame.pools.p." + setting, e.key());
        assertTrue(e.getMessage().startsWith("flame.pools.p." + setting + ": "), e.getMessage());
    }

    @Test
    void missingMaxIsRequired() {
        FlameConfigurationException e = failure(Map.of());
        assertEquals("flame.pools.p.max", e.key());
        assertTrue(e.getMessage().contains("required"), e.getMessage());
    }

    @Test
    void negativeMaxIsRejected() {
        assertEquals("flame.pools.p.max", failure(Map.of("flame.pools.p.max", "-1")).key());
    }

    @Test
    void minAboveMaxIsRejectedNamingMin() {
        FlameConfigurationException e = failure(Map.of("flame.pools.p.max", "2", "flame.pools.p.min", "3"));
        assertEquals("flame.pools.p.min", e.key());
        assertTrue(e.getMessage().contains("flame.pools.p.max"), e.getMessage());
    }

    @Test
    void nonNumericCountsAndBooleansNameTheirKey() {
        assertEquals("flame.pools.p.max-concurrency",
                failure(Map.of("flame.pools.p.max", "1", "flame.pools.p.max-concurrency", "lots")).key());
        assertEquals("flame.pools.p.max-concurrency",
                failure(Map.of("flame.pools.p.max", "1", "flame.pools.p.max-concurrency", "0")).key());
        assertEquals("flame.pools.p.single-use",
                failure(Map.of("flame.pools.p.max", "1", "flame.pools.p.single-use", "yes")).key());
    }

    @ParameterizedTest
    @CsvSource({"-1,must be 0 or more", "3,must not exceed flame.pools.p.max (2)", "many,"})
    void badSparesNameTheSpareKey(String value, String says) {
        FlameConfigurationException e = failure(Map.of("flame.pools.p.max", "2", "flame.pools.p.spare", value));
        assertEquals("flame.pools.p.spare", e.key());
        assertTrue(says == null || e.getMessage().contains(says), e.getMessage());
    }

    @Test
    void sparesUpToMaxAreAccepted() {
        assertEquals(2, read(Map.of("flame.pools.p.max", "2", "flame.pools.p.spare", "2")).spare());
    }
}
