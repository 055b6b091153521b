package io.madetask.bridge.testing;

import org.junit.jupiter.api.BeforeEach;

import io.restassured.RestAssured;

/**
 * A {@link SandboxTest} whose sandbox is connected both ways: the bridge calls its API, and before each test it is
 * pointed at the webhook of the application under test, signed with {@link SandboxResource#WEBHOOK_SECRET}.
 */
public abstract class ConnectedSandboxTest extends SandboxTest {

    @BeforeEach
    void pointWebhooksAtTheApplication() {
        sandbox.configureWebhook(RestAssured.baseURI + ":" + RestAssured.port + "/webhooks/madetask",
                SandboxResource.WEBHOOK_SECRET);
    }
}
