package io.madetask.bridge.madetask;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A MadeTask event the bridge has applied, and how it ended. */
@Entity
@Table(name = "processed_event")
public class ProcessedEvent extends PanacheEntityBase {

    @Id
    public String eventId;
    public String type;
    public String source;
    public String outcome;
    public Instant receivedAt;
}
