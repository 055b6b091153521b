package io.madetask.bridge.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.SandboxTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * 10,000 executors written through the API until every one is in MadeTask, against the sandbox at its default rate
 * limit (100/s, burst 100). Prints the figures; asserts only that all arrived, once each.
 * Run: {@code ./mvnw test -Dtest=ExecutorBulkBenchmark}.
 */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class ExecutorBulkBenchmark extends SandboxTest {

    private static final int EXECUTORS = Integer.getInteger("benchmark.executors", 10_000);
    private static final int CLIENTS = Integer.getInteger("benchmark.clients", 16);

    @TestHTTPResource("/api/v1/executors/")
    URL executors;

    @Inject
    Pool pool;

    @Test
    void tenThousandExecutorsReachMadeTask() throws Exception {
        String token = sandbox.devToken("bench", List.of("manager"), null);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Semaphore slots = new Semaphore(CLIENTS);
        List<CompletableFuture<HttpResponse<Void>>> puts = new ArrayList<>();
        long requestsBefore = sandbox.counter("requests");

        long started = System.nanoTime();
        for (int i = 0; i < EXECUTORS; i++) {
            slots.acquire();
            String body = """
                    {"fullName":"Исполнитель %d","phone":"+7916%07d","email":"b%d@example.com","inn":"500100732259",
                     "taxStatus":"SELF_EMPLOYED","payoutMethod":{"type":"CARD","cardNumber":"4111111111111111"}}"""
                    .formatted(i, i, i);
            puts.add(http.sendAsync(HttpRequest.newBuilder(URI.create(executors + "bench-" + i))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((r, e) -> slots.release()));
        }
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
        double written = (System.nanoTime() - started) / 1e9;
        assertThat(puts).allMatch(p -> p.join().statusCode() == 201);

        long synced = 0;
        while (synced < EXECUTORS && (System.nanoTime() - started) < Duration.ofMinutes(10).toNanos()) {
            Thread.sleep(200);
            synced = pool.query("select count(*) from executor where sync_state = 'SYNCED' and crm_id like 'bench-%'")
                    .execute().await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
        }
        double total = (System.nanoTime() - started) / 1e9;

        System.out.printf("%nEXECUTOR SYNC BENCHMARK: %d executors via PUT, %d clients, sandbox rate limit 100/s burst 100%n",
                EXECUTORS, CLIENTS);
        System.out.printf("  all PUTs answered    %.1f s (%.0f writes/s)%n", written, EXECUTORS / written);
        System.out.printf("  all in MadeTask      %.1f s after the first PUT%n", total);
        System.out.printf("  MadeTask requests    %d (429s: %d)%n", sandbox.counter("requests") - requestsBefore,
                sandbox.counter("rate_limited"));
        assertThat(synced).isEqualTo(EXECUTORS);
        assertThat(sandbox.ledger().get("executors").asInt()).isEqualTo(EXECUTORS);
    }
}
