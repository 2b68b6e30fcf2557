package org.retracker.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;
import org.retracker.yaml.BoundedYaml;
import org.snakeyaml.engine.v2.exceptions.DuplicateKeyException;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Builds a {@link TrackerConfig} from four layers, each overriding the one before for every key it
 * sets: the defaults, the YAML config file, the environment ({@code RETRACKER_*}) and the command
 * line. A layer that sets a key always wins, whatever the value: {@code false}, {@code 0} and the
 * empty string included (the Go seed could not set those from the environment or the command
 * line, and its {@code -l} default beat the file).
 *
 * <p>The first bad value stops loading with a {@link ConfigException} whose message names where the
 * value came from and the value. The file must be a YAML mapping of known keys, each at most once
 * (YAML 1.2 core schema, so {@code yes} is text, not a boolean); an empty file means all defaults.
 */
public final class ConfigLoader {
    /** Names the config file when {@code -c} is not given. */
    public static final String CONFIG_ENV = "RETRACKER_CONFIG";

    private ConfigLoader() {}

    /**
     * Loads the configuration.
     *
     * @param configFlag the config file named on the command line; {@code null} when not given
     *     (then {@value #CONFIG_ENV} names it), empty for no file at all
     * @param flags the values given on the command line, as text; a boolean as {@code true} or
     *     {@code false}
     * @param env the environment
     * @throws ConfigException with one message naming the source, the key and the value
     */
    public static TrackerConfig load(@Nullable String configFlag, Map<Setting, String> flags, Map<String, String> env)
            throws ConfigException {
        HostResolver resolver = HostResolver.SYSTEM;
        Map<Setting, Origin> origins = new EnumMap<>(Setting.class);
        Map<Setting, Object> values = defaults(origins, resolver);
        String file = configFlag != null ? configFlag : env.get(CONFIG_ENV);
        if (file != null && !file.isEmpty()) {
            applyFile(file, readFile(file), values, origins, resolver);
        }
        for (Setting s : Setting.values()) {
            String text = env.get(s.envVar());
            if (text != null) {
                setFromText(s, text, Origin.ofEnv(s), values, origins, resolver);
            }
        }
        for (Map.Entry<Setting, String> flag : flags.entrySet()) {
            Setting s = flag.getKey();
            setFromText(s, flag.getValue(), Origin.ofFlag(s), values, origins, resolver);
        }
        checkOrder(values, origins);
        return TrackerConfig.of(values);
    }

    /**
     * The defaults overridden by a config file whose bytes are {@code content}: what {@link #load}
     * makes of {@code -c source} with no environment and no flags. For the fuzz target.
     */
    static TrackerConfig loadFileContent(String source, byte[] content, HostResolver resolver) throws ConfigException {
        Map<Setting, Origin> origins = new EnumMap<>(Setting.class);
        Map<Setting, Object> values = defaults(origins, resolver);
        String text;
        try {
            text = BoundedYaml.decode(content);
        } catch (CharacterCodingException e) {
            throw new ConfigException(source + ": cannot read the config file: not UTF-8 text");
        }
        applyFile(source, text, values, origins, resolver);
        checkOrder(values, origins);
        return TrackerConfig.of(values);
    }

