package io.flameec2.bench;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * A Hazelcast member alone on loopback, in its own JVM (started by {@link TransportBench}, which connects to
 * it as a client and submits to its IExecutorService). Prints {@code READY} once it accepts clients; exits
 * when its standard input closes (the benchmark ended or died).
 */
public final class HazelcastMember {

    /** The cluster name the benchmark's client joins. */
    static final String CLUSTER = "flame-bench";

    private HazelcastMember() {
    }

    /**
     * Runs the member.
     *
     * @param args the port to listen on
     * @throws Exception when stdin fails
     */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Config config = new Config().setClusterName(CLUSTER);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(false).getInterfaces().setEnabled(true)
                .addInterface("127.0.0.1");
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port);
        config.getExecutorConfig("bench").setPoolSize(64);
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        System.out.println("READY");
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the benchmark to close our stdin
        }
        member.shutdown();
    }
}
