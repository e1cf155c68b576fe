/**
 * The runner channel: one long-lived TLS 1.3 connection per runner, opened by the runner to its parent, over
 * which everything between them flows (join, calls, replies, cancels, heartbeats, stop). Shared by both
 * sides: frames ({@link io.flameec2.impl.channel.FrameType}), chunked and multiplexed messages
 * ({@link io.flameec2.impl.channel.Connection}), the parent's per-JVM certificate and the runner's pinned
 * trust ({@link io.flameec2.impl.channel.ChannelTls}), the join message
 * ({@link io.flameec2.impl.channel.JoinRequest}) and event loops ({@link io.flameec2.impl.channel.EventLoops}).
 *
 * <p>A frame is {@code int length | byte type | byte flags | int stream | payload}. Before a connection has
 * joined, a frame may be at most {@link io.flameec2.impl.channel.Frames#MAX_JOIN_FRAME} bytes and nothing
 * in it is deserialized; after it, at most one chunk. A declared length above the limit closes the
 * connection before anything is allocated for it.
 */
package io.flameec2.impl.channel;
