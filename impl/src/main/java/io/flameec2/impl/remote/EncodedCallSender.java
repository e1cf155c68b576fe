package io.flameec2.impl.remote;

import java.util.concurrent.CompletableFuture;

/**
 * Sends a call whose body is already encoded: what a remote runner handle does with a call once it has
 * serialized it. Open to the hostile-input suite, which sends bodies no honest parent would (gadget chains,
 * classes outside the allow-list) over a joined connection, to check what the runner does with them.
 */
public interface EncodedCallSender {

    /**
     * Sends one encoded call.
     *
     * @param callId the call's id, for messages
     * @param body the serialized call
     * @return completes as {@link io.flameec2.spi.FlameRunnerHandle#invoke} does
     */
    CompletableFuture<Object> invokeEncoded(String callId, byte[] body);
}
