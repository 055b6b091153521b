package io.madetask.bridge.audit;

import java.time.Instant;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.madetask.bridge.common.Filter;
import io.madetask.bridge.common.PageView;
import io.madetask.bridge.security.Caller;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/** The audit log, for admins. */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Caller.ADMIN)
@Tag(name = "Audit", description = "Who did what, when, with what outcome")
public class AuditResource {

    @GET
    @WithSession
    @Operation(summary = "Audit log", description = "Every write through the API and every MadeTask call that changed something, newest first")
    public Uni<PageView<AuditView>> list(@QueryParam("entityType") String entityType,
            @QueryParam("entityId") String entityId, @QueryParam("from") Instant from, @QueryParam("to") Instant to,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        Filter filter = new Filter().and("entityType = :entityType", "entityType", entityType)
                .and("entityId = :entityId", "entityId", entityId)
                .and("at >= :from", "from", from)
                .and("at < :to", "to", to);
        return Filter.pageOf(AuditEntry.<AuditEntry>find(filter.query(), Sort.descending("at", "id"), filter.params()),
                PageView.checked(page, size), AuditView::of);
    }
}
