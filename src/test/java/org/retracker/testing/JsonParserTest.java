package org.retracker.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tests' JSON parser accepts RFC 8259 JSON and nothing else, so a page it parses is valid. */
class JsonParserTest {
    @Test
    void valuesOfEveryKindAreRead() {
        Map<String, Object> m =
                JsonParser.parseObject(" {\"a\": [1, -2.5e3, 0], \"b\": {\"c\": true, \"d\": false, \"e\": null},"
                        + " \"s\": \"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00b5\"}\n");

        assertThat(m).containsOnlyKeys("a", "b", "s");
        assertThat(m.get("a")).isEqualTo(List.of(new BigDecimal("1"), new BigDecimal("-2.5e3"), new BigDecimal("0")));
        assertThat(m.get("b")).isEqualTo(Map.of("c", true, "d", false, "e", JsonParser.NULL));
        assertThat(m.get("s")).isEqualTo("q\"\\/\b\f\n\r\tµ");
        assertThat(JsonParser.parse("[]")).isEqualTo(List.of());
        assertThat(JsonParser.parseObject("{}")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "{",
                "{\"a\":1,}",
                "[1,]",
                "{\"a\" 1}",
                "{a:1}",
                "01",
                "1.",
                "-",
                "1e",
                "\"raw\ttab\"",
                "\"bad \\x escape\"",
                "\"\\u12\"",
                "tru",
                "nul",
                "{\"a\":1,\"a\":2}",
                "{} {}",
                "'single'",
                "NaN"
            })
    void anythingElseIsRefused(String text) {
        assertThatThrownBy(() -> JsonParser.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
