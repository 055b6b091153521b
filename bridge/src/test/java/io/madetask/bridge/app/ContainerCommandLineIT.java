package io.madetask.bridge.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.BridgeProcess;
import io.madetask.bridge.testing.ProcessTest;
import io.madetask.bridge.testing.ServerDatabase;

/**
 * The JVM image (src/main/docker/Dockerfile.jvm) starts the application with the options its base image's start
 * script (run-java.sh of the ubi9 OpenJDK runtime images) builds from the Dockerfile's environment: heap from
 * JAVA_MAX_MEM_RATIO, collector from GC_CONTAINER_OPTIONS (the Parallel collector unless set), the script's GC tuning
 * and -XX:+ExitOnOutOfMemoryError, then JAVA_OPTS_APPEND. There is no Docker engine here: this builds that line from
 * the Dockerfile as the script does and starts the packaged application with it.
 */
class ContainerCommandLineIT extends ProcessTest {

    private static final Path DOCKERFILE = Path.of("src/main/docker/Dockerfile.jvm");

    /** The ENV lines of the Dockerfile. */
    static Map<String, String> environment() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^ENV\\s+([A-Z_]+)=(\"([^\"]*)\"|(\\S+))\\s*$")
                .matcher(Files.readString(DOCKERFILE));
        while (m.find()) {
            env.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(4));
        }
        return env;
    }

    /** The JVM options the base image's start script gives for {@code env} (its java-default-options, documented). */
    static List<String> options(Map<String, String> env) {
        List<String> options = new ArrayList<>();
        String ratio = env.get("JAVA_MAX_MEM_RATIO");
        if (!"0".equals(ratio)) {
            options.add("-XX:MaxRAMPercentage=" + (ratio == null ? "80" : Math.round(Double.parseDouble(ratio)))
                    + ".0");
        }
        options.addAll(split(env.getOrDefault("GC_CONTAINER_OPTIONS", "-XX:+UseParallelGC")));
        options.addAll(List.of("-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20", "-XX:GCTimeRatio=4",
                "-XX:AdaptiveSizePolicyWeight=90", "-XX:+ExitOnOutOfMemoryError"));
        options.addAll(split(env.getOrDefault("JAVA_OPTS_APPEND", "")));
        return options;
    }

    private static List<String> split(String options) {
        return options.isBlank() ? List.of() : List.of(options.trim().split("\\s+"));
    }

    /** Runs {@code java <options> -XX:+PrintFlagsFinal -version}: its exit code and output. */
    private static Map.Entry<Integer, String> flags(List<String> options) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(options);
        command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return Map.entry(java.exitValue(), out);
    }

    @Test
    void theImagesJvmOptionsSelectOneCollectorAndHalfTheMemory() throws Exception {
        Map<String, String> env = environment();
        assertThat(env).containsKeys("JAVA_OPTS_APPEND", "JAVA_APP_JAR");
        Map.Entry<Integer, String> run = flags(options(env));
        assertThat(run.getKey()).as(run.getValue()).isZero();
        assertThat(run.getValue()).containsPattern("bool UseG1GC\\s+= true")
                .containsPattern("double MaxRAMPercentage\\s+= 50")
                .containsPattern("bool ExitOnOutOfMemoryError\\s+= true");

        // what the image did before: G1 asked for in JAVA_OPTS_APPEND, beside the script's default collector
        Map<String, String> before = new LinkedHashMap<>(env);
        before.remove("GC_CONTAINER_OPTIONS");
        before.put("JAVA_OPTS_APPEND", env.get("JAVA_OPTS_APPEND") + " -XX:+UseG1GC");
        Map.Entry<Integer, String> broken = flags(options(before));
        assertThat(broken.getKey()).isNotZero();
        assertThat(broken.getValue()).contains("Multiple garbage collectors selected");
    }

    @Test
    void thePackagedApplicationStartsWithTheImagesCommandLine() throws Exception {
        try (ServerDatabase db = new ServerDatabase();
                BridgeProcess bridge = new BridgeProcess("container-line", sandbox, db, Map.of())) {
            bridge.withoutDefaultHeap().jvmArg("-cp").jvmArg(".");
            options(environment()).forEach(bridge::jvmArg);
            bridge.start();
            given().baseUri(bridge.managementUrl()).get("/q/health/ready").then().statusCode(200);
            given().baseUri(bridge.baseUrl()).get("/q/openapi").then().statusCode(200);
        }
    }
}
