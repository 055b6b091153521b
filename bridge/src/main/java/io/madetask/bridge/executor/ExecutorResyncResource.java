package io.madetask.bridge.executor;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import io.madetask.bridge.security.Caller;
import io.madetask.bridge.sync.SyncJobView;
import io.madetask.bridge.sync.SyncJobs;
import io.smallrye.mutiny.Uni;

/** The executors' full resync, a background job followed at {@code /api/v1/sync/jobs/{id}}. */
@Path("/api/v1/sync/executors")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Sync", description = "Background work, MadeTask's state, resync jobs")
public class ExecutorResyncResource {

    private final ExecutorResync resync;
    private final Caller caller;

    ExecutorResyncResource(ExecutorResync resync, Caller caller) {
        this.resync = resync;
        this.caller = caller;
    }

    @POST
    @RolesAllowed(Caller.ADMIN)
    @ResponseStatus(202)
    @Operation(summary = "Resync every executor with MadeTask, both ways, as a background job",
            description = "Answers the job at once (or the resync already running). MadeTask's newer status comes in; "
                    + "the bridge's data goes out where MadeTask differs; executors MadeTask lacks are created there. "
                    + "Follow it at /api/v1/sync/jobs/{id}.")
    public Uni<SyncJobView> resyncExecutors() {
        return resync.start(caller.subject()).map(SyncJobs.Started::job);
    }

}
