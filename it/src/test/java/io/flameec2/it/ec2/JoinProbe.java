package io.flameec2.it.ec2;

import io.flameec2.impl.channel.FrameType;
import io.flameec2.impl.channel.Frames;
import io.flameec2.impl.remote.RawClient;
import java.time.Duration;

/**
 * A hand-made join, run as its own process inside a box network namespace ({@code ip netns exec}): connects to
 * the parent's channel over TLS (trusting any certificate: this is the thief's side), sends a join with the
 * given runner id and token, and prints the answer: {@code JOINED} or {@code REFUSED <reason>}.
 *
 * <p>Arguments: host, port, runner id, token, application version.
 */
public final class JoinProbe {

    private JoinProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (RawClient client = RawClient.tls(args[0], Integer.parseInt(args[1]))) {
            client.send(FrameType.JOIN, Frames.LAST, 0, RawClient.join(args[2], args[3], args[4]));
            RawClient.Frame answer = client.read(Duration.ofSeconds(20));
            System.out.println(answer == null ? "CLOSED" : answer.type() == FrameType.REFUSED
                    ? "REFUSED " + answer.text() : String.valueOf(answer.type()));
        }
    }
}
