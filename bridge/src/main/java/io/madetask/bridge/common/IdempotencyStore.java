package io.madetask.bridge.common;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** All SQL on {@code api_idempotency}: the API's Idempotency-Key claims and the answers they replay. */
@ApplicationScoped
class IdempotencyStore {

    private final Pool pool;

    IdempotencyStore(Pool pool) {
        this.pool = pool;
    }

    /** Takes the key for this caller; answers false when it was taken before. */
    Uni<Boolean> claim(String principal, String key, String fingerprint) {
        return pool.preparedQuery("insert into api_idempotency (principal, key, fingerprint) values ($1, $2, $3) "
                + "on conflict do nothing").execute(Tuple.of(principal, key, fingerprint)).map(r -> r.rowCount() == 1);
    }

    /** The key's request fingerprint, and its answer once there is one (status, body). */
    Uni<Row> find(String principal, String key) {
        return pool.preparedQuery("select fingerprint, status, body from api_idempotency "
                + "where principal = $1 and key = $2").execute(Tuple.of(principal, key))
                .map(rows -> rows.iterator().next());
    }

    Uni<Void> release(String principal, String key) {
        return pool.preparedQuery("delete from api_idempotency where principal = $1 and key = $2")
                .execute(Tuple.of(principal, key)).replaceWithVoid();
    }

    Uni<Void> answered(String principal, String key, int status, String body) {
        return pool.preparedQuery("update api_idempotency set status = $3, body = $4 where principal = $1 and key = $2")
                .execute(Tuple.tuple(java.util.List.of(principal, key, status)).addString(body))
                .replaceWithVoid();
    }
}
