package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** With {@code -d}, one debug line per request says what the client asked and what it got. */
class RequestLogTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(7);

    private final Logger logger = (Logger) LoggerFactory.getLogger("org.retracker.requests");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Level before = Level.INFO;

    @BeforeEach
    void capture() {
        before = logger.getEffectiveLevel();
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
        logger.setLevel(null);
    }

    @Test
    void debugLogsEachAnnounceScrapeAndFailure() {
        logger.setLevel(Level.DEBUG);
        TestTracker t = start(Loopback.V4);

        t.http().announce(Announce.peer(HASH, 6881));
        t.http().announce(Announce.peer(HASH, 6882));
        t.http().scrapeOne(HASH);
        t.http().announceFailure(Announce.peer(HASH, 6883).numWant("lots"));
        try (UdpTrackerClient udp = t.udpClient()) {
            udp.announce(udp.connect(), Announce.peer(HASH, 6884));
        }

        List<String> text = messages();
        String hex = HexFormat.of().formatHex(HASH);
        assertThat(text)
                .anySatisfy(l -> assertThat(l)
                        .startsWith("HTTP announce 127.0.0.1 port 6882 info_hash " + hex)
                        .contains("-> 1 IPv4 + 0 IPv6 peers"));
        assertThat(text)
                .anySatisfy(
                        l -> assertThat(l).startsWith("HTTP scrape /127.0.0.1:").contains("of 1 info hashes"));
        assertThat(text)
                .anySatisfy(l -> assertThat(l)
                        .startsWith("HTTP failure to /127.0.0.1:")
                        .endsWith(": numwant must be a non-negative integer"));
        assertThat(text)
                .anySatisfy(l -> assertThat(l)
                        .startsWith("UDP announce 127.0.0.1 port 6884")
                        .contains("-> 2 IPv4 + 0 IPv6 peers"));
    }

    @Test
    void withoutDebugNothingIsLogged() {
        assertThat(before.isGreaterOrEqual(Level.INFO)).isTrue();
        TestTracker t = start(Loopback.V4);

        t.http().announce(Announce.peer(HASH, 6881));
        t.http().announceFailure(Announce.peer(HASH, 6883).numWant("lots"));

        assertThat(lines.list).isEmpty();
    }

    private List<String> messages() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
