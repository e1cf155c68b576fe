package io.flameec2.impl.remote;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.impl.channel.Connection;
import io.flameec2.impl.channel.FrameType;
import io.flameec2.impl.channel.Frames;
import io.flameec2.impl.channel.JoinRequest;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.exec.ContainerThreads;
import io.flameec2.impl.exec.Invoker;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.impl.remote.runner.RunnerCore;
import io.flameec2.impl.remote.runner.RunnerSettings;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireFilter;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who may join the parent's channel, and what a runner does about its parent: real {@link ChannelServer}s and
 * {@link RunnerCore}s over loopback TLS, and hand-made attackers ({@link RawClient}). Every refusal ends with
 * the connection closed, nothing joined, and the parent still taking the real runner.
 */
class ChannelJoinTest {

    private static final Duration ANSWER = Duration.ofSeconds(10);
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final List<String> exits = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    // ------------------------------------------------------------------ fixtures

    private ChannelServer server(String host, Map<String, String> extra) throws IOException {
        Map<String, String> config = new HashMap<>(Map.of(RemoteSettings.PARENT_HOST, host));
        config.putAll(extra);
        ChannelServer s = ChannelServer.acquire(RemoteSettings.read(ConfigLookup.of(config)),
                ContainerThreads.factory(getClass().getClassLoader()));
        cleanup.add(s::release);
        return s;
    }

    private ChannelServer server() throws IOException {
        return server("127.0.0.1", Map.of());
    }

    private static int port(ChannelServer s) {
        String a = s.advertisedAddress();
        return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
    }

    /** A parent-side listener that records what a joined runner sends, and never heartbeats. */
    static final class Recorder implements Connection.Listener {
        final List<String> closed = new CopyOnWriteArrayList<>();
        volatile Connection connection;

        @Override
        public void message(FrameType type, int stream, io.flameec2.impl.channel.Body body) {
        }

        @Override
        public void control(FrameType type, int stream, ByteBuf payload) {
        }

        @Override
        public void closed(String why) {
            closed.add(why);
        }
    }

    private PendingJoin expect(ChannelServer s, String runnerId, String token, Recorder recorder) {
        PendingJoin p = s.expect(runnerId, token, System.nanoTime() + TimeUnit.SECONDS.toNanos(60), "1.0");
        p.launched(JoinOrigin.loopback(), c -> {
            recorder.connection = c;
            return recorder;
        });
        return p;
    }

