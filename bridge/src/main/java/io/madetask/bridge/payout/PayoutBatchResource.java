package io.madetask.bridge.payout;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import io.madetask.bridge.common.PageView;
import io.madetask.bridge.security.Caller;
import io.smallrye.mutiny.Uni;

/** Pay many tasks at once. */
@Path("/api/v1/payout-batches")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Caller.ADMIN, Caller.MANAGER})
@Tag(name = "Payout batches", description = "Up to 1000 tasks accepted and paid in one request")
public class PayoutBatchResource {

    private final PayoutBatchService service;
    private final Caller caller;

    PayoutBatchResource(PayoutBatchService service, Caller caller) {
        this.service = service;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Pay a batch of tasks",
            description = "202 at once (200 with the preflight when dryRun is true). Each task in IN_PROGRESS, SUBMITTED or ACCEPTED is accepted where it is not yet, and paid; every other task gets a per-item error.")
    @APIResponse(responseCode = "202", description = "The batch, accepted",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PayoutBatchView.class)))
    @APIResponse(responseCode = "200", description = "With dryRun: the preflight, nothing changed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PreflightView.class)))
    public Uni<RestResponse<Object>> create(PayoutBatchService.BatchRequest body) {
        if (body != null && body.dry()) {
            return service.preflight(body).map(p -> RestResponse.ok((Object) p));
        }
        return service.create(body, caller.subject())
                .map(b -> RestResponse.status(RestResponse.Status.ACCEPTED, (Object) b));
    }

    @POST
    @Path("/preflight")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "What a batch would do now, changing nothing",
            description = "The body of a batch. Per task: whether it would be paid now and, if not, why (task_not_found, invalid_status, already_paid, executor_not_synced, executor_not_payable, executor_blocked, not_self_employed, income_limit_exceeded, insufficient_funds); the amount, MadeTask's available balance and the shortfall. A batch with \"dryRun\": true answers the same.")
    public Uni<PreflightView> preflight(PayoutBatchService.BatchRequest body) {
        return service.preflight(body);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A batch, with live counts")
    public Uni<PayoutBatchView> get(@PathParam("id") String id) {
        return service.get(id);
    }

    @GET
    @Path("/{id}/items")
    @Operation(summary = "A batch's items", description = "Per task: PENDING, PROCESSING, PAID, FAILED or REJECTED, with the reason")
    public Uni<PageView<PayoutBatchView.Item>> items(@PathParam("id") String id, @QueryParam("status") String status,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        return service.items(id, status, page, size);
    }
}
