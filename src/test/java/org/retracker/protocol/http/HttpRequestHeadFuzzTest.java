package org.retracker.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer target for the HTTP head parser: any bytes give a status, never an exception, and an
 * {@code OK} head has offsets that lie inside it and in order.
 */
class HttpRequestHeadFuzzTest {
    private final HttpRequestHead head = new HttpRequestHead();

    @FuzzTest(maxDuration = "60s")
    void findHeadEndAndParse(byte[] input) {
        int end = HttpRequestHead.findHeadEnd(input, 0, input.length);
        if (end >= 0) {
            assertThat(end).isBetween(2, input.length);
            assertThat(input[end - 1]).isEqualTo((byte) '\n');
            boolean lfLf = input[end - 2] == '\n';
            boolean lfCrLf = end >= 3 && input[end - 2] == '\r' && input[end - 3] == '\n';
            assertThat(lfLf || lfCrLf).isTrue();
            // No earlier blank line.
            assertThat(HttpRequestHead.findHeadEnd(input, 0, end - 1)).isEqualTo(-1);
        }
        int headEnd = end >= 0 ? end : input.length;
        int status = head.parse(input, 0, headEnd);
        assertThat(status)
                .isIn(
                        HttpRequestHead.OK,
                        HttpRequestHead.BAD_REQUEST,
                        HttpRequestHead.TOO_LARGE,
                        HttpRequestHead.METHOD_NOT_ALLOWED,
                        HttpRequestHead.VERSION_NOT_SUPPORTED);
        if (status != HttpRequestHead.OK) {
            return;
        }
        assertThat(headEnd).isLessThanOrEqualTo(HttpRequestHead.MAX_HEAD);
        assertThat(head.pathStart).isBetween(0, head.pathEnd);
        assertThat(head.pathEnd).isLessThanOrEqualTo(head.queryEnd);
        assertThat(head.queryStart).isBetween(head.pathEnd, head.queryEnd);
        assertThat(head.queryEnd).isLessThanOrEqualTo(headEnd);
        if (head.pathEnd > head.pathStart) {
            assertThat(input[head.pathStart]).isEqualTo((byte) '/');
        }
        for (int i = head.pathStart; i < head.queryEnd; i++) {
            assertThat(input[i]).isNotIn((byte) '#', (byte) '\n', (byte) '\r');
        }
        for (int i = head.pathStart; i < head.pathEnd; i++) {
            assertThat(input[i]).isNotEqualTo((byte) '?');
        }
        checkRange(head.realIpStart, head.realIpEnd, headEnd, input);
        checkRange(head.forwardedForStart, head.forwardedForEnd, headEnd, input);
    }

    private static void checkRange(int start, int end, int headEnd, byte[] input) {
        if (start == -1) {
            assertThat(end).isEqualTo(-1);
            return;
        }
        assertThat(start).isBetween(0, end);
        assertThat(end).isLessThanOrEqualTo(headEnd);
        for (int i = start; i < end; i++) {
            assertThat(input[i]).isNotIn((byte) '\n', (byte) '\r');
        }
        if (end > start) {
            assertThat(input[start]).isNotIn((byte) ' ', (byte) '\t');
            assertThat(input[end - 1]).isNotIn((byte) ' ', (byte) '\t');
        }
    }
}
