/**
 * The wire protocol between a parent and its runners: HTTP/1.1, every message authenticated with
 * HMAC-SHA256 under a per-runner secret ({@link io.flameec2.impl.wire.WireAuth}) before anything is read
 * further; Java serialization only through an allow-list filter ({@link io.flameec2.impl.wire.WireFilter},
 * {@link io.flameec2.impl.wire.WireCodec}); remote exceptions travel as data
 * ({@link io.flameec2.impl.wire.WireFailure}), never as deserialized {@code Throwable}s.
 */
package io.flameec2.impl.wire;
