package io.madetask.bridge.events;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.madetask.bridge.common.Signatures;
import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.SandboxTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The webhook as an attacker, a flaky network and a slow MadeTask would use it: forged, stale, malformed, replayed and
 * out-of-date events all change nothing. A webhook is answered as soon as its event is stored (ACCEPTED, or
 * DUPLICATE); the bridge applies it right after. (The sandbox's own deliveries are off here: events are sent by hand.)
 */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class WebhookTest extends SandboxTest {

    @Inject
    Pool pool;

    String crmId;
    String madetaskId;

    @BeforeEach
    void anExecutorInMadeTask() {
        sandbox.configureWebhook(null, null);
        crmId = api.putExecutor("Вебхук Вебхуков");
        api.awaitSynced("executors", crmId);
        madetaskId = api.madetaskId("executors", crmId);
    }

    @Test
    void validEventIsAppliedOnceAndItsReplayChangesNothing() {
        String event = event("evt_a_" + crmId, 5, "ACTIVE", true);
        send(event, sign(event, Instant.now())).statusCode(200).body("outcome", equalTo("ACCEPTED"));
        awaitOutcome("evt_a_" + crmId, "APPLIED");
        api.manager().get("/api/v1/executors/" + crmId).then().body("status", equalTo("ACTIVE"))
                .body("payable", equalTo(true));
        send(event, sign(event, Instant.now())).statusCode(200).body("outcome", equalTo("DUPLICATE"));
    }

    @Test
    void olderVersionNeverOverwritesANewerOne() {
        String newer = event("evt_n_" + crmId, 7, "BLOCKED", false);
        send(newer, sign(newer, Instant.now())).statusCode(200).body("outcome", equalTo("ACCEPTED"));
        awaitOutcome("evt_n_" + crmId, "APPLIED");
        String older = event("evt_o_" + crmId, 6, "ACTIVE", true);
        send(older, sign(older, Instant.now())).statusCode(200).body("outcome", equalTo("ACCEPTED"));
        awaitOutcome("evt_o_" + crmId, "STALE");
        api.manager().get("/api/v1/executors/" + crmId).then().body("status", equalTo("BLOCKED"));
    }

    @Test
    void badOrStaleSignatureGets401AndChangesNothing() {
        String event = event("evt_x_" + crmId, 9, "BLOCKED", false);
        send(event, "t=" + Instant.now().getEpochSecond() + ",v1=deadbeef").statusCode(401)
                .contentType("application/problem+json").body("code", equalTo("invalid_signature"));
        send(event, null).statusCode(401);
        send(event, Signatures.sign("another-secret", Instant.now().getEpochSecond(), bytes(event))).statusCode(401);
        send(event, sign(event, Instant.now().minusSeconds(301))).statusCode(401)
                .body("code", equalTo("stale_signature"));
        api.manager().get("/api/v1/executors/" + crmId).then().body("status", equalTo("INVITED"));
        // the same event, properly signed, still applies: nothing above was recorded
        send(event, sign(event, Instant.now())).statusCode(200).body("outcome", equalTo("ACCEPTED"));
        awaitOutcome("evt_x_" + crmId, "APPLIED");
    }

    @Test
    void malformedBodiesGet400() {
        String garbage = "{\"id\": \"evt_broken\", ";
        send(garbage, sign(garbage, Instant.now())).statusCode(400).body("code", equalTo("malformed_json"));
        String partial = "{\"id\": \"evt_partial\"}";
        send(partial, sign(partial, Instant.now())).statusCode(400).body("code", equalTo("malformed_event"));
        send("null", sign("null", Instant.now())).statusCode(400).body("code", equalTo("malformed_event"));
        send("[]", sign("[]", Instant.now())).statusCode(400).body("code", equalTo("malformed_event"));
        String control = event("evt_\\u0000nul", 3, "ACTIVE", true);
        send(control, sign(control, Instant.now())).statusCode(400).body("code", equalTo("malformed_event"));
        String huge = event("evt_" + "x".repeat(300_000), 3, "ACTIVE", true);
        send(huge, sign(huge, Instant.now())).statusCode(400).body("code", equalTo("malformed_event"));
    }

    @Test
    void eventsForObjectsTheBridgeDoesNotKnowAreKeptAsUnknown() {
        String event = event("evt_u_" + crmId, 1, "ACTIVE", true).replace(madetaskId, "ex_stranger")
                .replace(crmId, "someone-else");
        send(event, sign(event, Instant.now())).statusCode(200).body("outcome", equalTo("ACCEPTED"));
        awaitOutcome("evt_u_someone-else", "UNKNOWN");
    }

    @Test
    void whileMadeTaskRotatesItsSecretAnyOfTheSignaturesMayMatch() {
        String event = event("evt_r_" + crmId, 6, "ACTIVE", true);
        long now = Instant.now().getEpochSecond();
        String right = Signatures.sign(SandboxResource.WEBHOOK_SECRET, now, bytes(event));
        String wrong = Signatures.sign("the-old-secret-0123", now, bytes(event));
        send(event, wrong + "," + right.substring(right.indexOf("v1="))).statusCode(200)
                .body("outcome", equalTo("ACCEPTED"));
        send(event, wrong).statusCode(401).body("code", equalTo("invalid_signature"));
    }

    @Test
    void signedEventsWithDataTheBridgeCannotApplyAreRecordedUnreadableAndNotRetried() {
        String status = event("evt_s_" + crmId, 7, "NOT_A_STATUS", true);
        send(status, sign(status, Instant.now())).statusCode(200).body("outcome", equalTo("ACCEPTED"));
        awaitOutcome("evt_s_" + crmId, "UNREADABLE");
        String payout = """
                {"id":"evt_sp_%s","type":"payout.updated","created_at":"%s","data":{"id":"po_x","status":"PENDING"}}"""
                .formatted(crmId, Instant.now());
        send(payout, sign(payout, Instant.now())).statusCode(200).body("outcome", equalTo("ACCEPTED"));
        awaitOutcome("evt_sp_" + crmId, "UNREADABLE");
        String noId = event("evt_n_" + crmId, 8, "ACTIVE", true)
                .replace("\"id\":\"" + madetaskId + "\"", "\"id\":\" \"");
        send(noId, sign(noId, Instant.now())).statusCode(200).body("outcome", equalTo("ACCEPTED"));
        awaitOutcome("evt_n_" + crmId, "UNREADABLE");
        // tried once, not again and again
        var attempts = pool.preparedQuery("select max(attempts) from processed_event where event_id like $1")
                .execute(Tuple.of("evt_%_" + crmId)).await().atMost(Duration.ofSeconds(5));
        org.assertj.core.api.Assertions.assertThat(attempts.iterator().next().getInteger(0)).isLessThanOrEqualTo(1);
    }

    @Test
    void payoutEventsOfEveryStatusAreAppliedEvenForAPayoutTheBridgeDoesNotHave() {
        for (String status : new String[] {"PROCESSING", "PAID", "FAILED"}) {
            String id = "evt_p_" + status + "_" + crmId;
            String event = """
                    {"id":"%s","type":"payout.updated","created_at":"%s","data":{"id":"po_stranger_%s",
                     "task_id":"tk_stranger","executor_id":"%s","amount":{"amount":"10.00","currency":"RUB"},
                     "status":"%s","created_at":"%s","updated_at":"%s"}}"""
                    .formatted(id, Instant.now(), status, madetaskId, status, Instant.now(), Instant.now());
            send(event, sign(event, Instant.now())).statusCode(200).body("outcome", equalTo("ACCEPTED"));
            // Nothing of the bridge's matches: the event is applied and changes nothing (STALE), never left failing.
            awaitOutcome(id, "STALE");
        }
    }

    private String event(String id, int version, String status, boolean payable) {
        return """
                {"id":"%s","type":"executor.updated","created_at":"%s","data":{"id":"%s","external_id":"%s",
                 "full_name":"Вебхук Вебхуков","status":"%s","payable":%s,"version":%d,
                 "payout_method":{"type":"CARD","card_last4":"1111"}}}"""
                .formatted(id, Instant.now(), madetaskId, crmId, status, payable, version);
    }

    /** How the bridge applied a stored event. */
    private void awaitOutcome(String eventId, String outcome) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            var rows = pool.preparedQuery("select outcome from processed_event where event_id = $1")
                    .execute(Tuple.of(eventId)).await().atMost(Duration.ofSeconds(5));
            return rows.size() == 1 && outcome.equals(rows.iterator().next().getString(0));
        });
    }

    private static String sign(String body, Instant at) {
        return Signatures.sign(SandboxResource.WEBHOOK_SECRET, at.getEpochSecond(), bytes(body));
    }

    private static byte[] bytes(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }

    private static ValidatableResponse send(String body, String signature) {
        var request = given().contentType("application/json").body(bytes(body));
        if (signature != null) {
            request = request.header("MadeTask-Signature", signature);
        }
        return request.post("/webhooks/madetask").then();
    }
}
