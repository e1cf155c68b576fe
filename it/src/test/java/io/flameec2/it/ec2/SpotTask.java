package io.flameec2.it.ec2;

import io.flameec2.FlameCallable;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The closure of the spot interruption test, baked into its runners' WAR: says it started (a GET of
 * {@code startedUrl}, so the test knows the call is running on the runner), sleeps, then answers where it ran.
 *
 * @param millis how long it works
 * @param startedUrl where it reports its start, or {@code null}
 */
public record SpotTask(long millis, String startedUrl) implements FlameCallable<String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String call() throws InterruptedException, IOException {
        if (startedUrl != null) {
            HttpURLConnection c = (HttpURLConnection) URI.create(startedUrl).toURL().openConnection();
            try {
                c.getResponseCode();
            } finally {
                c.disconnect();
            }
        }
        Thread.sleep(millis);
        return System.getenv("FLAME_RUNNER_ID");
    }
}
