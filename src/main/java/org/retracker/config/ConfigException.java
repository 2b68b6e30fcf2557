package org.retracker.config;

import org.retracker.yaml.BoundedYaml;

/**
 * A setting that stops start-up. The message is the whole story, meant to be printed as it is: it
 * names where the value came from (the config file and key, the environment variable or the
 * option) and the value, e.g. {@code config.yml: key 'age': expected a positive number of minutes
 * (at least 1 second, at most 10080), got 'abc'}. It is one line: a line break or other control
 * character in a value is shown as an escape ({@code \n}).
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(BoundedYaml.printable(message));
    }
}
