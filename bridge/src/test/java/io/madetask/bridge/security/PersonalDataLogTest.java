package io.madetask.bridge.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.madetask.sandbox.SandboxFaults;
import io.madetask.bridge.testing.Bodies;
import io.madetask.bridge.testing.ConnectedSandboxTest;
import io.madetask.bridge.testing.SandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Every log line of a full flow, at DEBUG for the bridge, its REST client and its security: no card or account number,
 * ИНН, phone or email in any of them, whatever went wrong on the way.
 */
@QuarkusTest
@TestProfile(PersonalDataLogTest.Verbose.class)
@WithTestResource(SandboxResource.class)
class PersonalDataLogTest extends ConnectedSandboxTest {

    public static class Verbose implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.log.category.\"io.madetask\".level", "DEBUG",
                    "quarkus.log.category.\"io.quarkus.oidc\".level", "DEBUG",
                    "quarkus.log.category.\"io.quarkus.rest.client\".level", "DEBUG",
                    "quarkus.log.category.\"org.jboss.resteasy.reactive\".level", "DEBUG",
                    "quarkus.log.category.\"org.hibernate\".level", "INFO");
        }
    }

    private static final String CARD = "5105105105105100";
    private static final String ACCOUNT = "40817810570000123456";
    private static final String INN = "500100732259";
    private static final String PHONE = "+79035551234";
    private static final String EMAIL = "secret.person@example.org";

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringBuilder line = new StringBuilder(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                    line.append(" | ").append(parameter);
                }
            }
            if (record instanceof org.jboss.logmanager.ExtLogRecord ext) {
                line.append(" | mdc ").append(ext.getMdcCopy());
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(" | ").append(trace);
            }
            lines.add(line.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureEveryLogRecord() {
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void noPersonalDataInAnyLogLineOfAFullFlow() {
        SandboxFaults faults = sandbox.faults();
        faults.scripted = List.of("ERROR_500", "LOST_ANSWER", "TIMEOUT");
        faults.timeoutHangMs = 2_500;
        sandbox.applyFaults(faults);

        String card = "pd-" + UUID.randomUUID();
        api.manager().contentType(ContentType.JSON).body(Bodies.executor("Секретный Человек", PHONE, EMAIL, CARD))
                .put("/api/v1/executors/" + card).then().statusCode(201);
        String account = "pd-" + UUID.randomUUID();
        api.manager().contentType(ContentType.JSON).body("""
                {"fullName":"Счётный Человек","phone":"%s","email":"%s","inn":"%s","taxStatus":"INDIVIDUAL",
                 "payoutMethod":{"type":"BANK_ACCOUNT","accountNumber":"%s","bik":"044525225"}}"""
                .formatted(PHONE, EMAIL, INN, ACCOUNT)).put("/api/v1/executors/" + account).then().statusCode(201);
        // refused input: bad values next to good personal data
        api.manager().contentType(ContentType.JSON).body(Bodies.executor("Плохой", PHONE, EMAIL, "5105105105105101"))
                .put("/api/v1/executors/pd-bad").then().statusCode(400);
        api.manager().contentType(ContentType.JSON).body("{\"phone\":\"" + PHONE + "\",\"inn\":" + INN + ",")
                .put("/api/v1/executors/pd-broken").then().statusCode(400);
        api.manager().contentType(ContentType.JSON).body("{\"fullName\":[\"" + EMAIL + "\"]}")
                .put("/api/v1/executors/pd-wrongtype").then().statusCode(400);

        api.awaitSynced("executors", card);
        api.awaitSynced("executors", account);
        sandbox.completeRegistration(api.madetaskId("executors", card));
        String task = api.putTask(card, "Секретная задача", "700.00");
        api.awaitSynced("tasks", task);
        sandbox.executorMove(api.madetaskId("tasks", task), "start");
        api.awaitTaskStatus(task, "IN_PROGRESS");
        api.manager().contentType(ContentType.JSON).body(Bodies.executor("Секретный Человек", "+79035559999",
                "other.secret@example.org", "4012888888881881")).put("/api/v1/executors/" + card).then().statusCode(200);
        api.awaitSynced("executors", card);
        api.manager().get("/api/v1/executors/" + card).then().body("phone", equalTo("+79035559999"));
        api.manager().post("/api/v1/executors/" + account + "/block").then().statusCode(200);
        api.awaitSynced("executors", account);

        await().until(() -> !lines.isEmpty());
        assertThat(lines).as("log lines were captured at DEBUG").anyMatch(l -> l.contains("Outbox"));
        // a background flow's lines name what they are about, and a request's lines carry its id
        assertThat(lines).as("the outbox worker's lines carry the entity").anyMatch(l -> l.contains("Outbox")
                && l.contains("entity=EXECUTOR " + card));
        assertThat(lines).as("a caller's write carries its request id").anyMatch(l -> l.contains("executor.create")
                && l.contains(card) && l.contains("requestId="));
        for (String secret : List.of(CARD, ACCOUNT, INN, PHONE, EMAIL, "+79035559999", "other.secret@example.org",
                "4012888888881881", "5105105105105101")) {
            assertThat(lines).as("no log line holds %s", secret).noneMatch(line -> line.contains(secret));
        }
    }
}
