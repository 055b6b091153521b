package io.madetask.bridge.executor;

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

/** Executors, addressed by the CRM's ids. */
@Path("/api/v1/executors")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Caller.ADMIN, Caller.MANAGER})
@Tag(name = "Executors", description = "Executors (исполнители), kept in sync with MadeTask")
public class ExecutorResource {

    private final ExecutorService service;
    private final Caller caller;

    ExecutorResource(ExecutorService service, Caller caller) {
        this.service = service;
        this.caller = caller;
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{crmId}")
    @Operation(summary = "Create or update an executor",
            description = "201 when new, 200 when updated. Validated as MadeTask would (phone, ИНН check digits, Luhn, account, BIK); synced to MadeTask in the background.")
    public Uni<RestResponse<ExecutorView>> put(@PathParam("crmId") String crmId, ExecutorRequest body) {
        return service.upsert(crmId, body, caller.subject())
                .map(r -> r.created() ? RestResponse.status(RestResponse.Status.CREATED, r.executor())
                        : RestResponse.ok(r.executor()));
    }

    @GET
    @Path("/{crmId}")
    @Operation(summary = "An executor")
    public Uni<ExecutorView> get(@PathParam("crmId") String crmId) {
        return service.get(crmId);
    }

    @GET
    @Path("/{crmId}/income")
    @Operation(summary = "An executor's income in a year",
            description = "Paid and in flight through the bridge in the calendar year (UTC; the current one by default), the self-employed's yearly limit (2,400,000.00 RUB unless configured), the headroom, and the share of the limit used.")
    public Uni<IncomeView> income(@PathParam("crmId") String crmId, @QueryParam("year") String year) {
        return service.income(crmId, year);
    }

    @GET
    @Operation(summary = "Executors", description = "Filtered by status, sync state, and q (name or crmId); paged")
    public Uni<PageView<ExecutorView>> list(@QueryParam("status") String status,
            @QueryParam("syncState") String syncState, @QueryParam("q") String q, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size) {
        return service.list(status, syncState, q, page, size);
    }

    @POST
    @Path("/{crmId}/block")
    @Operation(summary = "Block an executor", description = "Blocked at once here, and in MadeTask in the background")
    public Uni<ExecutorView> block(@PathParam("crmId") String crmId) {
        return service.block(crmId, caller.subject());
    }

    @POST
    @Path("/{crmId}/unblock")
    @Operation(summary = "Unblock an executor")
    public Uni<ExecutorView> unblock(@PathParam("crmId") String crmId) {
        return service.unblock(crmId, caller.subject());
    }
}
