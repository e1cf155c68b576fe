package io.flameec2.bench;

import io.flameec2.impl.channel.ChannelTls;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.util.FingerprintTrustManagerFactory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * The limit FlameEC2's runner channel aims at: a plain Java ping-pong over ONE loopback TCP connection, and
 * the same with JDK TLS 1.3 (the provider, protocol and certificate type the channel uses: {@link ChannelTls}'s
 * contexts, the runner trusting the parent's fingerprint only). The server is {@link #main} in a second JVM
 * (like the runner and the Hazelcast member): one thread per connection reads {@code [length][id][bytes]}
 * messages and writes each back unchanged (flushing when no more input is buffered). The client
 * ({@link Client}) multiplexes any number of callers over its one connection: a caller writes its message
 * under a lock and waits on a {@link CompletableFuture} that a reader thread completes, by id, the way a
 * FlameEC2 caller waits for its call's stream.
 */
public final class PingPong {

    private PingPong() {
    }

    /**
     * The server: listens on loopback (plain and TLS), prints {@code READY <fingerprint>}, exits when stdin
     * closes.
     *
     * @param args the plain port, the TLS port
     * @throws Exception when it cannot listen
     */
    public static void main(String[] args) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        ServerSocket plain = new ServerSocket(Integer.parseInt(args[0]), 50, lo);
        ChannelTls.ParentIdentity id = ChannelTls.parentIdentity();
        SSLContext ssl = ((JdkSslContext) id.context()).context();
        SSLServerSocket tls = (SSLServerSocket) ssl.getServerSocketFactory()
                .createServerSocket(Integer.parseInt(args[1]), 50, lo);
        tls.setEnabledProtocols(new String[] {"TLSv1.3"});
        accept(plain);
        accept(tls);
        System.out.println("READY " + id.fingerprint());
        System.out.flush();
        while (System.in.read() >= 0) {
            // the parent holds stdin open while it wants us
        }
        System.exit(0);
    }

    private static void accept(ServerSocket server) {
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    Thread echo = new Thread(() -> echo(s), "pingpong-echo");
                    echo.setDaemon(true);
                    echo.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "pingpong-accept");
        t.setDaemon(true);
        t.start();
    }

    private static void echo(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024));
            byte[] buf = new byte[1024];
            while (true) {
                int length = in.readInt();
                int id = in.readInt();
                if (buf.length < length) {
                    buf = new byte[length];
                }
                in.readFully(buf, 0, length);
                out.writeInt(length);
                out.writeInt(id);
                out.write(buf, 0, length);
                if (in.available() == 0) {
                    out.flush();
                }
            }
        } catch (EOFException e) {
            // the client left
        } catch (IOException e) {
            System.out.println("echo: " + e);
        }
    }

    /** One connection, shared by all callers. */
    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final DataOutputStream out;
        private final Map<Integer, CompletableFuture<byte[]>> waiting = new ConcurrentHashMap<>();
        private final AtomicInteger ids = new AtomicInteger();

        /**
         * Connects.
         *
         * @param port the server's port
         * @param fingerprint the server's certificate fingerprint for TLS, {@code null} for plain TCP
         * @throws IOException when it cannot connect
         */
        Client(int port, String fingerprint) throws IOException, GeneralSecurityException {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            if (fingerprint == null) {
                socket = new Socket();
                socket.connect(to);
            } else {
                // the JDK's TLS, trusting the one certificate as the channel does (ChannelTls may pick BoringSSL)
                SSLContext ssl = SSLContext.getInstance("TLSv1.3");
                ssl.init(null, FingerprintTrustManagerFactory.builder("SHA-256").fingerprints(fingerprint).build()
                        .getTrustManagers(), null);
                SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket();
                s.setEnabledProtocols(new String[] {"TLSv1.3"});
                s.connect(to);
                s.startHandshake();
                socket = s;
            }
            socket.setTcpNoDelay(true);
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            Thread reader = new Thread(() -> read(in), "pingpong-reader-" + port);
            reader.setDaemon(true);
            reader.start();
        }

        private void read(DataInputStream in) {
            try {
                while (true) {
                    int length = in.readInt();
                    int id = in.readInt();
                    byte[] body = new byte[length];
                    in.readFully(body);
                    CompletableFuture<byte[]> f = waiting.remove(id);
                    if (f != null) {
                        f.complete(body);
                    }
                }
            } catch (IOException e) {
                waiting.values().forEach(f -> f.completeExceptionally(e));
            }
        }

        /**
         * One round trip.
         *
         * @param body what to send
         * @throws Exception when it fails or comes back different in size
         */
        void call(byte[] body) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            waiting.put(id, f);
            synchronized (out) {
                out.writeInt(body.length);
                out.writeInt(id);
                out.write(body);
                out.flush();
            }
            byte[] back = f.get();
            if (back.length != body.length) {
                throw new IllegalStateException("got " + back.length + " bytes back");
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
