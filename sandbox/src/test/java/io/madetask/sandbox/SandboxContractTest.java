package io.madetask.sandbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/** The sandbox keeps MadeTask's contract: every rule of madetask-api.md, seen over HTTP as a client sees it. */
class SandboxContractTest {

    private static final String SECRET = "contract-webhook-secret";
    private static Vertx vertx;
    private static MadeTaskSandbox sandbox;
    private static HttpServer receiver;
    private static final List<Delivery> deliveries = Collections.synchronizedList(new ArrayList<>());
    private static final AtomicInteger failuresToAnswer = new AtomicInteger();
    private static final AtomicInteger slowAnswers = new AtomicInteger();
    private static String base;
    private String token;

    record Delivery(String eventId, String signature, byte[] body, long arrivedAtNanos) {
    }

    @BeforeAll
    static void startSandboxAndWebhookReceiver() {
        vertx = Vertx.vertx();
        receiver = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            deliveries.add(new Delivery(request.getHeader("MadeTask-Event-Id"), request.getHeader("MadeTask-Signature"),
                    body.getBytes(), System.nanoTime()));
            if (slowAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                vertx.setTimer(1_500, t -> {
                    if (!request.response().closed()) {
                        request.response().setStatusCode(204).end();
                    }
                });
                return;
            }
            request.response().setStatusCode(failuresToAnswer.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 204)
                    .end();
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        SandboxFaults faults = new SandboxFaults();
        faults.settlementDelayMs = 50;
        faults.settlementJitterMs = 50;
        faults.webhookRetryBaseMs = 100;
        sandbox = new MadeTaskSandbox(vertx, new SandboxOptions("127.0.0.1", 0, Map.of("bridge", "s3cret"),
                Duration.ofMinutes(15), new java.math.BigDecimal("10000000.00"),
                "http://127.0.0.1:" + receiver.actualPort() + "/webhooks", SECRET, faults));
        sandbox.start().toCompletionStage().toCompletableFuture().join();
        base = sandbox.baseUrl();
    }

    @AfterAll
    static void stop() {
        sandbox.stop().toCompletionStage().toCompletableFuture().join();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void freshState() {
        sandbox.reset();
        deliveries.clear();
        failuresToAnswer.set(0);
        slowAnswers.set(0);
        token = given().baseUri(base).auth().preemptive().basic("bridge", "s3cret")
                .formParam("grant_type", "client_credentials")
                .when().post("/oauth/token").then().statusCode(200).extract().path("access_token");
    }

    // ---------------------------------------------------------------- OAuth2 and the gate

    @Test
    void tokenEndpointTakesBasicOrFormCredentialsAndRefusesOthers() {
        given().baseUri(base).formParam("grant_type", "client_credentials").formParam("client_id", "bridge")
                .formParam("client_secret", "s3cret")
                .when().post("/oauth/token")
                .then().statusCode(200)
                .body("token_type", equalTo("Bearer"))
                .body("expires_in", equalTo(900))
                .body("access_token", notNullValue());
        given().baseUri(base).auth().preemptive().basic("bridge", "wrong").formParam("grant_type", "client_credentials")
                .when().post("/oauth/token")
                .then().statusCode(401).body("error", equalTo("invalid_client"));
    }

    @Test
    void missingOrUnknownTokenGets401InvalidTokenAndRequestIdIsEchoed() {
        given().baseUri(base).header("X-Request-Id", "abc-1").when().get("/api/v1/balance")
                .then().statusCode(401)
                .contentType("application/problem+json")
                .header("X-Request-Id", "abc-1")
                .body("code", equalTo("invalid_token"))
                .body("request_id", equalTo("abc-1"));
        given().baseUri(base).auth().oauth2("mt_unknown").when().get("/api/v1/balance")
                .then().statusCode(401).body("code", equalTo("invalid_token"))
                .header("X-Request-Id", notNullValue());
    }

    @Test
    void expiredTokensAreRefused() {
        sandbox.expireTokens();
        api().when().get("/api/v1/balance").then().statusCode(401).body("code", equalTo("invalid_token"));
    }

    @Test
    void overTheRateLimitGets429WithRetryAfter() {
        faults(f -> {
            f.rateLimitPerSecond = 0.5;
            f.rateLimitBurst = 2;
        });
        api().get("/api/v1/balance").then().statusCode(200);
        api().get("/api/v1/balance").then().statusCode(200);
        api().get("/api/v1/balance").then().statusCode(429)
                .header("Retry-After", "2")
                .body("code", equalTo("rate_limited"));
    }

    // ---------------------------------------------------------------- idempotency

    @Test
    void postWithoutIdempotencyKeyGets400() {
        api().contentType(ContentType.JSON).body(executorJson("crm-1"))
                .when().post("/api/v1/executors")
                .then().statusCode(400).body("code", equalTo("idempotency_key_required"))
                .body("errors.field", hasItems("Idempotency-Key"));
    }

    @Test
    void sameKeyAndBodyReplaysTheFirstAnswer() {
        Response first = post("/api/v1/executors", executorJson("crm-1"), "key-1");
        first.then().statusCode(201);
        Response second = post("/api/v1/executors", executorJson("crm-1"), "key-1");

        second.then().statusCode(201).header("Idempotent-Replayed", "true");
        assertThat(second.asString()).isEqualTo(first.asString());
        api().queryParam("external_id", "crm-1").get("/api/v1/executors").then().body("items", hasSize(1));
    }

    @Test
    void refusalsAreReplayedToo() {
        post("/api/v1/executors", executorJson("crm-1"), "key-1").then().statusCode(201);
        post("/api/v1/executors", executorJson("crm-1"), "key-2").then().statusCode(409);
        post("/api/v1/executors", executorJson("crm-1"), "key-2").then().statusCode(409)
                .header("Idempotent-Replayed", "true").body("code", equalTo("duplicate_external_id"));
    }

    @Test
    void sameKeyWithAnotherBodyGets422() {
        post("/api/v1/executors", executorJson("crm-1"), "key-1").then().statusCode(201);
        post("/api/v1/executors", executorJson("crm-2"), "key-1").then().statusCode(422)
                .body("code", equalTo("idempotency_key_reused"));
    }

    @Test
    void sameKeyWhileTheFirstIsInFlightGets409() throws Exception {
        faults(f -> f.latencyMs = 700);
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/executors"))
                .header("Authorization", "Bearer " + token).header("Idempotency-Key", "key-slow")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(executorJson("crm-slow"))).build();
        CompletableFuture<HttpResponse<String>> first = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);

