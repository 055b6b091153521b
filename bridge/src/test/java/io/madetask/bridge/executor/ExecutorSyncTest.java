package io.madetask.bridge.executor;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.madetask.bridge.testing.Bodies;
import io.madetask.bridge.testing.ConnectedSandboxTest;
import io.madetask.bridge.testing.SandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Executors written through the API reach MadeTask once, with their data; MadeTask's moves come back. */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class ExecutorSyncTest extends ConnectedSandboxTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Pool pool;

    @Test
    void newExecutorIsAnsweredAtOnceAndReachesMadeTaskWithItsData() {
        String crmId = "ex-" + UUID.randomUUID();
        manager().contentType(ContentType.JSON).body(Bodies.executor("Иван Петров"))
                .put("/api/v1/executors/" + crmId)
                .then().statusCode(201)
                .body("crmId", equalTo(crmId))
                .body("status", equalTo("INVITED"))
                .body("sync.state", equalTo("PENDING"))
                .body("payoutMethod.type", equalTo("CARD"))
                .body("payoutMethod.last4", equalTo("1111"))
                .body("payoutMethod.cardNumber", nullValue())
                .body("version", equalTo(1));

        await().atMost(WAIT).untilAsserted(() -> manager().get("/api/v1/executors/" + crmId)
                .then().body("sync.state", equalTo("SYNCED")).body("madetaskId", notNullValue()));
        List<ObjectNode> inMadeTask = sandbox.executorsByExternalId(crmId);
        assertThat(inMadeTask).hasSize(1);
        assertThat(inMadeTask.get(0).get("full_name").asText()).isEqualTo("Иван Петров");
        assertThat(inMadeTask.get(0).get("phone").asText()).isEqualTo(Bodies.PHONE);
        assertThat(inMadeTask.get(0).get("inn").asText()).isEqualTo(Bodies.INN);
        assertThat(inMadeTask.get(0).at("/payout_method/card_last4").asText()).isEqualTo("1111");
        assertThat(payoutSecret(crmId)).as("MadeTask holds the number: the bridge forgot it").isNull();
    }

    @Test
    void cardNumberIsSealedWhileMadeTaskDoesNotHoldItYet() {
        var faults = sandbox.faults();
        faults.errorRate = 1.0;
        faults.faultPathRegex = "POST /api/v1/executors.*";
        sandbox.applyFaults(faults);
        String crmId = "ex-" + UUID.randomUUID();
        manager().contentType(ContentType.JSON).body(Bodies.executor("Пётр Сидоров"))
                .put("/api/v1/executors/" + crmId).then().statusCode(201);
        byte[] sealed = payoutSecret(crmId);
        assertThat(sealed).isNotNull();
        assertThat(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(Bodies.CARD);
        await().atMost(WAIT).untilAsserted(() -> manager().get("/api/v1/executors/" + crmId)
                .then().body("sync.state", equalTo("PENDING")).body("sync.lastError", notNullValue()));
    }

    @Test
    void invalidExecutorGets400AndNothingIsStored() {
        String crmId = "ex-" + UUID.randomUUID();
        manager().contentType(ContentType.JSON)
                .body(Bodies.executor("Иван", "89161234567", "not-an-email", "4111111111111112").replace(Bodies.INN,
                        "500100732258"))
                .put("/api/v1/executors/" + crmId)
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("validation_failed"))
                .body("errors.field", hasItems("phone", "email", "inn", "payoutMethod.cardNumber"));
        manager().get("/api/v1/executors/" + crmId).then().statusCode(404).body("code", equalTo("not_found"));
        manager().contentType(ContentType.JSON).body("{\"fullName\": ")
                .put("/api/v1/executors/" + crmId).then().statusCode(400).body("code", equalTo("malformed_json"));
        manager().contentType(ContentType.JSON).body(Bodies.executor("Иван"))
                .put("/api/v1/executors/bad id!").then().statusCode(400);
    }

    @Test
    void updateReachesMadeTaskAndUnchangedPutChangesNothing() {
        String crmId = created("Анна Смирнова");
        manager().contentType(ContentType.JSON).body(Bodies.executor("Анна Смирнова"))
                .put("/api/v1/executors/" + crmId).then().statusCode(200).body("version", equalTo(1));

        manager().contentType(ContentType.JSON).body(Bodies.executor("Анна Кузнецова", "+79990001122",
                "anna@example.com", "5555555555554444"))
                .put("/api/v1/executors/" + crmId).then().statusCode(200)
                .body("version", equalTo(2)).body("payoutMethod.last4", equalTo("4444"));

        await().atMost(WAIT).untilAsserted(() -> {
            ObjectNode mt = sandbox.executorsByExternalId(crmId).get(0);
            assertThat(mt.get("full_name").asText()).isEqualTo("Анна Кузнецова");
            assertThat(mt.get("phone").asText()).isEqualTo("+79990001122");
            assertThat(mt.at("/payout_method/card_last4").asText()).isEqualTo("4444");
        });
        await().atMost(WAIT).untilAsserted(() -> manager().get("/api/v1/executors/" + crmId)
                .then().body("sync.state", equalTo("SYNCED")));
        assertThat(payoutSecret(crmId)).isNull();
        manager().contentType(ContentType.JSON).body(Bodies.executor("Анна").replace(Bodies.INN, "772053203360"))
                .put("/api/v1/executors/" + crmId).then().statusCode(400).body("errors.field", hasItems("inn"));
    }

    @Test
    void registrationInMadeTaskShowsUpInTheBridge() {
        String crmId = created("Ольга Иванова");
        String madetaskId = sandbox.executorsByExternalId(crmId).get(0).get("id").asText();

        sandbox.completeRegistration(madetaskId);

        await().atMost(WAIT).untilAsserted(() -> manager().get("/api/v1/executors/" + crmId)
                .then().body("status", equalTo("ACTIVE")).body("payable", equalTo(true)));
    }

    @Test
    void blockAndUnblockReachMadeTask() {
        String crmId = created("Сергей Орлов");
        manager().post("/api/v1/executors/" + crmId + "/block").then().statusCode(200)
                .body("status", equalTo("BLOCKED")).body("sync.state", equalTo("PENDING"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                sandbox.executorsByExternalId(crmId).get(0).get("status").asText()).isEqualTo("BLOCKED"));

        manager().post("/api/v1/executors/" + crmId + "/unblock").then().statusCode(200);
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                sandbox.executorsByExternalId(crmId).get(0).get("status").asText()).isEqualTo("ACTIVE"));
        await().atMost(WAIT).untilAsserted(() -> manager().get("/api/v1/executors/" + crmId)
                .then().body("status", equalTo("ACTIVE")).body("sync.state", equalTo("SYNCED")));
        manager().post("/api/v1/executors/nobody-" + UUID.randomUUID() + "/block").then().statusCode(404);
    }

    @Test
    void bankAccountExecutorShowsOnlyLast4AndBik() {
        String crmId = "ex-" + UUID.randomUUID();
        manager().contentType(ContentType.JSON).body(Bodies.executorWithAccount("ООО нет, ИП Козлов"))
                .put("/api/v1/executors/" + crmId).then().statusCode(201)
                .body("payoutMethod.type", equalTo("BANK_ACCOUNT"))
                .body("payoutMethod.last4", equalTo("4312"))
                .body("payoutMethod.bik", equalTo("044525225"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(sandbox.executorsByExternalId(crmId))
                .singleElement().satisfies(mt -> assertThat(mt.at("/payout_method/account_last4").asText())
                        .isEqualTo("4312")));
    }

    @Test
    void listFiltersAndPages() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 3; i++) {
            manager().contentType(ContentType.JSON).body(Bodies.executor("Список " + tag + " " + i))
                    .put("/api/v1/executors/list-" + tag + "-" + i).then().statusCode(201);
        }
        manager().queryParam("q", "список " + tag).queryParam("size", 2).get("/api/v1/executors")
                .then().statusCode(200).body("total", equalTo(3)).body("size", equalTo(2))
                .body("items.size()", equalTo(2)).body("page", equalTo(0));
        manager().queryParam("size", 501).get("/api/v1/executors").then().statusCode(400)
                .body("errors.field", hasItems("size"));
    }

    @Test
    void rolesDecideWhoMayReadAndWrite() {
        given().get("/api/v1/executors").then().statusCode(401);
        given().auth().oauth2(sandbox.devToken("ivan", List.of("executor"), "ex-1"))
                .get("/api/v1/executors").then().statusCode(403);
        given().auth().oauth2(sandbox.devToken("ivan", List.of("executor"), "ex-1")).contentType(ContentType.JSON)
                .body(Bodies.executor("Иван")).put("/api/v1/executors/ex-1").then().statusCode(403);
        given().auth().oauth2(sandbox.devToken("root", List.of("admin"), null)).get("/api/v1/executors")
                .then().statusCode(200);
    }

    @Test
    void everyWriteAndMadeTaskCallIsAudited() {
        String crmId = created("Аудит Аудитов");
        given().auth().oauth2(sandbox.devToken("root", List.of("admin"), null))
                .queryParam("entityType", "EXECUTOR").queryParam("entityId", crmId)
                .get("/api/v1/audit").then().statusCode(200)
                .body("items.action", hasItems("executor.create", "madetask.executor.create"))
                .body("items.actor", hasItems("maria", "system"));
        manager().get("/api/v1/audit").then().statusCode(403);
    }

    private String created(String name) {
        String crmId = "ex-" + UUID.randomUUID();
        manager().contentType(ContentType.JSON).body(Bodies.executor(name)).put("/api/v1/executors/" + crmId)
                .then().statusCode(201);
        await().atMost(WAIT).untilAsserted(() -> manager().get("/api/v1/executors/" + crmId)
                .then().body("sync.state", equalTo("SYNCED")));
        return crmId;
    }

    private byte[] payoutSecret(String crmId) {
        return pool.preparedQuery("select payout_secret from executor where crm_id = $1").execute(Tuple.of(crmId))
                .await().atMost(Duration.ofSeconds(5)).iterator().next().getBuffer("payout_secret") == null ? null
                        : pool.preparedQuery("select payout_secret from executor where crm_id = $1")
                                .execute(Tuple.of(crmId)).await().atMost(Duration.ofSeconds(5)).iterator().next()
                                .getBuffer("payout_secret").getBytes();
    }

    private RequestSpecification manager() {
        return given().auth().oauth2(sandbox.devToken("maria", List.of("manager"), null));
    }
}
