package io.madetask.bridge.payout;

import java.time.Instant;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.madetask.bridge.common.Problem;
import io.madetask.bridge.common.RequestIds;
import io.madetask.bridge.security.Caller;
import io.smallrye.common.annotation.Blocking;
import io.vertx.ext.web.RoutingContext;

/**
 * The payout registry (реестр выплат) as a file, streamed. {@code @Blocking}: the file is written on a worker thread to
 * the response's blocking output stream (see {@link PayoutExport}); nothing here runs on an event loop.
 */
@Path("/api/v1/payouts/export")
@RolesAllowed({Caller.ADMIN, Caller.MANAGER})
@Tag(name = "Payouts", description = "Each accepted task paid exactly once")
public class PayoutExportResource {

    static final String CSV = "text/csv";
    static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private final PayoutExport export;
    private final Caller caller;

    PayoutExportResource(PayoutExport export, Caller caller) {
        this.export = export;
        this.caller = caller;
    }

    @GET
    @Blocking
    @Produces({CSV, XLSX})
    @Operation(summary = "The payout registry (реестр выплат), streamed",
            description = "One row per payout, ordered by creation time then id: payoutId, madetaskPayoutId, "
                    + "taskCrmId, taskMadetaskId, executorCrmId, executorFullName, executorInn, amount, currency, "
                    + "status, failureCode, createdAt, paidAt, receiptUrl (docs/api.md). CSV is UTF-8 with a byte "
                    + "order mark; xlsx has number and date cells. Filters as the payout list; `to` defaults to now. "
                    + "At most a few exports run at once (429 `export_busy` with Retry-After otherwise). Audited.")
    @APIResponse(responseCode = "200", description = "The registry, as an attachment (Content-Disposition)",
            content = {@Content(mediaType = CSV, schema = @Schema(type = SchemaType.STRING)),
                @Content(mediaType = XLSX, schema = @Schema(type = SchemaType.STRING, format = "binary"))})
    @APIResponse(responseCode = "400", description = "A bad format, status, executorCrmId, from or to (named in errors)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "As many exports as this instance runs at once are running",
            headers = @Header(name = "Retry-After", description = "Seconds to wait",
                    schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response export(
            @Parameter(description = "Created at or after this RFC 3339 time (UTC), e.g. 2026-12-01T00:00:00Z")
            @QueryParam("from") Instant from,
            @Parameter(description = "Created before this RFC 3339 time (exclusive); the moment of the request when absent")
            @QueryParam("to") Instant to,
            @Parameter(description = "PENDING, PROCESSING, PAID or FAILED", schema = @Schema(type = SchemaType.STRING,
                    enumeration = {"PENDING", "PROCESSING", "PAID", "FAILED"}))
            @QueryParam("status") String status,
            @Parameter(description = "Only this executor's payouts (its crmId)")
            @QueryParam("executorCrmId") String executorCrmId,
            @Parameter(description = "csv (the default) or xlsx", schema = @Schema(type = SchemaType.STRING,
                    enumeration = {"csv", "xlsx"}, defaultValue = "csv"))
            @QueryParam("format") String format,
            @Context RoutingContext http) {
        PayoutExport.Request request = export.check(status, executorCrmId, from, to, format);
        Optional<PayoutExport.Run> admitted = export.admit(request, caller.subject());
        if (admitted.isEmpty()) {
            long wait = export.retryAfterSeconds();
            return Response.status(429).type(Problem.MEDIA_TYPE).header("Retry-After", wait)
                    .entity(Problem.of(429, "export_busy", "Too many exports",
                            "As many payout exports as this instance runs at once are running; try again in " + wait
                                    + " s", RequestIds.current(), null))
                    .build();
        }
        PayoutExport.Run run = admitted.get();
        http.addEndHandler(done -> run.requestEnded());
        run.cutWith(() -> http.request().connection().close());
        StreamingOutput file = out -> export.stream(run, out);
        return Response.ok(file).type(request.mediaType())
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + request.fileName() + "\"")
                .build();
    }
}
