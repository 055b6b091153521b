package io.madetask.bridge.crm;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import io.madetask.bridge.common.PageView;
import io.madetask.bridge.security.Caller;
import io.smallrye.mutiny.Uni;

/** The bridge's events to the CRM, and their delivery. */
@Path("/api/v1/notifications")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Caller.ADMIN)
@Tag(name = "Notifications", description = "Events the bridge POSTs to the CRM's callback URL, signed, at least once")
public class NotificationResource {

    private final NotificationService service;
    private final Caller caller;

    NotificationResource(NotificationService service, Caller caller) {
        this.service = service;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "Notifications", description = "Filtered by status (PENDING, DELIVERED, FAILED), type and entity; newest first. "
            + "status=FAILED lists those the CRM never took after every try.")
    public Uni<PageView<NotificationView>> list(@QueryParam("status") String status, @QueryParam("type") String type,
            @QueryParam("entityType") String entityType, @QueryParam("entityId") String entityId,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        return service.list(status, type, entityType, entityId, page, size);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A notification, with its data and where its delivery stands")
    public Uni<NotificationView> get(@PathParam("id") String id) {
        return service.get(id);
    }

    @POST
    @Path("/{id}/redeliver")
    @ResponseStatus(202)
    @Operation(summary = "Send a notification again", description = "Due at once with a fresh count of tries; the same id and body, a new signature.")
    public Uni<NotificationView> redeliver(@PathParam("id") String id) {
        return service.redeliver(id, caller.subject());
    }
}
