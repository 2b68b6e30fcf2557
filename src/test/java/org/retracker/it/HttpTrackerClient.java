package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * An HTTP tracker client bound to one loopback address: each call opens a connection, sends one
 * {@code GET} with {@code Connection: close} and reads the reply. {@link #connect} gives a
 * keep-alive connection instead.
 */
final class HttpTrackerClient {
    private final InetSocketAddress server;
    private final InetAddress bind;

    HttpTrackerClient(InetSocketAddress server, InetAddress bind) {
        this.server = server;
        this.bind = bind;
    }

    HttpConnection connect() {
        return HttpConnection.open(server, bind);
    }

    /** One request on its own connection; {@code extraHeaders} are whole header lines. */
    HttpReply get(String target, String... extraHeaders) {
        String[] headers = new String[extraHeaders.length + 1];
        System.arraycopy(extraHeaders, 0, headers, 0, extraHeaders.length);
        headers[extraHeaders.length] = "Connection: close";
        try (HttpConnection c = connect()) {
            return c.get(target, headers);
        }
    }

    /** Announces and checks the reply is a 200 without {@code failure reason}. */
    HttpAnnounceReply announce(Announce a, String... extraHeaders) {
        HttpReply reply = get(a.httpTarget(), extraHeaders);
        assertThat(reply.status()).as("HTTP status").isEqualTo(200);
        assertThat(reply.failureReason()).as("failure reason").isNull();
        return new HttpAnnounceReply(reply.dict());
    }

    /** Announces and returns the {@code failure reason} of the 200 reply, failing if there is none. */
    String announceFailure(Announce a, String... extraHeaders) {
        return failure(get(a.httpTarget(), extraHeaders));
    }

    /** Scrapes {@code hashes} and returns the counts by hash. */
    Map<String, ScrapeCounts> scrape(byte[]... hashes) {
        HttpReply reply = get(scrapeTarget(hashes));
        assertThat(reply.status()).as("HTTP status").isEqualTo(200);
        assertThat(reply.failureReason()).as("failure reason").isNull();
        Map<String, Object> files = Bdecode.dict(reply.dict(), "files");
        Map<String, ScrapeCounts> out = new HashMap<>();
        for (String key : files.keySet()) {
            Map<String, Object> f = Bdecode.dict(files, key);
            out.put(
                    key,
                    new ScrapeCounts((int) Bdecode.number(f, "complete"), (int) Bdecode.number(f, "downloaded"), (int)
                            Bdecode.number(f, "incomplete")));
        }
        return out;
    }

    /** The counts of one hash. */
    ScrapeCounts scrapeOne(byte[] hash) {
        ScrapeCounts c = scrape(hash).get(Bdecode.key(hash));
        assertThat(c).as("scrape entry").isNotNull();
        return c;
    }

    static String scrapeTarget(byte[]... hashes) {
        StringBuilder sb = new StringBuilder("/scrape");
        char sep = '?';
        for (byte[] h : hashes) {
            sb.append(sep).append("info_hash=").append(Announce.percentEncode(h));
            sep = '&';
        }
        return sb.toString();
    }

    static String failure(HttpReply reply) {
        assertThat(reply.status()).as("HTTP status of a tracker error").isEqualTo(200);
        String reason = reply.failureReason();
        assertThat(reason).as("failure reason in " + reply.text()).isNotNull();
        return reason;
    }
}
