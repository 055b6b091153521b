package io.madetask.bridge.audit;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

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
        int[] ps = PageView.checked(page, size);
        StringBuilder query = new StringBuilder("1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (entityType != null) {
            query.append(" and entityType = :entityType");
            params.put("entityType", entityType);
        }
        if (entityId != null) {
            query.append(" and entityId = :entityId");
            params.put("entityId", entityId);
        }
        if (from != null) {
            query.append(" and at >= :from");
            params.put("from", from);
        }
        if (to != null) {
            query.append(" and at < :to");
            params.put("to", to);
        }
        var q = AuditEntry.<AuditEntry>find(query.toString(), Sort.descending("at", "id"), params).page(ps[0], ps[1]);
        return q.list().flatMap(items -> q.count()
                .map(total -> new PageView<>(items.stream().map(AuditView::of).toList(), ps[0], ps[1], total)));
    }
}
