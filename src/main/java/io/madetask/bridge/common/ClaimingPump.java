package io.madetask.bridge.common;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntFunction;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Keeps up to {@code concurrency} pieces of work in flight. Work is claimed from the database ahead of need, in
 * batches of up to {@code concurrency} (one claim statement for many items, not one per free slot), held in a short
 * local queue under its lease, and started as slots free up. A claim that comes back short waits for the next poll
 * or wake-up.
 */
public final class ClaimingPump<T> {

    private static final Logger LOG = Logger.getLogger(ClaimingPump.class);

    private final String name;
    private final int concurrency;
    private final IntFunction<Uni<List<T>>> claim;
    private final Function<T, Uni<Void>> work;
    private final Deque<T> ready = new ArrayDeque<>();
    private int inFlight;
    private boolean claiming;
    private boolean stopped;
    private boolean stoppedGracefully;
    private final CompletableFuture<Void> idle = new CompletableFuture<>();
    private Vertx vertx;
    private Context home;
    private long timer = -1;

    public ClaimingPump(String name, int concurrency, IntFunction<Uni<List<T>>> claim, Function<T, Uni<Void>> work) {
        this.name = name;
        this.concurrency = Math.max(1, concurrency);
        this.claim = claim;
        this.work = work;
    }

    /**
     * Polls every {@code pollInterval} from now on, on a context of the pump's own (so that no request's logging
     * context or lifetime leaks into the work it claims). Call once, at start-up.
     */
    public synchronized void start(Vertx vertx, Duration pollInterval) {
        this.vertx = vertx;
        this.home = vertx.getOrCreateContext();
        home.runOnContext(v -> {
            synchronized (this) {
                if (!stopped) {
                    timer = vertx.setPeriodic(pollInterval.toMillis(), t -> pump());
                }
            }
        });
    }

    /** Looks for work soon (after the caller's transaction has had time to commit), from the pump's own context. */
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

    /** Starts what fits, and claims more when the queue runs low. Safe to call from anywhere, any time. */
    public void pump() {
        List<T> starting = new ArrayList<>();
        int wanted = 0;
        synchronized (this) {
            if (stopped) {
                return;
            }
            while (inFlight < concurrency && !ready.isEmpty()) {
                starting.add(ready.poll());
                inFlight++;
            }
            if (!claiming && ready.size() < concurrency) {
                wanted = concurrency - ready.size();
                claiming = true;
            }
        }
        starting.forEach(this::start);
        if (wanted > 0) {
            int asked = wanted;
            claim.apply(asked).subscribe().with(items -> {
                synchronized (this) {
                    claiming = false;
                    ready.addAll(items);
                }
                if (!items.isEmpty()) {
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
    private synchronized int inFlight() {
        return inFlight;
    }

    /**
     * Stops starting work; what runs finishes. Answers the claimed items never started, for their owner to release
     * (so that another instance takes them up at once instead of after their lease).
     */
    private List<T> stop() {
        List<T> left;
        boolean drained;
        synchronized (this) {
            stopped = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
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

    /**
     * Graceful stop, for a shutdown observer (blocks the calling thread, never an event loop; a second call does
     * nothing): stops claiming, waits up to {@code grace} for the work in flight to end, then gives back what this
     * instance still holds. When all work ended, every claim of this instance goes back (also one that came back after
     * the stop); otherwise only the items never started ({@code ids} names their rows), and what still runs keeps its
     * lease.
     */
    public void stopGracefully(Duration grace, LeasedTable leases, Function<List<T>, Object[]> ids) {
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
            idle.get(grace.toMillis(), TimeUnit.MILLISECONDS);
            drained = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        } catch (ExecutionException | TimeoutException e) {
            drained = false;
        }
        try {
            int released = (drained ? leases.releaseAll() : left.isEmpty() ? Uni.createFrom().item(0)
                    : leases.release(ids.apply(left))).await().atMost(Duration.ofSeconds(5));
            LOG.infof("%s stopped: %d in flight %s, %d claims given back", name, running,
                    drained ? "finished" : "still running (their leases stand)", released);
        } catch (RuntimeException e) {
            LOG.warnf("%s: giving back claims failed (their leases stand): %s", name, e.toString());
        }
    }
}
