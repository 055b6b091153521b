package io.madetask.bridge.task;

import java.time.Instant;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import io.madetask.bridge.common.PageView;
import io.madetask.bridge.security.Caller;
import io.smallrye.mutiny.Uni;

/** Tasks, addressed by the CRM's ids. */
@Path("/api/v1/tasks")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Caller.ADMIN, Caller.MANAGER})
@Tag(name = "Tasks", description = "Tasks (задачи), kept in sync with MadeTask")
public class TaskResource {

    private final TaskService service;
    private final Caller caller;

    TaskResource(TaskService service, Caller caller) {
        this.service = service;
        this.caller = caller;
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{crmId}")
    @Operation(summary = "Create or update a task", description = "201 when new, 200 when updated; synced to MadeTask in the background")
    public Uni<RestResponse<TaskView>> put(@PathParam("crmId") String crmId, TaskRequest body) {
        return service.upsert(crmId, body, caller.subject())
                .map(r -> r.created() ? RestResponse.status(RestResponse.Status.CREATED, r.task())
                        : RestResponse.ok(r.task()));
    }

    @GET
    @Path("/{crmId}")
    @Operation(summary = "A task")
    public Uni<TaskView> get(@PathParam("crmId") String crmId) {
        return service.get(crmId);
    }

    @GET
    @Operation(summary = "Tasks", description = "Filtered by status, executor and last change; paged, oldest change first")
    public Uni<PageView<TaskView>> list(@QueryParam("status") String status,
            @QueryParam("executorCrmId") String executorCrmId, @QueryParam("updatedSince") Instant updatedSince,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        return service.list(status, executorCrmId, updatedSince, page, size);
    }

    @POST
    @Path("/{crmId}/status")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Accept, reject or cancel a task",
            description = "409 invalid_transition for a move the status machine forbids; carried to MadeTask in the background")
    public Uni<TaskView> changeStatus(@PathParam("crmId") String crmId, StatusChange body) {
        return service.changeStatus(crmId, body, caller.subject());
    }
}
