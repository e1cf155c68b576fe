package io.flameec2.impl.remote.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.impl.remote.common.RunnerEnv;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The spot part of a runner's environment: its market and the metadata service it watches. */
class RunnerSettingsTest {

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put(RunnerEnv.RUNNER_ID, "r-1");
        env.put(RunnerEnv.PARENT_ADDRESS, "10.0.0.5:7443");
        env.put(RunnerEnv.PARENT_FINGERPRINT, "ab:cd");
        env.put(RunnerEnv.JOIN_TOKEN, "token");
        return env;
    }

    @Test
    void aRunnerOutsideEc2HasNoMarketAndWatchesNothing() {
        RunnerSettings s = RunnerSettings.fromEnv(env(), "1.0");
        assertEquals(Optional.empty(), s.market());
        assertFalse(s.spot());
        assertEquals(Optional.empty(), s.imdsEndpoint());
    }

    @Test
    void aSpotRunnerKnowsItsMarketAndMetadataService() {
        Map<String, String> env = env();
        env.put(RunnerEnv.MARKET, "spot");
        env.put(RunnerEnv.IMDS_ENDPOINT, "http://127.0.0.1:8111");
        RunnerSettings s = RunnerSettings.fromEnv(env, "1.0");
        assertTrue(s.spot());
        assertEquals(Optional.of(URI.create("http://127.0.0.1:8111")), s.imdsEndpoint());
        assertTrue(s.toString().contains("market=spot"), s.toString());
        env.put(RunnerEnv.MARKET, "on-demand");
        assertFalse(RunnerSettings.fromEnv(env, "1.0").spot());
    }

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "https://imds.example.com", "http:/nohost"})
    void aBadMetadataEndpointNamesTheVariable(String endpoint) {
        Map<String, String> env = env();
        env.put(RunnerEnv.IMDS_ENDPOINT, endpoint);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunnerSettings.fromEnv(env, "1.0"));
        assertTrue(e.getMessage().startsWith("environment variable " + RunnerEnv.IMDS_ENDPOINT), e.getMessage());
    }
}
