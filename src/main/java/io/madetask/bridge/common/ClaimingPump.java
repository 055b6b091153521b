package io.madetask.bridge.common;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

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

    public ClaimingPump(String name, int concurrency, IntFunction<Uni<List<T>>> claim, Function<T, Uni<Void>> work) {
        this.name = name;
        this.concurrency = Math.max(1, concurrency);
        this.claim = claim;
        this.work = work;
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
        synchronized (this) {
            inFlight--;
        }
        pump();
    }

    /** Stops starting work; what runs finishes. Answers the claimed items never started, for release. */
    public synchronized List<T> stop() {
        stopped = true;
        List<T> left = new ArrayList<>(ready);
        ready.clear();
        return left;
    }
}
