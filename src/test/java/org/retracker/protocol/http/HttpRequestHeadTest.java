package org.retracker.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpRequestHeadTest {
    private final HttpRequestHead head = new HttpRequestHead();
    private byte[] src = new byte[0];

    // ---- findHeadEnd ------------------------------------------------------------------------------

    @Test
    void headEndIsJustPastTheBlankLine() {
        byte[] b = ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\nNEXT");
        assertThat(HttpRequestHead.findHeadEnd(b, 0, b.length)).isEqualTo(b.length - 4);
    }

    @Test
    void bareLfHeadEndIsFound() {
        byte[] b = ascii("GET / HTTP/1.1\nHost: a\n\nNEXT");
        assertThat(HttpRequestHead.findHeadEnd(b, 0, b.length)).isEqualTo(b.length - 4);
        byte[] mixed = ascii("GET / HTTP/1.1\nHost: a\n\r\nNEXT");
        assertThat(HttpRequestHead.findHeadEnd(mixed, 0, mixed.length)).isEqualTo(mixed.length - 4);
    }

    @Test
    void fieldIsFoundInAnyCaseTrimmedAndTheLastOneWins() {
        byte[] b = ascii("GET /metrics HTTP/1.1\r\nHost: a\r\nACCEPT:  text/plain \r\n"
                + "accept: application/openmetrics-text\r\n\r\nGET /x HTTP/1.1\r\nAccept: later\r\n\r\n");
        int end = HttpRequestHead.findHeadEnd(b, 0, b.length);

        assertThat(HttpRequestHead.field(b, 0, end, "accept")).isEqualTo("application/openmetrics-text");
        assertThat(HttpRequestHead.field(b, 0, end, "host")).isEqualTo("a");
        assertThat(HttpRequestHead.field(b, 0, end, "user-agent")).isEmpty();
    }

    @Test
    void fieldOfAHeadWithoutFieldsIsEmpty() {
        byte[] b = ascii("GET / HTTP/1.0\n\n");
        assertThat(HttpRequestHead.field(b, 0, b.length, "accept")).isEmpty();
    }

    @Test
    void incompleteHeadHasNoEnd() {
        for (String partial : new String[] {"", "GET / HTTP/1.1", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\n\r"}) {
            byte[] b = ascii(partial);
            assertThat(HttpRequestHead.findHeadEnd(b, 0, b.length)).as(partial).isEqualTo(-1);
        }
    }

    @Test
    void headEndSearchStaysInsideItsRange() {
        byte[] b = ascii("xxGET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        int first = HttpRequestHead.findHeadEnd(b, 2, b.length);
        assertThat(first).isEqualTo(2 + "GET / HTTP/1.1\r\n\r\n".length());
        assertThat(HttpRequestHead.findHeadEnd(b, first, b.length)).isEqualTo(b.length);
        assertThat(HttpRequestHead.findHeadEnd(b, 2, first - 1)).isEqualTo(-1);
    }

    // ---- request line ------------------------------------------------------------------------------

    @Test
    void getWithQuerySplitsPathAndQuery() {
        assertThat(parse("GET /announce?info_hash=x&port=1 HTTP/1.1\r\nHost: t\r\n\r\n"))
                .isEqualTo(HttpRequestHead.OK);
        assertThat(head.head).isFalse();
        assertThat(path()).isEqualTo("/announce");
        assertThat(query()).isEqualTo("info_hash=x&port=1");
        assertThat(head.pathIs(src, "/announce")).isTrue();
        assertThat(head.pathIs(src, "/scrape")).isFalse();
    }

    @Test
    void headMethodIsFlagged() {
        assertThat(parse("HEAD /scrape HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(head.head).isTrue();
        assertThat(path()).isEqualTo("/scrape");
        assertThat(query()).isEmpty();
    }

    @Test
    void emptyQueryAfterQuestionMarkIsEmpty() {
        assertThat(parse("GET /announce? HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(path()).isEqualTo("/announce");
        assertThat(query()).isEmpty();
    }

    @Test
    void fragmentIsDropped() {
        assertThat(parse("GET /announce?a=1#frag HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(path()).isEqualTo("/announce");
        assertThat(query()).isEqualTo("a=1");
        assertThat(parse("GET /announce#frag?a=1 HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(path()).isEqualTo("/announce");
        assertThat(query()).isEmpty();
    }

    @Test
    void absoluteFormTargetYieldsPathAndQuery() {
        assertThat(parse("GET http://tracker.example:6969/announce?a=1 HTTP/1.1\r\n\r\n"))
                .isEqualTo(HttpRequestHead.OK);
        assertThat(path()).isEqualTo("/announce");
        assertThat(query()).isEqualTo("a=1");
    }

    @Test
    void absoluteFormWithoutPathHasAnEmptyPath() {
        assertThat(parse("GET http://tracker.example?a=1 HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(path()).isEmpty();
        assertThat(query()).isEqualTo("a=1");
        assertThat(parse("GET http://tracker.example HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(path()).isEmpty();
        assertThat(query()).isEmpty();
    }

    @Test
    void absoluteFormFragmentIsDroppedToo() {
        assertThat(parse("GET http://tracker.example/announce?a=1#f HTTP/1.1\r\n\r\n"))
                .isEqualTo(HttpRequestHead.OK);
        assertThat(query()).isEqualTo("a=1");
        assertThat(parse("GET http://tracker.example?a=1#f HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(path()).isEmpty();
        assertThat(query()).isEqualTo("a=1");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "* HTTP/1.1", // asterisk-form
                "announce HTTP/1.1", // neither origin- nor absolute-form
                "http:/x/announce HTTP/1.1", // one slash after the scheme
                " / HTTP/1.1", // two spaces: empty target
                "/", // HTTP/0.9: no version
                "/ HTTP/1", // short version
                "/ HTTP/1.10", // long version
                "/ http/1.1", // lower-case protocol name
                "/ HTTP/1,1", // no dot
                "/ HTTP/1.1 ", // trailing space: empty version
            })
    void malformedRequestLineIsABadRequest(String afterGet) {
        assertThat(parse("GET " + afterGet + "\r\n\r\n")).isEqualTo(HttpRequestHead.BAD_REQUEST);
    }

    @Test
    void http09RequestIsABadRequest() {
        assertThat(parse("GET /announce\r\n\r\n")).isEqualTo(HttpRequestHead.BAD_REQUEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.0"})
    void otherHttpVersionsAreNotSupported(String version) {
        assertThat(parse("GET / " + version + "\r\n\r\n")).isEqualTo(HttpRequestHead.VERSION_NOT_SUPPORTED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "OPTIONS", "get", "PRI", "CONNECT"})
    void otherMethodsAreNotAllowed(String method) {
        assertThat(parse(method + " / HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestHead.METHOD_NOT_ALLOWED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"G(T / HTTP/1.1", " GET / HTTP/1.1", "GET", "\u0016\u0003\u0001 / HTTP/1.1"})
    void methodThatIsNotATokenIsABadRequest(String line) {
        assertThat(parse(line + "\r\n\r\n")).isEqualTo(HttpRequestHead.BAD_REQUEST);
    }

    @Test
    void headWithoutAnyLineEndIsABadRequest() {
        assertThat(parse("GET / HTTP/1.1")).isEqualTo(HttpRequestHead.BAD_REQUEST);
    }

    @Test
    void requestLineUpToTheLimitIsAccepted() {
        String prefix = "GET /announce?x=";
        String suffix = " HTTP/1.1";
        String fill = "a".repeat(HttpRequestHead.MAX_REQUEST_LINE - prefix.length() - suffix.length());
        assertThat(parse(prefix + fill + suffix + "\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(parse(prefix + fill + "a" + suffix + "\r\n\r\n")).isEqualTo(HttpRequestHead.TOO_LARGE);
    }

    @Test
    void headAboveTheLimitIsTooLarge() {
        String line = "GET / HTTP/1.1\r\n";
        String field = "X-Pad: " + "p".repeat(HttpRequestHead.MAX_HEAD) + "\r\n";
        assertThat(parse(line + field + "\r\n")).isEqualTo(HttpRequestHead.TOO_LARGE);
    }

    // ---- keep-alive ---------------------------------------------------------------------------------

    @Test
    void http11KeepsAliveByDefaultAndHttp10DoesNot() {
        assertThat(parse("GET / HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(head.keepAlive).isTrue();
        assertThat(parse("GET / HTTP/1.0\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(head.keepAlive).isFalse();
    }

    @Test
    void connectionHeaderOverridesTheDefault() {
        assertThat(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(head.keepAlive).isFalse();
        assertThat(parse("GET / HTTP/1.0\r\nconnection: Keep-Alive\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(head.keepAlive).isTrue();
        assertThat(parse("GET / HTTP/1.1\r\nCONNECTION: TE, Close\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(head.keepAlive).isFalse();
        assertThat(parse("GET / HTTP/1.1\r\nConnection: upgrade\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(head.keepAlive).isTrue();
    }

    // ---- header fields --------------------------------------------------------------------------------

    @Test
    void realIpValueOffsetsAreTrimmed() {
        assertThat(parse("GET / HTTP/1.1\r\nX-Real-IP: \t 203.0.113.7 \t\r\n\r\n"))
                .isEqualTo(HttpRequestHead.OK);
        assertThat(text(head.realIpStart, head.realIpEnd)).isEqualTo("203.0.113.7");
        assertThat(head.forwardedForStart).isEqualTo(-1);
    }

    @Test
    void lastForwardedForFieldWins() {
        assertThat(parse("GET / HTTP/1.1\r\n"
                        + "X-Forwarded-For: 198.51.100.1, 10.0.0.1\r\n" // from the client: not trusted
                        + "Host: t\r\n"
                        + "x-forwarded-for: 203.0.113.9\r\n" // appended by our proxy
                        + "\r\n"))
                .isEqualTo(HttpRequestHead.OK);
        assertThat(text(head.forwardedForStart, head.forwardedForEnd)).isEqualTo("203.0.113.9");
        assertThat(head.realIpStart).isEqualTo(-1);
        assertThat(head.realIpEnd).isEqualTo(-1);
    }

    @Test
    void offsetsAreResetBetweenRequests() {
        assertThat(
                        parse(
                                "GET / HTTP/1.1\r\nX-Real-IP: 1.2.3.4\r\nX-Forwarded-For: 5.6.7.8\r\nContent-Length: 3\r\n\r\n"))
                .isEqualTo(HttpRequestHead.OK);
        assertThat(parse("HEAD / HTTP/1.0\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(head.realIpStart).isEqualTo(-1);
        assertThat(head.forwardedForStart).isEqualTo(-1);
        assertThat(head.hasBody).isFalse();
        assertThat(parse("GET / HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(head.head).isFalse();
    }

    @Test
    void bodiesAreFlagged() {
        assertThat(parse("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(head.hasBody).isTrue();
        assertThat(parse("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"))
                .isEqualTo(HttpRequestHead.OK);
        assertThat(head.hasBody).isTrue();
        assertThat(parse("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")).isEqualTo(HttpRequestHead.OK);
        assertThat(head.hasBody).isFalse();
    }

    @Test
    void sixtyFourHeaderFieldsAreAcceptedAndSixtyFiveAreTooMany() {
        StringBuilder h = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i < HttpRequestHead.MAX_HEADER_FIELDS; i++) {
            h.append("X-F").append(i).append(": v\r\n");
        }
        assertThat(parse(h + "\r\n")).isEqualTo(HttpRequestHead.OK);
        h.append("X-One-More: v\r\n");
        assertThat(parse(h + "\r\n")).isEqualTo(HttpRequestHead.TOO_LARGE);
    }

    @Test
    void obsoleteLineFoldingIsABadRequest() {
        assertThat(parse("GET / HTTP/1.1\r\nX-Real-IP: 1.2.3.4\r\n 5.6.7.8\r\n\r\n"))
                .isEqualTo(HttpRequestHead.BAD_REQUEST);
        assertThat(parse("GET / HTTP/1.1\r\nHost: a\r\n\tb\r\n\r\n")).isEqualTo(HttpRequestHead.BAD_REQUEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NoColon", ": empty-name", "Host : space-before-colon", "Bad(Name): x"})
    void malformedHeaderFieldIsABadRequest(String field) {
        assertThat(parse("GET / HTTP/1.1\r\n" + field + "\r\n\r\n")).isEqualTo(HttpRequestHead.BAD_REQUEST);
    }

    @Test
    void bareCrInsideAFieldIsABadRequest() {
        // One line to us; two lines ("X-Real-IP: 6.6.6.6" a field of its own) to a peer that splits on CR.
        assertThat(parse("GET / HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4\rX-Real-IP: 6.6.6.6\r\n\r\n"))
                .isEqualTo(HttpRequestHead.BAD_REQUEST);
        assertThat(parse("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n")).isEqualTo(HttpRequestHead.BAD_REQUEST);
    }

    @Test
    void nulInsideAFieldIsABadRequest() {
        assertThat(parse("GET / HTTP/1.1\r\nX-Real-IP: 1.2.3.4\u0000\r\n\r\n")).isEqualTo(HttpRequestHead.BAD_REQUEST);
    }

    @Test
    void bareCrOrNulInTheRequestLineIsABadRequest() {
        assertThat(parse("GET /announce\r?a=1 HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestHead.BAD_REQUEST);
        assertThat(parse("GET /announce?a=\u00001 HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestHead.BAD_REQUEST);
    }

    @Test
    void bareLfLineEndsAreAccepted() {
        assertThat(parse("GET /announce?a=1 HTTP/1.0\nConnection: keep-alive\nX-Real-IP: ::1\n\n"))
                .isEqualTo(HttpRequestHead.OK);
        assertThat(query()).isEqualTo("a=1");
        assertThat(head.keepAlive).isTrue();
        assertThat(text(head.realIpStart, head.realIpEnd)).isEqualTo("::1");
    }

    @Test
    void headWithoutTheBlankLineStillParses() {
        assertThat(parse("GET / HTTP/1.1\r\nHost: a\r\n")).isEqualTo(HttpRequestHead.OK);
    }

    @Test
    void headInsideALargerBufferParsesAtItsOffsets() {
        byte[] b = ascii("garbageGET /scrape?info_hash=x HTTP/1.1\r\nX-Real-IP: 1.1.1.1\r\n\r\ntrailing");
        int start = "garbage".length();
        int end = HttpRequestHead.findHeadEnd(b, start, b.length);
        src = b;
        assertThat(head.parse(b, start, end)).isEqualTo(HttpRequestHead.OK);
        assertThat(path()).isEqualTo("/scrape");
        assertThat(query()).isEqualTo("info_hash=x");
        assertThat(text(head.realIpStart, head.realIpEnd)).isEqualTo("1.1.1.1");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private int parse(String text) {
        src = ascii(text);
        return head.parse(src, 0, src.length);
    }

    private String path() {
        return text(head.pathStart, head.pathEnd);
    }

    private String query() {
        return text(head.queryStart, head.queryEnd);
    }

    private String text(int start, int end) {
        return new String(src, start, end - start, StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
