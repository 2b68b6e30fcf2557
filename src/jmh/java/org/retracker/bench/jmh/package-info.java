/**
 * JMH benchmarks of the tracker's hot path (decode, announce or scrape, encode) for UDP (BEP 15)
 * and HTTP (BEP 3/23), against a prefilled in-memory store. Built only by the Maven profile {@code
 * jmh} into {@code target/benchmarks.jar}; run them with {@code make jmh} (see
 * docs/PERFORMANCE.md, "Hot path (JMH)").
 */
@NullMarked
package org.retracker.bench.jmh;

import org.jspecify.annotations.NullMarked;
