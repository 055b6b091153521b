package io.madetask.bridge.work;

import java.lang.reflect.Array;
import java.time.Duration;
import java.util.Collection;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A table of work (rows named by the column {@code key}, of Java type {@code keyType}) claimed with a lease
 * ({@code locked_by}, {@code locked_until}, {@code status = 'PENDING'}) and a count of tries taken at each claim
 * ({@code counter}). The owner of the table claims and records (it alone knows what is due and what an outcome means);
 * this says what every queue shares: keeping the leases of the work in hand alive, and giving claims back.
 */
public record WorkQueue(Pool pool, String table, String key, Class<?> keyType, String counter, String instanceId) {

    /**
     * Every claim this instance's name still holds: at start-up, the claims of this instance's last life (a crash).
     * Their tries stay counted: that work may have been tried.
     */
    public Uni<Integer> takeBackAll() {
        return pool.preparedQuery("update " + table + " set locked_by = null, locked_until = null "
                + "where locked_by = $1 and status = 'PENDING'")
                .execute(Tuple.of(instanceId)).map(r -> r.rowCount());
    }

    /**
     * The claims of these rows, if this instance still holds them, as if they had never been claimed (work that was
     * never started, or that could not be tried: the try is not counted). With {@code pause}, they are due again only
     * after it.
     */
    public Uni<Integer> release(Collection<?> ids, Duration pause) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return pool.preparedQuery("update " + table + " set locked_by = null, locked_until = null, " + counter + " = "
                + "greatest(" + counter + " - 1, 0), next_attempt_at = greatest(next_attempt_at, now() + "
                + "make_interval(secs => $3)) where " + key + " = any($1) and locked_by = $2 and status = 'PENDING'")
                .execute(Tuple.of(array(ids), instanceId, seconds(pause))).map(r -> r.rowCount());
    }

    /**
     * The heartbeat: the rows this instance works on now get a fresh lease, in one statement. A row another instance
     * took over (after this one's lease ran out) names that instance, and is left alone; a row this instance lost track
     * of (its outcome could not be recorded) is not renewed, so it is due again within one lease.
     */
    public Uni<Integer> extend(Collection<?> ids, Duration lease) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return pool.preparedQuery("update " + table + " set locked_until = now() + make_interval(secs => $3) "
                + "where " + key + " = any($1) and locked_by = $2 and status = 'PENDING'")
                .execute(Tuple.of(array(ids), instanceId, seconds(lease))).map(r -> r.rowCount());
    }

    private Object array(Collection<?> ids) {
        Object array = Array.newInstance(keyType, ids.size());
        int i = 0;
        for (Object id : ids) {
            Array.set(array, i++, id);
        }
        return array;
    }

    private static double seconds(Duration d) {
        return d == null ? 0 : d.toMillis() / 1000.0;
    }
}
