package org.retracker.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ForwarderSpecTest {
    private static ForwarderSpec spec(String uri) {
        URI u = URI.create(uri);
        ForwarderSpec.Scheme scheme = ForwarderSpec.Scheme.valueOf(u.getScheme().toUpperCase(java.util.Locale.ROOT));
        return new ForwarderSpec("t", u, scheme, null, null);
    }

    @ParameterizedTest
    @CsvSource({
        "http://tracker.example/announce, http://tracker.example/announce",
        "http://tracker.example:8080/announce, http://tracker.example:8080/announce",
        "udp://[2001:db8::1]:6969/announce, udp://[2001:db8::1]:6969/announce",
        "https://tracker.example/announce.php?passkey=0123456789abcdef, https://tracker.example/announce.php?***",
        "https://user:secret@tracker.example/announce, https://tracker.example/announce",
        "https://tracker.example/0123456789abcdef0123/announce, https://tracker.example/***/announce",
        "http://tracker.example/a/short/announce, http://tracker.example/a/short/announce",
        "udp://tracker.example:1337, udp://tracker.example:1337",
    })
    void shownUriHidesPasskeysAndUserInfo(String uri, String shown) {
        assertThat(spec(uri).shownUri()).isEqualTo(shown);
    }

    @Test
    void theUriAnnouncedToIsKeptWhole() {
        ForwarderSpec s = spec("https://tracker.example/announce?passkey=0123456789abcdef");
        assertThat(s.shownUri()).doesNotContain("0123456789abcdef");
        assertThat(s.uri().toString()).contains("0123456789abcdef");
    }
}
