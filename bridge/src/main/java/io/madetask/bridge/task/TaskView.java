package io.madetask.bridge.task;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.madetask.bridge.common.Money;
import io.madetask.bridge.common.SyncView;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A task as the API shows it. */
@RegisterForReflection
public record TaskView(String crmId, String madetaskId, String executorCrmId, String title, String description,
        Money reward, Instant deadline, TaskStatus status, @JsonInclude(JsonInclude.Include.NON_NULL) PayoutRef payout,
        SyncView sync, long version, Instant createdAt, Instant updatedAt) {

    /** The task's payout, once there is one. */
    @RegisterForReflection
    public record PayoutRef(String id, String status) {
    }

    static TaskView of(Task t) {
        return of(t, null);
    }

    static TaskView of(Task t, TaskPayouts.PayoutRef payout) {
        return new TaskView(t.crmId, t.madetaskId, t.executorCrmId, t.title, t.description, Money.rub(t.reward),
                t.deadline, t.status, payout == null ? null : new PayoutRef(payout.id(), payout.status()),
                new SyncView(t.syncState, t.lastSyncedAt, t.lastError), t.version, t.createdAt, t.updatedAt);
    }
}
