package io.madetask.bridge.testing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.madetask.sandbox.MadeTaskSandbox;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** The bridge's API as tests call it: tokens per role, and executors and tasks made and waited for. */
public final class BridgeApi {

    public static final Duration WAIT = Duration.ofSeconds(30);

    private final MadeTaskSandbox sandbox;

    public BridgeApi(MadeTaskSandbox sandbox) {
        this.sandbox = sandbox;
    }

    public RequestSpecification manager() {
        return given().auth().oauth2(sandbox.devToken("maria", List.of("manager"), null));
    }

    public RequestSpecification admin() {
        return given().auth().oauth2(sandbox.devToken("root", List.of("admin"), null));
    }

    public RequestSpecification executor(String crmId) {
        return given().auth().oauth2(sandbox.devToken(crmId, List.of("executor"), crmId));
    }

    /** A new executor, written through the API; answers its crmId without waiting for MadeTask. */
    public String putExecutor(String name) {
        String crmId = "ex-" + UUID.randomUUID();
        manager().contentType(ContentType.JSON).body(Bodies.executor(name)).put("/api/v1/executors/" + crmId)
                .then().statusCode(201);
        return crmId;
    }

    public String putTask(String executorCrmId, String title, String reward) {
        String crmId = "task-" + UUID.randomUUID();
        manager().contentType(ContentType.JSON).body(Bodies.task(executorCrmId, title, reward))
                .put("/api/v1/tasks/" + crmId).then().statusCode(201);
        return crmId;
    }

    public void awaitSynced(String kind, String crmId) {
        await().atMost(WAIT).untilAsserted(() -> manager().get("/api/v1/" + kind + "/" + crmId)
                .then().body("sync.state", equalTo("SYNCED")));
    }

    public void awaitTaskStatus(String crmId, String status) {
        await().atMost(WAIT).untilAsserted(() -> manager().get("/api/v1/tasks/" + crmId)
                .then().body("status", equalTo(status)));
    }

    /** MadeTask's id of a task or executor the bridge synced. */
    public String madetaskId(String kind, String crmId) {
        return manager().get("/api/v1/" + kind + "/" + crmId).then().extract().path("madetaskId");
    }
}