    private static Map<Setting, Object> defaults(Map<Setting, Origin> origins, HostResolver resolver)
            throws ConfigException {
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            setFromText(s, s.defaultText(), Origin.ofDefault(s), values, origins, resolver);
        }
        return values;
    }

    private static void setFromText(
            Setting s,
            String text,
            Origin origin,
            Map<Setting, Object> values,
            Map<Setting, Origin> origins,
            HostResolver resolver)
            throws ConfigException {
        try {
            values.put(s, s.fromText(text, resolver));
        } catch (InvalidValueException e) {
            throw new ConfigException(origin.label() + ": " + e.getMessage());
        }
        origins.put(s, origin);
    }

    private static String readFile(String file) throws ConfigException {
        try {
            return BoundedYaml.readText(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": cannot read the config file: no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(file + ": cannot read the config file: permission denied");
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + ": cannot read the config file: not UTF-8 text");
        } catch (IOException | InvalidPathException e) {
            throw new ConfigException(file + ": cannot read the config file: " + e.getMessage());
        }
    }

    private static void applyFile(
            String file, String text, Map<Setting, Object> values, Map<Setting, Origin> origins, HostResolver resolver)
            throws ConfigException {
        Object document = parseYaml(file, text);
        if (document == null) {
            return;
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new ConfigException(file + ": expected a mapping of keys to values at the top level, got "
                    + Setting.describe(document));
        }
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = String.valueOf(entry.getKey());
            Setting s = Setting.forKey(key);
            if (s == null) {
                throw new ConfigException(file + ": unknown key '" + key + "' (known keys: " + knownKeys() + ")");
            }
            Origin origin = Origin.ofFile(file, s);
            try {
                values.put(s, s.fromYaml(entry.getValue(), resolver));
            } catch (InvalidValueException e) {
                throw new ConfigException(origin.label() + ": " + e.getMessage());
            }
            origins.put(s, origin);
        }
    }

    private static @Nullable Object parseYaml(String file, String text) throws ConfigException {
        try {
            return BoundedYaml.load(file, text);
        } catch (DuplicateKeyException e) {
            String problem = e.getProblem();
            String prefix = "found duplicate key ";
            String where = e.getProblemMark()
                    .map(m -> " (again at line " + (m.getLine() + 1) + ")")
                    .orElse("");
            if (problem != null && problem.startsWith(prefix)) {
                throw new ConfigException(
                        file + ": key '" + problem.substring(prefix.length()) + "' is given twice" + where);
            }
            throw new ConfigException(file + ": invalid YAML: " + problem + where);
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark()
                    .map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
                    .orElse("");
            String context = e.getContext();
            String what = (context == null || context.isBlank() ? "" : context + ": ") + e.getProblem();
            throw new ConfigException(file + ": invalid YAML" + where + ": " + what);
        } catch (YamlEngineException e) {
            throw new ConfigException(file + ": invalid YAML: " + e.getMessage());
        }
    }

    private static String knownKeys() {
        StringJoiner keys = new StringJoiner(", ");
        for (Setting s : Setting.values()) {
            keys.add(s.key());
        }
        return keys.toString();
    }

    /**
     * Checks the pairs where one setting bounds another. The message blames the value that came from
     * the stronger source, the one the user most likely just changed: {@code -i 600} with the
     * default minimum of 900 blames {@code -i}; {@code min_announce_interval: 2000} in the file with
     * the default interval blames the file.
     */
    private static void checkOrder(Map<Setting, Object> values, Map<Setting, Origin> origins) throws ConfigException {
        for (Setting lower : Setting.values()) {
            Setting upper = lower.upperBound();
            if (upper == null) {
                continue;
            }
            int low = (Integer) value(values, lower);
            int high = (Integer) value(values, upper);
            if (low <= high) {
                continue;
            }
            Origin lowOrigin = origin(origins, lower);
            Origin highOrigin = origin(origins, upper);
            if (highOrigin.rank() > lowOrigin.rank()) {
                throw new ConfigException(highOrigin.label() + ": expected at least " + lower.key() + " (" + low
                        + ", from " + lowOrigin.name() + "), got " + high);
            }
            throw new ConfigException(lowOrigin.label() + ": expected at most " + upper.key() + " (" + high + ", from "
                    + highOrigin.name() + "), got " + low);
        }
    }

    private static Object value(Map<Setting, Object> values, Setting s) {
        Object v = values.get(s);
        if (v == null) {
            throw new IllegalStateException("no value for " + s.key());
        }
        return v;
    }

    private static Origin origin(Map<Setting, Origin> origins, Setting s) {
        Origin o = origins.get(s);
        if (o == null) {
            throw new IllegalStateException("no origin for " + s.key());
        }
        return o;
    }

    /**
     * Where a value came from.
     *
     * @param rank precedence: 0 default, 1 file, 2 environment, 3 command line
     * @param label what a message starts with, e.g. {@code config.yml: key 'age'}
     * @param name the source alone, e.g. {@code config.yml}, for a message about another key
     */
    private record Origin(int rank, String label, String name) {
        static Origin ofDefault(Setting s) {
            return new Origin(0, "default of key '" + s.key() + "'", "the default");
        }

        static Origin ofFile(String file, Setting s) {
            return new Origin(1, file + ": key '" + s.key() + "'", file);
        }

        static Origin ofEnv(Setting s) {
            return new Origin(2, "environment variable " + s.envVar(), s.envVar());
        }

        static Origin ofFlag(Setting s) {
            return new Origin(3, "option " + s.flagNames(), s.flagNames());
        }
    }
}
