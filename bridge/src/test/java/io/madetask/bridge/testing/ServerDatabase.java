package io.madetask.bridge.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh database on a PostgreSQL server that outlives the application under test (crash and multi-process tests):
 * {@code BRIDGE_IT_DB_HOST}/{@code BRIDGE_IT_DB_PORT}, by default the machine's server at 127.0.0.1:5432, user postgres.
 */
public final class ServerDatabase implements AutoCloseable {

    public final String name = "bridge_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final String host = System.getenv().getOrDefault("BRIDGE_IT_DB_HOST", "127.0.0.1");
    private final String port = System.getenv().getOrDefault("BRIDGE_IT_DB_PORT", "5432");
    private final String user = System.getenv().getOrDefault("BRIDGE_IT_DB_USER", "postgres");
    private final String password = System.getenv().getOrDefault("BRIDGE_IT_DB_PASSWORD", "");
    private Connection polling;

    public ServerDatabase() throws SQLException {
        try (Connection c = DriverManager.getConnection(url("postgres"), user, password);
                Statement s = c.createStatement()) {
            s.execute("create database " + name);
        }
    }

    public String reactiveUrl() {
        return "postgresql://" + host + ":" + port + "/" + name;
    }

    public String jdbcUrl() {
        return url(name);
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /**
     * The first column of the first row of a query, on one connection kept for the purpose (tests poll with this
     * many times a second; a connection each time would have PostgreSQL start a backend each time).
     */
    public synchronized long count(String sql) throws SQLException {
        if (polling == null || polling.isClosed()) {
            polling = DriverManager.getConnection(jdbcUrl(), user, password);
        }
        try (Statement s = polling.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Runs one statement on the polling connection. */
    public synchronized void execute(String sql) throws SQLException {
        if (polling == null || polling.isClosed()) {
            polling = DriverManager.getConnection(jdbcUrl(), user, password);
        }
        try (Statement s = polling.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() throws SQLException {
        synchronized (this) {
            if (polling != null) {
                polling.close();
            }
        }
        try (Connection c = DriverManager.getConnection(url("postgres"), user, password);
                Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
        }
    }

    private String url(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }
}
