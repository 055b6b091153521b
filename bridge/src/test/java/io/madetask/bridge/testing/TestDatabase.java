package io.madetask.bridge.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.madetask.dev.EmbeddedDatabase;

/**
 * The database of a test run: the PostgreSQL server named by {@code QUARKUS_DATASOURCE_REACTIVE_URL} when one is
 * configured, else one embedded PostgreSQL for the whole test JVM, with a fresh database for each application start so
 * that test classes never see each other's data.
 */
public final class TestDatabase {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestDatabase() {
    }

    /** Datasource properties for the application under test; empty when a configured server is used. */
    public static Map<String, String> config() {
        String configured = System.getenv("QUARKUS_DATASOURCE_REACTIVE_URL");
        if (configured != null && !configured.isBlank()) {
            return Map.of();
        }
        int port = EmbeddedDatabase.start();
        String database = "bridge_test_" + COUNTER.incrementAndGet();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres",
                "postgres"); Statement s = c.createStatement()) {
            s.execute("create database " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create the test database", e);
        }
        return Map.of(
                "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + port + "/" + database,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + port + "/" + database,
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
    }
}
