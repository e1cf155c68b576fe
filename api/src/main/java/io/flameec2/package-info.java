/**
 * FlameEC2 for Jakarta EE: run CDI bean methods and closures on ephemeral runners, copies of the same
 * application booted on demand (in-process, as local Open Liberty processes, or on EC2 instances).
 *
 * <p>Mark a CDI bean method {@link io.flameec2.FlameRemote @FlameRemote}, or inject a
 * {@link io.flameec2.FlameExecutor} and hand it a {@link io.flameec2.FlameCallable}. Pools are configured
 * with MicroProfile Config under {@code flame.pools.<name>.*}; see {@link io.flameec2.FlamePoolConfig}.
 */
package io.flameec2;
