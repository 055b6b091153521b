package io.madetask.bridge.work;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The one leased-work engine: every queue the bridge drains (outbox operations, payouts, notifications, MadeTask's
 * events) runs through one of these. It keeps up to {@code concurrency} pieces of work in flight; work is claimed from
 * the database ahead of need ({@code FOR UPDATE SKIP LOCKED} with a lease, one claim statement for many items), at
 * most half a concurrency ahead (memory does not grow with the work waiting), and started as slots free up.
 * <ul>
 * <li>Leases stay alive while work runs: a heartbeat every third of the lease renews the rows the engine holds, so a
 * lease can be short and a dead instance's work is back within about one lease. A row the engine lost track of (its
 * outcome could not be recorded) is not renewed, so it is due again within one lease too.</li>
 * <li>At start-up, before it claims anything, the engine takes back the claims its instance name still holds from an
 * earlier life (a crash), so a restarted instance takes its own work up at once.</li>
 * <li>A budget (for queues whose work calls MadeTask: the circuit breaker) bounds the work in flight below the
 * concurrency: nothing is claimed while MadeTask's circuit is open, a few trial items while it half-opens. Work that
 * ran into the open circuit is given back by its owner, uncounted, and the owner pauses the engine for a moment.</li>
 * <li>On shutdown every engine of the process stops claiming at once; then each lets its work in flight finish until
 * one common grace is over, and gives back what it holds and has not started.</li>
 * </ul>
 * Each unit of work holds at most one database connection at a time (claim, then call with no connection, then record
 * in a short transaction), so work in flight never waits for a second connection while it holds one.
 */
public final class LeasedWork<T> {

    private static final Logger LOG = Logger.getLogger(LeasedWork.class);
    /** The engines of this process that run, so that a shutdown stops them all before any of them waits. */
    private static final Set<LeasedWork<?>> RUNNING = new CopyOnWriteArraySet<>();
    /** Every engine made and not stopped yet, started or not: {@link WorkShutdown} stops them all. */
    private static final Set<LeasedWork<?>> MADE = new CopyOnWriteArraySet<>();
    /** When the engines of this process must have stopped waiting for their work: one grace for all of them. */
    private static final AtomicLong SHUTDOWN_DEADLINE = new AtomicLong();

    private final String name;
    private final int concurrency;
    private final IntFunction<Uni<List<T>>> claim;
    private final Function<T, Uni<Void>> work;
    private final Function<T, List<?>> keys;
    private final WorkQueue queue;
    private final Duration lease;
    private final IntSupplier budget;
    private final Deque<T> ready = new ArrayDeque<>();
    /** The keys of every row this engine holds: claimed, started or not, until its work ends. */
    private final Set<Object> held = new HashSet<>();
    private int inFlight;
    private boolean begun;
    private boolean claiming;
    private boolean stopped;
    private boolean stoppedGracefully;
    private boolean beating;
    private long pausedUntil;
    private List<T> abandoned = List.of();
    private final CompletableFuture<Void> idle = new CompletableFuture<>();
    private Vertx vertx;
    private Context home;
    private long timer = -1;
    private long heartbeat = -1;

    /**
     * @param queue the table, for leases and giving back
     * @param budget how much work may be in flight now, at most (e.g. none while MadeTask's circuit is open, a few
     *        trial calls while it half-opens); null for no limit but the concurrency
     * @param claim claims up to the given number of due items under this instance's lease (the queue owner's SQL)
     * @param work carries one item out and records its outcome; never fails for an outcome it can record
     * @param keys the row keys of an item (one, or several for a unit of work)
     */
    public LeasedWork(String name, int concurrency, WorkQueue queue, Duration lease, IntSupplier budget,
            IntFunction<Uni<List<T>>> claim, Function<T, Uni<Void>> work, Function<T, List<?>> keys) {
        this.name = name;
        this.concurrency = Math.max(1, concurrency);
        this.queue = queue;
        this.lease = lease;
        this.budget = budget == null ? () -> Integer.MAX_VALUE : budget;
        this.claim = claim;
        this.work = work;
        this.keys = keys;
        MADE.add(this);
    }

    /** Stops every engine of the process gracefully, within one {@code grace} for all (see {@link #stopGracefully}). */
    static void stopAll(Duration grace) {
        MADE.forEach(RUNNING::add);
        for (LeasedWork<?> engine : MADE) {
            engine.stopGracefully(grace);
        }
    }

