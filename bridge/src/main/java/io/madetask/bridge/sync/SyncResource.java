package io.madetask.bridge.sync;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import io.madetask.bridge.executor.ExecutorResync;
import io.madetask.bridge.security.Caller;
import io.smallrye.mutiny.Uni;

/** Where the work with MadeTask stands, for people and dashboards. */
@Path("/api/v1/sync")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Sync", description = "Background work, MadeTask's state, resync jobs")
public class SyncResource {

    private final SyncStatusService status;
    private final SyncJobs jobs;
    private final ExecutorResync resync;
    private final Caller caller;

    SyncResource(SyncStatusService status, SyncJobs jobs, ExecutorResync resync, Caller caller) {
        this.status = status;
        this.jobs = jobs;
        this.resync = resync;
        this.caller = caller;
    }

    @POST
    @Path("/executors")
    @RolesAllowed(Caller.ADMIN)
    @ResponseStatus(202)
    @Operation(summary = "Resync every executor with MadeTask, both ways, as a background job",
            description = "Answers the job at once (or the resync already running). MadeTask's newer status comes in; "
                    + "the bridge's data goes out where MadeTask differs; executors MadeTask lacks are created there. "
                    + "Follow it at /api/v1/sync/jobs/{id}.")
    public Uni<SyncJobView> resyncExecutors() {
        return resync.start(caller.subject()).map(SyncJobs.Started::job);
    }

    @GET
    @Path("/jobs/{id}")
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "A background job, its counts so far, and how it ended")
    public Uni<SyncJobView> job(@PathParam("id") String id) {
        return jobs.get(id);
    }

    @GET
    @Path("/status")
    @RolesAllowed({Caller.ADMIN, Caller.MANAGER})
    @Operation(summary = "Pending and failed work, MadeTask's circuit, the last event and the last reconciliation",
            description = "Work by kind (EXECUTOR_SYNC, TASK_SYNC, PAYOUT, NOTIFICATION): pending, failed, and the age of the oldest pending item in seconds. "
                    + "The last MadeTask event taken (any instance), the last catch-up and reconciliation runs, and MadeTask as this instance sees it.")
    public Uni<SyncStatusView> status() {
        return status.status();
    }
}
