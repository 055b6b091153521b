package io.madetask.bridge.sync;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One piece of work for MadeTask, in the outbox. Its idempotency key is made with it and never changes. */
@Entity
@Table(name = "sync_operation")
public class SyncOperation extends PanacheEntityBase {


    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String entityType;
    public String entityId;
    public String kind;
    public String payload;
    public String idempotencyKey;
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public OperationStatus status;
    public int attempts;
    public Instant nextAttemptAt;
    public String lockedBy;
    public Instant lockedUntil;
    public String lastError;
    public Instant createdAt;
    public Instant updatedAt;
}
