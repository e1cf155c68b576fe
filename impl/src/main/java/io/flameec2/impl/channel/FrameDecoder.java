package io.flameec2.impl.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the byte stream into frames ({@link Frames}), each passed on starting at its type byte. The largest
 * payload is small until the connection joined and one chunk after ({@link #raise}); a declared length above
 * it fails at once, before any byte of that frame is buffered, and the connection is closed. One decoder for
 * the connection's whole life, raised in place: replacing it would pass bytes already read but not yet
 * decoded to the next handler undecoded.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private int maxPayload;

    FrameDecoder(int maxPayload) {
        this.maxPayload = maxPayload;
    }

    /**
     * Allows larger frames from now on (event loop only).
     *
     * @param newMaxPayload the largest payload
     */
    void raise(int newMaxPayload) {
        maxPayload = Math.max(maxPayload, newMaxPayload);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < Frames.HEADER) {
            throw new CorruptedFrameException("a frame declares " + (length & 0xFFFFFFFFL) + " bytes");
        }
        if (length > Frames.HEADER + maxPayload) {
            throw new TooLongFrameException("a frame declares " + length + " bytes, more than "
                    + (Frames.HEADER + maxPayload));
        }
        if (in.readableBytes() < 4 + length) {
            return;
        }
        in.skipBytes(4);
        out.add(in.readRetainedSlice(length));
    }
}
