package io.madetask.bridge.madetask;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.madetask.bridge.common.Money;
import io.madetask.bridge.security.Caller;
import io.smallrye.mutiny.Uni;

/** A window on the MadeTask account, read live through the client. */
@Path("/api/v1/madetask")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "MadeTask", description = "The company's MadeTask account")
public class MadeTaskResource {

    private final MadeTaskClient client;

    MadeTaskResource(MadeTaskClient client) {
        this.client = client;
    }

    /** The account's balance as MadeTask reports it now. */
    public record BalanceView(Money available, Money reserved) {
    }

    @GET
    @Path("/balance")
    @RolesAllowed({Caller.ADMIN, Caller.MANAGER})
    @Operation(summary = "MadeTask balance", description = "Available and reserved money on the MadeTask account, asked of MadeTask now")
    public Uni<BalanceView> balance() {
        return client.balance().map(b -> new BalanceView(b.available(), b.reserved()));
    }
}
