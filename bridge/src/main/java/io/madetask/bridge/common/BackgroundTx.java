package io.madetask.bridge.common;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Sessions and transactions for work outside HTTP requests (outbox, events, payouts). Each one opens on a fresh safe
 * Vert.x context, so concurrent background steps never share a Hibernate Reactive session, whatever context a
 * MadeTask answer came back on.
 */
@ApplicationScoped
public class BackgroundTx {

    private final Vertx vertx;

    BackgroundTx(Vertx vertx) {
        this.vertx = vertx;
    }

    public <T> Uni<T> transaction(Supplier<Uni<T>> work) {
        return SafeContext.run(vertx, () -> Panache.withTransaction(work));
    }

    public <T> Uni<T> session(Supplier<Uni<T>> work) {
        return SafeContext.run(vertx, () -> Panache.withSession(work));
    }
}
