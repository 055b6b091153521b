package io.madetask.bridge.payout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.oneOf;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.BridgeApi;
import io.madetask.bridge.testing.ConnectedSandboxTest;
import io.madetask.bridge.testing.SandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The reconciliation finds what differs between the bridge's payouts and MadeTask's: a payout made in MadeTask
 * behind the bridge's back, one the bridge has that MadeTask does not, a settlement the bridge missed; a clean period
 * has none and equal figures; the daily run runs once a day, shows in the sync status and notifies the CRM.
 */
@QuarkusTest
@WithTestResource(SandboxResource.class)
@TestProfile(ReconciliationTest.OnlyWebhooks.class)
class ReconciliationTest extends ConnectedSandboxTest {

    /**
     * MadeTask's events reach the bridge only by webhook (no catch-up from the event log), and no payout is settled by
     * asking MadeTask: a settlement the bridge does not hear of stays a difference while a test looks.
     */
    public static class OnlyWebhooks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.sync.catch-up-interval", "1H", "bridge.payouts.reconcile-after", "1H");
        }
    }

    private static final Duration DB = Duration.ofSeconds(10);

    @Inject
    Reconciliation reconciliation;

    @Inject
    Pool pool;

    @Test
    void payoutSettledInMadeTaskBehindTheBridgesBackIsMissingInBridge() {
        Instant from = Instant.now();
        String[] et = startedTask("700.00");
        String outside = payoutBehindTheBridgesBack(api.madetaskId("executors", et[0]), "250.00");
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> madetask().get("/api/v1/payouts/" + outside).then()
                .body("status", equalTo("PAID")));

        JsonPath r = reconcile(from);
        assertThat(r.getLong("differenceCount")).isEqualTo(1);
        Map<String, Object> d = only(r, "MISSING_IN_BRIDGE");
        assertThat(d.get("madetaskId")).isEqualTo(outside);
        assertThat(d).doesNotContainKey("payoutId").doesNotContainKey("bridge");
        assertThat(r.getString("differences[0].madetask.status")).isEqualTo("PAID");
        assertThat(r.getString("differences[0].madetask.amount.amount")).isEqualTo("250.00");
        assertThat((String) d.get("action")).contains("outside the bridge")
                .contains(r.getString("differences[0].madetask.taskId"));
        assertThat(r.getInt("madetask.byStatus.PAID.count")).isEqualTo(1);
        assertThat(r.getString("madetask.byStatus.PAID.sum.amount")).isEqualTo("250.00");
        assertThat(r.getInt("bridge.total.count")).isZero();
        assertThat(r.getString("kind")).isEqualTo("ON_DEMAND");
    }

    @Test
    void payoutTheBridgeHasThatMadeTaskDoesNotKnowIsMissingInMadeTask() {
        Instant from = Instant.now();
        String payoutId = paidPayout("410.00");
        String real = api.admin().get("/api/v1/payouts/" + payoutId).then().extract().path("madetaskId");
        String unknown = "po_unknown" + UUID.randomUUID().toString().substring(0, 8);
        // the bridge's record says MadeTask made this payout under an id MadeTask has never given
        pool.preparedQuery("update payout set madetask_id = $1 where id = $2").execute(Tuple.of(unknown, payoutId))
                .await().atMost(DB);

        JsonPath r = reconcile(from);
        assertThat(r.getLong("differenceCount")).isEqualTo(2);
        Map<String, Object> missing = only(r, "MISSING_IN_MADETASK");
        assertThat(missing.get("payoutId")).isEqualTo(payoutId);
        assertThat(missing.get("madetaskId")).isEqualTo(unknown);
        assertThat(missing).doesNotContainKey("madetask");
        assertThat(r.getString("differences.find { it.kind == 'MISSING_IN_MADETASK' }.bridge.status")).isEqualTo("PAID");
        assertThat(r.getString("differences.find { it.kind == 'MISSING_IN_MADETASK' }.bridge.amount.amount"))
                .isEqualTo("410.00");
        assertThat((String) missing.get("action")).contains("404");
        // and the payout MadeTask did make for the task is, to the bridge, a second one for the same task
        Map<String, Object> second = only(r, "MISSING_IN_BRIDGE");
        assertThat(second.get("madetaskId")).isEqualTo(real);
        assertThat(second.get("payoutId")).isEqualTo(payoutId);
        assertThat((String) second.get("action")).contains("paid twice");
    }

    @Test
    void settlementTheBridgeDidNotHearOfIsStatusDiffers() {
        Instant from = Instant.now();
        String[] et = startedTask("520.00");
        faults(f -> {
            f.webhooksEnabled = false;
            f.settlementDelayMs = 3_600_000;
            f.settlementJitterMs = 0;
        });
        accept(et[1]);
        String payoutId = api.manager().get("/api/v1/tasks/" + et[1]).then().extract().path("payout.id");
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/payouts/" + payoutId).then()
                .body("status", equalTo("PROCESSING")));
        String mt = api.manager().get("/api/v1/payouts/" + payoutId).then().extract().path("madetaskId");
        given().baseUri(sandbox.baseUrl()).contentType(ContentType.JSON).body("{}")
                .post("/sandbox/payouts/" + mt + "/settle").then().statusCode(200);

        JsonPath r = reconcile(from);
        assertThat(r.getLong("differenceCount")).isEqualTo(1);
        Map<String, Object> d = only(r, "STATUS_DIFFERS");
        assertThat(d.get("payoutId")).isEqualTo(payoutId);
        assertThat(d.get("madetaskId")).isEqualTo(mt);
        assertThat(r.getString("differences[0].bridge.status")).isEqualTo("PROCESSING");
        assertThat(r.getString("differences[0].madetask.status")).isEqualTo("PAID");
        assertThat((String) d.get("action")).contains("bridge.payouts.reconcile-after");
        assertThat(r.getInt("bridge.byStatus.PROCESSING.count")).isEqualTo(1);
        assertThat(r.getInt("madetask.byStatus.PAID.count")).isEqualTo(1);
    }

    @Test
    void cleanPeriodHasNoDifferencesAndTheSameCountsAndSumsOnBothSides() {
        Instant from = Instant.now();
        paidPayout("100.00");
        paidPayout("200.50");

        JsonPath r = reconcile(from);
        assertThat(r.getList("differences")).isEmpty();
        assertThat(r.getLong("differenceCount")).isZero();
        assertThat(r.getBoolean("truncated")).isFalse();
        assertThat(r.getMap("bridge.byStatus")).isEqualTo(r.getMap("madetask.byStatus"));
        assertThat(r.getMap("bridge.total")).isEqualTo(r.getMap("madetask.total"));
        assertThat(r.getInt("bridge.byStatus.PAID.count")).isEqualTo(2);
        assertThat(r.getString("bridge.byStatus.PAID.sum.amount")).isEqualTo("300.50");
        assertThat(r.getString("bridge.byStatus.PAID.sum.currency")).isEqualTo("RUB");
        assertThat(r.getInt("bridge.notInMadeTask.total.count")).isZero();
    }

    @Test
    void earlierAttemptKeptInPayoutAttemptIsKnownToTheBridge() {
        Instant from = Instant.now();
        String[] et = startedTask("330.00");
        io.madetask.sandbox.SandboxFaults before = sandbox.faults();
        faults(f -> {
            f.settlementDelayMs = 3_600_000;
            f.settlementJitterMs = 0;
        });
        // a MadeTask payout that FAILED, recorded below as the earlier attempt of the bridge's payout (the bridge's own
        // retry keeps such attempts in payout_attempt; here it is made directly, for a task of its own)
        String failed = payoutBehindTheBridgesBack(api.madetaskId("executors", et[0]), "330.00");
        given().baseUri(sandbox.baseUrl()).contentType(ContentType.JSON).body("{\"failure_code\":\"BANK_REJECTED\"}")
                .post("/sandbox/payouts/" + failed + "/settle").then().statusCode(200);
        sandbox.applyFaults(before);
        accept(et[1]);
        api.awaitTaskStatus(et[1], "PAID");
        String payoutId = api.manager().get("/api/v1/tasks/" + et[1]).then().extract().path("payout.id");
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/payouts/" + payoutId)
                .then().body("status", equalTo("PAID")));
        pool.preparedQuery("""
                insert into payout_attempt (payout_id, attempt, idempotency_key, madetask_id, status, failure_code,
                                            retried_by)
                values ($1, 1, $2, $3, 'FAILED', 'BANK_REJECTED', 'root')""")
                .execute(Tuple.of(payoutId, "test-attempt-" + UUID.randomUUID(), failed)).await().atMost(DB);

        JsonPath r = reconcile(from);
        assertThat(r.getList("differences")).isEmpty();
        assertThat(r.getInt("bridge.byStatus.FAILED.count")).isEqualTo(1);
        assertThat(r.getInt("bridge.byStatus.PAID.count")).isEqualTo(1);
        assertThat(r.getMap("bridge.byStatus")).isEqualTo(r.getMap("madetask.byStatus"));
        assertThat(r.getMap("bridge.total")).isEqualTo(r.getMap("madetask.total"));
    }

    @Test
    void dailyRunIsInTheSyncStatusNotifiesTheMismatchAndRunsOncePerDay() {
        String[] et = startedTask("90.00");
        String outside = payoutBehindTheBridgesBack(api.madetaskId("executors", et[0]), "45.00");
        String created = madetask().get("/api/v1/payouts/" + outside).then().extract().path("created_at");
        LocalDate day = LocalDate.ofInstant(Instant.parse(created), ZoneOffset.UTC);

        Optional<ReconciliationView> run = reconciliation.runDaily(day).await().atMost(BridgeApi.WAIT);
        assertThat(run).isPresent();
        ReconciliationView view = run.get();
        assertThat(view.kind()).isEqualTo("DAILY");
        assertThat(view.from()).isEqualTo(day.atStartOfDay(ZoneOffset.UTC).toInstant());
        assertThat(view.to()).isEqualTo(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
        assertThat(view.differences()).anySatisfy(d -> {
            assertThat(d.kind()).isEqualTo("MISSING_IN_BRIDGE");
            assertThat(d.madetaskId()).isEqualTo(outside);
        });
        // the day is done: neither this instance nor another runs it again
        assertThat(reconciliation.runDaily(day).await().atMost(BridgeApi.WAIT)).isEmpty();

        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/sync/status").then()
                .statusCode(200)
                .body("lastDailyReconciliation.outcome", equalTo("DIFFERENCES"))
                .body("lastDailyReconciliation.detail", org.hamcrest.Matchers.containsString(view.id())));
        JsonPath notifications = api.admin().queryParam("type", "reconciliation.mismatch")
                .get("/api/v1/notifications").then().statusCode(200).extract().jsonPath();
        assertThat(notifications.getList("items.entityId")).containsExactly(view.id());
        assertThat(notifications.getString("items[0].entityType")).isEqualTo("RECONCILIATION");
        assertThat(notifications.getLong("items[0].data.differences")).isEqualTo(view.differenceCount());
        assertThat(notifications.getString("items[0].data.day")).isEqualTo(day.toString());
        assertThat(notifications.getInt("items[0].data.byKind.MISSING_IN_BRIDGE")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void badPeriodsAre400NamingTheFieldAndOnlyAnAdminMayReconcile() {
        refused(Map.of("from", "yesterday"), "from");
        refused(Map.of("to", "2025-13-01"), "to");
        refused(Map.of("from", " "), "from");
        refused(Map.of("from", "1500-01-01"), "from");
        refused(Map.of("from", "2025-06-02", "to", "2025-06-01"), "to");
        refused(Map.of("from", "2025-06-01T00:00:00Z", "to", "2025-06-01T00:00:00Z"), "to");
        refused(Map.of("from", "2025-01-01", "to", "2025-03-01"), "to");

        api.manager().get("/api/v1/reconciliation").then().statusCode(403).body("code", equalTo("forbidden"));
        api.executor("crm-ex-1").get("/api/v1/reconciliation").then().statusCode(403);
        given().get("/api/v1/reconciliation").then().statusCode(401);

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        api.admin().get("/api/v1/reconciliation").then().statusCode(200)
                .body("from", equalTo(today.minusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString()))
                .body("to", equalTo(today.atStartOfDay(ZoneOffset.UTC).toInstant().toString()));
        api.admin().queryParam("from", "2025-06-01").get("/api/v1/reconciliation").then().statusCode(200)
                .body("from", equalTo("2025-06-01T00:00:00Z")).body("to", equalTo("2025-06-02T00:00:00Z"))
                .body("differenceCount", equalTo(0));
        api.admin().queryParam("to", "2025-06-01T12:00:00+03:00").get("/api/v1/reconciliation").then()
                .statusCode(200).body("from", equalTo("2025-05-31T09:00:00Z"));
    }

    @Test
    void madeTaskDownIs503AndConcludesNothing() {
        faults(f -> f.unavailableRate = 1.0);
        try {
            api.admin().get("/api/v1/reconciliation").then().statusCode(503)
                    .contentType(org.hamcrest.Matchers.startsWith("application/problem+json"))
                    .body("code", oneOf("madetask_unavailable", "madetask_circuit_open"));
        } finally {
            faults(f -> f.unavailableRate = 0);
            CircuitBreakerMaintenance.get().resetAll();
        }
        api.admin().queryParam("entityType", "RECONCILIATION").get("/api/v1/audit").then().statusCode(200)
                .body("items.outcome", hasItem("FAILED"));
    }

    // ------------------------------------------------------------------------------------------ helpers

    private void refused(Map<String, String> query, String field) {
        api.admin().queryParams(query).get("/api/v1/reconciliation").then().statusCode(400)
                .contentType(org.hamcrest.Matchers.startsWith("application/problem+json"))
                .body("code", equalTo("validation_failed"))
                .body("errors.field", hasItem(field));
    }

    /** The reconciliation of [from, a minute from now): from is when the test began, so no earlier test's payout is in it. */
    private JsonPath reconcile(Instant from) {
        return api.admin().queryParam("from", from.toString())
                .queryParam("to", Instant.now().plusSeconds(60).toString())
                .get("/api/v1/reconciliation").then().statusCode(200).extract().jsonPath();
    }

    /** The one difference of this kind. */
    private static Map<String, Object> only(JsonPath r, String kind) {
        List<Map<String, Object>> all = r.getList("differences");
        List<Map<String, Object>> ofKind = all.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertThat(ofKind).as("differences of kind %s in %s", kind, all).hasSize(1);
        return ofKind.get(0);
    }

    /** A registered executor's task, started in MadeTask and IN_PROGRESS in the bridge. */
    private String[] startedTask(String reward) {
        String executor = api.putExecutor("Сверяемый");
        api.awaitSynced("executors", executor);
        sandbox.completeRegistration(api.madetaskId("executors", executor));
        String task = api.putTask(executor, "Сверка", reward);
        api.awaitSynced("tasks", task);
        sandbox.executorMove(api.madetaskId("tasks", task), "start");
        api.awaitTaskStatus(task, "IN_PROGRESS");
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/executors/" + executor)
                .then().body("payable", equalTo(true)));
        return new String[] {executor, task};
    }

    private void accept(String task) {
        api.manager().contentType(ContentType.JSON).body("{\"status\":\"ACCEPTED\"}")
                .post("/api/v1/tasks/" + task + "/status").then().statusCode(200);
    }

    /** A task accepted and its payout PAID on both sides; answers the bridge's payout id. */
    private String paidPayout(String reward) {
        String task = startedTask(reward)[1];
        accept(task);
        api.awaitTaskStatus(task, "PAID");
        String payoutId = api.manager().get("/api/v1/tasks/" + task).then().extract().path("payout.id");
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/payouts/" + payoutId)
                .then().body("status", equalTo("PAID")));
        return payoutId;
    }

    /** MadeTask's API as another client of the same account would call it. */
    private RequestSpecification madetask() {
        String token = given().baseUri(sandbox.baseUrl()).auth().preemptive().basic("bridge", "bridge-secret")
                .formParam("grant_type", "client_credentials").post("/oauth/token").then().statusCode(200)
                .extract().path("access_token");
        return given().baseUri(sandbox.baseUrl()).header("Authorization", "Bearer " + token);
    }

    /**
     * A payout made directly in MadeTask, not through the bridge: a task of its own for the executor, accepted and
     * paid there. Answers MadeTask's payout id.
     */
    private String payoutBehindTheBridgesBack(String executorMadetaskId, String amount) {
        String key = UUID.randomUUID().toString();
        String task = madetask().contentType(ContentType.JSON).header("Idempotency-Key", "t-" + key)
                .body(Map.of("external_id", "outside-" + key, "executor_id", executorMadetaskId,
                        "title", "Мимо моста", "description", "Paid outside the bridge",
                        "reward", Map.of("amount", amount, "currency", "RUB")))
                .post("/api/v1/tasks").then().statusCode(201).extract().path("id");
        sandbox.executorMove(task, "start");
        madetask().contentType(ContentType.JSON).header("Idempotency-Key", "a-" + key)
                .body(Map.of("to", "ACCEPTED")).post("/api/v1/tasks/" + task + "/transitions")
                .then().statusCode(200);
        return madetask().contentType(ContentType.JSON).header("Idempotency-Key", "p-" + key)
                .body(Map.of("task_id", task, "amount", Map.of("amount", amount, "currency", "RUB")))
                .post("/api/v1/payouts").then().statusCode(201).extract().path("id");
    }
}
