package org.retracker.bench;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or a bare number of seconds. */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return seconds(v.substring(0, v.length() - 1));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            return seconds(v);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new TypeConversionException("not a duration: '" + value + "' (e.g. 500ms, 30s, 2m)");
        }
    }

    private static Duration seconds(String number) {
        double s = Double.parseDouble(number);
        if (!(s >= 0) || s > 1e7) {
            throw new NumberFormatException(number);
        }
        return Duration.ofNanos(Math.round(s * 1e9));
    }
}
