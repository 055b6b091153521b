package io.madetask.bridge.task;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Map;

import io.smallrye.mutiny.Uni;

/**
 * What the task feature tells the payout feature, and asks of it. The payout feature implements this, so payouts
 * depend on tasks and never the reverse. Every call runs inside the caller's transaction, which holds the task's row
 * lock: the task's state and its payout's move together.
 */
public interface TaskPayouts {

    /**
     * The task was accepted: its payout is made, once, whatever calls this again. {@code madetaskId} is MadeTask's id of
     * the task when MadeTask already has it accepted (the payout may go at once), or null while the acceptance is on
     * its way there (the payout waits for {@link #acceptanceInMadeTask}).
     */
    Uni<Void> accepted(String taskCrmId, String executorCrmId, BigDecimal reward, String madetaskId);

    /** MadeTask has accepted the task (its answer to the bridge's move came back): its waiting payout may go. */
    Uni<Void> acceptanceInMadeTask(String taskCrmId, String madetaskId);

    /** MadeTask would not accept the task: its payout, still waiting, cannot be made. */
    Uni<Void> acceptanceRefused(String taskCrmId, String code, String message);

    /** The payout of each task that has one, for task views. */
    Uni<Map<String, PayoutRef>> refsOf(Collection<String> taskCrmIds);

    /** A payout's id and status. */
    record PayoutRef(String id, String status) {
    }
}
