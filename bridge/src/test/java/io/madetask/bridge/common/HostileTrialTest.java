package io.madetask.bridge.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.Bodies;
import io.madetask.bridge.testing.ConnectedSandboxTest;
import io.madetask.bridge.testing.Management;
import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.TricklingClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/** What a hostile trial of the running bridge found, each as the request that showed it. */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class HostileTrialTest extends ConnectedSandboxTest {

    @Test
    void aDeadlineOutsideTheYears1970To9999IsRefusedAndWhatIsStoredIsWhatIsAnswered() {
        String executor = api.putExecutor("Сроков");
        for (String deadline : new String[] {"+999999999-12-31T23:59:59Z", "+1000000-01-01T00:00:00Z",
            "-4713-11-24T00:00:00Z", "1969-12-31T23:59:59Z"}) {
            api.manager().contentType(ContentType.JSON)
                    .body(Bodies.task(executor, "Срок", "10.00").replace("2026-12-31T18:00:00Z", deadline))
                    .put("/api/v1/tasks/deadline-" + Math.abs(deadline.hashCode())).then().statusCode(400)
                    .body("errors.field", hasItem("deadline"));
        }
        String task = "deadline-nanos-" + System.nanoTime();
        String answered = api.manager().contentType(ContentType.JSON)
                .body(Bodies.task(executor, "Срок", "10.00").replace("2026-12-31T18:00:00Z",
                        "2026-12-01T18:00:00.123456789Z"))
                .put("/api/v1/tasks/" + task).then().statusCode(201).extract().path("deadline");
        assertThat(answered).isEqualTo("2026-12-01T18:00:00.123456Z");
        api.manager().get("/api/v1/tasks/" + task).then().body("deadline", equalTo(answered));
    }

    @Test
    void jsonIsReadStrictlyDuplicateKeysTrailingTextAndNumbersForText() {
        String body = Bodies.executor("Строгий");
        String duplicated = body.replace("\"cardNumber\":\"" + Bodies.CARD + "\"",
                "\"cardNumber\":\"" + Bodies.CARD + "\",\"cardNumber\":\"5555555555554444\"");
        for (String bad : new String[] {duplicated, body + " {\"evil\":true}", "{} {}",
            body.replace("\"fullName\":\"Строгий\"", "\"fullName\":1e400"),
            body.replace("\"fullName\":\"Строгий\"", "\"fullName\":true")}) {
            api.manager().contentType(ContentType.JSON).body(bad).put("/api/v1/executors/strict-" + System.nanoTime())
                    .then().statusCode(400).contentType("application/problem+json");
        }
    }

    @Test
    void anEmptyMultipartBodyIsRefusedAs415NotParsed() {
        // found by the fuzz suite: Quarkus REST parsed an empty multipart body before any resource and failed (500)
        for (String path : new String[] {"/api/v1/sync/executors", "/api/v1/payouts/retry"}) {
            api.admin().contentType("multipart/form-data; boundary=x").body(new byte[0]).post(path).then()
                    .statusCode(415).contentType("application/problem+json")
                    .body("code", equalTo("unsupported_media_type"));
        }
    }

    @Test
    void theExecutorSearchMatchesPercentAndUnderscoreAsTheyAre() {
        String name = "Underscored_" + System.nanoTime();
        api.manager().contentType(ContentType.JSON).body(Bodies.executor(name))
                .put("/api/v1/executors/ex_under_" + System.nanoTime()).then().statusCode(201);
        api.manager().queryParam("q", name).get("/api/v1/executors").then().statusCode(200)
                .body("total", equalTo(1));
        // a % is a percent sign, not "anything"
        api.manager().queryParam("q", "%").get("/api/v1/executors").then().statusCode(200).body("total", equalTo(0));
        api.manager().queryParam("q", name.replace("_", "x")).get("/api/v1/executors").then().statusCode(200)
                .body("total", equalTo(0));
    }

    @Test
    void aRefusedRequestLeavesItsIdempotencyKeyFreeForTheCorrectedOne() {
        String key = "fix-and-retry-" + System.nanoTime();
        api.manager().header("Idempotency-Key", key).contentType(ContentType.JSON).body("{\"taskCrmIds\":")
                .post("/api/v1/payout-batches").then().statusCode(400);
        api.manager().header("Idempotency-Key", key).contentType(ContentType.JSON)
                .body("{\"taskCrmIds\":[\"no-such-task-" + key + "\"]}")
                .post("/api/v1/payout-batches").then().statusCode(202);
    }

    @Test
    void httpTwoIsNotSpokenSoEveryLimitAndRefusalHolds() throws Exception {
        HttpResponse<String> answer = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()
                .send(HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/q/openapi"))
                        .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void aClientTricklingTheBodyOfARefusedRequestIsHungUpOn() throws Exception {
        // the 401 at once, then the end of the connection (not a read that times out)
        String answer = TricklingClient.send(RestAssured.port, "PUT /api/v1/executors/slow-refused HTTP/1.1\r\n"
                + "Host: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 401");
    }

    @Test
    void madeUpPathsWithPercentSignsShareOneMeterLabel() throws Exception {
        for (int i = 0; i < 20; i++) {
            // sent as bytes: no client library sends a path that is no URI
            try (Socket socket = new Socket("localhost", RestAssured.port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("GET /made-up-4719-" + i + "%zz HTTP/1.1\r\nHost: localhost\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .startsWith("HTTP/1.1 400");
            }
        }
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).doesNotContain("made-up-4719");
    }

    @Test
    void aQueryValueThatDoesNotConvertIsNamedInErrors() {
        api.manager().queryParam("page", "99999999999999999999").queryParam("from", "yesterday")
                .get("/api/v1/payouts").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", org.hamcrest.Matchers.hasItems("page", "from"));
        api.manager().queryParam("updatedSince", "2020-13-45").get("/api/v1/tasks").then().statusCode(400)
                .body("errors.field", hasItem("updatedSince"));
    }
}
