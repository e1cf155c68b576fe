package io.flameec2.impl.backend.ec2;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Remembers whether an AWS client's last API call worked, for the pool's readiness check: an interceptor on
 * the client, so every call counts (launches, liveness, leases, tags, uploads) without each caller reporting.
 *
 * <p>Only failures that say the API cannot be used count: the endpoint unreachable or timing out, credentials
 * or permissions refused (401, 403), the service failing (5xx). An answer that refuses one request (no capacity,
 * a bad parameter, an unknown AMI) shows the API works; those failures are the boot's, and the pool counts them
 * as failed boots. Throttling that outlived the SDK's retries is transient and ignored too.
 */
final class ApiCallHealth implements ExecutionInterceptor {

    private static final Logger LOG = Logger.getLogger(ApiCallHealth.class.getName());

    private final String service;
    private final Clock clock;
    private volatile Failure failure;

    /**
     * @param service the service's name for messages, e.g. {@code "EC2"}
     * @param clock the clock that dates failures
     */
    ApiCallHealth(String service, Clock clock) {
        this.service = service;
        this.clock = clock;
    }

    private record Failure(String operation, String message, Instant at) {
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        recovered(attributes);
    }

    /** A call the API answered: whatever failed before, the API works again. */
    private void recovered(ExecutionAttributes attributes) {
        if (failure != null) {
            LOG.info(() -> service + " API calls work again (" + operation(attributes) + " succeeded)");
            failure = null;
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable t = context.exception();
        if (t instanceof AwsServiceException e) {
            if (e.isThrottlingException() || !(e.statusCode() == 401 || e.statusCode() == 403 || e.statusCode() >= 500)) {
                recovered(attributes); // the API answered: it works, this request was refused
                return;
            }
            String code = e.awsErrorDetails() == null ? "HTTP " + e.statusCode() : e.awsErrorDetails().errorCode();
            failure = new Failure(operation(attributes), code + ": " + firstLine(e.getMessage()), clock.instant());
        } else {
            // client side: unreachable endpoint, timeouts, no credentials found
            failure = new Failure(operation(attributes), t.getClass().getSimpleName() + ": " + firstLine(t.getMessage()),
                    clock.instant());
        }
    }

    /**
     * What is wrong, if the last call failed in a way that counts.
     *
     * @return e.g. "the last EC2 API call (RunInstances, 12 s ago) failed: UnauthorizedOperation: ..."
     */
    Optional<String> problem() {
        Failure f = failure;
        if (f == null) {
            return Optional.empty();
        }
        long ago = Math.max(0, Duration.between(f.at(), clock.instant()).toSeconds());
        return Optional.of("the last " + service + " API call (" + f.operation() + ", " + ago + " s ago) failed: "
                + f.message());
    }

    private static String operation(ExecutionAttributes attributes) {
        String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        return op == null ? "unknown operation" : op;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
