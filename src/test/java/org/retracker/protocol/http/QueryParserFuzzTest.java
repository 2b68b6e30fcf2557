package org.retracker.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;

/**
 * Jazzer target for the query parser. Any bytes must give a result, never an exception, and a
 * successful parse must be within bounds and survive a round trip: re-encoding what was parsed
 * (every byte percent-encoded) and parsing it again gives the same fields.
 *
 * <p>Regression mode (the default) replays {@code QueryParserFuzzTestInputs/}; {@code JAZZER_FUZZ=1}
 * fuzzes.
 */
class QueryParserFuzzTest {
    private static final int MAX_HASHES = 74;

    private final QueryParser parser = new QueryParser();
    private final AnnounceRequest announce = new AnnounceRequest();
    private final AnnounceRequest again = new AnnounceRequest();
    private final ScrapeRequest scrape = new ScrapeRequest(MAX_HASHES);
    private final ScrapeRequest scrapeAgain = new ScrapeRequest(MAX_HASHES);

    @FuzzTest(maxDuration = "60s")
    void parseAnnounceAndScrape(byte[] query) {
        // Parse a range in the middle of a larger array: nothing outside it may be read.
        byte[] padded = new byte[query.length + 2];
        padded[0] = '&';
        System.arraycopy(query, 0, padded, 1, query.length);
        padded[padded.length - 1] = '%';

        FailureReason announceResult = parser.parseAnnounce(padded, 1, padded.length - 1, announce);
        if (announceResult == null) {
            checkAnnounce();
        }
        FailureReason scrapeResult = parser.parseScrape(padded, 1, padded.length - 1, scrape, MAX_HASHES);
        if (scrapeResult == null) {
            assertThat(scrape.count).isBetween(1, MAX_HASHES);
            byte[] encoded = ascii(scrapeQuery(scrape));
            assertThat(parser.parseScrape(encoded, 0, encoded.length, scrapeAgain, MAX_HASHES))
                    .isNull();
            assertThat(scrapeAgain.count).isEqualTo(scrape.count);
            assertThat(Arrays.copyOf(scrapeAgain.infoHashes, scrape.count * 20))
                    .isEqualTo(Arrays.copyOf(scrape.infoHashes, scrape.count * 20));
        } else {
            assertThat(scrapeResult)
                    .isIn(
                            FailureReason.MISSING_INFO_HASH,
                            FailureReason.INVALID_INFO_HASH,
                            FailureReason.TOO_MANY_INFO_HASHES,
                            FailureReason.TOO_MANY_PARAMETERS,
                            FailureReason.MALFORMED_QUERY);
        }
    }

    private void checkAnnounce() {
        assertThat(announce.port).isBetween(1, 65535);
        assertThat(announce.uploaded).isNotNegative();
        assertThat(announce.downloaded).isNotNegative();
        assertThat(announce.left).isGreaterThanOrEqualTo(AnnounceRequest.LEFT_UNKNOWN);
        assertThat(announce.numWant).isGreaterThanOrEqualTo(AnnounceRequest.NUMWANT_DEFAULT);
        assertThat(announce.claimedAddressLength).isIn(0, 4, 16);
        assertThat(announce.addressLength).isZero(); // the transport's job

        byte[] encoded = ascii(announceQuery(announce));
        assertThat(parser.parseAnnounce(encoded, 0, encoded.length, again)).isNull();
        assertThat(again.infoHash).isEqualTo(announce.infoHash);
        assertThat(again.peerId).isEqualTo(announce.peerId);
        assertThat(again.port).isEqualTo(announce.port);
        assertThat(again.uploaded).isEqualTo(announce.uploaded);
        assertThat(again.downloaded).isEqualTo(announce.downloaded);
        assertThat(again.left).isEqualTo(announce.left);
        assertThat(again.numWant).isEqualTo(announce.numWant);
        assertThat(again.event).isEqualTo(announce.event);
        assertThat(again.compact).isEqualTo(announce.compact);
        assertThat(again.noPeerId).isEqualTo(announce.noPeerId);
        assertThat(again.claimedAddressLength).isEqualTo(announce.claimedAddressLength);
        assertThat(Arrays.copyOf(again.claimedAddress, again.claimedAddressLength))
                .isEqualTo(Arrays.copyOf(announce.claimedAddress, announce.claimedAddressLength));
    }

    /** The query a well-behaved client would send for {@code r}, every id byte escaped. */
    static String announceQuery(AnnounceRequest r) {
        StringBuilder q = new StringBuilder();
        q.append("info_hash=").append(QueryParserTest.pct(r.infoHash));
        q.append("&peer_id=").append(QueryParserTest.pct(r.peerId));
        q.append("&port=").append(r.port);
        q.append("&uploaded=").append(r.uploaded);
        q.append("&downloaded=").append(r.downloaded);
        if (r.left != AnnounceRequest.LEFT_UNKNOWN) {
            q.append("&left=").append(r.left);
        }
        q.append("&numwant=").append(r.numWant);
        q.append("&event=")
                .append(
                        switch (r.event) {
                            case NONE -> "";
                            case STARTED -> "started";
                            case STOPPED -> "stopped";
                            case COMPLETED -> "completed";
                        });
        q.append("&compact=").append(r.compact ? 1 : 0);
        q.append("&no_peer_id=").append(r.noPeerId ? 1 : 0);
        if (r.claimedAddressLength != 0) {
            try {
                byte[] raw = Arrays.copyOf(r.claimedAddress, r.claimedAddressLength);
                q.append("&ip=").append(java.net.InetAddress.getByAddress(raw).getHostAddress());
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        return q.toString();
    }

    private static String scrapeQuery(ScrapeRequest r) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < r.count; i++) {
            q.append("&info_hash=").append(QueryParserTest.pct(Arrays.copyOfRange(r.infoHashes, i * 20, i * 20 + 20)));
        }
        return q.toString();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
