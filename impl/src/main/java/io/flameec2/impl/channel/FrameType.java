package io.flameec2.impl.channel;

/**
 * The kinds of frame on a runner channel. Messages ({@link #CALL}, {@link #REPLY}) may span several frames
 * (chunks, the last one flagged); every other frame is one control frame.
 */
public enum FrameType {
    /** Runner to parent, first frame: who it is, its join token and application version ({@link JoinRequest}). */
    JOIN(1),
    /** Parent to runner: the join succeeded. */
    JOINED(2),
    /** Parent to runner: the join was refused (UTF reason); the parent closes the connection. */
    REFUSED(3),
    /** Parent to runner, a message: a serialized call on its stream. */
    CALL(4),
    /** Runner to parent, a message: the serialized reply of the call on the same stream. */
    REPLY(5),
    /** Runner to parent: the call on this stream was refused before it ran (UTF reason). */
    CALL_REFUSED(6),
    /** Parent to runner: cancel the call on this stream (interrupt it, or drop what arrived of it). */
    CANCEL(7),
    /** Parent to runner: a heartbeat (long sequence number). */
    PING(8),
    /** Runner to parent: the answer to a heartbeat (long sequence, byte state, int calls in flight). */
    PONG(9),
    /** Parent to runner: stop, within the given milliseconds (long). */
    STOP(10),
    /** Runner to parent: the runner stops on its own (UTF reason); it takes no new calls. */
    STOPPING(11),
    /**
     * Runner to parent: the runner's capacity is being taken back with notice (an EC2 spot interruption): it takes
     * no new calls and drains its in-flight ones until the deadline, then exits ({@link Frames#retiring}).
     */
    RETIRING(12);

    private static final FrameType[] BY_CODE = new FrameType[16];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final byte code;

    FrameType(int code) {
        this.code = (byte) code;
    }

    /**
     * The byte on the wire.
     *
     * @return the code
     */
    public byte code() {
        return code;
    }

    /**
     * Whether frames of this type make up messages that may be chunked.
     *
     * @return {@code true} for calls and replies
     */
    public boolean isMessage() {
        return this == CALL || this == REPLY;
    }

    /**
     * The type of a code.
     *
     * @param code the byte on the wire
     * @return the type, or {@code null} for an unknown code
     */
    public static FrameType of(byte code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