    /**
     * Takes back this instance's claims from an earlier life, then polls every {@code pollInterval} and renews its
     * leases every third of the lease, on a context of the engine's own (so that no request's logging context or
     * lifetime leaks into the work it claims). Call once, at start-up.
     */
    public synchronized void start(Vertx vertx, Duration pollInterval) {
        this.vertx = vertx;
        this.home = vertx.getOrCreateContext();
        RUNNING.add(this);
        home.runOnContext(v -> queue.takeBackAll().subscribe().with(n -> {
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

    private void begin(Duration pollInterval) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            begun = true;
            timer = vertx.setPeriodic(pollInterval.toMillis(), t -> pump());
            heartbeat = vertx.setPeriodic(Math.max(100, lease.toMillis() / 3), t -> beat());
        }
        pump();
    }

    /** Renews the leases of the rows this engine holds (one statement), unless a renewal is on its way. */
    private void beat() {
        List<Object> ids;
        synchronized (this) {
            if (stopped || beating || held.isEmpty()) {
                return;
            }
            beating = true;
            ids = new ArrayList<>(held);
        }
        queue.extend(ids, lease).ifNoItem().after(lease.dividedBy(3)).fail().subscribe().with(n -> {
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
            if (stopped || !begun) {
                return;
            }
            context = home;
        }
        context.runOnContext(v -> vertx.setTimer(20, t -> pump()));
    }

    /**
     * Claims nothing for a while: the owner's work ran into something that will not pass at once (MadeTask's circuit
     * is open). Work in flight goes on; the poll after the pause claims again.
     */
    public synchronized void pause(Duration pause) {
        pausedUntil = Math.max(pausedUntil, System.currentTimeMillis() + pause.toMillis());
    }

    /** Starts what fits, and claims more when the queue runs low and the budget allows. Safe to call any time. */
    public void pump() {
        List<T> starting = new ArrayList<>();
        int wanted = 0;
        int allowed = Math.min(concurrency, budget.getAsInt());
        synchronized (this) {
            if (stopped || !begun) {
                return;
            }
            while (inFlight < allowed && !ready.isEmpty()) {
                starting.add(ready.poll());
                inFlight++;
            }
            // In hand at most the work allowed in flight and half as much again, claimed a quarter of it or more at a
            // time (few claim statements, and the next work is there when a slot frees up); memory stays bounded.
            int free = allowed + allowed / 2 - inFlight - ready.size();
            if (!claiming && free >= Math.max(1, allowed / 4) && System.currentTimeMillis() >= pausedUntil) {
                wanted = free;
                claiming = true;
            }
        }
        starting.forEach(this::start);
        if (wanted > 0) {
            claim.apply(wanted).ifNoItem().after(lease.dividedBy(2)).fail().subscribe().with(this::claimed, e -> {
                synchronized (this) {
                    claiming = false;
                }
                LOG.warnf("%s: claiming work failed: %s", name, e.toString());
            });
        }
    }

    private void claimed(List<T> items) {
        boolean late;
        synchronized (this) {
            claiming = false;
            late = stopped;
            if (!late) {
                ready.addAll(items);
                items.forEach(item -> held.addAll(keys.apply(item)));
            }
        }
        if (late && !items.isEmpty()) {
            // Claimed while the engine stopped: given back at once, not left to their lease.
            queue.release(keysOf(items), null).subscribe().with(n -> LOG.debugf("%s: %d late claims given back",
                    name, n), e -> LOG.warnf("%s: giving back late claims failed: %s", name, e.toString()));
        } else if (!items.isEmpty()) {
            pump();
        }
    }

    private void start(T item) {
        Uni<Void> running;
        try {
            running = work.apply(item);
        } catch (RuntimeException e) {
            running = Uni.createFrom().failure(e);
        }
        running.subscribe().with(v -> finished(item), e -> {
            LOG.warnf("%s: work failed: %s", name, e.toString());
            finished(item);
        });
    }

    private void finished(T item) {
        boolean drained;
        synchronized (this) {
            inFlight--;
            keys.apply(item).forEach(held::remove);
            drained = stopped && inFlight == 0;
        }
        if (drained) {
            idle.complete(null);
        }
        pump();
    }

    private List<Object> keysOf(List<T> items) {
        List<Object> ids = new ArrayList<>();
        items.forEach(item -> ids.addAll(keys.apply(item)));
        return ids;
    }

    /** Work in flight now. */
    private synchronized int inFlight() {
        return inFlight;
    }

    /** Stops claiming and starting work (what runs goes on); a second call does nothing. Never blocks. */
    private void stop() {
        boolean drained;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
            if (heartbeat >= 0) {
                vertx.cancelTimer(heartbeat);
                heartbeat = -1;
            }
            abandoned = new ArrayList<>(ready);
            ready.clear();
            drained = inFlight == 0;
        }
        if (drained) {
            idle.complete(null);
        }
    }

    private static long sharedDeadline(Duration grace) {
        long now = System.currentTimeMillis();
        // The first engine to stop sets the deadline; a deadline long past belongs to an earlier start of the app.
        return SHUTDOWN_DEADLINE.updateAndGet(d -> d == 0 || now > d + 60_000 ? now + grace.toMillis() : d);
    }

    /**
     * Graceful stop, for a shutdown observer (blocks the calling thread, never an event loop; a second call does
     * nothing). Every engine of the process stops claiming at once; this one then waits for its work in flight until
     * one {@code grace} after the first engine began to stop (so that all engines together take one grace), and gives
     * back the claims it holds and never started. What still runs keeps its lease (no longer renewed, so it is back
     * within one lease).
     */
    public void stopGracefully(Duration grace) {
        synchronized (this) {
            if (stoppedGracefully) {
                return;
            }
            stoppedGracefully = true;
        }
        long deadline = sharedDeadline(grace);
        stop(); // this one too, even if it never started (a sender with nowhere to send)
        RUNNING.forEach(LeasedWork::stop);
        RUNNING.remove(this);
        MADE.remove(this);
        int running = inFlight();
        boolean drained;
        try {
            idle.get(Math.max(0, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            drained = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        } catch (ExecutionException | TimeoutException e) {
            drained = false;
        }
        List<T> left;
        synchronized (this) {
            left = abandoned;
        }
        try {
            int released = queue.release(keysOf(left), null).await().atMost(Duration.ofSeconds(5));
            LOG.infof("%s stopped: %d in flight %s, %d claims given back", name, running,
                    drained ? "finished" : "still running (their leases stand)", released);
        } catch (RuntimeException e) {
            LOG.warnf("%s: giving back claims failed (their leases stand): %s", name, e.toString());
        }
    }
}
