package io.madetask.bridge.executor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** The executor feature's SQL outside entity work (which is Hibernate Reactive on {@link Executor}). */
@ApplicationScoped
class ExecutorStore {

    private final Pool pool;

    ExecutorStore(Pool pool) {
        this.pool = pool;
    }

    /** Every executor's crmId. */
    Uni<List<String>> crmIds() {
        return pool.query("select crm_id from executor").execute().map(rows -> {
            List<String> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getString("crm_id")));
            return ids;
        });
    }

    /** Full name and ИНН of those of these executors that exist, by crmId. */
    Uni<Map<String, ExecutorIdentity>> identities(Collection<String> crmIds) {
        if (crmIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return pool.preparedQuery("select crm_id, full_name, inn from executor where crm_id = any($1)")
                .execute(Tuple.tuple().addArrayOfString(crmIds.toArray(String[]::new))).map(rows -> {
                    Map<String, ExecutorIdentity> found = new HashMap<>();
                    for (Row r : rows) {
                        String crmId = r.getString("crm_id");
                        found.put(crmId, new ExecutorIdentity(crmId, r.getString("full_name"), r.getString("inn")));
                    }
                    return found;
                });
    }

    /** How many executors' sync with MadeTask FAILED and waits for a person. */
    Uni<Long> failedSyncCount() {
        return pool.query("select count(*) from executor where sync_state = 'FAILED'").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }
}
