package io.madetask.bridge.events;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * A MadeTask event in the inbox, as far as the transaction that applies it needs it: its outcome is recorded in that
 * same transaction. Storing, claiming and the rest are set-based statements in {@link EventStore}.
 */
@Entity
@Table(name = "processed_event")
public class ProcessedEvent extends PanacheEntityBase {

    @Id
    public String eventId;
    public String type;
    public String source;
    public String outcome;
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public InboxStatus status;
    public String lockedBy;
    public Instant lockedUntil;
    public String lastError;
    public Instant appliedAt;
}
