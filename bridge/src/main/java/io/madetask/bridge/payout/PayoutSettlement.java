package io.madetask.bridge.payout;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.madetask.bridge.common.BackgroundTx;
import io.madetask.bridge.common.Enums;
import io.madetask.bridge.madetask.MadeTaskClient;
import io.madetask.bridge.madetask.MadeTaskEventHandler;
import io.madetask.bridge.madetask.MadeTaskException;
import io.madetask.bridge.madetask.MadeTaskModel;
import io.madetask.bridge.sync.JobRuns;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * PROCESSING becomes PAID or FAILED: from MadeTask's events, and from the reconciliation, which asks MadeTask about
 * payouts that have stayed PROCESSING longer than {@code bridge.payouts.reconcile-after}.
 */
@ApplicationScoped
public class PayoutSettlement implements MadeTaskEventHandler<MadeTaskModel.Payout> {

    private static final Logger LOG = Logger.getLogger(PayoutSettlement.class);

    private final PayoutStore store;
    private final BackgroundTx tx;
    private final MadeTaskClient client;
    private final PayoutConfig config;
    private final Vertx vertx;
    private final JobRuns runs;
    private final MeterRegistry meters;
    private final AtomicBoolean reconciling = new AtomicBoolean();
    private long timer = -1;

    PayoutSettlement(PayoutStore store, BackgroundTx tx, MadeTaskClient client, PayoutConfig config, Vertx vertx,
            JobRuns runs, MeterRegistry meters) {
        this.tx = tx;
        this.runs = runs;
        this.meters = meters;
        this.store = store;
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

    /** MadeTask's payouts are PROCESSING, PAID or FAILED; the bridge's PENDING is its own. */
    @Override
    public boolean readable(MadeTaskModel.Payout mt) {
        return MadeTaskModel.present(mt.id()) && Enums.known(PayoutStatus.class, mt.status())
                && !PayoutStatus.PENDING.name().equals(mt.status());
    }

    /** Applies a payout event inside the caller's transaction; answers APPLIED or STALE. */
    @Override
    public Uni<String> apply(MadeTaskModel.Payout mt) {
        return counted(store.settle(mt), mt).map(n -> n > 0 ? "APPLIED" : "STALE");
    }

    /** Asks MadeTask about every payout PROCESSING for too long, and settles it. Answers how many changed. */
    public Uni<Integer> reconcile() {
        if (!reconciling.compareAndSet(false, true)) {
            return Uni.createFrom().item(0);
        }
        return store.processingLongerThan(config.reconcileAfter(), 500)
                .onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUni(id -> client.getPayout(id).flatMap(this::settle)
                        .onFailure(MadeTaskException.class).recoverWithItem(0))
                .merge(4)
                .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue))
                .eventually(() -> reconciling.set(false));
    }

    private Uni<Integer> settle(MadeTaskModel.Payout mt) {
        if (!readable(mt)) {
            LOG.warn("MadeTask answered a payout the bridge cannot read (no id, or status not PROCESSING, PAID or "
                    + "FAILED): left as it is");
            return Uni.createFrom().item(0);
        }
        if ("PROCESSING".equals(mt.status())) {
            return store.stillProcessing(mt.id()).replaceWith(0);
        }
        return counted(tx.transaction(() -> store.settle(mt)), mt);
    }

    /** Counts a settlement that moved a payout. */
    private Uni<Integer> counted(Uni<Integer> settled, MadeTaskModel.Payout mt) {
        return settled.invoke(n -> {
            if (n > 0) {
                meters.counter("bridge.payouts", "outcome", mt.status()).increment();
            }
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
