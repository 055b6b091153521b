package io.madetask.bridge.work;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import java.util.function.Function;
import java.util.function.IntFunction;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The one leased-work engine: every queue the bridge drains (outbox operations, payouts, notifications, MadeTask's
 * events) runs through one of these. It keeps up to {@code concurrency} pieces of work in flight; work is claimed from
 * the database ahead of need ({@code FOR UPDATE SKIP LOCKED} with a lease, one claim statement for many items), held in
 * a short local queue (never more than {@code concurrency} items: memory does not grow with the work waiting), and
 * started as slots free up.
 * <ul>
 * <li>Leases stay alive while work runs: a heartbeat every third of the lease renews every claim of this instance, so
 * a lease can be short and a dead instance's work is back within about one lease.</li>
 * <li>At start-up the engine gives back the claims its instance id still holds from an earlier life (a crash), so a
 * restarted instance takes its own work up at once.</li>
 * <li>A budget (for queues whose work calls MadeTask: the circuit breaker) bounds the work in flight below the
 * concurrency: nothing is claimed while MadeTask's circuit is open, a few trial items while it half-opens. Work that
 * ran into the open circuit is given back by its owner without counting as a try.</li>
 * <li>On shutdown it stops claiming, lets the work in flight finish within a grace, and gives back what is left.</li>
 * </ul>
 * Each unit of work holds at most one database connection at a time (claim, then call with no connection, then record
 * in a short transaction), so work in flight never waits for a second connection while it holds one.
 */
public final class LeasedWork<T> {

    private static final Logger LOG = Logger.getLogger(LeasedWork.class);

    private final String name;
    private final int concurrency;
    private final IntFunction<Uni<List<T>>> claim;
    private final Function<T, Uni<Void>> work;
    private final WorkQueue queue;
    private final Duration lease;
    private final IntSupplier budget;
    private final Deque<T> ready = new ArrayDeque<>();
    private int inFlight;
    private boolean claiming;
    private boolean stopped;
    private boolean stoppedGracefully;
    private boolean beating;
    private final CompletableFuture<Void> idle = new CompletableFuture<>();
    private Vertx vertx;
    private Context home;
    private long timer = -1;
    private long heartbeat = -1;

    /**
     * @param claim claims up to the given number of due items under this instance's lease (the queue owner's SQL)
     * @param work carries one item out and records its outcome; never fails for an outcome it can record
     * @param budget how much work may be in flight now, at most (e.g. none while MadeTask's circuit is open, a few
     *        trial calls while it half-opens); null for no limit but the concurrency
     */
    public LeasedWork(String name, int concurrency, WorkQueue queue, Duration lease, IntSupplier budget,
            IntFunction<Uni<List<T>>> claim, Function<T, Uni<Void>> work) {
        this.name = name;
        this.concurrency = Math.max(1, concurrency);
        this.queue = queue;
        this.lease = lease;
        this.budget = budget == null ? () -> Integer.MAX_VALUE : budget;
        this.claim = claim;
        this.work = work;
    }

    /** Work items this engine keeps in flight at most. */
    public int concurrency() {
        return concurrency;
    }

    /**
     * Takes back this instance's claims from an earlier life, then polls every {@code pollInterval} and renews its
     * leases every third of the lease, on a context of the engine's own (so that no request's logging context or
     * lifetime leaks into the work it claims). Call once, at start-up.
     */
    public synchronized void start(Vertx vertx, Duration pollInterval) {
        this.vertx = vertx;
        this.home = vertx.getOrCreateContext();
        home.runOnContext(v -> queue.releaseAll().subscribe().with(n -> {
            if (n > 0) {
                LOG.infof("%s: took back %d claims this instance (%s) held before a restart", name, n,
                        queue.instanceId());
            }
            begin(pollInterval);
        }, e -> {
            LOG.warnf("%s: could not take back earlier claims (their leases will run out): %s", name, e.toString());
            begin(pollInterval);
        }));
    }

    private synchronized void begin(Duration pollInterval) {
        if (stopped) {
            return;
        }
        timer = vertx.setPeriodic(pollInterval.toMillis(), t -> pump());
        heartbeat = vertx.setPeriodic(Math.max(100, lease.toMillis() / 3), t -> beat());
        pump();
    }

    /** Renews the leases of every claim of this instance on this queue (one statement), unless one is on its way. */
    private void beat() {
        synchronized (this) {
            if (stopped || beating || (inFlight == 0 && ready.isEmpty())) {
                return;
            }
            beating = true;
        }
        queue.extend(lease).subscribe().with(n -> {
            synchronized (this) {
                beating = false;
            }
        }, e -> {
            synchronized (this) {
                beating = false;
            }
            LOG.warnf("%s: renewing leases failed: %s", name, e.toString());
        });
    }

