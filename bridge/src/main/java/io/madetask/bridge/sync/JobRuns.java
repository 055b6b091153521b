package io.madetask.bridge.sync;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Remembers in the database when each periodic job last ran and how it went, for {@code GET /api/v1/sync/status}. */
@ApplicationScoped
public class JobRuns {

    public static final String CATCH_UP = "madetask.catch-up";
    public static final String RECONCILIATION = "payouts.reconciliation";

    private static final Logger LOG = Logger.getLogger(JobRuns.class);

    private final Pool pool;

    JobRuns(Pool pool) {
        this.pool = pool;
    }

    /** Records a run in the background; a failure to record is logged, never passed on. */
    public void ran(String name, String outcome, String detail) {
        pool.preparedQuery("""
                insert into job_run (name, last_run_at, outcome, detail) values ($1, now(), $2, $3)
                on conflict (name) do update set last_run_at = now(), outcome = $2, detail = $3""")
                .execute(Tuple.of(name, outcome, detail))
                .subscribe().with(r -> { }, e -> LOG.debugf("Recording the run of %s failed: %s", name, e.toString()));
    }
}