        HttpResponse<String> second = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(second.body()).contains("idempotency_key_in_use");
        assertThat(first.get().statusCode()).isEqualTo(201);
    }

    // ---------------------------------------------------------------- executors

    @Test
    void invalidExecutorGets400WithEveryBadField() {
        String body = """
                {"external_id":"crm-bad","full_name":"Иван","phone":"89161234567","email":"nope",
                 "inn":"500100732258","tax_status":"SELF_EMPLOYED",
                 "payout_method":{"type":"CARD","card_number":"4111111111111112"}}""";
        post("/api/v1/executors", body, "key-bad").then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("validation_failed"))
                .body("errors.field", hasItems("phone", "email", "inn", "payout_method.card_number"));
    }

    @Test
    void missingRequiredFieldsGet400NotAServerError() {
        post("/api/v1/executors", """
                {"external_id":"crm-no-tax","full_name":"Иван Петров","phone":"+79161234567",
                 "email":"ivan@example.com","inn":"500100732259",
                 "payout_method":{"type":"CARD","card_number":"4111111111111111"}}""", "key-no-tax")
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("validation_failed")).body("errors.field", hasItems("tax_status"));
        String task = newTask("crm-task-no-to", "100.00", false);
        post("/api/v1/tasks/" + task + "/transitions", "{\"comment\":\"no target\"}", "key-no-to")
                .then().statusCode(400).body("code", equalTo("validation_failed"))
                .body("errors.field", hasItems("to"));
    }

    @Test
    void executorIsInvitedShowsOnlyLast4AndBecomesPayableOnRegistration() {
        String id = post("/api/v1/executors", executorJson("crm-1"), "k").then().statusCode(201)
                .body("status", equalTo("INVITED"))
                .body("payable", equalTo(false))
                .body("payout_method.card_last4", equalTo("1111"))
                .body("payout_method.card_number", nullValue())
                .body("version", equalTo(1))
                .extract().path("id");

        sandbox.completeRegistration(id);

        api().get("/api/v1/executors/" + id).then().statusCode(200)
                .body("status", equalTo("ACTIVE")).body("payable", equalTo(true)).body("version", equalTo(2));
    }

    @Test
    void duplicateExternalIdGets409WithTheExistingId() {
        String id = post("/api/v1/executors", executorJson("crm-1"), "k1").then().extract().path("id");
        post("/api/v1/executors", executorJson("crm-1"), "k2").then().statusCode(409)
                .body("code", equalTo("duplicate_external_id")).body("existing_id", equalTo(id));
    }

    @Test
    void bulkAnswersEachItemOnItsOwn() {
        String body = "{\"items\":[" + executorJson("crm-a") + "," + executorJson("crm-a") + ","
                + executorJson("crm-b").replace("+79161234567", "123") + "]}";
        post("/api/v1/executors/bulk", body, "bulk-1").then().statusCode(200)
                .body("results.status", equalTo(List.of(201, 409, 400)))
                .body("results[0].executor.external_id", equalTo("crm-a"))
                .body("results[1].error.code", equalTo("duplicate_external_id"))
                .body("results[2].error.code", equalTo("validation_failed"));
        StringBuilder tooMany = new StringBuilder("{\"items\":[");
        for (int i = 0; i < 501; i++) {
            tooMany.append(i == 0 ? "" : ",").append(executorJson("crm-many-" + i));
        }
        post("/api/v1/executors/bulk", tooMany.append("]}").toString(), "bulk-2").then().statusCode(400);
    }

    @Test
    void patchNeedsTheCurrentVersionInIfMatch() {
        String id = post("/api/v1/executors", executorJson("crm-1"), "k").then().extract().path("id");
        String patch = "{\"full_name\":\"Иван Сидоров\"}";
        api().contentType(ContentType.JSON).body(patch).patch("/api/v1/executors/" + id).then().statusCode(428);
        api().contentType(ContentType.JSON).header("If-Match", "7").body(patch).patch("/api/v1/executors/" + id)
                .then().statusCode(412).body("code", equalTo("version_mismatch"));
        api().contentType(ContentType.JSON).header("If-Match", "1").body(patch).patch("/api/v1/executors/" + id)
                .then().statusCode(200).body("full_name", equalTo("Иван Сидоров")).body("version", equalTo(2));
    }

    @Test
    void listsPageByCursorInUpdateOrder() {
        for (int i = 0; i < 5; i++) {
            post("/api/v1/executors", executorJson("crm-" + i), "k" + i).then().statusCode(201);
        }
        Response page1 = api().queryParam("limit", 2).get("/api/v1/executors");
        page1.then().statusCode(200).body("items", hasSize(2)).body("next_cursor", notNullValue());
        Response page2 = api().queryParam("limit", 2).queryParam("cursor", page1.path("next_cursor").toString())
                .get("/api/v1/executors");
        Response page3 = api().queryParam("limit", 2).queryParam("cursor", page2.path("next_cursor").toString())
                .get("/api/v1/executors");
        page3.then().body("items", hasSize(1)).body("next_cursor", nullValue());
        List<String> seen = new ArrayList<>();
        seen.addAll(page1.path("items.external_id"));
        seen.addAll(page2.path("items.external_id"));
        seen.addAll(page3.path("items.external_id"));
        assertThat(seen).containsExactly("crm-0", "crm-1", "crm-2", "crm-3", "crm-4");
        api().queryParam("limit", 501).get("/api/v1/executors").then().statusCode(400);
    }

    // ---------------------------------------------------------------- tasks

    @Test
    void taskFollowsTheStatusMachine() {
        String task = newTask("task-1", "1500.00", false);
        transition(task, "ACCEPTED").then().statusCode(409).body("code", equalTo("invalid_transition"));
        transition(task, "REJECTED").then().statusCode(409);

        assertThat(sandbox.executorMove(task, "start").get("status").asText()).isEqualTo("IN_PROGRESS");
        assertThat(sandbox.executorMove(task, "submit").get("status").asText()).isEqualTo("SUBMITTED");
        transition(task, "REJECTED").then().statusCode(200).body("status", equalTo("REJECTED"));
        assertThat(sandbox.executorMove(task, "resume").get("status").asText()).isEqualTo("IN_PROGRESS");
        transition(task, "ACCEPTED").then().statusCode(200).body("status", equalTo("ACCEPTED"));
        transition(task, "CANCELLED").then().statusCode(409);
        api().contentType(ContentType.JSON).header("If-Match", "6").body("{\"title\":\"x\"}")
                .patch("/api/v1/tasks/" + task).then().statusCode(409).body("code", equalTo("task_not_editable"));

        String other = newTask("task-2", "10.00", false);
        transition(other, "CANCELLED").then().statusCode(200).body("status", equalTo("CANCELLED"));
        api().queryParam("status", "CANCELLED").get("/api/v1/tasks").then().body("items.external_id",
                equalTo(List.of("task-2")));
    }

    @Test
    void taskForBlockedOrMissingExecutorIsRefused() {
        String executor = post("/api/v1/executors", executorJson("crm-blocked"), "k").then().extract().path("id");
        api().contentType(ContentType.JSON).header("If-Match", "1").body("{\"status\":\"BLOCKED\"}")
                .patch("/api/v1/executors/" + executor).then().statusCode(200);
        post("/api/v1/tasks", taskJson("t-1", executor, "5.00"), "t1").then().statusCode(422)
                .body("code", equalTo("executor_blocked"));
        post("/api/v1/tasks", taskJson("t-2", "ex_missing", "5.00"), "t2").then().statusCode(404)
                .body("code", equalTo("executor_not_found"));
        post("/api/v1/tasks", taskJson("t-3", executor, "5.5"), "t3").then().statusCode(400)
                .body("errors.field", hasItems("reward"));
    }

    // ---------------------------------------------------------------- payouts

    @Test
    void payoutIsCheckedReservedAndSettledAsynchronously() {
        faults(f -> f.settlementDelayMs = 1_000); // long enough to see the money reserved on a busy machine
        String unpaid = newTask("task-unpaid", "700.00", false);
        post("/api/v1/payouts", payoutJson(unpaid, "700.00"), "p0").then().statusCode(409)
                .body("code", equalTo("task_not_accepted"));

        String task = newTask("task-1", "1500.00", true);
        post("/api/v1/payouts", payoutJson(task, "1499.99"), "p1").then().statusCode(422)
                .body("code", equalTo("amount_mismatch"));
        String payout = post("/api/v1/payouts", payoutJson(task, "1500.00"), "p2").then().statusCode(201)
                .body("status", equalTo("PROCESSING")).extract().path("id");
        api().get("/api/v1/balance").then().body("reserved.amount", equalTo("1500.00"))
                .body("available.amount", equalTo("9998500.00"));
        post("/api/v1/payouts", payoutJson(task, "1500.00"), "p3").then().statusCode(409)
                .body("code", equalTo("payout_exists")).body("existing_id", equalTo(payout));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> api().get("/api/v1/payouts/" + payout)
                .then().body("status", equalTo("PAID")));
        api().get("/api/v1/payouts/" + payout).then().body("receipt_url", notNullValue()).body("paid_at", notNullValue());
        api().get("/api/v1/tasks/" + task).then().body("status", equalTo("PAID"));
        api().get("/api/v1/balance").then().body("reserved.amount", equalTo("0.00"))
                .body("available.amount", equalTo("9998500.00"));
        assertThat(sandbox.ledger().get("violations")).isEmpty();
        assertThat(sandbox.ledger().get("tasks_paid").asInt()).isEqualTo(1);
    }

    @Test
    void payoutToAnExecutorWhoHasNotRegisteredIsRefused() {
        String executor = post("/api/v1/executors", executorJson("crm-new"), "k").then().extract().path("id");
        String task = post("/api/v1/tasks", taskJson("t-new", executor, "100.00"), "t").then().extract().path("id");
        sandbox.executorMove(task, "start");
        transition(task, "ACCEPTED").then().statusCode(200);
        post("/api/v1/payouts", payoutJson(task, "100.00"), "p").then().statusCode(422)
                .body("code", equalTo("executor_not_payable"));
    }

    @Test
    void failedPayoutReleasesTheMoneyAndAllowsANewOne() {
        faults(f -> f.payoutFailureRate = 1.0);
        String task = newTask("task-1", "300.00", true);
        String failed = post("/api/v1/payouts", payoutJson(task, "300.00"), "p1").then().statusCode(201)
                .extract().path("id");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> api().get("/api/v1/payouts/" + failed)
                .then().body("status", equalTo("FAILED")).body("failure_code", equalTo("BANK_REJECTED")));
        api().get("/api/v1/balance").then().body("available.amount", equalTo("10000000.00"));

        faults(f -> f.payoutFailureRate = 0);
        post("/api/v1/payouts", payoutJson(task, "300.00"), "p2").then().statusCode(201);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(sandbox.ledger().get("tasks_paid").asInt())
                .isEqualTo(1));
        assertThat(sandbox.ledger().get("violations")).isEmpty();
        assertThat(sandbox.ledger().get("payouts_created").asInt()).isEqualTo(2);
    }

    @Test
    void withRefuseSecondPayoutOffASecondPayoutGoesThroughAndTheLedgerShowsIt() {
        given().baseUri(base).get("/sandbox/faults").then().body("refuseSecondPayout", equalTo(true));
        given().baseUri(base).contentType(ContentType.JSON)
                .body("{\"refuseSecondPayout\":false,\"settlementDelayMs\":600000}")
                .put("/sandbox/faults").then().statusCode(200).body("refuseSecondPayout", equalTo(false));

        // paid, then paid again under a new key: the task already PAID takes the second payout
        String paidTwice = newTask("task-twice", "500.00", true);
        String first = post("/api/v1/payouts", payoutJson(paidTwice, "500.00"), "pay-1").then().statusCode(201)
                .extract().path("id");
        given().baseUri(base).post("/sandbox/payouts/" + first + "/settle").then().statusCode(200);
        api().get("/api/v1/tasks/" + paidTwice).then().body("status", equalTo("PAID"));
        String second = post("/api/v1/payouts", payoutJson(paidTwice, "500.00"), "pay-2").then().statusCode(201)
                .body("status", equalTo("PROCESSING")).extract().path("id");
        assertThat(second).isNotEqualTo(first);
        post("/api/v1/payouts", payoutJson(paidTwice, "500.00"), "pay-2").then().statusCode(201)
                .header("Idempotent-Replayed", "true").body("id", equalTo(second));
        given().baseUri(base).post("/sandbox/payouts/" + second + "/settle").then().statusCode(200)
                .body("status", equalTo("PAID"));

        // two at once, while the task is still ACCEPTED
        String concurrent = newTask("task-concurrent", "70.00", true);
        post("/api/v1/payouts", payoutJson(concurrent, "70.00"), "pay-3").then().statusCode(201);
        post("/api/v1/payouts", payoutJson(concurrent, "70.00"), "pay-4").then().statusCode(201);

        var ledger = sandbox.ledger();
        assertThat(ledger.get("violations").findValuesAsText("kind")).contains("PAID_MORE_THAN_ONCE",
                "CONCURRENT_PAYOUTS");
        assertThat(ledger.get("violations")).anySatisfy(v -> {
            assertThat(v.get("kind").asText()).isEqualTo("PAID_MORE_THAN_ONCE");
            assertThat(v.get("task_id").asText()).isEqualTo(paidTwice);
        });
        assertThat(ledger.get("tasks")).anySatisfy(row -> {
            assertThat(row.get("task_id").asText()).isEqualTo(paidTwice);
            assertThat(row.get("payouts_paid").asInt()).isEqualTo(2);
        });
        api().get("/api/v1/balance").then().body("available.amount", equalTo("9998860.00"))
                .body("reserved.amount", equalTo("140.00"));
    }

    @Test
    void selfEmployedIncomeLimitAndBalanceAreEnforced() {
        String big = newTask("task-big", "2000000.00", true);
        post("/api/v1/payouts", payoutJson(big, "2000000.00"), "p1").then().statusCode(201);
        String executor = api().get("/api/v1/tasks/" + big).path("executor_id");
        String more = post("/api/v1/tasks", taskJson("task-more", executor, "400000.01"), "t").then().extract().path("id");
        sandbox.executorMove(more, "start");
        transition(more, "ACCEPTED").then().statusCode(200);
        post("/api/v1/payouts", payoutJson(more, "400000.01"), "p2").then().statusCode(422)
                .body("code", equalTo("income_limit_exceeded"));

        given().baseUri(base).contentType(ContentType.JSON).body("{\"available\":\"10.00\"}").put("/sandbox/balance")
                .then().statusCode(200);
        String small = newTask("task-small", "20.00", true);
        post("/api/v1/payouts", payoutJson(small, "20.00"), "p3").then().statusCode(422)
                .body("code", equalTo("insufficient_funds"));
    }

    // ---------------------------------------------------------------- events and webhooks

    @Test
    void idsAreOpaqueRandomAndSayNothingAboutOrder() {
        List<String> executors = post("/api/v1/executors/bulk", bulkJson("crm-order-", 40), "bulk-ids").then()
                .statusCode(200).extract().path("results.executor.id");
        String task = newTask("task-ids", "10.00", true);
        String payout = post("/api/v1/payouts", payoutJson(task, "10.00"), "p-ids").then().statusCode(201)
                .extract().path("id");
        List<String> events = api().queryParam("limit", 500).get("/api/v1/events").then().statusCode(200)
                .extract().path("items.id");

        assertThat(executors).hasSize(40).allMatch(id -> id.matches("ex_[0-9a-z]{20}")).doesNotHaveDuplicates();
        assertThat(task).matches("tk_[0-9a-z]{20}");
        assertThat(payout).matches("po_[0-9a-z]{20}");
        assertThat(events).hasSizeGreaterThan(40).allMatch(id -> id.matches("evt_[0-9a-z]{20}"))
                .doesNotHaveDuplicates();
        // in the order they were made, neither executors nor events are in string order (1 in 40! by chance)
        assertThat(isSorted(executors)).as("executor ids in creation order are string-ordered").isFalse();
        assertThat(isSorted(events)).as("event ids in log order are string-ordered").isFalse();
    }

    @Test
    void eventsAreListedInLogOrderAfterAnEventId() {
        newTask("task-1", "10.00", false);
        List<Map<String, Object>> all = api().queryParam("limit", 500).get("/api/v1/events").then().statusCode(200)
                .body("next_cursor", nullValue()).extract().path("items");
        assertThat(all).extracting(e -> e.get("type")).containsExactly("executor.updated", "task.updated");
        List<String> ids = all.stream().map(e -> (String) e.get("id")).toList();

        List<String> rest = api().queryParam("after", ids.get(0)).get("/api/v1/events").path("items.id");

        assertThat(rest).containsExactlyElementsOf(ids.subList(1, ids.size()));
        api().queryParam("after", ids.get(ids.size() - 1)).get("/api/v1/events").then().statusCode(200)
                .body("items", hasSize(0)).body("next_cursor", nullValue());
    }

    @Test
    void pagingTheEventLogByNextCursorReachesEveryEventExactlyOnce() {
        faults(f -> f.rateLimitEnabled = false);
        post("/api/v1/executors/bulk", bulkJson("crm-log-", 120), "bulk-log").then().statusCode(200);
        List<String> log = api().queryParam("limit", 500).get("/api/v1/events").then().statusCode(200)
                .extract().path("items.id");
        assertThat(log).hasSize(120);

        for (int limit : new int[] {10, 7}) {
            List<String> seen = new ArrayList<>();
            int pages = 0;
            String cursor = null;
            do {
                RequestSpecification request = api().queryParam("limit", limit);
                Response page = (cursor == null ? request : request.queryParam("cursor", cursor)).get("/api/v1/events");
                page.then().statusCode(200);
                List<String> items = page.path("items.id");
                seen.addAll(items);
                pages++;
                cursor = page.path("next_cursor");
                assertThat(cursor == null).as("next_cursor is null exactly on the last page")
                        .isEqualTo(seen.size() == log.size());
                if (cursor != null) {
                    assertThat(items).hasSize(limit);
                    assertThat(cursor).as("next_cursor is a cursor, not an event id").doesNotStartWith("evt_")
                            .isNotIn(log);
                    // and the page it leads to is the one after the page's last event
                    assertThat(api().queryParam("limit", limit).queryParam("after", items.get(items.size() - 1))
                            .get("/api/v1/events").<List<String>>path("items.id"))
                            .isEqualTo(api().queryParam("limit", limit).queryParam("cursor", cursor)
                                    .get("/api/v1/events").<List<String>>path("items.id"));
                }
            } while (cursor != null && pages < 100);

            assertThat(pages).isEqualTo((log.size() + limit - 1) / limit).isGreaterThan(10);
            assertThat(seen).containsExactlyElementsOf(log);
        }
    }

    @Test
    void badEventQueriesGet400WithTheField() {
        newTask("task-1", "10.00", false);
        post("/api/v1/executors", executorJson("crm-second"), "k-second").then().statusCode(201);
        Response first = api().queryParam("limit", 1).get("/api/v1/events");
        String cursor = first.path("next_cursor");
        String executorsCursor = api().queryParam("limit", 1).get("/api/v1/executors").path("next_cursor");
        assertThat(cursor).isNotNull();
        assertThat(executorsCursor).isNotNull();

        events("after", "evt_unknownunknown0000").then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("validation_failed")).body("errors.field", hasItems("after"));
        events("after", cursor).then().statusCode(400).body("errors.field", hasItems("after"));
        for (String bad : new String[] {"nope", "!!", "ZXZlbnRzLnYxfDF8OTk5", first.path("items[0].id")}) {
            events("cursor", bad).then().statusCode(400).body("code", equalTo("validation_failed"))
                    .body("errors.field", hasItems("cursor"));
        }
        events("cursor", executorsCursor).then().statusCode(400).body("errors.field", hasItems("cursor"));
        for (String bad : new String[] {"0", "501", "-1", "ten"}) {
            events("limit", bad).then().statusCode(400).body("code", equalTo("validation_failed"))
                    .body("errors.field", hasItems("limit"));
        }
        api().queryParam("after", first.<String>path("items[0].id")).queryParam("cursor", cursor)
                .get("/api/v1/events").then().statusCode(400).body("errors.field", hasItems("cursor"));
        events("limit", "500").then().statusCode(200);
        events("cursor", cursor).then().statusCode(200).body("items", hasSize(2));

        sandbox.reset();
        events("cursor", cursor).then().statusCode(400).body("errors.field", hasItems("cursor"));
    }

    @Test
    void otherListsRefuseBadCursorsAndLimitsToo() {
        for (String list : new String[] {"/api/v1/executors", "/api/v1/tasks", "/api/v1/payouts"}) {
            api().queryParam("cursor", "nope").get(list).then().statusCode(400)
                    .body("code", equalTo("validation_failed")).body("errors.field", hasItems("cursor"));
            api().queryParam("limit", 0).get(list).then().statusCode(400).body("errors.field", hasItems("limit"));
            api().get(list).then().statusCode(200).body("next_cursor", nullValue());
        }
    }

    @Test
    void webhooksAreSignedVerifiableAndRetriedWithDoublingBackoffUntilAccepted() {
        failuresToAnswer.set(3);
        String executor = post("/api/v1/executors", executorJson("crm-hook"), "k").then().extract().path("id");

        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.size() >= 4);
        Delivery last = deliveries.get(deliveries.size() - 1);
        assertThat(deliveries).hasSize(4).extracting(Delivery::eventId).containsOnly(last.eventId());
        for (int i = 1; i < 4; i++) {
            long gapMs = (deliveries.get(i).arrivedAtNanos() - deliveries.get(i - 1).arrivedAtNanos()) / 1_000_000;
            assertThat(gapMs).as("wait before try %d (base 100 ms, doubling)", i + 1)
                    .isGreaterThanOrEqualTo((long) (100 * Math.pow(2, i - 1) * 0.9));
        }
        assertThat(signedAsTheContractSays(SECRET, last.signature(), last.body())).isTrue();
        assertThat(signedAsTheContractSays("another-secret", last.signature(), last.body())).isFalse();
        String body = new String(last.body(), StandardCharsets.UTF_8);
        assertThat(body).contains("\"type\":\"executor.updated\"").contains(executor);
    }

    @Test
    void aReceiverSlowerThanTheTimeoutIsCutOffAndTriedAgain() {
        faults(f -> f.webhookTimeoutMs = 300);
        slowAnswers.set(1);
        post("/api/v1/executors", executorJson("crm-slow-hook"), "k").then().statusCode(201);

        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries.size() >= 2);
        assertThat(deliveries.get(1).eventId()).isEqualTo(deliveries.get(0).eventId());
        long gapMs = (deliveries.get(1).arrivedAtNanos() - deliveries.get(0).arrivedAtNanos()) / 1_000_000;
        assertThat(gapMs).as("cut off after 300 ms, then 100 ms of backoff").isBetween(350L, 1_400L);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(sandbox.stats().get("webhook_pending")
                .asLong()).isZero());
    }

    @Test
    void aFailingReceiverCostsOneWaitingRetryPerEventNotAQueue() {
        long failedBefore = sandbox.stats().get("webhook_failed").asLong();
        long deliveredBefore = sandbox.stats().get("webhook_delivered").asLong();
        failuresToAnswer.set(Integer.MAX_VALUE);
        post("/api/v1/executors/bulk", bulkJson("crm-down-", 5), "bulk-down").then().statusCode(200);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(sandbox.stats().get("webhook_pending").asLong()).isLessThanOrEqualTo(5);
            assertThat(sandbox.stats().get("webhook_failed").asLong() - failedBefore).isGreaterThanOrEqualTo(20);
        });
        assertThat(sandbox.stats().get("webhook_pending").asLong()).isLessThanOrEqualTo(5);
        failuresToAnswer.set(0);

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(sandbox.stats().get("webhook_delivered").asLong() - deliveredBefore).isEqualTo(5);
            assertThat(sandbox.stats().get("webhook_pending").asLong()).isZero();
        });
    }

    @Test
    void reorderedWebhooksDeliverAnOlderVersionOfAnObjectAfterANewerOne() {
        faults(f -> {
            f.webhookReorderRate = 1.0;
            f.webhookReorderMaxDelayMs = 800;
        });
        int objects = 20;
        for (int i = 0; i < objects; i++) {
            String id = post("/api/v1/executors", executorJson("crm-reorder-" + i), "k" + i).then().statusCode(201)
                    .extract().path("id");
            sandbox.completeRegistration(id);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.size() >= 2 * objects);
        Map<String, List<Integer>> versionsInArrivalOrder = new java.util.HashMap<>();
        synchronized (deliveries) {
            for (Delivery d : deliveries) {
                io.restassured.path.json.JsonPath event = new io.restassured.path.json.JsonPath(
                        new String(d.body(), StandardCharsets.UTF_8));
                versionsInArrivalOrder.computeIfAbsent(event.getString("data.id"), k -> new ArrayList<>())
                        .add(event.getInt("data.version"));
            }
        }
        assertThat(versionsInArrivalOrder).hasSize(objects);
        assertThat(versionsInArrivalOrder.values()).as("some object's version 1 arrived after its version 2")
                .anyMatch(versions -> versions.equals(List.of(2, 1)));
    }

    @Test
    void webhooksCanBeDuplicatedOrTurnedOff() {
        faults(f -> f.webhookDuplicateRate = 1.0);
        post("/api/v1/executors", executorJson("crm-dup-hook"), "k1").then().statusCode(201);
        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries.size() == 2);
        assertThat(deliveries.get(0).eventId()).isEqualTo(deliveries.get(1).eventId());

        deliveries.clear();
        faults(f -> {
            f.webhookDuplicateRate = 0;
            f.webhooksEnabled = false;
        });
        post("/api/v1/executors", executorJson("crm-quiet"), "k2").then().statusCode(201);
        api().get("/api/v1/events").then().body("items.data.external_id", hasItems("crm-quiet"));
        assertThat(deliveries).isEmpty();
    }

    // ---------------------------------------------------------------- control API and faults

    @Test
    void faultKnobsChangeAtRunTimeThroughTheControlApi() {
        given().baseUri(base).contentType(ContentType.JSON).body("{\"errorRate\":1.0}").put("/sandbox/faults")
                .then().statusCode(200).body("errorRate", equalTo(1.0f)).body("latencyMs", equalTo(0));
        int status = api().get("/api/v1/balance").statusCode();
        assertThat(status).isIn(500, 502, 503, 504);
        given().baseUri(base).contentType(ContentType.JSON).body("{\"errorRate\":0}").put("/sandbox/faults")
                .then().statusCode(200);
        api().get("/api/v1/balance").then().statusCode(200);
        given().baseUri(base).contentType(ContentType.JSON).body("{\"noSuchKnob\":1}").put("/sandbox/faults")
                .then().statusCode(400);
    }

    @Test
    void unavailableRateAnswers503WithRetryAfterAndAppliesNothing() {
        given().baseUri(base).contentType(ContentType.JSON).body("{\"unavailableRate\":1.0,\"retryAfterSeconds\":7}")
                .put("/sandbox/faults").then().statusCode(200)
                .body("unavailableRate", equalTo(1.0f)).body("retryAfterSeconds", equalTo(7));

        api().get("/api/v1/balance").then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", "7").body("code", equalTo("service_unavailable"));
        post("/api/v1/executors", executorJson("crm-503"), "key-503").then().statusCode(503)
                .header("Retry-After", "7").body("code", equalTo("service_unavailable"));
        assertThat(sandbox.counter("faults_unavailable")).isEqualTo(2);

        faults(f -> f.unavailableRate = 0);
        assertThat(sandbox.executorsByExternalId("crm-503")).isEmpty();
        post("/api/v1/executors", executorJson("crm-503"), "key-503").then().statusCode(201)
                .header("Idempotent-Replayed", nullValue());
        assertThat(sandbox.executorsByExternalId("crm-503")).hasSize(1);
    }

    @Test
    void every503CarriesRetryAfter() {
        faults(f -> {
            f.scripted = List.of("ERROR_503", "UNAVAILABLE", "ERROR_500");
            f.retryAfterSeconds = 3;
        });
        api().get("/api/v1/balance").then().statusCode(503).header("Retry-After", "3")
                .body("code", equalTo("service_unavailable"));
        api().get("/api/v1/balance").then().statusCode(503).header("Retry-After", "3");
        api().get("/api/v1/balance").then().statusCode(500).header("Retry-After", nullValue());
        api().get("/api/v1/balance").then().statusCode(200);
    }

    @Test
    void timeoutHoldsTheRequestThenClosesTheConnectionWithoutAnswerAndAppliesNothing() throws Exception {
        faults(f -> {
            f.scripted = List.of("TIMEOUT");
            f.timeoutHangMs = 700;
        });
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/executors"))
                .header("Authorization", "Bearer " + token).header("Idempotency-Key", "key-hang")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(executorJson("crm-hang"))).build();
        long started = System.nanoTime();

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.io.IOException.class);

        long heldMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(heldMs).as("held for timeoutHangMs").isGreaterThanOrEqualTo(650);
        assertThat(sandbox.counter("faults_timeout")).isEqualTo(1);
        assertThat(sandbox.executorsByExternalId("crm-hang")).isEmpty();
        post("/api/v1/executors", executorJson("crm-hang"), "key-hang").then().statusCode(201)
                .header("Idempotent-Replayed", nullValue());
    }

    @Test
    void executorMovesThroughTheControlApiFollowTheMachine() {
        String task = newTask("task-ctl", "10.00", false);
        given().baseUri(base).post("/sandbox/tasks/" + task + "/submit").then().statusCode(409);
        given().baseUri(base).post("/sandbox/tasks/" + task + "/start").then().statusCode(200)
                .body("status", equalTo("IN_PROGRESS"));
        given().baseUri(base).get("/sandbox/ledger").then().statusCode(200).body("violations", hasSize(0));
        given().baseUri(base).get("/sandbox/stats").then().statusCode(200).body("requests", notNullValue());
    }

    // ---------------------------------------------------------------- helpers

    private RequestSpecification api() {
        return given().baseUri(base).auth().oauth2(token);
    }

    private Response post(String path, String body, String key) {
        return api().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).when().post(path);
    }

    private Response transition(String taskId, String to) {
        return post("/api/v1/tasks/" + taskId + "/transitions", "{\"to\":\"" + to + "\"}", UUID.randomUUID().toString());
    }

    /** A task for a new executor; when accepted, the executor is registered and the task ACCEPTED. */
    private String newTask(String externalId, String reward, boolean accepted) {
        String executor = post("/api/v1/executors", executorJson("crm-for-" + externalId), "ex-" + externalId)
                .then().statusCode(201).extract().path("id");
        String task = post("/api/v1/tasks", taskJson(externalId, executor, reward), "task-" + externalId)
                .then().statusCode(201).body("status", equalTo("ASSIGNED")).extract().path("id");
        if (accepted) {
            sandbox.completeRegistration(executor);
            sandbox.executorMove(task, "start");
            transition(task, "ACCEPTED").then().statusCode(200);
        }
        return task;
    }

    private void faults(java.util.function.Consumer<SandboxFaults> change) {
        SandboxFaults f = sandbox.faults();
        change.accept(f);
        sandbox.applyFaults(f);
    }

    private Response events(String param, String value) {
        return api().queryParam(param, value).get("/api/v1/events");
    }

    private static boolean isSorted(List<String> ids) {
        for (int i = 1; i < ids.size(); i++) {
            if (ids.get(i - 1).compareTo(ids.get(i)) > 0) {
                return false;
            }
        }
        return true;
    }

    static String bulkJson(String externalIdPrefix, int count) {
        StringBuilder items = new StringBuilder("{\"items\":[");
        for (int i = 0; i < count; i++) {
            items.append(i == 0 ? "" : ",").append(executorJson(externalIdPrefix + i));
        }
        return items.append("]}").toString();
    }

    static String executorJson(String externalId) {
        return """
                {"external_id":"%s","full_name":"Иван Петров","phone":"+79161234567","email":"ivan@example.com",
                 "inn":"500100732259","tax_status":"SELF_EMPLOYED",
                 "payout_method":{"type":"CARD","card_number":"4111111111111111"}}""".formatted(externalId);
    }

    static String taskJson(String externalId, String executorId, String reward) {
        return """
                {"external_id":"%s","executor_id":"%s","title":"Translate","description":"Ten pages",
                 "reward":{"amount":"%s","currency":"RUB"}}""".formatted(externalId, executorId, reward);
    }

    static String payoutJson(String taskId, String amount) {
        return "{\"task_id\":\"%s\",\"amount\":{\"amount\":\"%s\",\"currency\":\"RUB\"}}".formatted(taskId, amount);
    }

    /** {@code X-MadeTask-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t." + body>}, signed within 5 minutes. */
    private static boolean signedAsTheContractSays(String secret, String header, byte[] body) {
        java.util.Map<String, String> parts = new java.util.HashMap<>();
        for (String part : header.split(",")) {
            String[] kv = part.split("=", 2);
            parts.put(kv[0], kv.length == 2 ? kv[1] : "");
        }
        long t = Long.parseLong(parts.get("t"));
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
            String expected = java.util.HexFormat.of().formatHex(mac.doFinal(body));
            return expected.equals(parts.get("v1")) && Math.abs(Instant.now().getEpochSecond() - t) <= 300;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
