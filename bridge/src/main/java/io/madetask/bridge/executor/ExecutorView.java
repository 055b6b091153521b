package io.madetask.bridge.executor;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.madetask.bridge.common.SyncView;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** An executor as the API shows it: the payout method by its last four digits only. */
@RegisterForReflection
public record ExecutorView(String crmId, String madetaskId, String fullName, String phone, String email, String inn,
        String taxStatus, PayoutMethodView payoutMethod, ExecutorStatus status, boolean payable, SyncView sync, long version,
        Instant createdAt, Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) IncomeView income) {

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PayoutMethodView(String type, String last4, String bik) {
    }

    static ExecutorView of(Executor e) {
        return new ExecutorView(e.crmId, e.madetaskId, e.fullName, e.phone, e.email, e.inn, e.taxStatus,
                new PayoutMethodView(e.payoutType, e.payoutLast4, e.payoutBik), e.status, e.payable,
                new SyncView(e.syncState, e.lastSyncedAt, e.lastError), e.version, e.createdAt, e.updatedAt, null);
    }

    /** The same view with this year's income (executor reads carry it). */
    ExecutorView withIncome(IncomeView value) {
        return new ExecutorView(crmId, madetaskId, fullName, phone, email, inn, taxStatus, payoutMethod, status,
                payable, sync, version, createdAt, updatedAt, value);
    }
}
