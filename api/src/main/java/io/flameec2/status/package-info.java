/**
 * Read-only snapshots of pools and runners, as {@link io.flameec2.FlamePools} hands them out.
 */
package io.flameec2.status;
