package org.retracker.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;

class QueryParserTest {
    /** info_hash 0x00..0x13: every byte percent-encoded. */
    private static final byte[] HASH = sequence(0x00, 20);
    /** peer_id 0xEC..0xFF: high bytes, percent-encoded. */
    private static final byte[] PEER = sequence(0xEC, 20);

    private final QueryParser parser = new QueryParser();
    private final AnnounceRequest request = new AnnounceRequest();
    private final ScrapeRequest scrape = new ScrapeRequest(8);

    // ---- announce: the happy path ----------------------------------------------------------------

    @Test
    void announceWithEveryParameterFillsEveryField() {
        String query = "info_hash=" + pct(HASH) // 20 bytes, all escaped
                + "&peer_id=" + pct(PEER) // 20 bytes, all escaped
                + "&port=6881" // listen port
                + "&uploaded=1234" // bytes sent
                + "&downloaded=5678" // bytes received
                + "&left=9999999999" // bytes still wanted (above 2^32)
                + "&numwant=80" // peers wanted
                + "&event=started" // first announce
                + "&compact=1" // BEP 23
                + "&no_peer_id=1" // BEP 3 hint
                + "&ip=10.1.2.3" // claimed address
                + "&key=abcd&trackerid=x&supportcrypto=1&corrupt=0"; // accepted and ignored

        assertThat(announce(query)).isNull();
        assertThat(request.infoHash).containsExactly(HASH);
        assertThat(request.peerId).containsExactly(PEER);
        assertThat(request.port).isEqualTo(6881);
        assertThat(request.uploaded).isEqualTo(1234);
        assertThat(request.downloaded).isEqualTo(5678);
        assertThat(request.left).isEqualTo(9_999_999_999L);
        assertThat(request.numWant).isEqualTo(80);
        assertThat(request.event).isEqualTo(AnnounceEvent.STARTED);
        assertThat(request.compact).isTrue();
        assertThat(request.noPeerId).isTrue();
        assertThat(request.claimedAddressLength).isEqualTo(4);
        assertThat(request.claimedAddress).startsWith(10, 1, 2, 3);
    }

    @Test
    void announceWithOnlyRequiredParametersGetsDefaults() {
        assertThat(announce(minimal())).isNull();
        assertThat(request.left).isEqualTo(AnnounceRequest.LEFT_UNKNOWN);
        assertThat(request.isSeeder()).isFalse();
        assertThat(request.uploaded).isZero();
        assertThat(request.downloaded).isZero();
        assertThat(request.numWant).isEqualTo(AnnounceRequest.NUMWANT_DEFAULT);
        assertThat(request.event).isEqualTo(AnnounceEvent.NONE);
        assertThat(request.compact).isFalse();
        assertThat(request.noPeerId).isFalse();
        assertThat(request.claimedAddressLength).isZero();
    }

    @Test
    void everyByteValuePercentEncodedDecodesToItself() {
        for (int first = 0; first < 256; first += 20) {
            byte[] hash = sequence(first, 20); // wraps past 0xFF
            byte[] peer = sequence(255 - first, 20);
            assertThat(announce("info_hash=" + pct(hash) + "&peer_id=" + pct(peer) + "&port=1"))
                    .isNull();
            assertThat(request.infoHash).containsExactly(hash);
            assertThat(request.peerId).containsExactly(peer);
        }
    }

    @Test
    void lowerAndMixedCaseHexDecodeAlike() {
        byte[] hash = sequence(0xA0, 20);
        String upper = pct(hash);
        String lower = upper.toLowerCase(java.util.Locale.ROOT);
        StringBuilder mixed = new StringBuilder();
        for (int i = 0; i < upper.length(); i++) {
            char c = upper.charAt(i);
            mixed.append(i % 2 == 0 ? c : Character.toLowerCase(c));
        }
        for (String encoded : new String[] {upper, lower, mixed.toString()}) {
            assertThat(announce("info_hash=" + encoded + "&peer_id=" + pct(PEER) + "&port=1"))
                    .isNull();
            assertThat(request.infoHash).containsExactly(hash);
        }
    }

