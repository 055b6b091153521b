package io.madetask.bridge.executor;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

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

    /** How many executors' sync with MadeTask FAILED and waits for a person. */
    Uni<Long> failedSyncCount() {
        return pool.query("select count(*) from executor where sync_state = 'FAILED'").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }
}
