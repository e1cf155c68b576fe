package io.flameec2.it.ec2;

import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;

/**
 * The box's network: a host bridge {@value #BRIDGE} at {@value #GATEWAY} (the "VPC router", where the parent,
 * the EC2 API and s3proxy listen) that also holds the metadata address 169.254.169.254, and one network
 * namespace per instance, attached to the bridge by a veth pair. Everything is named {@code fec2-*}/
 * {@code fec2v*} and lives in 10.213.0.0/16.
 */
final class BoxNetwork implements AutoCloseable {

    static final String BRIDGE = "fec2-br0";
    static final String GATEWAY = "10.213.0.1";
    static final String METADATA_ADDRESS = "169.254.169.254";
    /**
     * The bridge's fixed (locally administered) MAC address. Left to itself, a Linux bridge takes the lowest MAC
     * of its ports and changes it when that port goes: tearing one instance down then moved the gateway to another
     * MAC under the feet of the other instances, whose ARP entries kept the old one, so they could not reach the
     * gateway (EC2 API, IMDS, S3, parent) for tens of seconds; a poweroff request was lost that way. A MAC set by
     * hand never changes.
     */
    static final String BRIDGE_MAC = "02:fe:c2:00:00:01";
    private static final Logger LOG = Logger.getLogger(BoxNetwork.class.getName());

    BoxNetwork() {
        removeLeftovers();
        Sh.run("ip", "link", "add", BRIDGE, "type", "bridge");
        Sh.run("ip", "link", "set", BRIDGE, "address", BRIDGE_MAC);
        Sh.run("ip", "addr", "add", GATEWAY + "/16", "dev", BRIDGE);
        Sh.run("ip", "addr", "add", METADATA_ADDRESS + "/32", "dev", BRIDGE);
        Sh.run("ip", "link", "set", BRIDGE, "up");
    }

    /** The private address of the n-th instance (n from 1). */
    static String address(int n) {
        return "10.213." + (1 + n / 250) + "." + (2 + n % 250);
    }

    /** Creates the namespace of an instance, wired to the bridge with its address and a default route. */
    void addHost(String namespace, String veth, String address) {
        Sh.run("ip", "netns", "add", namespace);
        Sh.run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace);
        Sh.run("ip", "link", "set", veth, "master", BRIDGE, "up");
        Sh.run("ip", "netns", "exec", namespace, "ip", "addr", "add", address + "/16", "dev", "eth0");
        Sh.run("ip", "netns", "exec", namespace, "ip", "link", "set", "eth0", "up");
        Sh.run("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
        Sh.run("ip", "netns", "exec", namespace, "ip", "route", "add", "default", "via", GATEWAY);
    }

    /** The processes running in a namespace. */
    static List<Long> pids(String namespace) {
        Sh.Result r = Sh.tryRun("ip", "netns", "pids", namespace);
        if (r.status() != 0 || r.output().isBlank()) {
            return List.of();
        }
        return Arrays.stream(r.output().split("\\s+")).map(Long::parseLong).toList();
    }

    /** Deletes an instance's veth and namespace; idempotent. */
    void removeHost(String namespace, String veth) {
        Sh.tryRun("ip", "link", "del", veth);
        Sh.tryRun("ip", "netns", "del", namespace);
    }

    /** Namespaces of the box that exist now (for tests asserting that none leaked). */
    static List<String> namespaces() {
        return Arrays.stream(Sh.run("ip", "netns", "list").split("\n")).map(l -> l.split(" ")[0])
                .filter(n -> n.startsWith("fec2-")).toList();
    }

    /** Removes what a crashed earlier run left: fec2-* namespaces and fec2 links. */
    static void removeLeftovers() {
        for (String ns : namespaces()) {
            LOG.warning("removing leftover namespace " + ns);
            BoxNetwork.pids(ns).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            Sh.tryRun("ip", "netns", "del", ns);
        }
        for (String line : Sh.run("ip", "-o", "link", "show").split("\n")) {
            String[] parts = line.split(":\\s+");
            if (parts.length > 1) {
                String name = parts[1].split("@")[0];
                if (name.startsWith("fec2v") || name.equals(BRIDGE)) {
                    LOG.warning("removing leftover link " + name);
                    Sh.tryRun("ip", "link", "del", name);
                }
            }
        }
    }

    @Override
    public void close() {
        Sh.tryRun("ip", "link", "del", BRIDGE);
    }
}