    @Test
    void rawUnreservedBytesArePassedThrough() {
        String raw = "AZaz09-._~AZaz09-._~"; // RFC 3986 unreserved, 20 bytes, no escapes
        assertThat(announce("info_hash=" + raw + "&peer_id=-qB4650-abcdefghijkl&port=1"))
                .isNull();
        assertThat(request.infoHash).containsExactly(ascii(raw));
        assertThat(request.peerId).containsExactly(ascii("-qB4650-abcdefghijkl"));
    }

    @Test
    void rawAndEscapedBytesMix() {
        // "-TR2940-" raw, then 12 bytes escaped: how Transmission sends its peer_id
        byte[] expected = new byte[20];
        System.arraycopy(ascii("-TR2940-"), 0, expected, 0, 8);
        for (int i = 8; i < 20; i++) {
            expected[i] = (byte) (0xF0 + i - 8);
        }
        String peer = "-TR2940-" + pct(java.util.Arrays.copyOfRange(expected, 8, 20));
        assertThat(announce("info_hash=" + pct(HASH) + "&peer_id=" + peer + "&port=1"))
                .isNull();
        assertThat(request.peerId).containsExactly(expected);
    }

    @Test
    void plusDecodesToSpaceAndEscapedPlusToPlus() {
        // 18 raw 'a', one '+', one "%2B"
        assertThat(announce("info_hash=aaaaaaaaaaaaaaaaaa+%2B&peer_id=" + pct(PEER) + "&port=1"))
                .isNull();
        assertThat(request.infoHash[18]).isEqualTo((byte) ' ');
        assertThat(request.infoHash[19]).isEqualTo((byte) '+');
    }

    @Test
    void percentEncodedParameterNamesAreRecognised() {
        assertThat(announce("info%5Fhash=" + pct(HASH) + "&peer%5fid=" + pct(PEER) + "&p%6Frt=7"))
                .isNull();
        assertThat(request.port).isEqualTo(7);
    }

    @Test
    void parsesOnlyTheGivenRangeOfTheArray() {
        byte[] line = ascii("GET /announce?" + minimal() + "&port=99 HTTP/1.1");
        int start = "GET /announce?".length();
        int end = start + minimal().length();
        assertThat(parser.parseAnnounce(line, start, end, request)).isNull();
        assertThat(request.port).isEqualTo(1);
    }

    @Test
    void emptyPairsAreSkipped() {
        assertThat(announce("&&" + minimal().replace("&", "&&&") + "&")).isNull();
    }

    @Test
    void unknownLongParameterNamesAreIgnored() {
        assertThat(announce(minimal() + "&a_parameter_name_longer_than_any_we_know=%41"))
                .isNull();
    }

    @Test
    void aSecondAnnounceDoesNotInheritFieldsOfTheFirst() {
        assertThat(announce(minimal() + "&compact=1&numwant=5&event=stopped&left=0&ip=1.2.3.4&no_peer_id=1"))
                .isNull();
        assertThat(announce(minimal())).isNull();
        assertThat(request.compact).isFalse();
        assertThat(request.numWant).isEqualTo(AnnounceRequest.NUMWANT_DEFAULT);
        assertThat(request.event).isEqualTo(AnnounceEvent.NONE);
        assertThat(request.left).isEqualTo(AnnounceRequest.LEFT_UNKNOWN);
        assertThat(request.claimedAddressLength).isZero();
        assertThat(request.noPeerId).isFalse();
    }

    // ---- info_hash and peer_id --------------------------------------------------------------------

