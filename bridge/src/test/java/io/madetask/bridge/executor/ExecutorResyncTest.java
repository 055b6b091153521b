package io.madetask.bridge.executor;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.madetask.sandbox.SandboxFaults;
import io.madetask.bridge.testing.BridgeApi;
import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.SandboxTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * The full executor resync mends what events never told: with no webhooks and no catch-up, MadeTask's registration
 * comes in, a name changed behind the bridge's back goes back out, and executors MadeTask has that the CRM never sent
 * are counted.
 */
@QuarkusTest
@WithTestResource(SandboxResource.class)
@TestProfile(ExecutorResyncTest.NoEvents.class)
class ExecutorResyncTest extends SandboxTest {

    /** No catch-up of MadeTask's event log during the test: only the resync can learn what changed. */
    public static class NoEvents implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.sync.catch-up-interval", "1H");
        }
    }

    private RequestSpecification madetask() {
        String token = given().baseUri(sandbox.baseUrl()).auth().preemptive().basic("bridge", "bridge-secret")
                .formParam("grant_type", "client_credentials").post("/oauth/token").then().statusCode(200)
                .extract().path("access_token");
        return given().baseUri(sandbox.baseUrl()).header("Authorization", "Bearer " + token);
    }

    @Test
    void resyncBringsMadeTaskStateInAndPushesTheBridgesDataOut() {
        SandboxFaults quiet = sandbox.faults();
        quiet.webhooksEnabled = false;
        sandbox.applyFaults(quiet);
        String registered = api.putExecutor("Зарегистрируется");
        String renamed = api.putExecutor("Настоящее Имя");
        api.awaitSynced("executors", registered);
        api.awaitSynced("executors", renamed);
        String registeredId = api.madetaskId("executors", registered);
        String renamedId = api.madetaskId("executors", renamed);
        // the one catch-up at start-up has run: from here on only the resync can learn of changes
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/sync/status").then()
                .body("lastCatchUp.outcome", equalTo("OK")));

        // behind the bridge's back: a registration, a rename, and an executor the CRM never sent
        sandbox.completeRegistration(registeredId);
        int version = madetask().get("/api/v1/executors/" + renamedId).then().extract().path("version");
        madetask().contentType(ContentType.JSON).header("If-Match", Integer.toString(version))
                .body("{\"full_name\":\"Чужое Имя\"}").patch("/api/v1/executors/" + renamedId)
                .then().statusCode(200);
        madetask().contentType(ContentType.JSON).header("Idempotency-Key", UUID.randomUUID().toString())
                .body("""
                        {"external_id":"stranger-%s","full_name":"Незнакомец","phone":"+79161234567",
                         "email":"x@example.ru","inn":"500100732259","tax_status":"SELF_EMPLOYED",
                         "payout_method":{"type":"CARD","card_number":"4111111111111111"}}"""
                        .formatted(UUID.randomUUID()))
                .post("/api/v1/executors").then().statusCode(201);
        api.manager().get("/api/v1/executors/" + registered).then().body("status", equalTo("INVITED"));

        api.manager().post("/api/v1/sync/executors").then().statusCode(403);
        String job = api.admin().post("/api/v1/sync/executors").then().statusCode(202)
                .body("kind", equalTo("EXECUTOR_RESYNC")).body("id", startsWith("job-"))
                .extract().path("id");
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.admin().get("/api/v1/sync/jobs/" + job).then()
                .statusCode(200)
                .body("status", equalTo("COMPLETED"))
                .body("finishedAt", org.hamcrest.Matchers.notNullValue())
                .body("counts.scanned", greaterThanOrEqualTo(3))
                .body("counts.updatedFromMadeTask", greaterThanOrEqualTo(1))
                .body("counts.pushedToMadeTask", greaterThanOrEqualTo(1))
                .body("counts.unknownInBridge", greaterThanOrEqualTo(1))
                .body("counts.missingInMadeTask", equalTo(0)));

        api.manager().get("/api/v1/executors/" + registered).then()
                .body("status", equalTo("ACTIVE")).body("payable", equalTo(true));
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> madetask().get("/api/v1/executors/" + renamedId)
                .then().body("full_name", equalTo("Настоящее Имя")));
        api.awaitSynced("executors", renamed);
        api.admin().get("/api/v1/audit?entityType=SYNC_JOB&entityId=" + job).then()
                .body("items[0].action", equalTo("sync.executors"));
        api.admin().get("/api/v1/sync/jobs/job-nope").then().statusCode(404)
                .contentType("application/problem+json");
    }
}
