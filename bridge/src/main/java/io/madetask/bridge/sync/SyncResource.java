package io.madetask.bridge.sync;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.madetask.bridge.security.Caller;
import io.smallrye.mutiny.Uni;

/** Where the work with MadeTask stands, for people and dashboards. (Resync jobs start in their features.) */
@Path("/api/v1/sync")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Sync", description = "Background work, MadeTask's state, resync jobs")
public class SyncResource {

    private final SyncStatusService status;
    private final SyncJobs jobs;
    private final Caller caller;

    SyncResource(SyncStatusService status, SyncJobs jobs, Caller caller) {
        this.status = status;
        this.jobs = jobs;
        this.caller = caller;
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
