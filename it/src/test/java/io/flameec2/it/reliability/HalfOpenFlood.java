package io.flameec2.it.reliability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps {@code size} half-open connections to a TLS listener: each connects, sends the first byte of a TLS
 * record (0x16) and then nothing. One the server closes (its join timeout) is replaced at once, as a
 * persistent attacker would, so the flood stands for as long as it runs, not just until the first timeout.
 */
final class HalfOpenFlood implements AutoCloseable {

    private final InetSocketAddress target;
    private final int size;
    private final Selector selector;
    private final Thread thread;
    private final CountDownLatch up = new CountDownLatch(1);
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closedByServer = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean running = true;
    private volatile Throwable failure;

    HalfOpenFlood(InetSocketAddress target, int size) throws IOException {
        this.target = target;
        this.size = size;
        this.selector = Selector.open();
        this.thread = new Thread(this::run, "half-open-flood");
        thread.setDaemon(true);
    }

    /** Opens the connections; returns once all {@code size} are open. */
    HalfOpenFlood start() throws Exception {
        thread.start();
        if (!up.await(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the flood did not open " + size + " connections within a minute");
        }
        if (failure != null) {
            throw new IllegalStateException("the flood failed", failure);
        }
        return this;
    }

    private void run() {
        try {
            for (int i = 0; i < size; i++) {
                openOne();
            }
            up.countDown();
            ByteBuffer sink = ByteBuffer.allocate(4096);
            while (running) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) key.channel();
                    sink.clear();
                    int n;
                    try {
                        n = ch.read(sink);
                    } catch (IOException reset) {
                        n = -1;
                    }
                    if (n < 0) {
                        key.cancel();
                        ch.close();
                        open.decrementAndGet();
                        closedByServer.incrementAndGet();
                        if (running) {
                            openOne();
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (Throwable t) {
            failure = t;
            up.countDown();
        }
    }

    private void openOne() throws IOException {
        SocketChannel ch = SocketChannel.open(target);
        ch.write(ByteBuffer.wrap(new byte[] {0x16}));
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ);
        opened.incrementAndGet();
        open.incrementAndGet();
    }

    /** @return connections open now */
    int open() {
        return open.get();
    }

    /** @return connections opened in all */
    int opened() {
        return opened.get();
    }

    /** @return connections the server closed (and that were replaced) */
    int closedByServer() {
        return closedByServer.get();
    }

    /** @return what went wrong in the flood thread, or {@code null} */
    Throwable failure() {
        return failure;
    }

    @Override
    public void close() throws Exception {
        running = false;
        selector.wakeup();
        thread.join(10_000);
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
    }
}
