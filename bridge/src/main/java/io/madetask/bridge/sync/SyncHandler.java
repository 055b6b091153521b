package io.madetask.bridge.sync;

import java.util.List;
import java.util.stream.Collectors;

import io.madetask.bridge.madetask.MadeTaskException;
import io.madetask.bridge.madetask.MadeTaskModel;

import io.smallrye.mutiny.Uni;

/**
 * Carries out one entity type's outbox operations. Each method reads what it needs in a short transaction, calls
 * MadeTask with no session open, and records the outcome in another short transaction, answering how it ended.
 */
public interface SyncHandler {

    /** How an operation ended. */
    enum Result {
        /** Done; the operation is closed. */
        DONE,
        /** Refused for good; the operation is closed as FAILED and the entity marked FAILED. */
        FAILED,
        /** Not possible yet (e.g. the task's executor is not in MadeTask yet): try again soon, no error. */
        WAIT,
        /** Failed in a way that may pass: try again with backoff. */
        RETRY,
        /** Not tried: MadeTask's circuit breaker is open. Back to the queue as it was, no try counted. */
        PAUSED
    }

    record Outcome(Result result, String error) {
        public static final Outcome DONE = new Outcome(Result.DONE, null);
        public static final Outcome WAIT = new Outcome(Result.WAIT, null);
        public static final Outcome PAUSED = new Outcome(Result.PAUSED, null);

        public static Outcome failed(String error) {
            return new Outcome(Result.FAILED, error);
        }

        public static Outcome retry(String error) {
            return new Outcome(Result.RETRY, error);
        }

        /** A MadeTask failure: retried when it may pass, closed as FAILED when MadeTask refused. */
        public static Outcome of(MadeTaskException e) {
            if (e instanceof MadeTaskException.CircuitOpen) {
                return PAUSED;
            }
            return e.isTransient() ? retry("MadeTask unavailable: " + e.summary())
                    : refused(e.status(), e.code(), e.errors());
        }

        /** MadeTask refused, naming the fields it did not like (never their values). */
        public static Outcome refused(int status, String code, List<MadeTaskModel.FieldError> errors) {
            return failed("MadeTask refused: " + status + " " + code + (errors == null || errors.isEmpty() ? ""
                    : " (" + errors.stream().map(MadeTaskModel.FieldError::field).collect(Collectors.joining(", "))
                            + ")"));
        }
    }

    String entityType();

    Uni<Outcome> handle(Operation op);

    /** Several operations at once (e.g. a bulk call), answering one outcome per operation, in order. */
    default boolean canBatch(Operation op) {
        return false;
    }

    default Uni<List<Outcome>> handleBatch(List<Operation> ops) {
        throw new UnsupportedOperationException();
    }

    /** The entity's sync state after an operation failed for good or keeps failing. */
    Uni<Void> markSyncError(Operation op, String error, boolean permanent);
}
