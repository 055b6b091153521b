package io.madetask.bridge.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.containsString;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.SandboxTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Bearer tokens from the sandbox's dev issuer: who gets in, with which role, and what the refusals look like. */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class SecurityTest extends SandboxTest {

    @Test
    void callWithoutTokenGets401ProblemJson() {
        given().when().get("/api/v1/me")
                .then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer")
                .body("code", equalTo("unauthorized"))
                .body("status", equalTo(401));
    }

    @Test
    void tokenSignedBySomeoneElseGets401() {
        String forged = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJtYWxsb3J5IiwiZ3JvdXBzIjpbImFkbWluIl19.c2ln";
        given().auth().oauth2(forged).when().get("/api/v1/me")
                .then().statusCode(401).body("code", equalTo("unauthorized"));
    }

    @Test
    void managerReadsTheMadeTaskBalance() {
        // a test class before this one on the same application may have left MadeTask's breaker open for a second
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> "CLOSED".equals(
                io.smallrye.faulttolerance.api.CircuitBreakerMaintenance.get().currentState("madetask").name()));
        given().auth().oauth2(sandbox.devToken("maria", List.of("manager"), null))
                .when().get("/api/v1/madetask/balance")
                .then().statusCode(200)
                .body("available.amount", org.hamcrest.Matchers.matchesPattern("\\d+\\.\\d{2}"))
                .body("available.currency", equalTo("RUB"))
                .body("reserved.currency", equalTo("RUB"));
    }

    @Test
    void executorMayNotReadTheBalance() {
        given().auth().oauth2(sandbox.devToken("ivan", List.of("executor"), "crm-ex-1"))
                .when().get("/api/v1/madetask/balance")
                .then().statusCode(403)
                .contentType("application/problem+json")
                .body("code", equalTo("forbidden"))
                .body("detail", not(containsString("Exception")));
    }

    @Test
    void executorSeesItsCrmIdFromTheToken() {
        given().auth().oauth2(sandbox.devToken("ivan", List.of("executor"), "crm-ex-1"))
                .when().get("/api/v1/me")
                .then().statusCode(200)
                .body("subject", equalTo("ivan"))
                .body("roles", contains("executor"))
                .body("executorCrmId", equalTo("crm-ex-1"));
    }

    @Test
    void adminHasNoExecutorId() {
        given().auth().oauth2(sandbox.devToken("root", List.of("admin"), null))
                .when().get("/api/v1/me")
                .then().statusCode(200)
                .body("roles", contains("admin"))
                .body("executorCrmId", nullValue());
    }

    @Test
    void anExecutorClaimThatIsNotAPlainCrmIdReadsNoExecutorsData() {
        // Quotes that a careless reading strips, other JSON types, blanks and control characters: none names anyone.
        List<Object> odd = List.of("\"crm-ex-1\"", "crm-ex-1\"", 42, List.of("crm-ex-1"), Map.of("id", "crm-ex-1"),
                "", " ", true);
        for (Object claim : odd) {
            String token = sandbox.devTokenWithClaims("mallory", List.of("executor"), Map.of("executor_id", claim));
            for (String path : List.of("/api/v1/me/tasks", "/api/v1/me/payouts")) {
                given().auth().oauth2(token).when().get(path)
                        .then().statusCode(403).contentType("application/problem+json")
                        .body("code", equalTo("forbidden"));
            }
            given().auth().oauth2(token).when().get("/api/v1/me")
                    .then().statusCode(200).body("executorCrmId", nullValue());
        }
        // A NUL in the claim: the token is refused outright
        String nul = sandbox.devTokenWithClaims("mallory", List.of("executor"), Map.of("executor_id", "crm-ex-1\u0000"));
        given().auth().oauth2(nul).when().get("/api/v1/me/tasks").then().statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void aTokenForAnotherServiceOrIssuedInTheFutureGets401() {
        String otherService = sandbox.devTokenWithClaims("root", List.of("admin"), Map.of("aud", "another-service"));
        given().auth().oauth2(otherService).when().get("/api/v1/audit")
                .then().statusCode(401).contentType("application/problem+json");
        long inFiftyMinutes = System.currentTimeMillis() / 1000 + 50 * 60;
        String fromTheFuture = sandbox.devTokenWithClaims("root", List.of("admin"), Map.of("iat", inFiftyMinutes));
        given().auth().oauth2(fromTheFuture).when().get("/api/v1/audit")
                .then().statusCode(401).contentType("application/problem+json");
        // the same caller with a proper token gets in
        given().auth().oauth2(sandbox.devToken("root", List.of("admin"), null)).when().get("/api/v1/audit")
                .then().statusCode(200);
    }
}
