package io.madetask.bridge.payout;

import java.time.Instant;

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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import io.madetask.bridge.common.PageView;
import io.madetask.bridge.security.Caller;
import io.smallrye.mutiny.Uni;

/** Payouts (выплаты), one per accepted task. */
@Path("/api/v1/payouts")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Caller.ADMIN, Caller.MANAGER})
@Tag(name = "Payouts", description = "Each accepted task paid exactly once")
public class PayoutResource {

    private final PayoutService service;
    private final Caller caller;

    PayoutResource(PayoutService service, Caller caller) {
        this.service = service;
        this.caller = caller;
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A payout")
    public Uni<PayoutView> get(@PathParam("id") String id) {
        return service.get(id);
    }

    @GET
    @Operation(summary = "Payouts", description = "Filtered by status, executor, task and creation time (from inclusive, to exclusive); newest first")
    public Uni<PageView<PayoutView>> list(@QueryParam("status") String status,
            @QueryParam("executorCrmId") String executorCrmId, @QueryParam("taskCrmId") String taskCrmId,
            @QueryParam("from") Instant from, @QueryParam("to") Instant to, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size) {
        return service.list(status, executorCrmId, taskCrmId, from, to, page, size);
    }

    @POST
    @Path("/{id}/retry")
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "Try a failed payout again",
            description = "For a FAILED payout whose cause may pass (INSUFFICIENT_FUNDS, BANK_REJECTED, EXECUTOR_NOT_PAYABLE, EXECUTOR_BLOCKED, INVALID_PAYOUT_METHOD, INCOME_LIMIT_EXCEEDED, TASK_NOT_ACCEPTED, NOT_SELF_EMPLOYED): a new MadeTask attempt with a new idempotency key; the task is still paid at most once. 409 payout_not_failed, or payout_not_retryable with what to do instead.")
    public Uni<PayoutView> retry(@PathParam("id") String id) {
        return service.retry(id, caller.subject()).flatMap(v -> service.get(id));
    }

    @POST
    @Path("/retry")
    @RolesAllowed(Caller.ADMIN)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Try failed payouts again, in bulk",
            description = "Every FAILED payout whose cause may pass, filtered by failureCode, batchId and executorCrmId (each optional): a new attempt each, up to 5000 per request (more: true when others are left). 202 with the count; 409 payout_not_retryable for a code whose cause cannot pass.")
    @org.eclipse.microprofile.openapi.annotations.parameters.RequestBody(content = @org.eclipse.microprofile.openapi.annotations.media.Content(
            mediaType = MediaType.APPLICATION_JSON,
            schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = PayoutService.BulkRetry.class)))
    public Uni<RestResponse<PayoutService.BulkRetried>> retryAll(com.fasterxml.jackson.databind.JsonNode body) {
        return service.retryAll(PayoutService.BulkRetry.of(body), caller.subject()).map(r -> RestResponse.status(RestResponse.Status.ACCEPTED, r));
    }
}
