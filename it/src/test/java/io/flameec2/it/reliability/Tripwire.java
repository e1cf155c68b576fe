package io.flameec2.it.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local TCP port that counts the connections made to it and closes each at once. Configured as the AWS
 * endpoints of a pool, it shows whether the product talked to "AWS" at all; with nothing listening, a
 * connection attempt would go unnoticed.
 */
final class Tripwire implements AutoCloseable {

    private final ServerSocket socket;
    private final AtomicInteger connections = new AtomicInteger();

    Tripwire() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    connections.incrementAndGet();
                } catch (IOException e) {
                    // closed: the test is over
                }
            }
        }, "tripwire-" + socket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A tripwire, where a failure to open one cannot be thrown (static initializers). */
    static Tripwire open() {
        try {
            return new Tripwire();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("no local port for a tripwire", e);
        }
    }

    /** The URL of the port, for {@code flame.ec2.endpoint} and the like. */
    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    /** The connections accepted so far. */
    int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
