package org.retracker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** configs/config.template.yml documents every key at its default. */
class ConfigTemplateTest {
    /** Surefire runs in the project directory. */
    private static final Path TEMPLATE = Path.of("configs", "config.template.yml");

    @Test
    void templateLoadsToExactlyTheDefaults() throws Exception {
        TrackerConfig fromTemplate = ConfigLoader.load(TEMPLATE.toString(), Map.of(), Map.of());

        assertThat(fromTemplate).isEqualTo(TrackerConfig.defaults());
    }

    @Test
    void templateSetsAndDocumentsEveryKey() throws Exception {
        String text = Files.readString(TEMPLATE);

        for (Setting s : Setting.values()) {
            assertThat(text).as(s.key()).containsPattern("(?m)^" + s.key() + ":");
            assertThat(text).as(s.key()).contains("Env " + s.envVar() + ",");
            assertThat(text).as(s.key()).contains(s.flagNames());
        }
    }
}
