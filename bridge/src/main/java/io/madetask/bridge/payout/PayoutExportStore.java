package io.madetask.bridge.payout;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The payout registry's SQL: pages of payouts in (created_at, id) order, each read after the last row of the one
 * before (keyset paging on {@code payout_created_idx}), so that a page costs the same however deep into the table it
 * is and no connection is held between pages.
 */
@ApplicationScoped
class PayoutExportStore {

    /**
     * The lower bound is a row position, always given: the page after (created_at, id), the first page after (from or
     * -infinity, ''), which takes in the rows created exactly at {@code from} (every id is longer than ''). The upper
     * bound is exclusive. Both are index conditions; status and executor filter the range.
     */
    private static final String PAGE = """
            select id, madetask_id, task_crm_id, task_madetask_id, executor_crm_id, amount, status, failure_code,
                   receipt_url, created_at, paid_at
            from payout
            where (created_at, id) > (coalesce($1::timestamptz, '-infinity'::timestamptz), $2::text)
              and created_at < coalesce($3::timestamptz, 'infinity'::timestamptz)
              and ($4::text is null or status = $4::text)
              and ($5::text is null or executor_crm_id = $5::text)
            order by created_at, id
            limit $6""";

    /** A payout as the registry shows it (the executor's name and ИНН are the executor feature's). */
    record Line(String id, String madetaskId, String taskCrmId, String taskMadetaskId, String executorCrmId,
            BigDecimal amount, String status, String failureCode, String receiptUrl, Instant createdAt,
            Instant paidAt) {
    }

    /** Where a page starts: after this row; null created-at for the first page. */
    record After(OffsetDateTime createdAt, String id) {

        static After start(Instant from) {
            return new After(from == null ? null : from.atOffset(ZoneOffset.UTC), "");
        }
    }

    /** The page of the registry's rows after {@code after}, with the cursor of its last row. */
    record Page(List<Line> lines, After last) {
    }

    private final Pool pool;

    PayoutExportStore(Pool pool) {
        this.pool = pool;
    }

    Uni<Page> page(After after, Instant to, PayoutStatus status, String executorCrmId, int size) {
        Tuple args = Tuple.tuple().addOffsetDateTime(after.createdAt()).addString(after.id())
                .addOffsetDateTime(to == null ? null : to.atOffset(ZoneOffset.UTC))
                .addString(status == null ? null : status.name()).addString(executorCrmId).addInteger(size);
        return pool.preparedQuery(PAGE).execute(args).map(rows -> {
            List<Line> lines = new ArrayList<>(rows.size());
            After last = after;
            for (Row r : rows) {
                OffsetDateTime created = r.getOffsetDateTime("created_at");
                OffsetDateTime paid = r.getOffsetDateTime("paid_at");
                lines.add(new Line(r.getString("id"), r.getString("madetask_id"), r.getString("task_crm_id"),
                        r.getString("task_madetask_id"), r.getString("executor_crm_id"), r.getBigDecimal("amount"),
                        r.getString("status"), r.getString("failure_code"), r.getString("receipt_url"),
                        created.toInstant(), paid == null ? null : paid.toInstant()));
                last = new After(created, r.getString("id"));
            }
            return new Page(lines, last);
        });
    }
}
