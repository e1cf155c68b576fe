package io.flameec2.impl.remote;

import io.flameec2.impl.channel.FrameType;
import io.flameec2.impl.channel.Frames;
import io.flameec2.impl.channel.JoinRequest;
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
 * An attacker's (or a test's) hand-made connection to the parent channel: plain TCP, or TLS 1.3 trusting any
 * certificate, writing whatever frames it likes and reading the answers. Shared with the integration tests
 * through impl's test jar.
 */
public final class RawClient implements AutoCloseable {

    /** A frame read back. */
    public record Frame(FrameType type, int stream, byte[] payload) {
        /** @return the payload as UTF-8 */
        public String text() {
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

    /** Plain TCP, no TLS. */
    public static RawClient plain(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5000);
        return new RawClient(s);
    }

    /** Plain TCP to a port on loopback. */
    public static RawClient plain(int port) throws IOException {
        return plain(InetAddress.getLoopbackAddress().getHostAddress(), port);
    }

    /** TLS 1.3, trusting whatever certificate the server shows. */
    public static RawClient tls(String host, int port) throws Exception {
        return tls(host, port, null);
    }

    /** TLS 1.3 to a port on loopback. */
    public static RawClient tls(int port) throws Exception {
        return tls(InetAddress.getLoopbackAddress().getHostAddress(), port, null);
    }

    /** TLS 1.3 to a port on loopback from {@code from} (another loopback address: a join from elsewhere). */
    public static RawClient tls(int port, InetAddress from) throws Exception {
        return tls(InetAddress.getLoopbackAddress().getHostAddress(), port, from);
    }

    private static RawClient tls(String host, int port, InetAddress from) throws Exception {
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
        if (from != null) {
            tcp.bind(new InetSocketAddress(from, 0));
        }
        tcp.connect(new InetSocketAddress(host, port), 5000);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(tcp, host, port, true);
        s.setEnabledProtocols(new String[] {"TLSv1.3"});
        s.setSoTimeout(10_000);
        s.startHandshake();
        return new RawClient(s);
    }

    /** The payload of a join frame, as a runner of this build sends it. */
    public static byte[] join(String runnerId, String token, String appVersion) {
        return new JoinRequest(runnerId, token, appVersion).encode();
    }

    /** Sends one well-formed frame. */
    public void send(FrameType type, int flags, int stream, byte[] payload) throws IOException {
        out.writeInt(Frames.HEADER + payload.length);
        out.writeByte(type.code());
        out.writeByte(flags);
        out.writeInt(stream);
        out.write(payload);
        out.flush();
    }

    /** Sends raw bytes (inside TLS on a TLS client). */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next frame, or {@code null} once the server closed the connection. */
    public Frame read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            int length = in.readInt();
            if (length < Frames.HEADER || length > Frames.HEADER + Frames.CHUNK) {
                throw new IOException("not a frame: declared length " + length);
            }
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

    /** Whether the server closed the connection within the timeout (reading and dropping whatever it sent). */
    public boolean closedWithin(Duration timeout) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        byte[] sink = new byte[4096];
        while (true) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            socket.setSoTimeout((int) Math.max(1, left));
            try {
                if (in.read(sink) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset, or TLS closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
