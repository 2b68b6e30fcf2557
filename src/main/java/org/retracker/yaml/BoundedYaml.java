package org.retracker.yaml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads one YAML document of a tracker file with every cost bounded: the file's size, the
 * text's length, its nesting and its aliases. The YAML 1.2 core schema (so {@code yes} is
 * text), no duplicate keys, only scalar keys, no environment substitution, and no class tags
 * (SnakeYAML Engine has none to offer).
 *
 * <p>SnakeYAML Engine builds the document recursively, once per level of nesting, and has no
 * setting for a depth limit: a file of a few thousand {@code [} would end in a {@link
 * StackOverflowError}. So the text is parsed first as a stream of events, which the engine does
 * without recursion, and refused when it nests deeper than {@link #MAX_DEPTH}; only then is it
 * built. Both files are small, so parsing twice costs nothing that matters.
 *
 * <p>Anything wrong with the text comes out as a {@link YamlEngineException}, including the
 * plain runtime exceptions the engine lets escape on some malformed input.
 *
 * <p>Stateless and thread-safe.
 */
public final class BoundedYaml {
    /**
     * The largest file read: the config template is about 8 KiB and a forwarders file of the most
     * forwarders allowed (512) about 60 KiB, so a larger file is a mistake (a wrong path), not a
     * config. SnakeYAML also slows down on long documents (a second for a 1 MiB line).
     */
    public static final int MAX_FILE_BYTES = 256 * 1024;
    /**
     * The longest text parsed, in chars: the same bound for text that is not read from a file. The
     * engine's own code point limit is set to it too, but the engine counts per document and only
     * as it reads tokens (a trailing comment is not counted), so the length is checked first.
     */
    public static final int MAX_CHARS = MAX_FILE_BYTES;
    /**
     * Collections and mappings nested deeper than this are refused. Both files are two levels deep
     * (a mapping holding a list; a list of mappings); 32 leaves room for any sane hand-written file
     * and is far below where the engine's recursion would overflow the stack.
     */
    public static final int MAX_DEPTH = 32;
    /**
     * Aliases to collections in one document. Neither file needs any; a few keep a hand-written
     * anchor working, and so few make "billion laughs" expansion impossible (the engine's default
     * is 50).
     */
    public static final int MAX_ALIASES = 16;

    private BoundedYaml() {}

    /**
     * Reads {@code file} as UTF-8 text of at most {@link #MAX_FILE_BYTES}.
     *
     * @throws java.nio.file.NoSuchFileException when it does not exist
     * @throws java.nio.file.AccessDeniedException when it may not be read
     * @throws CharacterCodingException when it is not UTF-8
     * @throws IOException when it is larger, a directory, or cannot be read
     */
    public static String readText(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new IOException("larger than " + MAX_FILE_BYTES + " bytes");
        }
        return decode(bytes);
    }

    /**
     * Decodes UTF-8 strictly, as {@link Files#readString} does: a malformed byte is an error, not a
     * replacement character.
     */
    public static String decode(byte[] bytes) throws CharacterCodingException {
        CharBuffer chars = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
        return chars.toString();
    }

    /**
     * Parses one YAML document into maps, lists and scalars ({@code null} for an empty document).
     *
     * @param label names the source in the engine's messages
     * @throws YamlEngineException for anything that is not one document within the limits; its
     *     subclasses carry the position where the engine knows it
     */
    public static @Nullable Object load(String label, String text) throws YamlEngineException {
        if (text.length() > MAX_CHARS) {
            throw new YamlEngineException("longer than " + MAX_CHARS + " characters");
        }
        LoadSettings settings = LoadSettings.builder()
                .setLabel(label)
                .setSchema(new CoreSchema())
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .setAllowNonScalarKeys(false)
                .setMaxAliasesForCollections(MAX_ALIASES)
                .setCodePointLimit(MAX_CHARS)
                .setEnvConfig(Optional.empty())
                .build();
        try {
            checkDepth(settings, text);
            return new Load(settings).loadFromString(text);
        } catch (YamlEngineException e) {
            throw e;
        } catch (RuntimeException e) {
            // The engine lets a few plain exceptions out on malformed input, e.g. a
            // NumberFormatException for a "\\u" escape cut short by the end of the text (found by
            // ForwardersFileFuzzTest). Such text is bad YAML like any other, not a crash.
            throw new YamlEngineException("the YAML parser failed: " + e, e);
        }
    }

    /**
     * {@code text} as one line of an error message: line breaks, tabs and other control characters
     * (a quoted YAML value may hold any) written as escapes, {@code \n}, {@code \t}, {@code
     * \u0001}, so that a message stays one line naming what was wrong.
     */
    public static String printable(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            if (!control) {
                if (b != null) {
                    b.append(c);
                }
                continue;
            }
            if (b == null) {
                b = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b == null ? text : b.toString();
    }

    private static void checkDepth(LoadSettings settings, String text) {
        int depth = 0;
        for (Event event : new Parse(settings).parseString(text)) {
            switch (event.getEventId()) {
                case SequenceStart, MappingStart -> {
                    if (++depth > MAX_DEPTH) {
                        String where = event.getStartMark()
                                .map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
                                .orElse("");
                        throw new YamlEngineException(
                                "lists and mappings nested more than " + MAX_DEPTH + " deep" + where);
                    }
                }
                case SequenceEnd, MappingEnd -> depth--;
                default -> {}
            }
        }
    }
}