    private RunnerCore runner(String runnerId, String address, String fingerprint, String token,
            Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(RunnerEnv.RUNNER, "true", RunnerEnv.RUNNER_ID, runnerId,
                RunnerEnv.PARENT_ADDRESS, address, RunnerEnv.PARENT_FINGERPRINT, fingerprint,
                RunnerEnv.JOIN_TOKEN, token));
        env.putAll(extra);
        RunnerCore core = new RunnerCore(RunnerSettings.fromEnv(env, "1.0"), new WireCodec(WireFilter.defaults()),
                getClass().getClassLoader(), Invoker::closuresOnly,
                ContainerThreads.factory(getClass().getClassLoader()), (reason, grace) -> exits.add(reason));
        cleanup.add(() -> core.abort("test over"));
        core.start();
        return core;
    }

    private static byte[] join(String runnerId, String token) {
        return new JoinRequest(runnerId, token, "1.0").encode();
    }

    private static void assertRefused(RawClient attacker, String reason) throws IOException {
        RawClient.Frame answer = attacker.read(ANSWER);
        assertNotNull(answer, "the parent answers before closing");
        assertEquals(FrameType.REFUSED, answer.type());
        assertTrue(answer.text().contains(reason), answer.text());
        assertTrue(attacker.closedWithin(ANSWER), "and closes the connection");
    }

    // ------------------------------------------------------------------ tokens

    @Test
    void aRunnerJoinsWithItsTokenWhichIsThenWorthless() throws Exception {
        ChannelServer s = server();
        Recorder recorder = new Recorder();
        PendingJoin p = expect(s, "r-1", "t0ken", recorder);
        RunnerCore core = runner("r-1", s.advertisedAddress(), s.fingerprint(), "t0ken", Map.of());
        assertTrue(p.joined.get(20, TimeUnit.SECONDS) == recorder);
        await().atMost(ANSWER).until(() -> core.state() == RunnerCore.State.READY);
        try (RawClient thief = RawClient.tls(port(s))) {
            thief.send(FrameType.JOIN, Frames.LAST, 0, join("r-1", "t0ken"));
            assertRefused(thief, "no runner 'r-1' is booting here");
        }
        assertEquals(RunnerCore.State.READY, core.state(), "the real runner is unaffected");
    }

    @Test
    void wrongOrMissingTokensAreRefusedAndBurnNothing() throws Exception {
        ChannelServer s = server();
        PendingJoin p = expect(s, "r-2", "right", new Recorder());
        for (String token : List.of("wrong", "", "righ", "right ")) {
            try (RawClient attacker = RawClient.tls(port(s))) {
                attacker.send(FrameType.JOIN, Frames.LAST, 0, join("r-2", token));
                assertRefused(attacker, "wrong join token");
            }
        }
        assertFalse(p.joined.isDone());
        try (RawClient real = RawClient.tls(port(s))) {
            real.send(FrameType.JOIN, Frames.LAST, 0, join("r-2", "right"));
            assertEquals(FrameType.JOINED, real.read(ANSWER).type());
        }
        assertTrue(p.joined.isDone() && !p.joined.isCompletedExceptionally());
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        ChannelServer s = server();
        PendingJoin p = s.expect("r-3", "late", System.nanoTime() - 1, "1.0");
        p.launched(JoinOrigin.loopback(), c -> new Recorder());
        try (RawClient attacker = RawClient.tls(port(s))) {
            attacker.send(FrameType.JOIN, Frames.LAST, 0, join("r-3", "late"));
            assertRefused(attacker, "join token expired");
        }
        assertFalse(p.joined.isDone());
    }

    @Test
    void aJoinFromAnotherAddressThanTheLaunchedOneIsRefusedEvenWithTheToken() throws Exception {
        ChannelServer s = server();
        InetAddress instance = InetAddress.getByName("127.0.0.2");
        PendingJoin p = s.expect("r-4", "stolen", System.nanoTime() + TimeUnit.SECONDS.toNanos(60), "1.0");
        p.launched(JoinOrigin.address(instance), c -> new Recorder());
        try (RawClient thief = RawClient.tls(port(s), InetAddress.getByName("127.0.0.1"))) {
            thief.send(FrameType.JOIN, Frames.LAST, 0, join("r-4", "stolen"));
            assertRefused(thief, "must join from 127.0.0.2, not 127.0.0.1");
        }
        try (RawClient real = RawClient.tls(port(s), instance)) {
            real.send(FrameType.JOIN, Frames.LAST, 0, join("r-4", "stolen"));
            assertEquals(FrameType.JOINED, real.read(ANSWER).type(), "the token was not burned by the thief");
        }
    }

    @Test
    void aRunnerFasterThanItsLaunchRecordIsClosedNotRefusedAndJoinsOnItsRetryWithTheSameToken() throws Exception {
        ChannelServer s = server();
        PendingJoin p = s.expect("r-5", "early", System.nanoTime() + TimeUnit.SECONDS.toNanos(60), "1.0");
        try (RawClient early = RawClient.tls(port(s))) {
            early.send(FrameType.JOIN, Frames.LAST, 0, join("r-5", "early"));
            assertNull(early.read(ANSWER), "closed without an answer: a refusal would end the runner");
        }
        // a runner in this JVM joins before its launcher returned, as a thread runner can under load
        RunnerCore core = runner("r-5", s.advertisedAddress(), s.fingerprint(), "early", Map.of());
        await().pollDelay(Duration.ofMillis(300)).atMost(ANSWER).until(() -> core.state() == RunnerCore.State.JOINING);
        assertFalse(p.joined.isDone());
        Recorder recorder = new Recorder();
        p.launched(JoinOrigin.loopback(), c -> recorder);
        assertTrue(p.joined.get(20, TimeUnit.SECONDS) == recorder, "joined on a retry");
        await().atMost(ANSWER).until(() -> core.state() == RunnerCore.State.READY);
    }

    @Test
    void anythingButAJoinFirstIsRefused() throws Exception {
        ChannelServer s = server();
        try (RawClient attacker = RawClient.tls(port(s))) {
            attacker.send(FrameType.CALL, Frames.LAST, 1, new byte[] {(byte) 0xac, (byte) 0xed, 0, 5});
            assertRefused(attacker, "the first frame must be a join");
        }
    }

    @Test
    void plainTcpWithoutTlsIsClosed() throws Exception {
        ChannelServer s = server();
        PendingJoin p = expect(s, "r-6", "clear", new Recorder());
        try (RawClient attacker = RawClient.plain(port(s))) {
            attacker.send(FrameType.JOIN, Frames.LAST, 0, join("r-6", "clear"));
            assertTrue(attacker.closedWithin(ANSWER));
        }
        assertFalse(p.joined.isDone());
    }

    @Test
    void aFrameDeclaringTwoGibibytesClosesTheConnectionBeforeAndAfterTheJoin() throws Exception {
        ChannelServer s = server();
        for (int declared : new int[] {0x80000000, 0x7FFFFFFF, Frames.MAX_JOIN_FRAME + 1}) {
            try (RawClient attacker = RawClient.tls(port(s))) {
                attacker.sendRaw(ByteBuffer.allocate(8).putInt(declared).putInt(0x04000000).array());
                assertTrue(attacker.closedWithin(ANSWER), "declared " + declared);
            }
        }
        Recorder recorder = new Recorder();
        expect(s, "r-7", "t", recorder);
        try (RawClient joined = RawClient.tls(port(s))) {
            joined.send(FrameType.JOIN, Frames.LAST, 0, join("r-7", "t"));
            assertEquals(FrameType.JOINED, joined.read(ANSWER).type());
            joined.sendRaw(ByteBuffer.allocate(8).putInt(0x80000000).putInt(0).array());
            assertTrue(joined.closedWithin(ANSWER));
        }
        await().atMost(ANSWER).until(() -> !recorder.closed.isEmpty());
        assertTrue(recorder.closed.get(0).contains("protocol violation"), recorder.closed.toString());
    }

    @Test
    void connectionsThatDoNotJoinInTimeAreClosed() throws Exception {
        ChannelServer s = server("127.0.0.1", Map.of(RemoteSettings.JOIN_TIMEOUT, "1s"));
        try (RawClient silentTls = RawClient.tls(port(s)); RawClient silentTcp = RawClient.plain(port(s))) {
            assertTrue(silentTls.closedWithin(Duration.ofSeconds(8)));
            assertTrue(silentTcp.closedWithin(Duration.ofSeconds(8)));
        }
    }

    @Test
    void beyondTheLimitAnUnjoinedConnectionIsClosedAtOnce() throws Exception {
        ChannelServer s = server("127.0.0.1", Map.of(RemoteSettings.MAX_UNAUTHENTICATED, "4",
                RemoteSettings.JOIN_TIMEOUT, "60s"));
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                Socket c = new Socket(InetAddress.getLoopbackAddress(), port(s));
                c.setSoTimeout(50);
                clients.add(c);
            }
            // the oldest admitted one goes (two event loops admit them, so not necessarily the first connected)
            await().atMost(ANSWER).until(() -> clients.stream().filter(ChannelJoinTest::closedByPeer).count() == 1);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> clients.stream().filter(ChannelJoinTest::closedByPeer).count() == 1);
        } finally {
            for (Socket c : clients) {
                c.close();
            }
        }
    }

    /** Whether the server closed this connection (what it sent before closing, a TLS alert, is skipped). */
    private static boolean closedByPeer(Socket socket) {
        try {
            byte[] buffer = new byte[256];
            while (true) {
                if (socket.getInputStream().read(buffer) < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void twoHundredHalfOpenConnectionsDoNotDelayARealJoin() throws Exception {
        ChannelServer s = server();
        long baseline = timedJoin(s, "r-base");
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket half = new Socket(InetAddress.getLoopbackAddress(), port(s));
                half.getOutputStream().write(0x16); // the first byte of a TLS record, then nothing
                flood.add(half);
            }
            long flooded = timedJoin(s, "r-flood");
            assertTrue(flooded <= baseline + 1000, "joined in " + flooded + " ms under the flood, " + baseline
                    + " ms without");
        } finally {
            for (Socket half : flood) {
                half.close();
            }
        }
    }

    private long timedJoin(ChannelServer s, String runnerId) throws Exception {
        Recorder recorder = new Recorder();
        PendingJoin p = expect(s, runnerId, "tok-" + runnerId, recorder);
        long t0 = System.nanoTime();
        runner(runnerId, s.advertisedAddress(), s.fingerprint(), "tok-" + runnerId, Map.of());
        p.joined.get(30, TimeUnit.SECONDS);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    // ------------------------------------------------------------------ the runner's side

    @Test
    void aRunnerGivesAParentWithAnotherCertificateNothing() throws Exception {
        ChannelServer real = server();
        ChannelServer fake = server("127.0.0.2", Map.of());
        PendingJoin atFake = expect(fake, "r-8", "secret-token", new Recorder());
        // the runner is pointed at the fake (a hijacked address) but expects the real parent's certificate
        runner("r-8", fake.advertisedAddress(), real.fingerprint(), "secret-token",
                Map.of(RunnerEnv.BOOT_TIMEOUT_MS, "1500"));
        await().atMost(Duration.ofSeconds(15)).until(() -> !exits.isEmpty());
        assertTrue(exits.get(0).contains("not joined with parent") && exits.get(0).contains("TLS"), exits.get(0));
        assertFalse(atFake.joined.isDone(), "the fake parent never saw the token");
    }

    @Test
    void aRunnerRetriesUntilItsParentListens() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        // the fingerprint is the parent's, known before it listens: make the server first, on a port of its own,
        // to learn it, then release it and let the runner try a port where nothing listens yet
        ChannelServer s = server("127.0.0.1", Map.of(RemoteSettings.PARENT_PORT, Integer.toString(port)));
        Recorder recorder = new Recorder();
        PendingJoin p = expect(s, "r-9", "tok", recorder);
        s.release();
        cleanup.remove(cleanup.size() - 1);
        RunnerCore core = runner("r-9", "127.0.0.1:" + port, s.fingerprint(), "tok", Map.of());
        await().pollDelay(Duration.ofMillis(500)).atMost(ANSWER).until(() -> core.state() == RunnerCore.State.JOINING);
        assertTrue(p.joined.isCompletedExceptionally(), "the released server gave up on it");
        // a new parent JVM would have another certificate: the runner must not join it
        ChannelServer again = server("127.0.0.1", Map.of(RemoteSettings.PARENT_PORT, Integer.toString(port)));
        PendingJoin p2 = expect(again, "r-9", "tok", new Recorder());
        await().during(Duration.ofSeconds(1)).atMost(ANSWER).until(() -> !p2.joined.isDone());
        assertEquals(RunnerCore.State.JOINING, core.state());
    }

    @Test
    void aRunnerExitsWhenItCannotJoinWithinItsBootTimeout() throws Exception {
        ChannelServer s = server();
        String address = s.advertisedAddress();
        String fingerprint = s.fingerprint();
        s.release();
        cleanup.clear();
        RunnerCore core = runner("r-10", address, fingerprint, "t", Map.of(RunnerEnv.BOOT_TIMEOUT_MS, "1000"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !exits.isEmpty());
        assertEquals(RunnerCore.State.EXITED, core.state());
        assertTrue(exits.get(0).contains("not joined with parent") && exits.get(0).contains("within 1000 ms"),
                exits.get(0));
    }

    @Test
    void aRefusedJoinIsFinal() throws Exception {
        ChannelServer s = server();
        expect(s, "r-11", "right", new Recorder());
        RunnerCore core = runner("r-11", s.advertisedAddress(), s.fingerprint(), "wrong", Map.of());
        await().atMost(ANSWER).until(() -> !exits.isEmpty());
        assertTrue(exits.get(0).contains("refused the join: wrong join token"), exits.get(0));
        assertEquals(RunnerCore.State.EXITED, core.state());
    }

    @Test
    void aRunnerWhoseParentStopsHeartbeatingStops() throws Exception {
        // a half-open connection: open, but nothing comes through it any more
        ChannelServer s = server();
        Recorder silent = new Recorder();
        expect(s, "r-12", "t", silent).joined.thenAccept(l -> { });
        RunnerCore core = runner("r-12", s.advertisedAddress(), s.fingerprint(), "t",
                Map.of(RunnerEnv.PARENT_LOSS_TIMEOUT_MS, "1000"));
        await().atMost(ANSWER).until(() -> !exits.isEmpty());
        assertTrue(exits.get(0).startsWith("parent lost (no heartbeat for "), exits.get(0));
        assertEquals(RunnerCore.State.EXITED, core.state());
        await().atMost(ANSWER).until(() -> !silent.closed.isEmpty());
    }

    @Test
    void theIdleFailsafeStopsARunnerNobodyCalls() throws Exception {
        ChannelServer s = server();
        expect(s, "r-13", "t", new Recorder());
        RunnerCore core = runner("r-13", s.advertisedAddress(), s.fingerprint(), "t",
                Map.of(RunnerEnv.IDLE_SHUTDOWN_MS, "500"));
        await().atMost(ANSWER).until(() -> !exits.isEmpty());
        assertTrue(exits.get(0).startsWith("idle for "), exits.get(0));
        assertNull(core.stopReason().filter(r -> !r.startsWith("idle")).orElse(null));
    }
}
