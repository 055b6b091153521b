package io.madetask.sandbox;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

import io.vertx.core.Vertx;

/**
 * The sandbox on its own: {@code java -jar sandbox/target/madetask-sandbox.jar}. Settings come from the environment
 * (or the same names as system properties, lower case with dots: {@code -Dsandbox.port=8089}); the fault knobs and the
 * executor's moves are then set through the control API under {@code /sandbox}, as in tests.
 *
 * <pre>
 * SANDBOX_HOST            address to bind (127.0.0.1; 0.0.0.0 in a container)
 * SANDBOX_PORT            port of the MadeTask API, the control API and the dev identity issuer (8089)
 * SANDBOX_CLIENT_ID       OAuth2 client id it accepts (bridge)
 * SANDBOX_CLIENT_SECRET   its secret (bridge-secret)
 * SANDBOX_TOKEN_TTL       lifetime of access tokens, ISO-8601 (PT15M)
 * SANDBOX_BALANCE         the account's available RUB at start (100000000.00)
 * SANDBOX_WEBHOOK_URL     where events are POSTed (none: no webhooks until PUT /sandbox/webhook)
 * SANDBOX_WEBHOOK_SECRET  the HMAC secret events are signed with (sandbox-webhook-secret)
 * SANDBOX_RATE_LIMIT      requests per second per client (100)
 * </pre>
 */
public final class SandboxMain {

    private SandboxMain() {
    }

    public static void main(String[] args) {
        SandboxFaults faults = new SandboxFaults();
        faults.rateLimitPerSecond = Double.parseDouble(setting("SANDBOX_RATE_LIMIT", "100"));
        faults.rateLimitBurst = (int) Math.max(1, faults.rateLimitPerSecond);
        SandboxOptions options = new SandboxOptions(setting("SANDBOX_HOST", "127.0.0.1"),
                Integer.parseInt(setting("SANDBOX_PORT", "8089")),
                Map.of(setting("SANDBOX_CLIENT_ID", "bridge"), setting("SANDBOX_CLIENT_SECRET", "bridge-secret")),
                Duration.parse(setting("SANDBOX_TOKEN_TTL", "PT15M")), new BigDecimal(setting("SANDBOX_BALANCE",
                        "100000000.00")), setting("SANDBOX_WEBHOOK_URL", null),
                setting("SANDBOX_WEBHOOK_SECRET", "sandbox-webhook-secret"), faults);
        Vertx vertx = Vertx.vertx();
        MadeTaskSandbox sandbox = new MadeTaskSandbox(vertx, options);
        sandbox.start().toCompletionStage().toCompletableFuture().join();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sandbox.stop().toCompletionStage().toCompletableFuture().join();
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }, "sandbox-stop"));
        System.out.println("MadeTask sandbox on " + sandbox.baseUrl() + " (control API " + sandbox.baseUrl()
                + "/sandbox, identity issuer " + sandbox.issuer() + ")");
    }

    private static String setting(String env, String fallback) {
        String value = System.getProperty(env.toLowerCase().replace('_', '.'));
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? fallback : value;
    }
}
