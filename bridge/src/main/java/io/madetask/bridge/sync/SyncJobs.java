package io.madetask.bridge.sync;

import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.madetask.bridge.common.BridgeException;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/**
 * Background jobs in the database: started once per kind at a time, their counts updated as they go, their end
 * recorded. A job whose instance died (no progress for two minutes) is marked FAILED at the next start-up or request.
 */
@ApplicationScoped
public class SyncJobs {

    private static final Logger LOG = Logger.getLogger(SyncJobs.class);

    private final SyncStore store;

    SyncJobs(SyncStore store) {
        this.store = store;
    }

    void start(@Observes StartupEvent event) {
        store.failStaleJobs().subscribe().with(n -> {
            if (n > 0) {
                LOG.warnf("%d sync jobs were interrupted by a stop and are marked FAILED", n);
            }
        }, e -> LOG.debugf("Marking interrupted jobs failed: %s", e.toString()));
    }

    /** A new RUNNING job of this kind, or the one already running (then {@code started} is false). */
    public record Started(SyncJobView job, boolean started) {
    }

    public Uni<Started> begin(String kind, String actor) {
        return store.beginJob("job-" + UUID.randomUUID(), kind, actor == null ? "unknown" : actor)
                .flatMap(running -> get(running.getKey()).map(job -> new Started(job, running.getValue())));
    }

    public Uni<Void> progress(String id, Map<String, Long> counts) {
        return store.jobProgress(id, counts);
    }

    public Uni<Void> finish(String id, Map<String, Long> counts, String error) {
        return store.finishJob(id, counts, error);
    }

    public Uni<SyncJobView> get(String id) {
        return store.job(id).onItem().ifNull().failWith(() -> BridgeException.notFound("sync job", id));
    }
}
