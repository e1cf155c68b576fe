package io.flameec2;

import java.net.URI;

/**
 * What a runner knows of the parent that booted it.
 *
 * @param parentId the parent's id, also the value of the {@code flame:parent-id} tag of its EC2 runners
 * @param callbackUrl where the runner connects to the parent: its channel, as {@code tls://host:port}
 * @param pool the pool the runner belongs to
 * @param runnerId this runner's id
 */
public record FlameParent(String parentId, URI callbackUrl, String pool, String runnerId) {
}
