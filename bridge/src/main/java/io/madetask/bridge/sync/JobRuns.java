package io.madetask.bridge.sync;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

/** Remembers in the database when each periodic job last ran and how it went, for {@code GET /api/v1/sync/status}. */
@ApplicationScoped
public class JobRuns {

    public static final String CATCH_UP = "madetask.catch-up";
    /** The settlement of payouts PROCESSING too long (asks MadeTask about each). */
    public static final String RECONCILIATION = "payouts.reconciliation";
    /** The daily reconciliation of the bridge's payouts against MadeTask's for the previous UTC day. */
    public static final String DAILY_RECONCILIATION = "payouts.daily-reconciliation";

    private static final Logger LOG = Logger.getLogger(JobRuns.class);

    private final SyncStore store;

    JobRuns(SyncStore store) {
        this.store = store;
    }

    /** Records a run in the background; a failure to record is logged, never passed on. */
    public void ran(String name, String outcome, String detail) {
        store.ran(name, outcome, detail)
                .subscribe().with(r -> { }, e -> LOG.debugf("Recording the run of %s failed: %s", name, e.toString()));
    }
}
