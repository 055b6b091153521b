package io.madetask.bridge.work;

import java.time.Instant;
import java.util.List;

import io.smallrye.mutiny.Uni;

/**
 * One owner's figures of its waiting and failed work, read from its own tables. The status endpoint and the
 * {@code bridge.outbox.*} gauges add up the figures of every owner by kind (e.g. EXECUTOR_SYNC: the outbox's pending
 * operations and the executor feature's executors whose sync FAILED).
 */
public interface Backlog {

    Uni<List<Figures>> figures();

    /** Part of one kind's figures; a null {@code processing} or {@code oldestPending} says "none of this owner's". */
    record Figures(String kind, long pending, Long processing, long failed, Instant oldestPending) {
    }
}
