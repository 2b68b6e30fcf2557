package org.retracker.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.retracker.protocol.AnnounceEvent;

class AnnounceQueryTest {
    private static final UpstreamAnnounce ANNOUNCE =
            new UpstreamAnnounce(new byte[20], filled((byte) 'a'), 51413, 1, 2, 0, AnnounceEvent.COMPLETED, 200);

    @Test
    void everyByteThatIsNotUnreservedIsPercentEncodedInUpperCase() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        StringBuilder s = new StringBuilder();
        AnnounceQuery.percentEncode(all, s);
        String encoded = s.toString();
        assertThat(encoded).matches("[A-Za-z0-9\\-._~%]*").doesNotContain("%2D", "%2E", "%5F", "%7E", "%41");
        assertThat(encoded)
                .startsWith("%00%01%02")
                .contains("%1F%20%21", "%25", "%26", "%2B", "%2C-.%2F0123456789%3A", "%3D")
                .contains("%40ABCDEFGHIJKLMNOPQRSTUVWXYZ%5B", "%5E_%60abc", "xyz%7B%7C%7D~%7F%80")
                .endsWith("%FE%FF");
        assertThat(encoded).hasSize(66 + (256 - 66) * 3); // 66 unreserved characters stay as they are
    }

    @Test
    void theUrisQueryIsKeptAndTheParametersFollowIt() {
        String target = new AnnounceQuery(URI.create("http://t.example/ann?pk=a%2Fb&x"), null).target(ANNOUNCE);
        assertThat(target)
                .isEqualTo("/ann?pk=a%2Fb&x&info_hash=%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00"
                        + "&peer_id=aaaaaaaaaaaaaaaaaaaa&port=51413&uploaded=1&downloaded=2&left=0&compact=1"
                        + "&numwant=200&event=completed");
    }

    @Test
    void aQueryEndingInAnAmpersandOrEmptyGetsNoExtraSeparator() {
        assertThat(new AnnounceQuery(URI.create("http://t.example/ann?pk=1&"), null).target(ANNOUNCE))
                .startsWith("/ann?pk=1&info_hash=");
        assertThat(new AnnounceQuery(URI.create("http://t.example/ann?"), null).target(ANNOUNCE))
                .startsWith("/ann?info_hash=");
        assertThat(new AnnounceQuery(URI.create("http://t.example"), null).target(ANNOUNCE))
                .startsWith("/?info_hash=");
    }

    @Test
    void nonAsciiInThePathIsSentAsUtf8Escapes() {
        assertThat(new AnnounceQuery(URI.create("http://t.example/\u00e9?k=\u00fc"), null).target(ANNOUNCE))
                .startsWith("/%C3%A9?k=%C3%BC&info_hash=");
    }

    @Test
    void theConfiguredIpComesLast() throws Exception {
        assertThat(new AnnounceQuery(URI.create("http://t.example/a"), InetAddress.getByName("198.51.100.4"))
                        .target(ANNOUNCE))
                .endsWith("&event=completed&ip=198.51.100.4");
    }

    private static byte[] filled(byte b) {
        byte[] out = new byte[20];
        java.util.Arrays.fill(out, b);
        return out;
    }
}
