package io.flameec2.it.ec2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** One emulated instance: what RunInstances asked for, and the namespace and processes that are its host. */
final class BoxInstance {

    /** EC2's instance states with their codes. */
    enum State {
        PENDING(0, "pending"), RUNNING(16, "running"), SHUTTING_DOWN(32, "shutting-down"), TERMINATED(48, "terminated");

        final int code;
        final String label;

        State(int code, String label) {
            this.code = code;
            this.label = label;
        }
    }

    final String id;
    final int index;
    final String imageId;
    final String instanceType;
    final String subnetId;
    final List<String> securityGroupIds;
    final String iamInstanceProfileArn;
    final String keyName;
    final String userData;
    /**
     * MetadataOptions.HttpPutResponseHopLimit as launched: how many network hops IMDS token answers travel. Without
     * it in the request, the AMI decides; the box's AMIs behave like Amazon Linux 2023's (ImdsSupport v2.0), which
     * default to 2, so that containers on the instance reach IMDS, and a launcher must ask for 1 to prevent that.
     */
    final int hopLimit;
    /** {@code spot} when RunInstances asked for InstanceMarketOptions.MarketType=spot, else {@code on-demand}. */
    final String market;
    final Map<String, String> tags = new LinkedHashMap<>();
    final Map<String, String> request;
    final Instant launchTime = Instant.now();
    final String address;
    final String mac;
    final String namespace;
    final String veth;
    final Path dir;
    final AtomicBoolean stopping = new AtomicBoolean();
    volatile State state = State.PENDING;
    volatile String stateReason = "";
    /** EC2's code of {@link #stateReason}: who ended the instance. */
    volatile String stateReasonCode = "Client.InstanceInitiatedShutdown";
    /** What IMDS serves at {@code spot/instance-action} once the box interrupts this spot instance. */
    volatile String instanceAction;
    /** What IMDS serves at {@code events/recommendations/rebalance} once the box recommends a rebalance. */
    volatile String rebalance;
    private volatile String finalConsole;
    private volatile String finalJournal;

    BoxInstance(String id, int index, Map<String, String> request, String userData, Path root) {
        this.id = id;
        this.index = index;
        this.request = Map.copyOf(request);
        this.imageId = request.getOrDefault("ImageId", "ami-fromtemplate");
        this.instanceType = request.getOrDefault("InstanceType", "t3.small");
        this.subnetId = request.getOrDefault("SubnetId", "subnet-box0default");
        this.securityGroupIds = request.entrySet().stream().filter(e -> e.getKey().startsWith("SecurityGroupId."))
                .map(Map.Entry::getValue).sorted().toList();
        this.iamInstanceProfileArn = request.getOrDefault("IamInstanceProfile.Arn",
                request.containsKey("IamInstanceProfile.Name")
                        ? "arn:aws:iam::000000000000:instance-profile/" + request.get("IamInstanceProfile.Name") : null);
        this.keyName = request.get("KeyName");
        this.userData = userData;
        this.market = "spot".equals(request.get("InstanceMarketOptions.MarketType")) ? "spot" : "on-demand";
        this.hopLimit = Integer.parseInt(request.getOrDefault("MetadataOptions.HttpPutResponseHopLimit", "2"));
        this.address = BoxNetwork.address(index);
        this.mac = String.format("0e:13:%02x:%02x:%02x:01", (index >> 16) & 0xff, (index >> 8) & 0xff, index & 0xff);
        this.namespace = "fec2-" + id;
        this.veth = "fec2v" + index;
        this.dir = root.resolve(id);
    }

    Path console() {
        return dir.resolve("console.log");
    }

    Path journal() {
        return dir.resolve("journal.log");
    }

    /** The console output so far (kept after the instance's files are gone). */
    String consoleOutput() {
        String kept = finalConsole;
        if (kept != null) {
            return kept;
        }
        try {
            return Files.exists(console()) ? Files.readString(console(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Keeps the console output and the journal before the instance's directory is deleted. */
    void keepConsole() {
        finalJournal = journalOutput();
        finalConsole = consoleOutput();
    }

    /** The journal (the runner unit's output) so far, kept after the instance's files are gone. */
    String journalOutput() {
        String kept = finalJournal;
        if (kept != null) {
            return kept;
        }
        try {
            return Files.exists(journal()) ? Files.readString(journal(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    boolean isLive() {
        State s = state;
        return s == State.PENDING || s == State.RUNNING;
    }

    synchronized Map<String, String> tagsCopy() {
        return new LinkedHashMap<>(tags);
    }

    synchronized void tag(String key, String value) {
        tags.put(key, value);
    }
}
