package io.madetask.bridge.work;

import java.time.Duration;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A table of work (rows named by the column {@code key}) claimed with a lease ({@code locked_by}, {@code locked_until}, {@code status = 'PENDING'}) and a
 * count of tries taken at each claim ({@code counter}). The owner of the table claims and records (it alone knows what
 * is due and what an outcome means); this says what every queue shares: keeping leases alive while work runs, and
 * giving claims back without the claim counting as a try.
 */
public record WorkQueue(Pool pool, String table, String key, String counter, String instanceId) {

    /** Every claim of this instance: on a graceful stop, and at start-up (the claims of this instance's last life). */
    public Uni<Integer> releaseAll() {
        return pool.preparedQuery("update " + table + " set locked_by = null, locked_until = null, " + counter + " = "
                + "greatest(" + counter + " - 1, 0) where locked_by = $1 and status = 'PENDING'")
                .execute(Tuple.of(instanceId)).map(r -> r.rowCount());
    }

    /** The claims of these rows ({@code String[]} or {@code Long[]} of ids), if this instance still holds them. */
    public Uni<Integer> release(Object[] ids) {
        return pool.preparedQuery("update " + table + " set locked_by = null, locked_until = null, " + counter + " = "
                + "greatest(" + counter + " - 1, 0) where " + key + " = any($1) and locked_by = $2 and status = 'PENDING'")
                .execute(Tuple.of(ids, instanceId)).map(r -> r.rowCount());
    }

    /**
     * The heartbeat: every claim this instance holds gets a fresh lease. One statement, whatever the number of claims;
     * a claim another instance took over (after this one's lease ran out) names that instance, and is left alone.
     */
    public Uni<Integer> extend(Duration lease) {
        return pool.preparedQuery("update " + table + " set locked_until = now() + make_interval(secs => $2) "
                + "where locked_by = $1 and status = 'PENDING'")
                .execute(Tuple.of(instanceId, (double) lease.toMillis() / 1000)).map(r -> r.rowCount());
    }
}
