package io.flameec2.event;

/**
 * The pool started booting a runner because demand exceeded its free capacity (FLAME's
 * {@code on_grow_start}).
 *
 * @param pool the pool
 * @param runners the runners of the pool, booting ones included, after it grew
 */
public record PoolGrew(String pool, int runners) implements FlamePoolEvent {
}
