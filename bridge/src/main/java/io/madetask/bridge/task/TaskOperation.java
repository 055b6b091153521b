package io.madetask.bridge.task;

/** What a task's outbox operation asks of MadeTask; its name is the operation's {@code kind} in the database. */
public enum TaskOperation {
    CREATE, UPDATE, TRANSITION;

    /** The operation of this kind, or null for a kind this version does not know. */
    static TaskOperation of(String kind) {
        for (TaskOperation op : values()) {
            if (op.name().equals(kind)) {
                return op;
            }
        }
        return null;
    }
}