    /** Looks for work soon (after the caller's transaction has had time to commit), from the engine's own context. */
    public void wakeUp() {
        Context context;
        synchronized (this) {
            if (stopped || home == null) {
                return;
            }
            context = home;
        }
        context.runOnContext(v -> vertx.setTimer(20, t -> pump()));
    }

    /** Starts what fits, and claims more when the queue runs low and the budget allows. Safe to call any time. */
    public void pump() {
        List<T> starting = new ArrayList<>();
        int wanted = 0;
        int allowed = Math.min(concurrency, budget.getAsInt());
        synchronized (this) {
            if (stopped) {
                return;
            }
            while (inFlight < allowed && !ready.isEmpty()) {
                starting.add(ready.poll());
                inFlight++;
            }
            // Never more claimed than can start at once: claimed work does not wait in memory for a free slot.
            int free = allowed - inFlight - ready.size();
            if (!claiming && free > 0) {
                wanted = free;
                claiming = true;
            }
        }
        starting.forEach(this::start);
        if (wanted > 0) {
            claim.apply(wanted).subscribe().with(items -> {
                boolean late;
                synchronized (this) {
                    claiming = false;
                    late = stopped;
                    if (!late) {
                        ready.addAll(items);
                    }
                }
                if (late && !items.isEmpty()) {
                    LOG.debugf("%s: %d items claimed after the stop keep their lease", name, items.size());
                } else if (!items.isEmpty()) {
                    pump();
                }
            }, e -> {
                synchronized (this) {
                    claiming = false;
                }
                LOG.warnf("%s: claiming work failed: %s", name, e.toString());
            });
        }
    }

    private void start(T item) {
        Uni<Void> running;
        try {
            running = work.apply(item);
        } catch (RuntimeException e) {
            running = Uni.createFrom().failure(e);
        }
        running.subscribe().with(v -> finished(), e -> {
            LOG.warnf("%s: work failed: %s", name, e.toString());
            finished();
        });
    }

    private void finished() {
        boolean drained;
        synchronized (this) {
            inFlight--;
            drained = stopped && inFlight == 0;
        }
        if (drained) {
            idle.complete(null);
        }
        pump();
    }

    /** Work in flight now. */
    public synchronized int inFlight() {
        return inFlight;
    }

    /** Stops starting work; what runs finishes. Answers the claimed items never started, for release. */
    private List<T> stop() {
        List<T> left;
        boolean drained;
        synchronized (this) {
            stopped = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
            if (heartbeat >= 0) {
                vertx.cancelTimer(heartbeat);
                heartbeat = -1;
            }
            left = new ArrayList<>(ready);
            ready.clear();
            drained = inFlight == 0;
        }
        if (drained) {
            idle.complete(null);
        }
        return left;
    }

    /** When the engines of this process must have stopped waiting for their work: one grace for all of them. */
    private static final java.util.concurrent.atomic.AtomicLong SHUTDOWN_DEADLINE =
            new java.util.concurrent.atomic.AtomicLong();

    private static long sharedDeadline(Duration grace) {
        long now = System.currentTimeMillis();
        // The first engine to stop sets the deadline; a deadline long past belongs to an earlier start of the app.
        return SHUTDOWN_DEADLINE.updateAndGet(d -> d == 0 || now > d + 60_000 ? now + grace.toMillis() : d);
    }

    /**
     * Graceful stop, for a shutdown observer (blocks the calling thread, never an event loop; a second call does
     * nothing): stops claiming, waits for the work in flight to end until one {@code grace} after the first engine of
     * the process began to stop (so that all engines together take one grace, not one each), then gives back what this
     * instance still holds. When all work ended, every claim of this instance goes back; otherwise only the items never
     * started ({@code ids} names their rows), and what still runs keeps its lease (no heartbeat renews it any more, so
     * it is back within one lease).
     */
    public void stopGracefully(Duration grace, Function<List<T>, Object[]> ids) {
        synchronized (this) {
            if (stoppedGracefully) {
                return;
            }
            stoppedGracefully = true;
        }
        List<T> left = stop();
        int running = inFlight();
        boolean drained;
        try {
            idle.get(Math.max(0, sharedDeadline(grace) - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            drained = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        } catch (ExecutionException | TimeoutException e) {
            drained = false;
        }
        try {
            int released = (drained ? queue.releaseAll() : left.isEmpty() ? Uni.createFrom().item(0)
                    : queue.release(ids.apply(left))).await().atMost(Duration.ofSeconds(5));
            LOG.infof("%s stopped: %d in flight %s, %d claims given back", name, running,
                    drained ? "finished" : "still running (their leases stand)", released);
        } catch (RuntimeException e) {
            LOG.warnf("%s: giving back claims failed (their leases stand): %s", name, e.toString());
        }
    }
}
