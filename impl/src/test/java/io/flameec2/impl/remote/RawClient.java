package io.flameec2.impl.remote;

import io.flameec2.impl.channel.FrameType;
import io.flameec2.impl.channel.Frames;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * An attacker's (or a test's) hand-made connection to the parent channel: plain TCP, or TLS trusting any
 * certificate, writing whatever frames it likes and reading the answers.
 */
final class RawClient implements AutoCloseable {

    /** A frame read back. */
    record Frame(FrameType type, int stream, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = new DataOutputStream(socket.getOutputStream());
        this.in = new DataInputStream(socket.getInputStream());
    }

    static RawClient plain(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        return new RawClient(s);
    }

    /** TLS 1.3 from {@code from} (a loopback address), trusting whatever certificate the server shows. */
    static RawClient tls(int port, InetAddress from) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        Socket tcp = new Socket();
        tcp.bind(new InetSocketAddress(from, 0));
        tcp.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(tcp, "127.0.0.1", port, true);
        s.setEnabledProtocols(new String[] {"TLSv1.3"});
        s.setSoTimeout(10_000);
        s.startHandshake();
        return new RawClient(s);
    }

    static RawClient tls(int port) throws Exception {
        return tls(port, InetAddress.getLoopbackAddress());
    }

    void send(FrameType type, int flags, int stream, byte[] payload) throws IOException {
        out.writeInt(Frames.HEADER + payload.length);
        out.writeByte(type.code());
        out.writeByte(flags);
        out.writeInt(stream);
        out.write(payload);
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next frame, or {@code null} once the server closed the connection. */
    Frame read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            int length = in.readInt();
            FrameType type = FrameType.of(in.readByte());
            in.readByte();
            int stream = in.readInt();
            byte[] payload = new byte[length - Frames.HEADER];
            in.readFully(payload);
            return new Frame(type, stream, payload);
        } catch (EOFException | SocketException e) {
            return null;
        }
    }

    /** Whether the server closed the connection within the timeout (reading and dropping what it sent). */
    boolean closedWithin(Duration timeout) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (read(Duration.ofMillis(Math.max(1, (end - System.nanoTime()) / 1_000_000))) == null) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset, or TLS closed
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
