package io.madetask.bridge.executor;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.DynamicUpdate;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** An executor (исполнитель) as the CRM wrote it, and what MadeTask says of it. */
@Entity
@DynamicUpdate
@Table(name = "executor")
public class Executor extends PanacheEntityBase {

    public static final String ENTITY = "EXECUTOR";

    @Id
    public String crmId;
    public String madetaskId;
    public String fullName;
    public String phone;
    public String email;
    public String inn;
    public String taxStatus;
    public String payoutType;
    public String payoutLast4;
    public String payoutBik;
    /** AES-GCM sealed card or account number, only until MadeTask holds it. */
    public byte[] payoutSecret;
    public String payoutKeyId;
    /** HMAC of the number under the active key: tells a changed number from the same one. */
    public String payoutFingerprint;
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public ExecutorStatus status;
    public boolean payable;
    public long madetaskVersion;
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public io.madetask.bridge.common.SyncState syncState;
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
