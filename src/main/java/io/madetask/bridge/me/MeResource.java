package io.madetask.bridge.me;

import java.util.Set;
import java.util.TreeSet;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.madetask.bridge.security.Caller;
import io.quarkus.security.Authenticated;

/** The caller's own view. */
@Path("/api/v1/me")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Me", description = "The caller's own identity and data")
public class MeResource {

    private final Caller caller;

    MeResource(Caller caller) {
        this.caller = caller;
    }

    /** Who the bridge takes the caller for. */
    public record Identity(String subject, Set<String> roles, String executorCrmId) {
    }

    @GET
    @Operation(summary = "Who am I", description = "The subject, roles and executor crmId the bridge reads from the token")
    public Identity me() {
        return new Identity(caller.subject(), new TreeSet<>(caller.roles()), caller.executorCrmId().orElse(null));
    }
}
