package io.madetask.bridge.payout;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.madetask.bridge.common.Problem;
import io.madetask.bridge.security.Caller;
import io.smallrye.mutiny.Uni;

/** The bridge's payouts against MadeTask's, for admins. */
@Path("/api/v1/reconciliation")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Caller.ADMIN)
@Tag(name = "Payouts", description = "Each accepted task paid exactly once")
public class ReconciliationResource {

    private static final String PERIOD = "An RFC 3339 time (2025-06-01T00:00:00Z) or a date (2025-06-01: 00:00 UTC of "
            + "that day). ";

    private final Reconciliation reconciliation;
    private final Caller caller;

    ReconciliationResource(Reconciliation reconciliation, Caller caller) {
        this.reconciliation = reconciliation;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "Reconcile payouts with MadeTask",
            description = "The bridge's payouts against MadeTask's for the period [from, to): payouts created in it on "
                    + "each side's clock, counts and sums by status on both sides, and each difference "
                    + "(MISSING_IN_MADETASK, MISSING_IN_BRIDGE, STATUS_DIFFERS, AMOUNT_DIFFERS) with what to do. "
                    + "Without from and to: the previous UTC day. Asks MadeTask now (a call per 500 of its payouts "
                    + "updated since from), changes no payout, and is audited (payout.reconciliation).")
    @APIResponse(responseCode = "200", description = "The reconciliation's result",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ReconciliationView.class)))
    @APIResponse(responseCode = "400", description = "from or to malformed, to not after from, or a period longer "
            + "than bridge.reconciliation.max-period (31 days): validation_failed naming the field",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "reconciliation_too_large: MadeTask lists more payouts updated "
            + "since from than one run reads (bridge.reconciliation.max-pages)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "reconciliation_busy: this instance already runs "
            + "bridge.reconciliation.max-concurrent reconciliations",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "502", description = "madetask_refused: MadeTask refused a call",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "MadeTask unreachable (madetask_unavailable) or its circuit "
            + "open (madetask_circuit_open): nothing was concluded; try again later",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ReconciliationView> reconcile(
            @Parameter(description = PERIOD + "Start of the period, inclusive; default: one day before to, or the "
                    + "start of the previous UTC day", schema = @Schema(type = SchemaType.STRING))
            @QueryParam("from") String from,
            @Parameter(description = PERIOD + "End of the period, exclusive, at most 31 days after from; default: "
                    + "one day after from, or the start of today (UTC)", schema = @Schema(type = SchemaType.STRING))
            @QueryParam("to") String to) {
        return reconciliation.reconcile(from, to, caller.subject());
    }
}
