package io.flameec2.it.ec2;

import io.flameec2.impl.channel.FrameType;
import io.flameec2.impl.channel.Frames;
import io.flameec2.impl.channel.JoinRequest;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A hand-made join, run as its own process inside a box network namespace ({@code ip netns exec}): connects to
 * the parent's channel over TLS (trusting any certificate: this is the thief's side), sends a join with the
 * given runner id and token, and prints the answer: {@code JOINED} or {@code REFUSED <reason>}.
 *
 * <p>Arguments: host, port, runner id, token, application version.
 */
public final class JoinProbe {

    private JoinProbe() {
    }

    public static void main(String[] args) throws Exception {
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
        tcp.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 10_000);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(tcp, args[0], Integer.parseInt(args[1]),
                true)) {
            s.setSoTimeout(20_000);
            byte[] join = new JoinRequest(args[2], args[3], args[4]).encode();
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(Frames.HEADER + join.length);
            out.writeByte(FrameType.JOIN.code());
            out.writeByte(Frames.LAST);
            out.writeInt(0);
            out.write(join);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int length = in.readInt();
            FrameType type = FrameType.of(in.readByte());
            in.readByte();
            in.readInt();
            byte[] payload = new byte[length - Frames.HEADER];
            in.readFully(payload);
            System.out.println(type == FrameType.REFUSED ? "REFUSED " + new String(payload, StandardCharsets.UTF_8)
                    : String.valueOf(type));
        }
    }
}
