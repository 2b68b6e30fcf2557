package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;

/**
 * A Prometheus text exposition as samples: {@code name{a="x",b="y"}} (labels sorted by name) to
 * value. Enough of the format for our own output: one sample per line, no timestamps.
 */
record Exposition(Map<String, Double> samples) {
    static Exposition parse(String text) {
        Map<String, Double> samples = new TreeMap<>();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            double value = Double.parseDouble(line.substring(space + 1));
            int brace = series.indexOf('{');
            String key = brace < 0 ? series : key(series.substring(0, brace), labels(series, brace + 1));
            assertThat(samples.put(key, value))
                    .as("one sample per series: " + key)
                    .isNull();
        }
        return new Exposition(samples);
    }

    /** Labels from {@code k="v",...}} starting at {@code i}, with the format's escapes undone. */
    private static Map<String, String> labels(String s, int i) {
        Map<String, String> out = new TreeMap<>();
        while (s.charAt(i) != '}') {
            int eq = s.indexOf('=', i);
            String name = s.substring(i, eq);
            StringBuilder value = new StringBuilder();
            int j = eq + 2; // past ="
            while (s.charAt(j) != '"') {
                char c = s.charAt(j++);
                if (c == '\\') {
                    char e = s.charAt(j++);
                    value.append(e == 'n' ? '\n' : e);
                } else {
                    value.append(c);
                }
            }
            out.put(name, value.toString());
            i = j + 1;
            if (s.charAt(i) == ',') {
                i++;
            }
        }
        return out;
    }

    private static String key(String name, Map<String, String> labels) {
        StringBuilder b = new StringBuilder(name).append('{');
        labels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
        return b.append('}').toString();
    }

    /** The value of {@code name} with {@code labels} (name, value, name, value...); fails when absent. */
    double value(String name, String... labels) {
        String key = seriesKey(name, labels);
        Double v = samples.get(key);
        assertThat(v).as(key + " in " + samples.keySet()).isNotNull();
        return v;
    }

    boolean has(String name, String... labels) {
        return samples.containsKey(seriesKey(name, labels));
    }

    /** Sum over every series of {@code name} whose labels include {@code labels}. */
    double sum(String name, String... labels) {
        Map<String, String> want = pairs(labels);
        double total = 0;
        for (Map.Entry<String, Double> e : samples.entrySet()) {
            String k = e.getKey();
            int brace = k.indexOf('{');
            String n = brace < 0 ? k : k.substring(0, brace);
            if (n.equals(name)
                    && (brace < 0
                            ? want.isEmpty()
                            : labels(k, brace + 1).entrySet().containsAll(want.entrySet()))) {
                total += e.getValue();
            }
        }
        return total;
    }

    private static String seriesKey(String name, String... labels) {
        Map<String, String> m = pairs(labels);
        return m.isEmpty() ? name : key(name, m);
    }

    private static Map<String, String> pairs(String... labels) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            m.put(labels[i], labels[i + 1]);
        }
        return m;
    }
}
