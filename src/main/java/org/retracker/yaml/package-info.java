/**
 * YAML for the tracker's own files ({@code config.yml}, {@code forwarders.yml}): SnakeYAML Engine
 * behind the limits a broken or hostile file must not get past.
 */
@NullMarked
package org.retracker.yaml;

import org.jspecify.annotations.NullMarked;
