package org.retracker.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The essentials of docker/Dockerfile, docker/docker-compose.yml and .dockerignore, read as text
 * and YAML: this machine has no Docker engine to build or run them.
 */
class DockerFilesTest {
    private static final Path DOCKER = ScriptRun.ROOT.resolve("docker");

    /** The Dockerfile's instructions: continuation lines joined, comments dropped. */
    private static List<String> instructions() throws IOException {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(DOCKER.resolve("Dockerfile"))) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
            } else {
                current.append(trimmed);
                result.add(current.toString().replaceAll("\\s+", " "));
                current.setLength(0);
            }
        }
        assertThat(current.toString()).as("a continued last line").isEmpty();
        return result;
    }

    private static List<String> starting(List<String> instructions, String keyword) {
        return instructions.stream().filter(i -> i.startsWith(keyword + " ")).toList();
    }

    @Test
    void buildsWithATemurin25JdkAndRunsWithoutOne() throws Exception {
        List<String> instructions = instructions();
        List<String> from = starting(instructions, "FROM");

        assertThat(from).hasSize(2);
        assertThat(from.get(0)).isEqualTo("FROM eclipse-temurin:25-jdk AS build");
        assertThat(from.get(1)).doesNotContain("jdk").doesNotContain("temurin");
        // The build stage builds the image with `make image` (its `make build` skips tests) ...
        assertThat(instructions).anyMatch(i -> i.startsWith("RUN ") && i.endsWith(" make image"));
        assertThat(Files.readString(ScriptRun.ROOT.resolve("Makefile")))
                .contains("image: build\n")
                .containsPattern("(?m)^build:\\n\\t\\$\\(MVN\\) -q -DskipTests package$");
        // ... and the runtime stage gets only the image, at the path the entrypoint runs.
        assertThat(instructions).contains("COPY --from=build /src/target/image /opt/retracker");
        assertThat(Files.readString(DOCKER.resolve("docker-entrypoint.sh"))).contains("/opt/retracker/bin/retracker");
    }

    @Test
    void exposesTcpAndUdpRunsAsAUserAndStartsWithTheEntrypoint() throws Exception {
        List<String> instructions = instructions();
        int runtime = instructions.lastIndexOf(starting(instructions, "FROM").get(1));
        List<String> stage = instructions.subList(runtime, instructions.size());

        assertThat(starting(stage, "EXPOSE")).containsExactly("EXPOSE 6969/tcp 6969/udp");
        assertThat(starting(stage, "USER"))
                .singleElement()
                .satisfies(
                        user -> assertThat(user).isNotIn("USER root", "USER 0").isEqualTo("USER retracker"));
        assertThat(stage).anyMatch(i -> i.startsWith("RUN useradd --system --uid 10001 "));
        assertThat(starting(stage, "ENTRYPOINT"))
                .containsExactly("ENTRYPOINT [\"/usr/local/bin/docker-entrypoint.sh\"]");
        assertThat(starting(stage, "COPY"))
                .contains("COPY --chmod=755 docker/docker-entrypoint.sh docker/healthcheck.sh /usr/local/bin/");
        assertThat(starting(stage, "HEALTHCHECK"))
                .singleElement()
                .satisfies(h -> assertThat(h).endsWith("CMD [\"/usr/local/bin/healthcheck.sh\", \"/health\"]"));
    }

    @Test
    void scriptsAreExecutable() {
        for (String script :
                List.of("docker/docker-entrypoint.sh", "docker/healthcheck.sh", "scripts/build-image.sh")) {
            assertThat(Files.isExecutable(ScriptRun.ROOT.resolve(script)))
                    .as(script)
                    .isTrue();
        }
    }

    @Test
    void composeBuildsFromTheRootPublishesTcpAndUdpMountsForwardersAndChecksHealth() throws Exception {
        Object document = new Load(
                        LoadSettings.builder().setAllowDuplicateKeys(false).build())
                .loadFromString(Files.readString(DOCKER.resolve("docker-compose.yml")));
        Map<?, ?> service = map(map(map(document).get("services")).get("retracker"));

        Map<?, ?> build = map(service.get("build"));
        assertThat(build.get("context")).isEqualTo("..");
        assertThat(build.get("dockerfile")).isEqualTo("docker/Dockerfile");
        assertThat(list(service.get("ports"))).containsExactlyInAnyOrder("6969:6969/tcp", "6969:6969/udp");
        assertThat(list(service.get("volumes"))).containsExactly("../configs/forwarders.yml:/app/forwarders.yml:ro");

        Map<?, ?> env = map(service.get("environment"));
        assertThat(env.get("RETRACKER_FORWARDS")).isEqualTo("/app/forwarders.yml");
        assertThat(env.get("RETRACKER_LISTEN")).isEqualTo(":6969");
        assertThat(env.get("RETRACKER_UDP_LISTEN")).isEqualTo(":6969");
        assertThat(env.get("RETRACKER_DEBUG")).isEqualTo("false");

        Map<?, ?> health = map(service.get("healthcheck"));
        assertThat(list(health.get("test"))).containsExactly("CMD", "/usr/local/bin/healthcheck.sh", "/health");
        assertThat(health.get("interval")).isEqualTo("30s");
    }

    @Test
    void dockerignoreLetsInOnlyWhatTheBuildNeeds() throws Exception {
        List<String> patterns = Files.readAllLines(ScriptRun.ROOT.resolve(".dockerignore")).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();

        assertThat(patterns.get(0)).as("everything is out unless let in").isEqualTo("*");
        assertThat(patterns.subList(1, patterns.size()))
                .containsExactlyInAnyOrder(
                        "!.mvn/", "!mvnw", "!pom.xml", "!Makefile", "!scripts/", "!src/", "!docker/");
        // Every COPY from the context names something let in.
        Pattern copy = Pattern.compile("^COPY (?:--chmod=\\d+ )?(.+) \\S+$");
        for (String instruction : starting(instructions(), "COPY")) {
            Matcher m = copy.matcher(instruction);
            if (instruction.contains("--from=") || !m.matches()) {
                continue;
            }
            for (String source : m.group(1).split(" ")) {
                assertThat(source.equals(".") || patterns.stream().anyMatch(p -> source.startsWith(p.substring(1))))
                        .as(source)
                        .isTrue();
            }
        }
    }

    private static Map<?, ?> map(@org.jspecify.annotations.Nullable Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<?, ?>) o;
    }

    private static List<Object> list(@org.jspecify.annotations.Nullable Object o) {
        assertThat(o).isInstanceOf(List.class);
        return new ArrayList<Object>((List<?>) o);
    }
}
