package io.madetask.bridge.payout;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.madetask.bridge.audit.Audit;
import io.madetask.bridge.common.BackgroundTx;
import io.madetask.bridge.executor.ExecutorForPayout;
import io.madetask.bridge.executor.ExecutorPayable;
import io.madetask.bridge.executor.ExecutorService;
import io.madetask.bridge.executor.ExecutorStatus;
import io.madetask.bridge.madetask.MadeTaskClient;
import io.madetask.bridge.madetask.MadeTaskException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * No dead ends: FAILED payouts whose cause the bridge sees pass are tried again, each as a new MadeTask attempt with a
 * new key. Every {@code bridge.payouts.recovery-interval}, and soon after an executor becomes payable:
 * <ul>
 * <li>executor causes (not payable, blocked, payout method, tax status) when the executor is ACTIVE and payable (and,
 * for the payout method, changed since the failure), or their tax status is one the bridge pays;</li>
 * <li>INSUFFICIENT_FUNDS, oldest first, as many as MadeTask's available balance covers after the payouts still
 * waiting to go;</li>
 * <li>INCOME_LIMIT_EXCEEDED in a new year, or when the executor's headroom is back.</li>
 * </ul>
 * Each automatic try spaces the next one out (recovery-delay, doubling to recovery-max-delay), so a cause that only
 * seemed to pass never makes a loop. BANK_REJECTED and TASK_NOT_ACCEPTED are left to people.
 */
@ApplicationScoped
class PayoutRecovery {

    private static final Logger LOG = Logger.getLogger(PayoutRecovery.class);
    /** Payouts looked at per cause and run. */
    private static final int LIMIT = 500;
    /** How long after an executor becomes payable a run starts: its transaction has committed by then. */
    private static final long SOON_MS = 500;

    private final PayoutStore store;
    private final PayoutPolicy policy;
    private final PayoutConfig config;
    private final PayoutEngine engine;
    private final ExecutorService executors;
    private final MadeTaskClient client;
    private final BackgroundTx tx;
    private final Vertx vertx;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private long timer = -1;

    PayoutRecovery(PayoutStore store, PayoutPolicy policy, PayoutConfig config, PayoutEngine engine,
            ExecutorService executors, MadeTaskClient client, BackgroundTx tx, Vertx vertx) {
        this.store = store;
        this.policy = policy;
        this.config = config;
        this.engine = engine;
        this.executors = executors;
        this.client = client;
        this.tx = tx;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled()) {
            timer = vertx.setPeriodic(config.recoveryInterval().toMillis(), t -> runInBackground());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** An executor became payable: their failed payouts are looked at soon. */
    void payable(@Observes ExecutorPayable event) {
        if (config.enabled()) {
            vertx.setTimer(SOON_MS, t -> runInBackground());
        }
    }

    private void runInBackground() {
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        run().subscribe().with(n -> {
            if (n > 0) {
                LOG.infof("Payout recovery: %d failed payouts tried again, their cause having passed", n);
            }
            done();
        }, e -> {
            LOG.warnf("Payout recovery failed (next run in %s): %s", config.recoveryInterval(), e.toString());
            done();
        });
    }

    private void done() {
        running.set(false);
        if (again.getAndSet(false)) {
            vertx.setTimer(SOON_MS, t -> runInBackground());
        }
    }

    /** One run over every cause; answers how many payouts were given a new attempt. */
    Uni<Integer> run() {
        return executorCauses().flatMap(a -> incomeFreed().flatMap(b -> fundsBack().map(c -> a + b + c)));
    }

    private Uni<Integer> executorCauses() {
        return store.failedDue(List.copyOf(PayoutFailures.EXECUTOR_CAUSES), LIMIT).flatMap(failed -> {
            if (failed.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            Set<String> who = new LinkedHashSet<>();
            failed.forEach(f -> who.add(f.executorCrmId()));
            return tx.session(() -> executors.forPayout(who)).flatMap(found -> {
                List<String> ids = new ArrayList<>();
                for (PayoutStore.Failed f : failed) {
                    if (passed(f, found.get(f.executorCrmId()))) {
                        ids.add(f.id());
                    }
                }
                return retry(ids, "the executor can be paid now");
            });
        });
    }

    private boolean passed(PayoutStore.Failed f, ExecutorForPayout e) {
        if (e == null) {
            return false;
        }
        if (PayoutFailures.NOT_SELF_EMPLOYED.equals(f.failureCode())) {
            return policy.taxRefusal(e) == null;
        }
        boolean payable = e.status() == ExecutorStatus.ACTIVE && e.payable() && policy.taxRefusal(e) == null;
        if (PayoutFailures.INVALID_PAYOUT_METHOD.equals(f.failureCode())) {
            return payable && e.updatedAt() != null && e.updatedAt().isAfter(f.failedAt());
        }
        return payable;
    }

    private Uni<Integer> incomeFreed() {
        return store.incomeFreed(policy.limit(), LIMIT).flatMap(failed -> retry(
                failed.stream().map(PayoutStore.Failed::id).toList(), "the executor's income headroom is back"));
    }

    /** As many INSUFFICIENT_FUNDS payouts as the balance covers, oldest first, after the payouts waiting to go. */
    private Uni<Integer> fundsBack() {
        return store.failedDue(List.of(PayoutFailures.INSUFFICIENT_FUNDS), LIMIT).flatMap(failed -> {
            if (failed.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            return client.balance().flatMap(balance -> store.pendingAmount().flatMap(pending -> {
                BigDecimal left = balance.available().value().subtract(pending);
                List<String> ids = new ArrayList<>();
                for (PayoutStore.Failed f : failed) {
                    if (f.amount().compareTo(left) > 0) {
                        break;
                    }
                    left = left.subtract(f.amount());
                    ids.add(f.id());
                }
                return retry(ids, "the balance covers it now");
            })).onFailure(MadeTaskException.class).recoverWithItem(0);
        });
    }

    private Uni<Integer> retry(List<String> ids, String why) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return store.inTransaction(c -> engine.newAttempts(c, new PayoutStore.RetryFilter(
                List.copyOf(PayoutFailures.RETRYABLE), ids, null, null, null, ids.size()), Audit.SYSTEM,
                "payout.recover", null, done -> "new attempt: " + why, config.recoveryDelay(),
                config.recoveryMaxDelay()))
                .map(List::size);
    }
}
