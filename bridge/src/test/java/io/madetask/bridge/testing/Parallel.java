package io.madetask.bridge.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;

/** Many requests to the bridge at once, a bounded number in flight, for tests and benchmarks that need volume. */
public final class Parallel {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final int inFlight;

    public Parallel(int inFlight) {
        this.inFlight = inFlight;
    }

    /** A PUT of a JSON body; the factory makes request {@code i}'s path and body. */
    public record Put(String url, String body) {
    }

    /** Sends {@code count} PUTs and answers their status codes, in order. */
    public List<Integer> put(int count, String token, IntFunction<Put> request) throws InterruptedException {
        Semaphore slots = new Semaphore(inFlight);
        List<CompletableFuture<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            slots.acquire();
            Put p = request.apply(i);
            answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create(p.url()))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(p.body())).build(), HttpResponse.BodyHandlers.discarding())
                    .thenApply(HttpResponse::statusCode)
                    .whenComplete((r, e) -> slots.release()));
        }
        return answers.stream().map(CompletableFuture::join).toList();
    }
}
