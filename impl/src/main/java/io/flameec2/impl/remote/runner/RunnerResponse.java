package io.flameec2.impl.remote.runner;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the runner answers to one request, independent of the HTTP container. The adapter writes it, then
 * calls {@link #sent()} (also when writing failed): a call counts as in flight until its reply is out, so a
 * draining runner does not exit before its last reply left.
 *
 * @param status the HTTP status
 * @param headers the headers (the reply signature among them)
 * @param body the body
 * @param contentType the content type
 * @param onSent run once by {@link #sent()}
 */
public record RunnerResponse(int status, Map<String, String> headers, byte[] body, String contentType,
        Runnable onSent) {

    /** Content type of serialized replies. */
    public static final String SERIALIZED = "application/x-java-serialized-object";
    /** Content type of text replies. */
    public static final String TEXT = "text/plain; charset=utf-8";

    static RunnerResponse text(int status, String text) {
        return new RunnerResponse(status, Map.of(), text.getBytes(StandardCharsets.UTF_8), TEXT, () -> { });
    }

    static Runnable once(Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    /** Tells the core the response was written (or could not be). Idempotent. */
    public void sent() {
        onSent.run();
    }
}
