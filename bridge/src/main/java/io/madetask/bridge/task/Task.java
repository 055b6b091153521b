package io.madetask.bridge.task;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.DynamicUpdate;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A task (задача) as the CRM wrote it, and its status as MadeTask reports it. */
@Entity
@DynamicUpdate
@Table(name = "task")
public class Task extends PanacheEntityBase {

    public static final String ENTITY = "TASK";

    @Id
    public String crmId;
    public String madetaskId;
    public String executorCrmId;
    public String title;
    public String description;
    public BigDecimal reward;
    public Instant deadline;
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public TaskStatus status;
    public long madetaskVersion;
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public io.madetask.bridge.common.SyncState syncState;
    /** MadeTask has the task ACCEPTED (or PAID): set in the transaction that learns it, with the payout's move. */
    public boolean acceptedInMadetask;
    public Instant lastSyncedAt;
    public String lastError;
    public long version;
    public Instant createdAt;
    public Instant updatedAt;

    void touch() {
        version++;
        updatedAt = Instant.now();
    }
}
