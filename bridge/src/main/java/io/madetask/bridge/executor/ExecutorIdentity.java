package io.madetask.bridge.executor;

/**
 * An executor's full name and ИНН, for documents that must carry them (the payout registry, реестр выплат). Personal
 * data: it goes into such a file only, never into a log line, a meter or the audit; {@link #toString()} shows neither.
 */
public record ExecutorIdentity(String crmId, String fullName, String inn) {

    @Override
    public String toString() {
        return "ExecutorIdentity[" + crmId + "]";
    }
}
