package io.madetask.bridge.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.SandboxTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Who may call what, as the endpoint table in docs/api.md says: every operation of the served OpenAPI document under every
 * role and none. A role not listed gets 403 problem+json {@code forbidden}, no token 401 {@code unauthorized}, and a
 * listed role gets past both. An operation added without a row here fails the test.
 */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class AuthorizationMatrixTest extends SandboxTest {

    private static final Set<String> STAFF = Set.of("admin", "manager");
    private static final Set<String> ADMIN = Set.of("admin");
    private static final Set<String> EXECUTOR = Set.of("executor");
    private static final Set<String> ANY = Set.of("admin", "manager", "executor", "none");

    /** method and path (as in the OpenAPI document) to the roles that may call it. */
    private static final Map<String, Set<String>> MATRIX = Map.ofEntries(
            Map.entry("PUT /api/v1/executors/{crmId}", STAFF),
            Map.entry("GET /api/v1/executors/{crmId}", STAFF),
            Map.entry("GET /api/v1/executors", STAFF),
            Map.entry("POST /api/v1/executors/{crmId}/block", STAFF),
            Map.entry("POST /api/v1/executors/{crmId}/unblock", STAFF),
            Map.entry("GET /api/v1/executors/{crmId}/income", STAFF),
            Map.entry("PUT /api/v1/tasks/{crmId}", STAFF),
            Map.entry("GET /api/v1/tasks/{crmId}", STAFF),
            Map.entry("GET /api/v1/tasks", STAFF),
            Map.entry("POST /api/v1/tasks/{crmId}/status", STAFF),
            Map.entry("GET /api/v1/me", ANY),
            Map.entry("GET /api/v1/me/tasks", EXECUTOR),
            Map.entry("GET /api/v1/me/payouts", EXECUTOR),
            Map.entry("GET /api/v1/payouts/{id}", STAFF),
            Map.entry("GET /api/v1/payouts", STAFF),
            Map.entry("GET /api/v1/payouts/export", STAFF),
            Map.entry("POST /api/v1/payouts/{id}/retry", ADMIN),
            Map.entry("POST /api/v1/payouts/retry", ADMIN),
            Map.entry("POST /api/v1/payout-batches/preflight", STAFF),
            Map.entry("GET /api/v1/reconciliation", ADMIN),
            Map.entry("POST /api/v1/payout-batches", STAFF),
            Map.entry("GET /api/v1/payout-batches/{id}", STAFF),
            Map.entry("GET /api/v1/payout-batches/{id}/items", STAFF),
            Map.entry("GET /api/v1/audit", ADMIN),
            Map.entry("GET /api/v1/sync/status", STAFF),
            Map.entry("POST /api/v1/sync/executors", ADMIN),
            Map.entry("GET /api/v1/sync/jobs/{id}", ADMIN),
            Map.entry("GET /api/v1/notifications", ADMIN),
            Map.entry("GET /api/v1/notifications/{id}", ADMIN),
            Map.entry("POST /api/v1/notifications/{id}/redeliver", ADMIN),
            Map.entry("GET /api/v1/madetask/balance", STAFF));

    /** Calls that would start work for real in the shared test application when allowed: checked for refusals only. */
    private static final Set<String> REFUSALS_ONLY = Set.of("POST /api/v1/sync/executors",
            "POST /api/v1/payouts/retry");

    @Test
    void everyOperationAnswersEachRoleAsTheEndpointTableSays() throws Exception {
        JsonNode api = new ObjectMapper().readTree(given().accept("application/json").get("/q/openapi").asString());
        Set<String> documented = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = api.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(m -> {
                if (!path.getKey().startsWith("/webhooks/") && List.of("get", "put", "post", "delete", "patch")
                        .contains(m)) {
                    documented.add(m.toUpperCase() + " " + path.getKey());
                }
            });
        }
        assertThat(MATRIX.keySet()).as("every documented operation has a row, and every row an operation")
                .containsExactlyInAnyOrderElementsOf(documented);

        Map<String, String> tokens = Map.of(
                "admin", sandbox.devToken("root", List.of("admin"), null),
                "manager", sandbox.devToken("maria", List.of("manager"), null),
                "executor", sandbox.devToken("ivan", List.of("executor"), "crm-ex-1"),
                "none", sandbox.devToken("nobody", List.of(), null));
        List<String> wrong = new ArrayList<>();
        int probes = 0;
        for (Map.Entry<String, Set<String>> row : MATRIX.entrySet()) {
            String method = row.getKey().split(" ")[0];
            String path = row.getKey().split(" ")[1].replaceAll("\\{[^}]+}", "authz-probe");
            Response anonymous = given().contentType("application/json").body("{}").request(method, path);
            probes++;
            if (anonymous.statusCode() != 401 || !"unauthorized".equals(anonymous.path("code"))) {
                wrong.add(row.getKey() + " without a token: " + anonymous.statusCode());
            }
            for (Map.Entry<String, String> role : tokens.entrySet()) {
                boolean allowed = row.getValue().contains(role.getKey());
                if (allowed && REFUSALS_ONLY.contains(row.getKey())) {
                    continue;
                }
                Response answer = given().auth().oauth2(role.getValue()).contentType("application/json").body("{}")
                        .header("Idempotency-Key", "authz-" + probes).request(method, path);
                probes++;
                int status = answer.statusCode();
                if (allowed && (status == 401 || status == 403 || status >= 500)) {
                    wrong.add(row.getKey() + " as " + role.getKey() + ": " + status + ", should be let through");
                } else if (!allowed && (status != 403 || !"forbidden".equals(answer.path("code"))
                        || !String.valueOf(answer.contentType()).startsWith("application/problem+json"))) {
                    wrong.add(row.getKey() + " as " + role.getKey() + ": " + status + ", should be 403 forbidden");
                }
            }
        }
        System.out.println("AUTHZ " + probes + " probes over " + MATRIX.size() + " operations");
        assertThat(wrong).isEmpty();
    }
}
