package io.madetask.bridge.payout;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.DynamicUpdate;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A task's payout (выплата): the bridge's record of paying the executor, exactly once. */
@Entity
@DynamicUpdate
@Table(name = "payout")
public class Payout extends PanacheEntityBase {

    public static final String ENTITY = "PAYOUT";

    @Id
    public String id;
    public String taskCrmId;
    public String executorCrmId;
    public BigDecimal amount;
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public PayoutStatus status;
    public String idempotencyKey;
    public int attempts;
    public int calls;
    public String madetaskId;
    public String failureCode;
    public String failureMessage;
    public String receiptUrl;
    public String lastError;
    public String batchId;
    public Instant nextAttemptAt;
    /** MadeTask's id of the task, set when its acceptance reached MadeTask; a payout without it waits. */
    public String taskMadetaskId;
    public String lockedBy;
    public Instant lockedUntil;
    public Instant createdAt;
    public Instant updatedAt;
    public Instant paidAt;
}
