package io.madetask.bridge.me;

import java.util.Set;
import java.util.TreeSet;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.PageView;
import io.madetask.bridge.payout.PayoutService;
import io.madetask.bridge.payout.PayoutView;
import io.madetask.bridge.security.Caller;
import io.madetask.bridge.task.TaskService;
import io.madetask.bridge.task.TaskView;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/** The caller's own view. */
@Path("/api/v1/me")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Me", description = "The caller's own identity and data")
public class MeResource {

    private final Caller caller;
    private final TaskService tasks;
    private final PayoutService payouts;

    MeResource(Caller caller, TaskService tasks, PayoutService payouts) {
        this.caller = caller;
        this.tasks = tasks;
        this.payouts = payouts;
    }

    /** Who the bridge takes the caller for. */
    public record Identity(String subject, Set<String> roles, String executorCrmId) {
    }

    @GET
    @Operation(summary = "Who am I", description = "The subject, roles and executor crmId the bridge reads from the token")
    public Identity me() {
        return new Identity(caller.subject(), new TreeSet<>(caller.roles()), caller.executorCrmId().orElse(null));
    }

    @GET
    @Path("/tasks")
    @RolesAllowed(Caller.EXECUTOR)
    @Operation(summary = "My tasks", description = "The calling executor's tasks, and only theirs")
    public Uni<PageView<TaskView>> myTasks(@QueryParam("status") String status, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size) {
        return tasks.list(status, myCrmId(), null, page, size);
    }

    @GET
    @Path("/payouts")
    @RolesAllowed(Caller.EXECUTOR)
    @Operation(summary = "My payouts", description = "The calling executor's payouts, with the чек (receipt) link once paid")
    public Uni<PageView<PayoutView>> myPayouts(@QueryParam("status") String status, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size) {
        return payouts.list(status, myCrmId(), null, null, null, page, size);
    }

    private String myCrmId() {
        return caller.executorCrmId().orElseThrow(() -> new BridgeException(403, "forbidden", "Forbidden",
                "The token carries no executor id"));
    }
}
