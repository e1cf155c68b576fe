package io.flameec2;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the parameter of a {@link FlameRemote @FlameRemote} method whose value routes the call: calls with equal
 * keys ({@link Object#equals}) go to the same runner while it lives, so what a runner keeps for a key (a loaded
 * model, a tenant's cache) is reused. It is the bean-method form of {@link FlameExecutor#withKey}, with the same
 * rules:
 *
 * <ul>
 *   <li>The key's runner is chosen by rendezvous (highest random weight) hashing over the pool's ready runners
 *       that are not retiring. A runner that leaves the pool takes only its own keys elsewhere, and the next
 *       runner to join takes its place in the hashing, so a replacement gets exactly those keys back; a runner
 *       added for more demand takes over about 1/n of the keys.</li>
 *   <li>When the key's runner has no free slot, the call waits for a slot on that runner (within its timeout)
 *       instead of going to another runner: stickiness is the point of a key. Waiting keyed calls still count as
 *       demand, so the pool grows as for any waiting call.</li>
 *   <li>When no runner is ready, the call waits like any other and its key goes to whichever runner it is handed
 *       to first.</li>
 *   <li>A {@code null} value routes the call as an unkeyed one (least-loaded runner).</li>
 * </ul>
 *
 * <p>At most one parameter of a method may carry it; the deployment fails naming the method otherwise.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface FlameKey {
}
