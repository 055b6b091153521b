package io.madetask.bridge.fuzz;

import static io.restassured.RestAssured.given;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.SandboxTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
@WithTestResource(SandboxResource.class)
/**
 * Malformed requests over every endpoint, the webhook and both roles that write (more than 5000 in all): odd path ids
 * (NUL, percent-garbage, 300 characters, unicode tricks), odd filters and pages, and bodies of the wrong shape, type
 * or media type. None may get a 5xx, and every refusal is problem+json.
 */
class MalformedRequestsTest extends SandboxTest {

    static final String[] ODD = {"", "%20", "%00", "%0a", "%ff", "%c3%28", "..", "%2e%2e%2f", "a".repeat(300), "'",
        "%22", "%3Cscript%3E", "-1", "99999999999999999999", "null", "%7B%7D", "%5B%5D", "%e2%80%ae", "%C3%BC", "%F0%9F%98%80", ";", "%25"};
    static final String[] BODIES = {"", "null", "[]", "{}", "\"x\"", "1", "true", "{\"a\":", "{\"status\":1}",
        "{\"status\":[]}", "{\"status\":{}}", "{\"taskCrmIds\":null}", "{\"taskCrmIds\":[1,2]}", "{\"taskCrmIds\":[[]]}",
        "{\"taskCrmIds\":\"x\"}", "{\"fullName\":1}", "{\"reward\":{\"amount\":1e309}}", "{\"reward\":{\"amount\":\"1e5\",\"currency\":\"RUB\"}}",
        "{\"reward\":\"x\"}", "{\"deadline\":\"tomorrow\"}", "{\"payoutMethod\":{\"type\":\"X\"}}", "{\"payoutMethod\":[]}",
        "{\"executorCrmId\":{}}", "{\"comment\":1}", "{\"status\":\"ACCEPTED\",\"comment\":[]}", "\u0000", "{\"x\":\"\\ud800\"}"};

    @Test
    void noMalformedRequestGetsA5xxAndEveryRefusalIsProblemJson() {
        String admin = sandbox.devToken("root", List.of("admin"), null);
        String manager = sandbox.devToken("maria", List.of("manager"), null);
        String exec = sandbox.devToken("ivan", List.of("executor"), "crm-ex-1");
        String[] gets = {"/api/v1/executors/%s", "/api/v1/executors?status=%s", "/api/v1/executors?q=%s", "/api/v1/executors?syncState=%s",
            "/api/v1/executors?page=%s", "/api/v1/executors?size=%s", "/api/v1/tasks/%s", "/api/v1/tasks?status=%s", "/api/v1/tasks?updatedSince=%s",
            "/api/v1/tasks?executorCrmId=%s", "/api/v1/payouts/%s", "/api/v1/payouts?from=%s", "/api/v1/payouts?to=%s", "/api/v1/payouts?taskCrmId=%s",
            "/api/v1/payout-batches/%s", "/api/v1/payout-batches/%s/items", "/api/v1/payout-batches/x/items?status=%s", "/api/v1/notifications/%s",
            "/api/v1/notifications?status=%s", "/api/v1/notifications?type=%s", "/api/v1/sync/jobs/%s", "/api/v1/audit?entityId=%s",
            "/api/v1/audit?from=%s", "/api/v1/audit?page=%s", "/api/v1/me/tasks?status=%s", "/api/v1/me/payouts?page=%s"};
        String[] writes = {"PUT /api/v1/executors/%s", "PUT /api/v1/tasks/%s", "POST /api/v1/tasks/%s/status", "POST /api/v1/payout-batches",
            "POST /api/v1/payouts/%s/retry", "POST /api/v1/executors/%s/block", "POST /api/v1/executors/%s/unblock",
            "POST /api/v1/notifications/%s/redeliver", "POST /api/v1/sync/executors", "POST /webhooks/madetask"};
        List<String> fails = new ArrayList<>();
        int n = 0;
        for (String g : gets) {
            for (String odd : ODD) {
                for (String token : new String[] {admin, exec}) {
                    Response r = given().auth().oauth2(token).urlEncodingEnabled(false).get(g.formatted(odd));
                    n++;
                    if (r.statusCode() >= 500) {
                        fails.add(r.statusCode() + " GET " + g.formatted(odd));
                    }
                }
            }
        }
        for (String w : writes) {
            String[] mp = w.split(" ");
            for (String odd : new String[] {"ok-1", "%00", "a".repeat(300), "%ff"}) {
                for (String body : BODIES) {
                    for (String[] as : new String[][] {{manager, "application/json"}, {manager, "text/plain"},
                        {exec, "application/json"}, {admin, "application/json"}}) {
                        String ct = as[1];
                        Response r = given().auth().oauth2(as[0]).urlEncodingEnabled(false).contentType(ct)
                                .header("Idempotency-Key", "k-" + (n)).body(body)
                                .request(mp[0], mp[1].contains("%s") ? mp[1].formatted(odd) : mp[1]);
                        n++;
                        if (r.statusCode() >= 500 || (r.statusCode() >= 400 && !String.valueOf(r.contentType()).contains("problem+json"))) {
                            fails.add(r.statusCode() + " " + mp[0] + " " + mp[1].formatted(odd) + " " + ct + " " + body + " -> " + r.contentType());
                        }
                    }
                }
            }
        }
        System.out.println("MALFORMED REQUESTS: " + n + " sent, " + fails.size() + " answered badly");
        org.assertj.core.api.Assertions.assertThat(n).isGreaterThanOrEqualTo(5000);
        org.assertj.core.api.Assertions.assertThat(fails).as("5xx, or refusals that are not problem+json").isEmpty();
    }
}
