package io.madetask.bridge.testing;

import org.eclipse.microprofile.config.ConfigProvider;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** Requests to the management interface of the application under test: health and metrics are there, not on the API. */
public final class Management {

    private Management() {
    }

    /** A request to the management port of the {@code @QuarkusTest} or {@code @QuarkusIntegrationTest} application. */
    public static RequestSpecification given() {
        int port = ConfigProvider.getConfig().getOptionalValue("quarkus.management.test-port", Integer.class)
                .orElse(9001);
        return RestAssured.given().baseUri("http://localhost").port(port);
    }
}
