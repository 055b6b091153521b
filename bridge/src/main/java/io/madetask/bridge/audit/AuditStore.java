package io.madetask.bridge.audit;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** The audit's set-based SQL: lines written on the caller's connection, inside the caller's transaction. */
@ApplicationScoped
class AuditStore {

    Uni<Void> insert(SqlClient c, String actor, String action, String entityType, List<String> entityIds,
            String outcome, String requestId, String detail) {
        return c.preparedQuery("""
                insert into audit_entry (actor, action, entity_type, entity_id, outcome, request_id, detail)
                select $1, $2, $3, id, $5, $6, $7 from unnest($4::text[]) as x(id)""")
                .execute(Tuple.tuple().addString(actor).addString(action).addString(entityType)
                        .addArrayOfString(entityIds.toArray(String[]::new)).addString(outcome).addString(requestId)
                        .addString(detail))
                .replaceWithVoid();
    }
}
