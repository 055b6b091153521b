package io.madetask.bridge.payout;

import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.madetask.bridge.madetask.MadeTaskClient;
import io.madetask.bridge.madetask.MadeTaskEventHandler;
import io.madetask.bridge.madetask.MadeTaskException;
import io.madetask.bridge.madetask.MadeTaskModel;
import io.madetask.bridge.sync.JobRuns;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * PROCESSING becomes PAID or FAILED: from MadeTask's events, and from the reconciliation, which asks MadeTask about
 * payouts that have stayed PROCESSING longer than {@code bridge.payouts.reconcile-after}.
 */
@ApplicationScoped
public class PayoutSettlement implements MadeTaskEventHandler<MadeTaskModel.Payout> {

    private static final Logger LOG = Logger.getLogger(PayoutSettlement.class);

    /**
     * Moves PENDING or PROCESSING forward, never back, and never touches a settled payout. Matched by MadeTask's payout
     * id, or, for a payout whose answer was lost, by its task (not for FAILED events: those may be an earlier attempt's).
     */
    private static final String SETTLE = """
            update payout set status = ?2, madetask_id = ?1, failure_code = ?3, failure_message = ?4,
                   receipt_url = ?5, paid_at = ?6, updated_at = now()
            where status in ('PENDING', 'PROCESSING') and not (status = 'PROCESSING' and ?2 = 'PROCESSING')
              and (madetask_id = ?1
                   or (madetask_id is null and ?2 <> 'FAILED'
                       and task_crm_id = (select crm_id from task where madetask_id = ?7)))""";

    private final Pool pool;
    private final MadeTaskClient client;
    private final PayoutConfig config;
    private final Vertx vertx;
    private final JobRuns runs;
    private final MeterRegistry meters;
    private final AtomicBoolean reconciling = new AtomicBoolean();
    private long timer = -1;

    PayoutSettlement(Pool pool, MadeTaskClient client, PayoutConfig config, Vertx vertx, JobRuns runs,
            MeterRegistry meters) {
        this.runs = runs;
        this.meters = meters;
        this.pool = pool;
        this.client = client;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled()) {
            timer = vertx.setPeriodic(config.reconcileInterval().toMillis(), t -> reconcileInBackground());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    @Override
    public String eventType() {
        return "payout.updated";
    }

    @Override
    public Class<MadeTaskModel.Payout> dataType() {
        return MadeTaskModel.Payout.class;
    }

    /** Applies a payout event inside the caller's transaction; answers APPLIED or STALE. */
    @Override
    public Uni<String> apply(MadeTaskModel.Payout mt) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery(SETTLE)
                .setParameter(1, mt.id()).setParameter(2, mt.status()).setParameter(3, mt.failureCode())
                .setParameter(4, mt.failureMessage()).setParameter(5, mt.receiptUrl())
                .setParameter(6, mt.paidAt() == null ? null : OffsetDateTime.parse(mt.paidAt()).toInstant())
                .setParameter(7, mt.taskId()).executeUpdate())
                .map(n -> {
                    if (n > 0) {
                        meters.counter("bridge.payouts", "outcome", mt.status()).increment();
                    }
                    return n > 0 ? "APPLIED" : "STALE";
                });
    }

    /** Asks MadeTask about every payout PROCESSING for too long, and settles it. Answers how many changed. */
    public Uni<Integer> reconcile() {
        if (!reconciling.compareAndSet(false, true)) {
            return Uni.createFrom().item(0);
        }
        // A payout left waiting for an acceptance that is no longer on its way (a crash between the two) becomes due.
        return pool.query("""
                update payout p set next_attempt_at = now()
                where p.status = 'PENDING' and p.next_attempt_at = 'infinity'
                  and not exists (select 1 from sync_operation o where o.entity_type = 'TASK'
                                  and o.entity_id = p.task_crm_id and o.status = 'PENDING')""").execute()
                .invoke(released -> {
                    if (released.rowCount() > 0) {
                        LOG.warnf("Reconciliation made %d payouts due whose task's acceptance had already ended",
                                released.rowCount());
                    }
                })
                .flatMap(released -> pool.preparedQuery("""
                select madetask_id from payout where status = 'PROCESSING' and madetask_id is not null
                and updated_at < now() - make_interval(secs => $1) order by updated_at limit 500""")
                .execute(Tuple.of((double) config.reconcileAfter().toSeconds()))
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .map((Row r) -> r.getString("madetask_id"))
                .onItem().transformToUni(id -> client.getPayout(id).flatMap(this::settle)
                        .onFailure(MadeTaskException.class).recoverWithItem(0))
                .merge(4)
                .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue)))
                .eventually(() -> reconciling.set(false));
    }

    private Uni<Integer> settle(MadeTaskModel.Payout mt) {
        if ("PROCESSING".equals(mt.status())) {
            return pool.preparedQuery("update payout set updated_at = now() where madetask_id = $1 and status = 'PROCESSING'")
                    .execute(Tuple.of(mt.id())).replaceWith(0);
        }
        OffsetDateTime paidAt = mt.paidAt() == null ? null : OffsetDateTime.parse(mt.paidAt());
        return pool.preparedQuery(SETTLE.replaceAll("\\?(\\d)", "\\$$1"))
                .execute(Tuple.tuple().addString(mt.id()).addString(mt.status()).addString(mt.failureCode())
                        .addString(mt.failureMessage()).addString(mt.receiptUrl()).addOffsetDateTime(paidAt)
                        .addString(mt.taskId()))
                .map(rows -> {
                    if (rows.rowCount() > 0) {
                        meters.counter("bridge.payouts", "outcome", mt.status()).increment();
                    }
                    return rows.rowCount();
                });
    }

    private void reconcileInBackground() {
        reconcile().subscribe().with(n -> {
            runs.ran(JobRuns.RECONCILIATION, "OK", n + " payouts settled");
            if (n > 0) {
                LOG.infof("Reconciliation settled %d payouts from MadeTask's answers", n);
            }
        }, e -> {
            runs.ran(JobRuns.RECONCILIATION, "FAILED", e.toString());
            LOG.warnf("Reconciliation failed: %s", e.toString());
        });
    }
}
