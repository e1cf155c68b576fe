package io.flameec2.impl.remote;

import java.net.InetAddress;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Where a runner's join may come from: a stolen join token is worthless from anywhere else. Launchers know
 * it: loopback for local processes, the launched instance's private address on EC2.
 *
 * @param description what is allowed, for refusals in the log
 * @param allows the test
 */
public record JoinOrigin(String description, Predicate<InetAddress> allows) {

    /**
     * Checks the components.
     *
     * @param description the record component
     * @param allows the record component
     */
    public JoinOrigin {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(allows, "allows");
    }

    /**
     * This machine's loopback addresses only.
     *
     * @return the origin
     */
    public static JoinOrigin loopback() {
        return new JoinOrigin("loopback", InetAddress::isLoopbackAddress);
    }

    /**
     * One address.
     *
     * @param address the address
     * @return the origin
     */
    public static JoinOrigin address(InetAddress address) {
        return new JoinOrigin(address.getHostAddress(), address::equals);
    }

    /**
     * Any address, when something else (NAT) makes the source meaningless.
     *
     * @param why why any address is accepted, for logs
     * @return the origin
     */
    public static JoinOrigin any(String why) {
        return new JoinOrigin("any address (" + why + ")", a -> true);
    }
}