    @Test
    void announceWithoutInfoHashIsRefused() {
        assertThat(announce("peer_id=" + pct(PEER) + "&port=1")).isEqualTo(FailureReason.MISSING_INFO_HASH);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 19, 21, 40, 64, 65, 300})
    void infoHashOfWrongLengthIsRefused(int length) {
        assertThat(announce("info_hash=" + pct(sequence(0x30, length)) + "&peer_id=" + pct(PEER) + "&port=1"))
                .isEqualTo(FailureReason.INVALID_INFO_HASH);
    }

    @Test
    void infoHashWithoutEqualsSignIsInvalid() {
        assertThat(announce("info_hash&peer_id=" + pct(PEER) + "&port=1")).isEqualTo(FailureReason.INVALID_INFO_HASH);
    }

    @Test
    void duplicateInfoHashIsRefused() {
        assertThat(announce(minimal() + "&info_hash=" + pct(HASH))).isEqualTo(FailureReason.DUPLICATE_INFO_HASH);
    }

    @Test
    void announceWithoutPeerIdIsRefused() {
        assertThat(announce("info_hash=" + pct(HASH) + "&port=1")).isEqualTo(FailureReason.MISSING_PEER_ID);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 19, 21, 100})
    void peerIdOfWrongLengthIsRefused(int length) {
        assertThat(announce("info_hash=" + pct(HASH) + "&peer_id=" + pct(sequence(1, length)) + "&port=1"))
                .isEqualTo(FailureReason.INVALID_PEER_ID);
    }

    // ---- port -------------------------------------------------------------------------------------

    @Test
    void announceWithoutPortIsRefused() {
        assertThat(announce("info_hash=" + pct(HASH) + "&peer_id=" + pct(PEER))).isEqualTo(FailureReason.MISSING_PORT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65536", "-1", "abc", "", "6881x", "+6881", "%36881", "99999999999999999999"})
    void portOutsideOneTo65535OrNotANumberIsRefused(String port) {
        assertThat(announce(base() + "&port=" + port)).isEqualTo(FailureReason.INVALID_PORT);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 80, 6881, 65535})
    void portsOneTo65535AreAccepted(int port) {
        assertThat(announce(base() + "&port=" + port)).isNull();
        assertThat(request.port).isEqualTo(port);
    }

    @Test
    void portWithLeadingZerosIsItsValue() {
        assertThat(announce(base() + "&port=006881")).isNull();
        assertThat(request.port).isEqualTo(6881);
    }

    // ---- uploaded, downloaded, left ----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "1.5", "", "1e3", "9223372036854775808", "99999999999999999999", "%31"})
    void garbageOrOverflowInCountersIsRefused(String value) {
        assertThat(announce(minimal() + "&uploaded=" + value)).isEqualTo(FailureReason.INVALID_UPLOADED);
        assertThat(announce(minimal() + "&downloaded=" + value)).isEqualTo(FailureReason.INVALID_DOWNLOADED);
        assertThat(announce(minimal() + "&left=" + value)).isEqualTo(FailureReason.INVALID_LEFT);
    }

    @Test
    void countersUpToLongMaxAreAccepted() {
        String max = Long.toString(Long.MAX_VALUE);
        assertThat(announce(minimal() + "&uploaded=" + max + "&downloaded=" + max + "&left=" + max))
                .isNull();
        assertThat(request.uploaded).isEqualTo(Long.MAX_VALUE);
        assertThat(request.downloaded).isEqualTo(Long.MAX_VALUE);
        assertThat(request.left).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void leftZeroMakesASeeder() {
        assertThat(announce(minimal() + "&left=0")).isNull();
        assertThat(request.isSeeder()).isTrue();
    }

    // ---- numwant ----------------------------------------------------------------------------------

    @Test
    void numwantMinusOneMeansDefault() {
        assertThat(announce(minimal() + "&numwant=-1")).isNull();
        assertThat(request.numWant).isEqualTo(AnnounceRequest.NUMWANT_DEFAULT);
    }

    @Test
    void numwantZeroIsKept() {
        assertThat(announce(minimal() + "&numwant=0")).isNull();
        assertThat(request.numWant).isZero();
    }

    @Test
    void numwantAboveIntRangeIsClampedToIntMax() {
        assertThat(announce(minimal() + "&numwant=99999999999")).isNull();
        assertThat(request.numWant).isEqualTo(Integer.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-2", "-", "", "1.0", "-10", "99999999999999999999"})
    void garbageNumwantIsRefused(String value) {
        assertThat(announce(minimal() + "&numwant=" + value)).isEqualTo(FailureReason.INVALID_NUMWANT);
    }

    // ---- event ------------------------------------------------------------------------------------

    @Test
    void eventsMapToTheirValues() {
        assertThat(announce(minimal() + "&event=started")).isNull();
        assertThat(request.event).isEqualTo(AnnounceEvent.STARTED);
        assertThat(announce(minimal() + "&event=stopped")).isNull();
        assertThat(request.event).isEqualTo(AnnounceEvent.STOPPED);
        assertThat(announce(minimal() + "&event=completed")).isNull();
        assertThat(request.event).isEqualTo(AnnounceEvent.COMPLETED);
        assertThat(announce(minimal() + "&event=")).isNull();
        assertThat(request.event).isEqualTo(AnnounceEvent.NONE);
        assertThat(announce(minimal() + "&event=st%61rted")).isNull();
        assertThat(request.event).isEqualTo(AnnounceEvent.STARTED);
    }

    @Test
    void pausedEventIsARegularAnnounce() {
        assertThat(announce(minimal() + "&event=paused")).isNull();
        assertThat(request.event).isEqualTo(AnnounceEvent.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"start", "STARTED", "update", "started%20", "%zz", "completedcompletedcompleted"})
    void unknownEventIsRefused(String value) {
        assertThat(announce(minimal() + "&event=" + value)).isEqualTo(FailureReason.INVALID_EVENT);
    }

    // ---- compact, no_peer_id, ip -------------------------------------------------------------------

    @Test
    void compactZeroAndOneAreAccepted() {
        assertThat(announce(minimal() + "&compact=0")).isNull();
        assertThat(request.compact).isFalse();
        assertThat(announce(minimal() + "&compact=1")).isNull();
        assertThat(request.compact).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "yes", "", "-1", "true"})
    void compactOtherThanZeroOrOneIsRefused(String value) {
        assertThat(announce(minimal() + "&compact=" + value)).isEqualTo(FailureReason.INVALID_COMPACT);
    }

    @Test
    void noPeerIdZeroMeansSendIds() {
        assertThat(announce(minimal() + "&no_peer_id=0")).isNull();
        assertThat(request.noPeerId).isFalse();
        assertThat(announce(minimal() + "&no_peer_id=1")).isNull();
        assertThat(request.noPeerId).isTrue();
    }

    @Test
    void ipv6ClaimInBracketsIsParsed() {
        assertThat(announce(minimal() + "&ip=%5B2001%3Adb8%3A%3A1%5D")).isNull();
        assertThat(request.claimedAddressLength).isEqualTo(16);
        assertThat(request.claimedAddress).containsExactly(HexFormat.of().parseHex("20010db8000000000000000000000001"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "example.com", "1.2.3", "999.1.1.1", "%zz", "::g", "1.2.3.4.5"})
    void garbageIpIsIgnored(String value) {
        assertThat(announce(minimal() + "&ip=" + value)).isNull();
        assertThat(request.claimedAddressLength).isZero();
    }

    @Test
    void ipLongerThanAnyAddressIsIgnored() {
        assertThat(announce(minimal() + "&ip=" + "1".repeat(100))).isNull();
        assertThat(request.claimedAddressLength).isZero();
    }

    // ---- escapes and limits ---------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"%4", "%", "%zz", "%g0", "%0g"})
    void malformedEscapeInInfoHashIsRefused(String escape) {
        String hash = pct(sequence(0, 19)) + escape;
        assertThat(announce("info_hash=" + hash + "&peer_id=" + pct(PEER) + "&port=1"))
                .isEqualTo(FailureReason.MALFORMED_QUERY);
    }

    @Test
    void malformedEscapeAtTheVeryEndIsRefused() {
        assertThat(announce(base() + "&port=1&x=%4")).isNull(); // an ignored value is not decoded
        assertThat(announce(base() + "&port=1&%4")).isEqualTo(FailureReason.MALFORMED_QUERY);
        assertThat(announce("peer_id=" + pct(PEER) + "&port=1&info_hash=" + pct(sequence(0, 19)) + "%4"))
                .isEqualTo(FailureReason.MALFORMED_QUERY);
    }

    @Test
    void malformedEscapeInPeerIdIsRefused() {
        assertThat(announce("info_hash=" + pct(HASH) + "&peer_id=%zz" + "a".repeat(19) + "&port=1"))
                .isEqualTo(FailureReason.MALFORMED_QUERY);
    }

    @Test
    void malformedEscapeInAParameterNameIsRefused() {
        assertThat(announce(minimal() + "&k%zzey=1")).isEqualTo(FailureReason.MALFORMED_QUERY);
    }

    @Test
    void sixtyFourParametersAreAcceptedAndSixtyFiveAreTooMany() {
        StringBuilder q = new StringBuilder(minimal()); // 3 parameters
        for (int i = 3; i < QueryParser.MAX_PARAMETERS; i++) {
            q.append("&x").append(i).append("=1");
        }
        assertThat(announce(q.toString())).isNull();
        q.append("&one=more");
        assertThat(announce(q.toString())).isEqualTo(FailureReason.TOO_MANY_PARAMETERS);
    }

    // ---- scrape -----------------------------------------------------------------------------------

    @Test
    void scrapeWithSeveralHashesKeepsThemInOrder() {
        byte[] a = sequence(0x10, 20);
        byte[] b = sequence(0xF0, 20);
        byte[] c = ascii("abcdefghijklmnopqrst");
        String query = "info_hash=" + pct(a) // first hash, escaped
                + "&info_hash=" + pct(b) // second hash, escaped
                + "&info_hash=abcdefghijklmnopqrst" // third hash, raw
                + "&info_hash=" + pct(a); // the first again: kept, the encoder de-duplicates
        assertThat(scrape(query, 8)).isNull();
        assertThat(scrape.count).isEqualTo(4);
        assertThat(java.util.Arrays.copyOfRange(scrape.infoHashes, 0, 20)).containsExactly(a);
        assertThat(java.util.Arrays.copyOfRange(scrape.infoHashes, 20, 40)).containsExactly(b);
        assertThat(java.util.Arrays.copyOfRange(scrape.infoHashes, 40, 60)).containsExactly(c);
        assertThat(java.util.Arrays.copyOfRange(scrape.infoHashes, 60, 80)).containsExactly(a);
    }

    @Test
    void scrapeIgnoresOtherParameters() {
        assertThat(scrape("peer_id=x&info_hash=" + pct(HASH) + "&foo=%zz&a_very_long_parameter_name=1", 8))
                .isNull();
        assertThat(scrape.count).isEqualTo(1);
    }

    @Test
    void scrapeWithMoreHashesThanTheLimitIsRefused() {
        String three = "info_hash=" + pct(HASH) + "&info_hash=" + pct(PEER) + "&info_hash=" + pct(HASH);
        assertThat(scrape(three, 3)).isNull();
        assertThat(scrape(three + "&info_hash=" + pct(PEER), 3)).isEqualTo(FailureReason.TOO_MANY_INFO_HASHES);
    }

    @Test
    void scrapeLimitIsAlsoTheRequestCapacity() {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < scrape.capacity() + 1; i++) {
            q.append("&info_hash=").append(pct(sequence(i, 20)));
        }
        assertThat(scrape(q.toString(), 1000)).isEqualTo(FailureReason.TOO_MANY_INFO_HASHES);
    }

    @Test
    void scrapeWithManyIgnoredParametersIsTooMany() {
        StringBuilder q = new StringBuilder("info_hash=" + pct(HASH));
        for (int i = 0; i < QueryParser.MAX_PARAMETERS; i++) {
            q.append("&x=").append(i);
        }
        assertThat(scrape(q.toString(), 8)).isEqualTo(FailureReason.TOO_MANY_PARAMETERS);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 19, 21, 65})
    void scrapeHashOfWrongLengthIsRefused(int length) {
        assertThat(scrape("info_hash=" + pct(HASH) + "&info_hash=" + pct(sequence(0, length)), 8))
                .isEqualTo(FailureReason.INVALID_INFO_HASH);
    }

    @Test
    void scrapeWithoutHashesIsRefused() {
        assertThat(scrape("", 8)).isEqualTo(FailureReason.MISSING_INFO_HASH);
        assertThat(scrape("foo=bar&&", 8)).isEqualTo(FailureReason.MISSING_INFO_HASH);
    }

    @Test
    void scrapeWithMalformedEscapeIsRefused() {
        assertThat(scrape("info_hash=%4", 8)).isEqualTo(FailureReason.MALFORMED_QUERY);
        assertThat(scrape("info_hash=" + pct(HASH) + "&%zz=1", 8)).isEqualTo(FailureReason.MALFORMED_QUERY);
    }

    @Test
    void aSecondScrapeStartsFromZero() {
        assertThat(scrape("info_hash=" + pct(HASH) + "&info_hash=" + pct(PEER), 8))
                .isNull();
        assertThat(scrape("info_hash=" + pct(PEER), 8)).isNull();
        assertThat(scrape.count).isEqualTo(1);
    }

    // ---- decode helpers directly ----------------------------------------------------------------------

    @Test
    void decodeReportsTooLongButStillFindsMalformedEscapes() {
        byte[] dst = new byte[4];
        assertThat(QueryParser.decode(ascii("abcd"), 0, 4, dst)).isEqualTo(4);
        assertThat(QueryParser.decode(ascii("abcde"), 0, 5, dst)).isEqualTo(QueryParser.TOO_LONG);
        assertThat(QueryParser.decode(ascii("abcde%z"), 0, 7, dst)).isEqualTo(QueryParser.MALFORMED);
    }

    @Test
    void parseUnsignedAcceptsExactlyTheDecimalsOfLongRange() {
        assertThat(QueryParser.parseUnsigned(ascii("0"), 0, 1)).isZero();
        assertThat(QueryParser.parseUnsigned(ascii("9223372036854775807"), 0, 19))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(QueryParser.parseUnsigned(ascii("9223372036854775808"), 0, 19))
                .isEqualTo(-1);
        assertThat(QueryParser.parseUnsigned(ascii("00000000000000000001"), 0, 20))
                .isEqualTo(-1); // more than 19 characters
        assertThat(QueryParser.parseUnsigned(ascii(""), 0, 0)).isEqualTo(-1);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private @Nullable FailureReason announce(String query) {
        byte[] bytes = ascii(query);
        return parser.parseAnnounce(bytes, 0, bytes.length, request);
    }

    private @Nullable FailureReason scrape(String query, int maxHashes) {
        byte[] bytes = ascii(query);
        return parser.parseScrape(bytes, 0, bytes.length, scrape, maxHashes);
    }

    /** info_hash and peer_id, no port. */
    private static String base() {
        return "info_hash=" + pct(HASH) + "&peer_id=" + pct(PEER);
    }

    /** The three required parameters. */
    private static String minimal() {
        return base() + "&port=1";
    }

    static byte[] sequence(int first, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    /** Percent-encodes every byte, upper-case hex. */
    static String pct(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            sb.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
        }
        return sb.toString();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
