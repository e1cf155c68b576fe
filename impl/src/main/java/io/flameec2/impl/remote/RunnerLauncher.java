package io.flameec2.impl.remote;

import io.flameec2.impl.remote.common.RunnerEnv;
import java.util.Map;
import java.util.Optional;

/**
 * How a remote backend starts the machine or process of one runner. Everything after the start
 * (join token, join, heartbeats, calls, drain) is common to all remote backends and lives in
 * {@link io.flameec2.impl.remote}; a launcher only starts, observes and kills.
 */
public interface RunnerLauncher extends AutoCloseable {

    /**
     * Starts a runner with the given environment ({@link RunnerEnv} keys). Returns once the start was
     * requested (process spawned, RunInstances answered), not when the runner is up.
     *
     * @param runnerId the runner's id
     * @param env the environment the runner must see
     * @return the launched runner
     * @throws Exception when the start itself failed; the message names the runner and the cause
     */
    LaunchedRunner launch(String runnerId, Map<String, String> env) throws Exception;

    /**
     * Makes ready, ahead of the first launch, what every launch needs and the launcher can make alone (a runner
     * server of the parent's application, a bundle to upload): the backend calls it once, in the background, when
     * it is created, so that a pool's first call from zero waits for its runner's boot only. It may take seconds;
     * a failure is logged, and the first launch, which needs the same, tries again and reports it.
     *
     * @throws Exception when it cannot be made ready now
     */
    default void prepare() throws Exception {
    }

    /**
     * Why the launcher cannot start runners now, if it knows before a start fails; see
     * {@link io.flameec2.spi.FlameBackend#problem()}.
     *
     * @return the problem, or empty
     */
    default Optional<String> problem() {
        return Optional.empty();
    }

    /** Releases the launcher's resources. */
    @Override
    default void close() {
    }

    /**
     * A start the launcher's API refused, with what the API said: its error code, kept apart from the
     * message so callers (and {@code @Retry} policies, through {@link io.flameec2.FlameBootException}) can
     * tell a missing image from a throttled request.
     */
    final class LaunchFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        private final String errorCode;
        private final boolean retryable;

        /**
         * Creates the failure.
         *
         * @param message what failed, naming the runner
         * @param cause the API's exception
         * @param errorCode the API's error code ({@code InvalidAMIID.NotFound}), or {@code null}
         * @param retryable whether the same request may succeed later (throttling, a server error)
         */
        public LaunchFailedException(String message, Throwable cause, String errorCode, boolean retryable) {
            super(message, cause);
            this.errorCode = errorCode;
            this.retryable = retryable;
        }

        /**
         * The API's error code.
         *
         * @return the code, or {@code null}
         */
        public String errorCode() {
            return errorCode;
        }

        /**
         * Whether the same request may succeed later.
         *
         * @return {@code true} for throttling and server errors
         */
        public boolean retryable() {
            return retryable;
        }
    }

    /** One started runner, as its launcher sees it. */
    interface LaunchedRunner {

        /**
         * What was started, for logs: {@code pid 4242}, {@code instance i-0abc}.
         *
         * @return the description
         */
        String describe();

        /**
         * Whether the process or instance still runs (a cheap, possibly cached check).
         *
         * @return {@code false} once it is gone
         */
        boolean isAlive();

        /**
         * How it ended, once {@link #isAlive()} said it is gone, for the failure of the calls still on it: what the
         * launcher learnt (such as EC2 taking a spot instance back), else that it is gone.
         *
         * @return the description, starting with {@link #describe()}
         */
        default String whyGone() {
            return describe() + " is gone";
        }

        /**
         * Where this runner's join may come from: loopback for a local process, the instance's private
         * address on EC2. A join from anywhere else is refused, even with the right token.
         *
         * @return the origin
         */
        JoinOrigin joinOrigin();

        /**
         * The kind of capacity it runs on, reported by its handle ({@link io.flameec2.spi.FlameRunnerHandle#market()}).
         *
         * @return {@code spot} or {@code on-demand}
         */
        default String market() {
            return "on-demand";
        }

        /**
         * Kills the process or terminates the instance at once. Idempotent.
         */
        void terminate();

        /**
         * The last lines of the runner's output (log file, console output), to add to boot errors.
         *
         * @return the tail, or an empty string
         */
        String diagnostics();
    }
}
