package io.flameec2.impl.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The first frame a runner sends: plain fields, never Java serialization (the parent deserializes nothing
 * from a peer that has not joined).
 *
 * @param runnerId the runner's id
 * @param token its one-time join token
 * @param appVersion its application version
 */
public record JoinRequest(String runnerId, String token, String appVersion) {

    /** The protocol version; a parent refuses a join of another version, naming both. */
    public static final int PROTOCOL = 1;

    /**
     * No token in {@link #toString()}: it goes to logs.
     *
     * @return the runner and version
     */
    @Override
    public String toString() {
        return "JoinRequest[runnerId=" + runnerId + ", appVersion=" + appVersion + "]";
    }

    /**
     * The payload.
     *
     * @return the bytes
     */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(PROTOCOL);
            out.writeUTF(runnerId);
            out.writeUTF(token);
            out.writeUTF(appVersion);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a payload (at most {@link Frames#MAX_JOIN_FRAME} bytes: the frame decoder saw to it).
     *
     * @param payload the payload
     * @return the request
     * @throws IllegalArgumentException when it is malformed or of another protocol version
     */
    public static JoinRequest decode(ByteBuf payload) {
        try (DataInputStream in = new DataInputStream(new ByteBufInputStream(payload))) {
            int protocol = in.readInt();
            if (protocol != PROTOCOL) {
                throw new IllegalArgumentException("join protocol " + protocol + ", this parent speaks " + PROTOCOL
                        + "; deploy the same FlameEC2 version to parent and runners");
            }
            return new JoinRequest(in.readUTF(), in.readUTF(), in.readUTF());
        } catch (IOException e) {
            throw new IllegalArgumentException("a malformed join: " + e.getMessage(), e);
        }
    }
}
