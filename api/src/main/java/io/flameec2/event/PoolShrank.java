package io.flameec2.event;

/**
 * The pool lost a runner (FLAME's {@code on_shrink}).
 *
 * @param pool the pool
 * @param runners the runners of the pool after it shrank
 * @param reason why the runner went
 */
public record PoolShrank(String pool, int runners, StopReason reason) implements FlamePoolEvent {
}
