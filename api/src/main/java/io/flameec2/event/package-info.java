/**
 * CDI events a pool fires as runners boot, become ready and stop, and as it grows and shrinks. Observe them
 * with {@code void onStopped(@Observes RunnerStopped event)}.
 */
package io.flameec2.event;
