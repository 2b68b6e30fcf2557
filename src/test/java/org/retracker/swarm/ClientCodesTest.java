package org.retracker.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.retracker.protocol.PeerIdClient;

/** The 16-bit client codes peers keep instead of their peer_id. */
class ClientCodesTest {
    private final ClientCodes codes = new ClientCodes(42);

    @Test
    void aPrefixKeepsItsCodeAndDistinctPrefixesGetDistinctCodes() {
        int qb = codes.code(prefix("-qB4650-"));
        int tr = codes.code(prefix("-TR4050-"));

        assertThat(codes.code(prefix("-qB4650-"))).isEqualTo(qb);
        assertThat(tr).isNotEqualTo(qb);
        assertThat(qb).isNotEqualTo(ClientCodes.OTHER);
        assertThat(codes.prefix(qb)).isEqualTo(prefix("-qB4650-"));
        assertThat(codes.size()).isEqualTo(2);
    }

    @Test
    void idsOfNoKnownStyleShareOneCode() {
        int a = codes.code(prefix("abcdefgh"));
        int b = codes.code(0x0102_0304_0506_0708L); // control bytes: no client style either

        assertThat(a).isEqualTo(b);
        assertThat(codes.prefix(a)).isEqualTo(PeerIdClient.UNKNOWN_PREFIX);
        assertThat(codes.size()).isEqualTo(1);
    }

    @Test
    void afterMaxCodesPrefixesNewOnesAreOtherAndKnownOnesKeepTheirCodes() {
        int first = codes.code(azureus(0));
        for (int i = 1; i < ClientCodes.MAX_CODES; i++) {
            assertThat(codes.code(azureus(i))).isNotEqualTo(ClientCodes.OTHER);
        }

        assertThat(codes.size()).isEqualTo(ClientCodes.MAX_CODES);
        assertThat(codes.code(azureus(ClientCodes.MAX_CODES))).isEqualTo(ClientCodes.OTHER);
        assertThat(codes.code(azureus(ClientCodes.MAX_CODES + 1))).isEqualTo(ClientCodes.OTHER);
        assertThat(codes.code(azureus(0))).isEqualTo(first);
        assertThat(codes.code(azureus(ClientCodes.MAX_CODES - 1))).isNotEqualTo(ClientCodes.OTHER);
    }

    @Test
    void threadsInterningTheSamePrefixesAgreeOnTheirCodes() throws Exception {
        int prefixes = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t * 1_237;
                Callable<int[]> task = () -> {
                    int[] seen = new int[prefixes];
                    for (int k = 0; k < prefixes; k++) {
                        int i = (k + offset) % prefixes;
                        seen[i] = codes.code(azureus(i));
                    }
                    return seen;
                };
                results.add(pool.submit(task));
            }
            int[] first = results.get(0).get(10, TimeUnit.SECONDS);
            for (Future<int[]> r : results) {
                assertThat(r.get(10, TimeUnit.SECONDS)).containsExactly(first);
            }
            assertThat(codes.size()).isEqualTo(prefixes);
            assertThat(Arrays.stream(first).distinct().count()).isEqualTo(prefixes);
        } finally {
            pool.shutdownNow();
        }
    }

    /** An Azureus-style prefix {@code -AA....-} whose four version bytes are {@code i}. */
    private static long azureus(int i) {
        return ((long) '-' << 56) | ((long) 'A' << 48) | ((long) 'A' << 40) | ((i & 0xffffffffL) << 8) | '-';
    }

    private static long prefix(String eightChars) {
        byte[] b = eightChars.getBytes(StandardCharsets.ISO_8859_1);
        long p = 0;
        for (int i = 0; i < 8; i++) {
            p = p << 8 | (b[i] & 0xff);
        }
        return p;
    }
}
