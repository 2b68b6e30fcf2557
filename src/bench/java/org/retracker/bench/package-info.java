/**
 * The benchmark tools, kept out of the tracker jar: {@link org.retracker.bench.LoadGenerator} (BEP
 * 15 and HTTP announce load with validated replies and a latency histogram) and {@link
 * org.retracker.bench.Reflector} (a trivial UDP and HTTP server that proves the generator is not the
 * bottleneck). Built into {@code target/retracker-bench.jar} by {@code make bench-build}; see
 * docs/PERFORMANCE.md.
 */
@NullMarked
package org.retracker.bench;

import org.jspecify.annotations.NullMarked;
