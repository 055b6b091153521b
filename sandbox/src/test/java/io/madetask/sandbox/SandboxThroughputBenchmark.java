package io.madetask.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Vertx;

/**
 * How fast the sandbox takes payouts: 1000 accepted tasks, paid with 64 requests in flight, rate limit off and no
 * added latency, so the figure is the sandbox's own capacity. Prints numbers; asserts only that every call succeeded.
 * Run: {@code ./mvnw test -Dtest=SandboxThroughputBenchmark}.
 */
class SandboxThroughputBenchmark {

    private static final int TASKS = Integer.getInteger("benchmark.tasks", 1000);
    private static final int IN_FLIGHT = Integer.getInteger("benchmark.in-flight", 64);
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void thousandPayoutsAtSixtyFourInFlight() throws Exception {
        Vertx vertx = Vertx.vertx();
        SandboxFaults faults = new SandboxFaults();
        faults.rateLimitEnabled = false;
        faults.settlementDelayMs = 500;
        MadeTaskSandbox sandbox = new MadeTaskSandbox(vertx, new SandboxOptions("127.0.0.1", 0,
                Map.of("bridge", "s"), Duration.ofMinutes(15), new BigDecimal("100000000.00"), null, "x", faults));
        sandbox.start().toCompletionStage().toCompletableFuture().join();
        String base = sandbox.baseUrl();
        try {
            String token = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/oauth/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "grant_type=client_credentials&client_id=bridge&client_secret=s"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).get("access_token").asText();

            List<String> executors = new ArrayList<>();
            for (int from = 0; from < TASKS; from += 500) {
                StringBuilder items = new StringBuilder("{\"items\":[");
                for (int i = from; i < Math.min(TASKS, from + 500); i++) {
                    items.append(i == from ? "" : ",").append("""
                            {"external_id":"crm-%d","full_name":"Исполнитель %d","phone":"+79161234567",
                             "email":"e%d@example.com","inn":"500100732259","tax_status":"SELF_EMPLOYED",
                             "payout_method":{"type":"CARD","card_number":"4111111111111111"}}""".formatted(i, i, i));
                }
                JsonNode results = json.readTree(call(base, token, "POST", "/api/v1/executors/bulk", "bulk-" + from,
                        items.append("]}").toString()).join().body()).get("results");
                results.forEach(r -> executors.add(r.get("executor").get("id").asText()));
            }
            executors.forEach(sandbox::completeRegistration);
            String[] tasks = new String[TASKS];
            run(base, token, i -> new Call("POST", "/api/v1/tasks", "task-" + i, """
                    {"external_id":"task-%d","executor_id":"%s","title":"Task %d","description":"",
                     "reward":{"amount":"1000.00","currency":"RUB"}}""".formatted(i, executors.get(i), i)),
                    (i, body) -> tasks[i] = body.get("id").asText());
            Arrays.stream(tasks).forEach(t -> sandbox.executorMove(t, "start"));
            run(base, token, i -> new Call("POST", "/api/v1/tasks/" + tasks[i] + "/transitions", "accept-" + i,
                    "{\"to\":\"ACCEPTED\"}"), (i, body) -> {
                    });

            long started = System.nanoTime();
            long[] latencies = run(base, token, i -> new Call("POST", "/api/v1/payouts", "payout-" + i,
                    "{\"task_id\":\"%s\",\"amount\":{\"amount\":\"1000.00\",\"currency\":\"RUB\"}}".formatted(tasks[i])),
                    (i, body) -> assertThat(body.get("status").asText()).isEqualTo("PROCESSING"));
            double seconds = (System.nanoTime() - started) / 1e9;
            Arrays.sort(latencies);

            System.out.printf("%nSANDBOX BENCHMARK: %d payouts, %d in flight, rate limit off, no added latency%n",
                    TASKS, IN_FLIGHT);
            System.out.printf("  wall time      %.3f s%n", seconds);
            System.out.printf("  throughput     %.0f payouts/s%n", TASKS / seconds);
            System.out.printf("  latency p50    %.1f ms, p99 %.1f ms, max %.1f ms%n", latencies[TASKS / 2] / 1e6,
                    latencies[(int) (TASKS * 0.99)] / 1e6, latencies[TASKS - 1] / 1e6);
            assertThat(sandbox.ledger().get("payouts_created").asInt()).isEqualTo(TASKS);
            assertThat(sandbox.ledger().get("violations")).isEmpty();
        } finally {
            sandbox.stop().toCompletionStage().toCompletableFuture().join();
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    record Call(String method, String path, String key, String body) {
    }

    interface Check {
        void accept(int index, JsonNode body) throws Exception;
    }

    private long[] run(String base, String token, IntFunction<Call> calls, Check check) throws Exception {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        long[] latencies = new long[TASKS];
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            slots.acquire();
            int index = i;
            Call c = calls.apply(i);
            long sent = System.nanoTime();
            all.add(call(base, token, c.method(), c.path(), c.key(), c.body()).thenAccept(response -> {
                latencies[index] = System.nanoTime() - sent;
                try {
                    if (response.statusCode() >= 300) {
                        throw new IllegalStateException(c.path() + " answered " + response.statusCode() + ": "
                                + response.body());
                    }
                    check.accept(index, json.readTree(response.body()));
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).whenComplete((ok, error) -> slots.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        return latencies;
    }

    private CompletableFuture<HttpResponse<String>> call(String base, String token, String method, String path,
            String key, String body) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token).header("Idempotency-Key", key)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
