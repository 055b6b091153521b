package io.madetask.sandbox;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/**
 * What the sandbox is started with; the fault knobs are separate and change at run time.
 *
 * @param host              address to bind
 * @param port              port to listen on, 0 for a free one
 * @param clients           OAuth2 clients: id to secret
 * @param tokenTtl          lifetime of access tokens (MadeTask: 15 minutes)
 * @param initialBalance    the account's available money at start
 * @param webhookUrl        where events are POSTed, or null
 * @param webhookSecret     the HMAC secret of event signatures
 * @param faults            the knobs at start
 */
public record SandboxOptions(String host, int port, Map<String, String> clients, Duration tokenTtl,
        BigDecimal initialBalance, String webhookUrl, String webhookSecret, SandboxFaults faults) {

    public static SandboxOptions defaults() {
        return new SandboxOptions("127.0.0.1", 0, Map.of("bridge", "bridge-secret"), Duration.ofMinutes(15),
                new BigDecimal("100000000.00"), null, "sandbox-webhook-secret", new SandboxFaults());
    }

    public SandboxOptions withPort(int newPort) {
        return new SandboxOptions(host, newPort, clients, tokenTtl, initialBalance, webhookUrl, webhookSecret, faults);
    }

    public SandboxOptions withWebhook(String url, String secret) {
        return new SandboxOptions(host, port, clients, tokenTtl, initialBalance, url, secret, faults);
    }

    public SandboxOptions withClient(String id, String secret) {
        return new SandboxOptions(host, port, Map.of(id, secret), tokenTtl, initialBalance, webhookUrl, webhookSecret,
                faults);
    }
}
