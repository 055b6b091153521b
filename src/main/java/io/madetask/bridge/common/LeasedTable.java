package io.madetask.bridge.common;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A table of work claimed with a lease ({@code locked_by}, {@code locked_until}, {@code status = 'PENDING'}) and a
 * count of tries taken at each claim ({@code counter}). Gives claims back on a graceful stop, so that another
 * instance takes the work up at once, without the claim counting as a try.
 */
public record LeasedTable(Pool pool, String table, String counter, String instanceId) {

    /** Every claim of this instance. */
    public Uni<Integer> releaseAll() {
        return pool.preparedQuery("update " + table + " set locked_by = null, locked_until = null, " + counter + " = "
                + counter + " - 1 where locked_by = $1 and status = 'PENDING'").execute(Tuple.of(instanceId))
                .map(r -> r.rowCount());
    }

    /** The claims of these rows ({@code String[]} or {@code Long[]} of ids), if this instance still holds them. */
    public Uni<Integer> release(Object[] ids) {
        return pool.preparedQuery("update " + table + " set locked_by = null, locked_until = null, " + counter + " = "
                + counter + " - 1 where id = any($1) and locked_by = $2 and status = 'PENDING'")
                .execute(Tuple.of(ids, instanceId)).map(r -> r.rowCount());
    }
}
