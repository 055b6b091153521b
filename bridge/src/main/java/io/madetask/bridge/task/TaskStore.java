package io.madetask.bridge.task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The task feature's SQL outside entity work (which is Hibernate Reactive on {@link Task}): set-based statements on
 * the caller's connection (a payout batch's transaction), and its backlog.
 */
@ApplicationScoped
class TaskStore {

    private static final String READ = """
            select crm_id, status, madetask_id, executor_crm_id, reward, accepted_in_madetask from task
            where crm_id = any($1) order by crm_id""";
    private static final String LOCK = READ + " for update";

    private final Pool pool;

    TaskStore(Pool pool) {
        this.pool = pool;
    }

    /** How many tasks' sync with MadeTask FAILED and waits for a person. */
    Uni<Long> failedSyncCount() {
        return pool.query("select count(*) from task where sync_state = 'FAILED'").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    Uni<Map<String, TaskService.ForPayout>> lock(SqlConnection c, List<String> crmIds) {
        return forPayout(c, crmIds, LOCK);
    }

    /** The named tasks as a payout needs them, not locked (a preflight). */
    Uni<Map<String, TaskService.ForPayout>> read(List<String> crmIds) {
        return forPayout(pool, crmIds, READ);
    }

    private Uni<Map<String, TaskService.ForPayout>> forPayout(io.vertx.mutiny.sqlclient.SqlClient c,
            List<String> crmIds, String sql) {
        return c.preparedQuery(sql)
                .execute(Tuple.of(crmIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, TaskService.ForPayout> tasks = new LinkedHashMap<>();
                    rows.forEach(r -> tasks.put(r.getString("crm_id"), new TaskService.ForPayout(r.getString("crm_id"),
                            r.getString("status"), r.getString("madetask_id"), r.getString("executor_crm_id"),
                            r.getBigDecimal("reward"), r.getBoolean("accepted_in_madetask"))));
                    return tasks;
                });
    }

    /** Accepts those of the tasks the client may accept now (the status machine's rule); answers which. */
    Uni<List<String>> accept(SqlConnection c, List<String> crmIds) {
        return c.preparedQuery("""
                update task set status = 'ACCEPTED', sync_state = 'PENDING', version = version + 1, updated_at = now()
                where crm_id = any($1) and status in ('IN_PROGRESS', 'SUBMITTED')
                returning crm_id""")
                .execute(Tuple.of(crmIds.toArray(String[]::new)))
                .map(rows -> {
                    List<String> accepted = new ArrayList<>();
                    rows.forEach(r -> accepted.add(r.getString("crm_id")));
                    return accepted;
                });
    }
}
