package io.flameec2.impl.channel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Connection} over a real loopback TCP pair, without TLS: the pipeline both ends build once joined
 * (the frame decoder, then the connection), so what is tested is the framing, multiplexing, backpressure and
 * limits, not the handshake.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectionTest {

    /** The water marks the parent and the runner use (ChannelServer, ParentLink). */
    private static final WriteBufferWaterMark MARKS = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    /** Netty's accounting overhead per entry of a channel's outbound buffer (io.netty.transport.outboundBufferEntrySizeOverhead). */
    private static final int ENTRY_OVERHEAD = 96;
    /** The largest frame on the wire: a whole chunk with its header and length. */
    private static final int FRAME = 4 + Frames.HEADER + Frames.CHUNK;
    private static final int MB = 1024 * 1024;
    private static final Duration LONG = Duration.ofSeconds(60);

    private static EventLoopGroup group;
    private final List<Channel> channels = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void loops() {
        group = EventLoops.group(4, new DefaultThreadFactory("connection-test", true));
    }

    @AfterAll
    static void stopLoops() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void closeChannels() {
        for (Channel c : channels) {
            c.close().syncUninterruptibly();
        }
    }

    // ------------------------------------------------------------------ fixtures

    record Msg(FrameType type, int stream, byte[] body) {
    }

    record Ctl(FrameType type, int stream, byte[] payload) {
    }

    /** What one side's listener heard, in order. */
    static final class Recorder implements Connection.Listener {
        final List<Msg> messages = new CopyOnWriteArrayList<>();
        final List<Ctl> controls = new CopyOnWriteArrayList<>();
        final List<String> closed = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void message(FrameType type, int stream, Body body) {
            messages.add(new Msg(type, stream, body.toArray()));
            events.add("message " + stream);
        }

        @Override
        public void control(FrameType type, int stream, ByteBuf payload) {
            controls.add(new Ctl(type, stream, ByteBufUtil.getBytes(payload)));
            events.add(type + " " + stream);
        }

        @Override
        public void closed(String why) {
            closed.add(why);
            events.add("closed");
        }

        List<Msg> on(int stream) {
            return messages.stream().filter(m -> m.stream() == stream).toList();
        }
    }

    /** A frame seen leaving a side; {@code type == MARK} for a marker the test put in between. */
    record Seen(byte type, byte flags, int stream) {
        static final byte MARK = -1;

        boolean last() {
            return (flags & Frames.LAST) != 0;
        }
    }

    /**
     * Next to the head of the pipeline: records every frame written, in order, and the most bytes the channel's
     * outbound buffer held right after a write (event loop only; read by the test once it is quiet).
     */
    static final class Probe extends ChannelOutboundHandlerAdapter {
        final List<Seen> frames = Collections.synchronizedList(new ArrayList<>());
        volatile long maxPending;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf b && b.readableBytes() >= 4 + Frames.HEADER) {
                int i = b.readerIndex();
                frames.add(new Seen(b.getByte(i + 4), b.getByte(i + 5), b.getInt(i + 6)));
            }
            ctx.write(msg, promise);
            ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
            if (out != null) {
                maxPending = Math.max(maxPending, out.totalPendingWriteBytes());
            }
        }

        void mark() {
            frames.add(new Seen(Seen.MARK, (byte) 0, 0));
        }

        List<Seen> snapshot() {
            synchronized (frames) {
                return new ArrayList<>(frames);
            }
        }
    }

    /** One end of the pair. */
    static final class Side {
        final Recorder rec = new Recorder();
        final Probe probe = new Probe();
        final CompletableFuture<Connection> ready = new CompletableFuture<>();
        volatile Channel ch;
        volatile Connection conn;

        long pendingNow() throws Exception {
            return ch.eventLoop().submit(() -> {
                ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
                return out == null ? 0L : out.totalPendingWriteBytes();
            }).get(10, TimeUnit.SECONDS);
        }
    }

    private ChannelInitializer<Channel> joinedPipeline(Side side, long maxMessage, String peer) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                channels.add(ch);
                ch.pipeline().addFirst("probe", side.probe);
                ch.pipeline().addLast(Connection.DECODER, Frames.decoder(Frames.MAX_JOIN_FRAME));
                ch.pipeline().addLast("install", new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        // on the event loop, as the parent and the runner do once the join went through
                        side.ch = ctx.channel();
                        side.conn = Connection.install(ctx.channel(), maxMessage, peer, c -> side.rec);
                        ctx.pipeline().remove(this);
                        side.ready.complete(side.conn);
                        ctx.fireChannelActive();
                    }
                });
            }
        };
    }

    /** A connected pair: {@code client} is the runner's end, {@code server} the parent's. */
    private record Pair(Side server, Side client) {
    }

    private Pair open(long serverMax, long clientMax, boolean serverAutoRead) throws Exception {
        Side server = new Side();
        Side client = new Side();
        Channel listen = new ServerBootstrap().group(group).channel(EventLoops.serverChannel(group))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, MARKS)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, serverAutoRead)
                .childHandler(joinedPipeline(server, serverMax, "runner test"))
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        channels.add(listen);
        new Bootstrap().group(group).channel(EventLoops.socketChannel(group))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, MARKS)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(joinedPipeline(client, clientMax, "parent test"))
                .connect(listen.localAddress()).sync();
        server.ready.get(10, TimeUnit.SECONDS);
        client.ready.get(10, TimeUnit.SECONDS);
        listen.close().sync(); // one connection per pair
        return new Pair(server, client);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ByteBuf rawFrame(int type, int flags, int stream, byte[] payload) {
        return Unpooled.buffer().writeInt(Frames.HEADER + payload.length).writeByte(type).writeByte(flags)
                .writeInt(stream).writeBytes(payload);
    }

    /** Both sides heard {@code closed} exactly once, and it stays that way. */
    private static void closedOnceEach(Pair p) {
        await().atMost(LONG).until(() -> !p.server().rec.closed.isEmpty() && !p.client().rec.closed.isEmpty());
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> p.server().rec.closed.size() == 1 && p.client().rec.closed.size() == 1);
        assertFalse(p.server().conn.isOpen());
        assertFalse(p.client().conn.isOpen());
    }

    // ------------------------------------------------------------------ a. multiplexing

    @Test
    void manyConcurrentMessagesOfMixedSizesArriveByteExactOnce() throws Exception {
        Pair p = open(4 * MB, 4 * MB, true);
        int[] sizes = {0, 1, 2, 100, 1024, 1025, Frames.CHUNK - 1, Frames.CHUNK, Frames.CHUNK + 1, 2 * Frames.CHUNK,
                200_000, MB, 3 * MB - 7, 3 * MB};
        int n = 70;
        Map<Integer, byte[]> calls = new HashMap<>();
        Map<Integer, byte[]> replies = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int stream = 1 + 2 * i; // odd and spread out, like real stream ids
            calls.put(stream, random(sizes[i % sizes.length], i));
            replies.put(stream, random(sizes[(i * 5) % sizes.length], 1000 + i));
        }
        Map<Integer, AtomicInteger> sentCalls = new HashMap<>();
        Map<Integer, AtomicInteger> sentReplies = new HashMap<>();
        calls.keySet().forEach(s -> {
            sentCalls.put(s, new AtomicInteger());
            sentReplies.put(s, new AtomicInteger());
        });
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int s : calls.keySet()) {
                done.add(senders.submit(() -> {
                    go.await();
                    p.client().conn.send(FrameType.CALL, s, calls.get(s), sentCalls.get(s)::incrementAndGet);
                    return null;
                }));
                done.add(senders.submit(() -> {
                    go.await();
                    p.server().conn.send(FrameType.REPLY, s, replies.get(s), sentReplies.get(s)::incrementAndGet);
                    return null;
                }));
            }
            go.countDown();
            for (var f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdownNow();
        }
        await().atMost(LONG).until(() -> p.server().rec.messages.size() >= n && p.client().rec.messages.size() >= n);
        await().atMost(LONG).until(() -> sentCalls.values().stream().allMatch(a -> a.get() >= 1)
                && sentReplies.values().stream().allMatch(a -> a.get() >= 1));
        check(p.server().rec, FrameType.CALL, calls);
        check(p.client().rec, FrameType.REPLY, replies);
        sentCalls.forEach((s, a) -> assertEquals(1, a.get(), "onSent of call " + s));
        sentReplies.forEach((s, a) -> assertEquals(1, a.get(), "onSent of reply " + s));
        assertTrue(p.server().rec.closed.isEmpty(), () -> "closed: " + p.server().rec.closed);
        assertTrue(p.client().rec.closed.isEmpty(), () -> "closed: " + p.client().rec.closed);
        assertTrue(p.client().probe.maxPending <= MARKS.high() + FRAME + ENTRY_OVERHEAD,
                "client outbound buffer peaked at " + p.client().probe.maxPending);
    }

    private static void check(Recorder rec, FrameType type, Map<Integer, byte[]> expected) {
        assertEquals(expected.size(), rec.messages.size(), "messages received");
        for (var e : expected.entrySet()) {
            List<Msg> got = rec.on(e.getKey());
            assertEquals(1, got.size(), "stream " + e.getKey() + " delivered once");
            assertEquals(type, got.get(0).type());
            assertArrayEquals(e.getValue(), got.get(0).body(),
                    "stream " + e.getKey() + " (" + e.getValue().length + " bytes) byte-exact");
        }
    }

    // ------------------------------------------------------------------ b. interleaving

    @Test
    void smallMessageOvertakesALargeOne() throws Exception {
        Pair p = open(32 * MB, 32 * MB, true);
        byte[] large = random(16 * MB, 1);
        byte[] small = random(100, 2);
        Side c = p.client();
        // both sends in one event-loop task, so "right after" is exact: the mark sits between them
        c.conn.eventLoop().submit(() -> {
            c.conn.send(FrameType.CALL, 1, large, null);
            c.probe.mark();
            c.conn.send(FrameType.CALL, 2, small, null);
        }).get(10, TimeUnit.SECONDS);
        Recorder rec = p.server().rec;
        await().atMost(LONG).until(() -> rec.messages.size() == 2);
        assertEquals(List.of("message 2", "message 1"), rec.events, "the small message is delivered first");
        assertArrayEquals(small, rec.on(2).get(0).body());
        assertArrayEquals(large, rec.on(1).get(0).body());

        List<Seen> wire = c.probe.snapshot();
        int mark = wire.indexOf(new Seen(Seen.MARK, (byte) 0, 0));
        int smallAt = -1;
        for (int i = 0; i < wire.size(); i++) {
            if (wire.get(i).stream() == 2) {
                smallAt = i;
                break;
            }
        }
        assertTrue(mark >= 0 && smallAt > mark, "wire order " + mark + ", " + smallAt);
        long largeChunksBetween = wire.subList(mark + 1, smallAt).stream().filter(s -> s.stream() == 1).count();
        assertTrue(largeChunksBetween <= 1, largeChunksBetween + " chunks of the large message went ahead of the small one");
        long largeChunksBefore = wire.subList(0, mark).stream().filter(s -> s.stream() == 1).count();
        assertTrue(largeChunksBefore < 16 * MB / Frames.CHUNK,
                "the large message was not all written at once: " + largeChunksBefore + " chunks before the mark");
        assertEquals(16 * MB / Frames.CHUNK, wire.stream().filter(s -> s.stream() == 1).count());
    }

    // ------------------------------------------------------------------ c. backpressure

    @Test
    void stuckReceiverBoundsTheSendersBuffer() throws Exception {
        Pair p = open(8 * MB, 8 * MB, false); // the parent's end does not read
        Side c = p.client();
        int count = 16;
        byte[][] bodies = new byte[count][];
        AtomicInteger sent = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            bodies[i] = random(4 * MB, i);
            c.conn.send(FrameType.CALL, i + 1, bodies[i], sent::incrementAndGet);
        }
        // the sender fills the kernel's buffers, then Netty's up to the high water mark, then stops
        await().atMost(LONG).during(Duration.ofMillis(500)).until(() -> !c.ch.isWritable());
        long pending = c.pendingNow();
        // The code's promise (Outbox): a chunk is written only while the channel is writable, i.e. while the
        // outbound buffer holds at most the high water mark; so it never holds more than the high water mark
        // plus the one frame whose write crossed it (plus Netty's per-entry accounting overhead).
        long bound = MARKS.high() + FRAME + ENTRY_OVERHEAD;
        assertTrue(pending > MARKS.high(), "stuck above the high water mark: " + pending);
        assertTrue(pending <= bound, "pending " + pending + " > " + bound);
        assertTrue(c.probe.maxPending <= bound, "peak " + c.probe.maxPending + " > " + bound);
        int sentWhileStuck = sent.get();
        assertTrue(sentWhileStuck < count / 2, sentWhileStuck + " of " + count + " reported sent while stuck");
        long framesWritten = c.probe.snapshot().size();
        assertTrue(framesWritten < (long) count * 4 * MB / Frames.CHUNK / 2,
                framesWritten + " frames handed to Netty while stuck: the outbox did not hold the rest back");

        p.server().ch.config().setAutoRead(true);
        Recorder rec = p.server().rec;
        await().atMost(LONG).until(() -> rec.messages.size() == count && sent.get() == count);
        for (int i = 0; i < count; i++) {
            assertArrayEquals(bodies[i], rec.on(i + 1).get(0).body(), "message " + (i + 1));
        }
        assertTrue(c.probe.maxPending <= bound, "peak " + c.probe.maxPending + " > " + bound);
        assertTrue(rec.closed.isEmpty());
    }

    // ------------------------------------------------------------------ d. limits and violations

    @Test
    void messageAboveTheLimitClosesTheConnection() throws Exception {
        Pair p = open(MB, 8 * MB, true);
        p.client().conn.send(FrameType.CALL, 1, random(2 * MB, 1), null);
        closedOnceEach(p);
        String why = p.server().rec.closed.get(0);
        assertTrue(why.startsWith("protocol violation"), why);
        assertTrue(why.contains("exceeds " + MB), why);
        assertTrue(p.server().rec.messages.isEmpty());
    }

    @Test
    void messageExactlyAtTheLimitPasses() throws Exception {
        Pair p = open(MB + 3, 8 * MB, true);
        byte[] body = random(MB + 3, 1);
        p.client().conn.send(FrameType.CALL, 1, body, null);
        await().atMost(LONG).until(() -> p.server().rec.messages.size() == 1);
        assertArrayEquals(body, p.server().rec.messages.get(0).body());
        assertTrue(p.server().conn.isOpen());
    }

    @Test
    void writtenBodiesArriveWhole() throws Exception {
        Pair p = open(8 * MB, 8 * MB, true);
        byte[] large = random(3 * MB + 123, 5);
        Body.Writer w = Body.writer();
        for (int off = 0; off < large.length; off += 10_000) {
            w.write(large, off, Math.min(10_000, large.length - off));
        }
        AtomicInteger sent = new AtomicInteger();
        p.client().conn.send(FrameType.CALL, 1, w.toBody(), sent::incrementAndGet);
        byte[] small = random(100, 6);
        p.client().conn.send(FrameType.CALL, 2, small, null);
        await().atMost(LONG).until(() -> p.server().rec.messages.size() == 2);
        assertArrayEquals(large, p.server().rec.on(1).get(0).body());
        assertArrayEquals(small, p.server().rec.on(2).get(0).body());
        await().atMost(LONG).until(() -> sent.get() == 1);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1 /* JOIN after the join */, 13 /* the first unused */, 15, 16, 99, 255})
    void unknownFrameTypeClosesTheConnection(int type) throws Exception {
        Pair p = open(MB, MB, true);
        p.client().ch.writeAndFlush(rawFrame(type, Frames.LAST, 1, new byte[] {1, 2, 3})).sync();
        closedOnceEach(p);
        String why = p.server().rec.closed.get(0);
        assertTrue(why.startsWith("protocol violation"), why);
        assertTrue(p.server().rec.messages.isEmpty() && p.server().rec.controls.isEmpty(), p.server().rec.events::toString);
    }

    @Test
    void frameLongerThanAChunkClosesTheConnection() throws Exception {
        Pair p = open(8 * MB, 8 * MB, true);
        // only the length and header: the receiver must not wait for the rest
        p.client().ch.writeAndFlush(Unpooled.buffer().writeInt(Frames.HEADER + Frames.CHUNK + 1)
                .writeByte(FrameType.CALL.code()).writeByte(0).writeInt(1)).sync();
        closedOnceEach(p);
        String why = p.server().rec.closed.get(0);
        assertTrue(why.startsWith("protocol violation"), why);
    }

    @Test
    void lengthShorterThanTheHeaderClosesTheConnection() throws Exception {
        Pair p = open(MB, MB, true);
        p.client().ch.writeAndFlush(Unpooled.buffer().writeInt(2).writeByte(FrameType.PING.code()).writeByte(1))
                .sync();
        closedOnceEach(p);
        assertTrue(p.server().rec.closed.get(0).startsWith("protocol violation"), p.server().rec.closed::toString);
    }

    @Test
    void nothingIsDeliveredAfterAViolation() throws Exception {
        Pair p = open(MB, MB, true);
        // one small write, so the receiver reads all frames at once: the bad one, then well-formed ones
        ByteBuf all = Unpooled.wrappedBuffer(rawFrame(99, Frames.LAST, 1, new byte[3]),
                rawFrame(FrameType.CALL.code(), Frames.LAST, 3, new byte[] {42}),
                rawFrame(FrameType.CANCEL.code(), Frames.LAST, 5, new byte[0]));
        p.client().ch.writeAndFlush(all).sync();
        closedOnceEach(p);
        assertEquals(List.of("closed"), p.server().rec.events,
                "after the protocol violation the rest of the read is dropped, not delivered");
    }

    @Test
    void tailOfAMessageAboveTheLimitIsNotDelivered() throws Exception {
        Pair p = open(100, MB, true);
        // chunks need not be whole CHUNKs on the wire: three of 60 bytes, the second crossing the 100-byte limit
        ByteBuf all = Unpooled.wrappedBuffer(rawFrame(FrameType.CALL.code(), 0, 1, new byte[60]),
                rawFrame(FrameType.CALL.code(), 0, 1, new byte[60]),
                rawFrame(FrameType.CALL.code(), Frames.LAST, 1, new byte[60]));
        p.client().ch.writeAndFlush(all).sync();
        closedOnceEach(p);
        assertTrue(p.server().rec.closed.get(0).contains("exceeds 100"), p.server().rec.closed::toString);
        assertEquals(List.of("closed"), p.server().rec.events, "no message on the stream of the refused one");
    }

    @Test
    void tooManyHalfSentMessagesIsAViolation() throws Exception {
        Pair p = open(8 * MB, 8 * MB, true);
        ByteBuf raw = Unpooled.buffer();
        for (int s = 1; s <= Inbox.MAX_PARTIAL + 1; s++) {
            raw.writeBytes(rawFrame(FrameType.CALL.code(), 0, s, new byte[10]));
        }
        p.client().ch.writeAndFlush(raw).sync();
        closedOnceEach(p);
        String why = p.server().rec.closed.get(0);
        assertTrue(why.startsWith("protocol violation") && why.contains("interleaved"), why);
    }

    // ------------------------------------------------------------------ e. cancel

    @Test
    void cancelOfAMessageBeingSentReachesThePeerInsteadOfIt() throws Exception {
        Pair p = open(64 * MB, 64 * MB, false);
        Side c = p.client();
        byte[] big = random(32 * MB, 1);
        AtomicInteger bigSent = new AtomicInteger();
        c.conn.send(FrameType.CALL, 1, big, bigSent::incrementAndGet);
        await().atMost(LONG).during(Duration.ofMillis(300)).until(() -> !c.ch.isWritable());
        boolean[] started = new boolean[2];
        c.conn.eventLoop().submit(() -> {
            List<Seen> wire = c.probe.snapshot();
            started[0] = wire.stream().anyMatch(s -> s.stream() == 1);
            started[1] = wire.stream().anyMatch(s -> s.stream() == 1 && s.last());
            c.conn.cancel(1);
        }).get(10, TimeUnit.SECONDS);
        assertTrue(started[0] && !started[1], "the message was part sent when cancelled");
        assertEquals(1, bigSent.get(), "onSent of the cancelled message ran (it never will be sent)");
        byte[] other = random(3 * MB, 2);
        byte[] tiny = random(10, 3);
        byte[] again = random(5000, 4);
        c.conn.send(FrameType.CALL, 2, other, null);
        c.conn.send(FrameType.CALL, 3, tiny, null);
        c.conn.send(FrameType.CALL, 1, again, null); // the stream id again, after its cancel
        p.server().ch.config().setAutoRead(true);
        Recorder rec = p.server().rec;
        await().atMost(LONG).until(() -> rec.messages.size() == 3);
        assertArrayEquals(other, rec.on(2).get(0).body());
        assertArrayEquals(tiny, rec.on(3).get(0).body());
        assertEquals(1, rec.on(1).size(), rec.events::toString);
        assertArrayEquals(again, rec.on(1).get(0).body(), "the new message on the stream, nothing of the cancelled one");
        assertEquals(List.of(new CtlKey(FrameType.CANCEL, 1)),
                rec.controls.stream().map(x -> new CtlKey(x.type(), x.stream())).toList());
        assertTrue(rec.events.indexOf("CANCEL 1") < rec.events.indexOf("message 1"));
        long bigFrames = c.probe.snapshot().stream().filter(s -> s.stream() == 1 && s.type() == FrameType.CALL.code())
                .count();
        assertTrue(bigFrames < 32 * MB / Frames.CHUNK, "the rest of the cancelled message was not sent");
        assertTrue(rec.closed.isEmpty(), rec.closed::toString);
    }

    record CtlKey(FrameType type, int stream) {
    }

    @Test
    void cancelOfAMessageWaitingItsTurnDropsItWhole() throws Exception {
        // more large messages than the outbox interleaves: the last waits, and is cancelled before its first byte
        Pair p = open(64 * MB, 64 * MB, false);
        Side c = p.client();
        int large = Outbox.MAX_LARGE + 1;
        for (int s = 1; s <= large; s++) {
            c.conn.send(FrameType.CALL, s, random(4 * MB, s), null);
        }
        await().atMost(LONG).during(Duration.ofMillis(300)).until(() -> !c.ch.isWritable());
        c.conn.eventLoop().submit(() -> {
            assertFalse(c.probe.snapshot().stream().anyMatch(f -> f.stream() == large), "the last one is waiting");
            c.conn.cancel(large);
        }).get(10, TimeUnit.SECONDS);
        p.server().ch.config().setAutoRead(true);
        Recorder rec = p.server().rec;
        await().atMost(LONG).until(() -> rec.messages.size() == large - 1 && rec.controls.size() == 1);
        assertTrue(rec.on(large).isEmpty());
        assertEquals(FrameType.CANCEL, rec.controls.get(0).type());
        assertFalse(c.probe.snapshot().stream().anyMatch(f -> f.stream() == large && f.type() == FrameType.CALL.code()));
    }

    // ------------------------------------------------------------------ f. closing

    @Test
    void closedRunsOncePerSideWhenOneSideCloses() throws Exception {
        Pair p = open(MB, MB, true);
        p.client().conn.close("bye");
        p.client().conn.close("bye again");
        p.client().ch.close();
        closedOnceEach(p);
        assertEquals("bye", p.client().rec.closed.get(0));
        assertEquals("the connection closed", p.server().rec.closed.get(0));
        // what is sent after the end is reported done, not kept
        AtomicInteger sent = new AtomicInteger();
        p.client().conn.send(FrameType.CALL, 1, new byte[10], sent::incrementAndGet);
        p.server().conn.send(FrameType.REPLY, 1, new byte[10 * MB], sent::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() == 2);
    }

    @Test
    void closedRunsOncePerSideWhenThePeerDropsTheSocket() throws Exception {
        Pair p = open(MB, MB, true);
        p.server().ch.close();
        closedOnceEach(p);
    }

    @Test
    void closeFlushesWhatWasSentBefore() throws Exception {
        Pair p = open(8 * MB, 8 * MB, true);
        byte[] body = random(200, 1);
        p.client().conn.send(FrameType.CALL, 1, body, null);
        p.client().conn.close("done");
        closedOnceEach(p);
        assertEquals(1, p.server().rec.messages.size());
        assertArrayEquals(body, p.server().rec.messages.get(0).body());
    }

    @Test
    void closeEndsTheConnectionEvenWhenThePeerStoppedReading() throws Exception {
        Pair p = open(64 * MB, 64 * MB, false);
        Side c = p.client();
        AtomicInteger sent = new AtomicInteger();
        c.conn.send(FrameType.CALL, 1, random(32 * MB, 1), sent::incrementAndGet);
        await().atMost(LONG).during(Duration.ofMillis(300)).until(() -> !c.ch.isWritable());
        c.conn.close("the runner is lost");
        await().atMost(Duration.ofSeconds(20)).until(() -> !c.rec.closed.isEmpty());
        assertEquals("the runner is lost", c.rec.closed.get(0));
        assertFalse(c.ch.isActive());
        assertEquals(1, sent.get(), "the unsent message is reported done");
    }

    @Test
    void installOnAChannelClosingWhileJoiningEndsOnce() throws Exception {
        // as when the channel closes in the same event-loop turn as the join's answer is handled: the channel is
        // no longer active, and channelInactive is still to reach the connection
        Channel listen = new ServerBootstrap().group(group).channel(EventLoops.serverChannel(group))
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        channels.add(listen);
        Recorder rec = new Recorder();
        CompletableFuture<Connection> installed = new CompletableFuture<>();
        Channel ch = new Bootstrap().group(group).channel(EventLoops.socketChannel(group))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(Connection.DECODER, Frames.decoder(Frames.MAX_JOIN_FRAME));
                        c.pipeline().addLast("install", new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.channel().close();
                                installed.complete(Connection.install(ctx.channel(), MB, "peer", conn -> rec));
                            }
                        });
                    }
                })
                .connect(listen.localAddress()).sync().channel();
        channels.add(ch);
        Connection c = installed.get(10, TimeUnit.SECONDS);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> rec.closed.size() == 1);
        assertEquals(List.of("the connection closed while joining"), rec.closed);
        assertFalse(c.isOpen());
        AtomicInteger sent = new AtomicInteger();
        c.send(FrameType.CALL, 1, new byte[5], sent::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.get() == 1);
    }
}
