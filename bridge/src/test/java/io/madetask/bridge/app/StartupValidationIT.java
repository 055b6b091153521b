package io.madetask.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.BridgeProcess;

/**
 * The packaged application in production refuses to start while required settings are missing or malformed: exit
 * code 78 and one message that names every one of them (never their values), before anything else starts.
 */
class StartupValidationIT {

    /** A complete production configuration (nothing listens there: the checks come before any connection). */
    private static Map<String, String> complete() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.datasource.reactive.url", "postgresql://db.invalid:5432/bridge");
        config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://db.invalid:5432/bridge");
        config.put("quarkus.datasource.username", "bridge");
        config.put("madetask.base-url", "https://api.madetask.invalid");
        config.put("madetask.client-id", "bridge");
        config.put("madetask.client-secret", "client-secret-value");
        config.put("madetask.webhook-secret", "webhook-secret-value-0123");
        config.put("quarkus.oidc.auth-server-url", "https://sso.invalid/realms/company");
        config.put("bridge.security.audience", "madetask-bridge");
        config.put("bridge.crypto.active-key", BridgeProcess.KEY);
        return config;
    }

    /** Runs the packaged jar with {@code config} as system properties and nothing of the caller's environment. */
    private static Map.Entry<Integer, String> start(Map<String, String> config) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        config.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(new File("target/quarkus-app/quarkus-run.jar").getAbsolutePath());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("MADETASK_")
                || k.startsWith("BRIDGE_"));
        Process process = builder.start();
        boolean ended = process.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        assertThat(ended).as("the process ends by itself").isTrue();
        return Map.entry(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void withNothingSetItNamesEverySettingAndExits78() throws Exception {
        Map.Entry<Integer, String> run = start(Map.of());
        assertThat(run.getKey()).isEqualTo(78);
        assertThat(run.getValue()).contains("MadeTask Bridge will not start: 10 production settings are missing")
                .contains("QUARKUS_DATASOURCE_REACTIVE_URL", "QUARKUS_DATASOURCE_JDBC_URL",
                        "QUARKUS_DATASOURCE_USERNAME", "MADETASK_BASE_URL",
                        "MADETASK_CLIENT_ID", "MADETASK_CLIENT_SECRET", "MADETASK_WEBHOOK_SECRET",
                        "QUARKUS_OIDC_AUTH_SERVER_URL", "BRIDGE_SECURITY_AUDIENCE", "BRIDGE_CRYPTO_ACTIVE_KEY")
                .contains("docs/production.md")
                // nothing else started: no Quarkus banner line, no stack trace
                .doesNotContain("Exception").doesNotContain("started in");
    }

    @Test
    void eachMissingOrMalformedSettingIsNamedAloneAndNoValueIsPrinted() throws Exception {
        Map<String, String> malformed = Map.of(
                "quarkus.datasource.reactive.url", "pg-host-without-scheme",
                "madetask.base-url", "madetask-api-host",
                "madetask.webhook-secret", "tiny-secret",
                "quarkus.oidc.auth-server-url", "not a url",
                "bridge.crypto.active-key", "c2hvcnQta2V5");
        for (String setting : complete().keySet()) {
            Map<String, String> config = complete();
            config.remove(setting);
            Map.Entry<Integer, String> run = start(config);
            assertThat(run.getKey()).as(setting + " missing").isEqualTo(78);
            assertThat(run.getValue()).contains("1 production setting is missing or invalid")
                    .contains(setting + "): not set");
            if (malformed.containsKey(setting)) {
                config.put(setting, malformed.get(setting));
                run = start(config);
                assertThat(run.getKey()).as(setting + " malformed").isEqualTo(78);
                assertThat(run.getValue()).contains("1 production setting is missing or invalid").contains(setting)
                        .doesNotContain(malformed.get(setting));
            }
        }
        // the CRM callback is optional, but not without its secret
        Map<String, String> config = complete();
        config.put("bridge.notifications.url", "https://crm.invalid/madetask");
        Map.Entry<Integer, String> run = start(config);
        assertThat(run.getKey()).isEqualTo(78);
        assertThat(run.getValue()).contains("BRIDGE_NOTIFICATIONS_SECRET (bridge.notifications.secret): not set");
    }
}
