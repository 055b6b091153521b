package io.madetask.bridge.testing;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import io.restassured.http.ContentType;

/**
 * The CRM at work while something else runs: reads a task, lists executors and writes a new executor, each at its own
 * rate, timing every answer. Anything but a 2xx is an error.
 */
public final class ApiLoad {

    private final String baseUrl;
    private final String token;
    private final List<String> tasks;
    private final List<Long> millis = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger errors = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(8);
    private final AtomicInteger n = new AtomicInteger();

    /** @param tasks crmIds of tasks to read */
    public ApiLoad(String baseUrl, String token, List<String> tasks) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.tasks = List.copyOf(tasks);
    }

    /** Starts: task reads, executor lists and executor writes per second. */
    public ApiLoad start(int readsPerSecond, int listsPerSecond, int writesPerSecond) {
        every(readsPerSecond, () -> given().baseUri(baseUrl).auth().oauth2(token)
                .get("/api/v1/tasks/" + tasks.get(Math.floorMod(n.incrementAndGet(), tasks.size()))).statusCode());
        every(listsPerSecond, () -> given().baseUri(baseUrl).auth().oauth2(token).queryParam("size", 20)
                .get("/api/v1/executors").statusCode());
        every(writesPerSecond, () -> given().baseUri(baseUrl).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Bodies.executor("Нагрузка " + n.incrementAndGet()))
                .put("/api/v1/executors/load-" + UUID.randomUUID()).statusCode());
        return this;
    }

    private void every(int perSecond, IntSupplier call) {
        if (perSecond > 0) {
            timer.scheduleAtFixedRate(() -> timed(call), 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
        }
    }

    private void timed(IntSupplier call) {
        long started = System.nanoTime();
        try {
            if (call.getAsInt() / 100 != 2) {
                errors.incrementAndGet();
            }
        } catch (RuntimeException e) {
            errors.incrementAndGet();
        }
        millis.add(Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    public void stop() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(30, TimeUnit.SECONDS);
    }

    public int errors() {
        return errors.get();
    }

    public int calls() {
        return millis.size();
    }

    /** The given percentile of answer times, in ms. */
    public long percentile(double p) {
        List<Long> sorted;
        synchronized (millis) {
            sorted = new ArrayList<>(millis);
        }
        if (sorted.isEmpty()) {
            return 0;
        }
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p)));
    }

    public String summary() {
        return calls() + " calls, p50 " + percentile(0.5) + " ms, p99 " + percentile(0.99) + " ms, max "
                + percentile(1.0) + " ms, " + errors() + " errors";
    }
}
