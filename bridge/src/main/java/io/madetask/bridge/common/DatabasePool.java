package io.madetask.bridge.common;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/**
 * The reactive pool every database call goes through, with the guards no bug may get past: a caller waits at most
 * {@code bridge.database.acquire-timeout} for a connection (and at most {@code max-waiting} callers wait at all), and
 * PostgreSQL itself ends a statement that runs longer than {@code statement-timeout} and a session left idle inside a
 * transaction longer than {@code idle-in-transaction-timeout} (its locks go with it), so that a flow that lost its way
 * can never hold connections and row locks for good.
 */
@Singleton
public class DatabasePool implements PgPoolCreator {

    /** Guards on the reactive pool and its sessions. */
    @ConfigMapping(prefix = "bridge.database")
    public interface Config {

        /** Longest wait for a pool connection; then the caller fails (a request answers 503). */
        @WithDefault("10S")
        Duration acquireTimeout();

        /** Callers that may wait for a connection at once; more fail at once instead of queuing in memory. */
        @WithDefault("2000")
        int maxWaiting();

        /** PostgreSQL's {@code statement_timeout} on the bridge's sessions. */
        @WithDefault("30S")
        Duration statementTimeout();

        /** PostgreSQL's {@code idle_in_transaction_session_timeout} on the bridge's sessions. */
        @WithDefault("30S")
        Duration idleInTransactionTimeout();
    }

    private final Config config;

    DatabasePool(Config config) {
        this.config = config;
    }

    @Override
    public Pool create(Input input) {
        PoolOptions options = input.poolOptions()
                .setConnectionTimeout((int) config.acquireTimeout().toMillis())
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxWaitQueueSize(config.maxWaiting());
        for (PgConnectOptions connect : input.pgConnectOptionsList()) {
            connect.addProperty("statement_timeout", Long.toString(config.statementTimeout().toMillis()));
            connect.addProperty("idle_in_transaction_session_timeout",
                    Long.toString(config.idleInTransactionTimeout().toMillis()));
        }
        return PgBuilder.pool().with(options).connectingTo(java.util.List.copyOf(input.pgConnectOptionsList()))
                .using(input.vertx()).build();
    }
}
