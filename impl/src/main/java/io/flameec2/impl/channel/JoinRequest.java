package io.flameec2.impl.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The first frame a runner sends: plain fields, never Java serialization (the parent deserializes nothing
 * from a peer that has not joined).
 *
 * @param runnerId the runner's id
 * @param token its one-time join token
 * @param appVersion its application version
 * @param bootMarks where its boot's time went, on its own clock ({@link BootMark}), in time order
 */
public record JoinRequest(String runnerId, String token, String appVersion, List<BootMark> bootMarks) {

    /** The protocol version; a parent refuses a join of another version, naming both. 2: with boot marks. */
    public static final int PROTOCOL = 2;
    /** More marks than any boot has: a bound for what a peer that has not joined yet may make us allocate. */
    static final int MAX_MARKS = 32;

    /**
     * Copies the marks.
     *
     * @param runnerId the record component
     * @param token the record component
     * @param appVersion the record component
     * @param bootMarks the record component
     */
    public JoinRequest {
        bootMarks = List.copyOf(bootMarks);
    }

    /**
     * A join without boot marks.
     *
     * @param runnerId the runner's id
     * @param token its one-time join token
     * @param appVersion its application version
     */
    public JoinRequest(String runnerId, String token, String appVersion) {
        this(runnerId, token, appVersion, List.of());
    }

    /**
     * No token in {@link #toString()}: it goes to logs.
     *
     * @return the runner and version
     */
    @Override
    public String toString() {
        return "JoinRequest[runnerId=" + runnerId + ", appVersion=" + appVersion + ", bootMarks=" + bootMarks + "]";
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
            out.writeByte(Math.min(bootMarks.size(), MAX_MARKS));
            for (BootMark m : bootMarks.subList(0, Math.min(bootMarks.size(), MAX_MARKS))) {
                out.writeUTF(m.phase());
                out.writeLong(m.sinceJvmStartMs());
            }
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
            String runnerId = in.readUTF();
            String token = in.readUTF();
            String appVersion = in.readUTF();
            int count = in.readUnsignedByte();
            if (count > MAX_MARKS) {
                throw new IllegalArgumentException("a join with " + count + " boot marks, at most " + MAX_MARKS);
            }
            List<BootMark> marks = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                marks.add(new BootMark(in.readUTF(), in.readLong()));
            }
            return new JoinRequest(runnerId, token, appVersion, marks);
        } catch (IOException e) {
            throw new IllegalArgumentException("a malformed join: " + e.getMessage(), e);
        }
    }
}
