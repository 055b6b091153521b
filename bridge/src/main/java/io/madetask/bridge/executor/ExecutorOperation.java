package io.madetask.bridge.executor;

/** What an executor's outbox operation asks of MadeTask; its name is the operation's {@code kind} in the database. */
public enum ExecutorOperation {
    CREATE, UPDATE, BLOCK, UNBLOCK;

    /** The operation of this kind, or null for a kind this version does not know. */
    static ExecutorOperation of(String kind) {
        for (ExecutorOperation op : values()) {
            if (op.name().equals(kind)) {
                return op;
            }
        }
        return null;
    }
}
