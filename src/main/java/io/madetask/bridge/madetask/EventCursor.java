package io.madetask.bridge.madetask;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** Where the bridge stands in MadeTask's event log. One row. */
@Entity
@Table(name = "madetask_event_cursor")
public class EventCursor extends PanacheEntityBase {

    @Id
    public Short id;
    public String lastEventId;
    public Instant updatedAt;
}
