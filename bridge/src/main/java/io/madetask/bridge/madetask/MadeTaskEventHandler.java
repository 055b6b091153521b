package io.madetask.bridge.madetask;

import io.smallrye.mutiny.Uni;

/**
 * Applies one type of MadeTask event to the feature that owns what it is about. Each feature registers its handler as
 * a bean; the event inbox (package {@code events}) finds it by {@link #eventType()} and calls it inside the transaction
 * that also records the event as applied, so an event is applied exactly once.
 *
 * @param <T> the event's {@code data}, as the contract describes it ({@link MadeTaskModel})
 */
public interface MadeTaskEventHandler<T> {

    /** The event's {@code type}, e.g. {@code task.updated}. */
    String eventType();

    /** The class {@code data} is read into. */
    Class<T> dataType();

    /**
     * Whether {@code data} can be applied at all: an id, and values the bridge knows (a status of the contract's). An
     * event whose data is not is recorded UNREADABLE at once, never tried again: trying cannot make it readable.
     */
    default boolean readable(T data) {
        return true;
    }

    /** Applies the event in the caller's transaction; answers the outcome recorded with it (APPLIED, STALE, ...). */
    Uni<String> apply(T data);
}
