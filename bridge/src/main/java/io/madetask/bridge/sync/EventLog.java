package io.madetask.bridge.sync;

import io.smallrye.mutiny.Uni;

/** The last MadeTask event the bridge took, for the status; the event inbox (package {@code events}) answers it. */
public interface EventLog {

    /** The last event stored, by webhook or catch-up, on any instance; null before the first. */
    Uni<SyncStatusView.Event> lastEvent();
}
