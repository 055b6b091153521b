package io.madetask.bridge.work;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The name this instance signs its leases with. It is stable across restarts ({@code bridge.sync.instance-id}, else
 * the host name, which Kubernetes sets to the pod's name), so that a restarted instance knows its own claims and takes
 * them back at once instead of waiting for their leases. Two live processes never share a name: each holds a
 * PostgreSQL advisory lock on its name for its whole life, on one connection of the pool, and a process that finds
 * the name taken by a live one adds a random suffix. A process that dies loses its connection and so its lock at once.
 * When the connection holding the lock drops (a database restart), the lock is taken again on a new one; should
 * another process have taken the name in between, this one is no longer sure of its leases and reports itself not
 * alive ({@link ProgressCheck}), so that it is restarted.
 */
@ApplicationScoped
public class WorkerIdentity {

    private static final Logger LOG = Logger.getLogger(WorkerIdentity.class);

    private final Pool pool;
    private final Vertx vertx;
    private final Optional<String> configured;
    private String id;
    private SqlConnection holder;
    private volatile boolean lost;
    private volatile boolean stopping;

    WorkerIdentity(Pool pool, Vertx vertx,
            @ConfigProperty(name = "bridge.sync.instance-id") Optional<String> configured) {
        this.pool = pool;
        this.vertx = vertx;
        this.configured = configured.filter(s -> !s.isBlank());
    }

    /** False once another live process took this instance's name (after the connection holding it dropped). */
    public boolean held() {
        return !lost;
    }

    /**
     * The instance's name, decided on first use (at start-up, on the main thread: it may wait for the database). When
     * the database cannot be reached, a random name is used, which is always safe (only the restart shortcut is lost).
     */
    public synchronized String id() {
        if (id == null) {
            id = decide();
        }
        return id;
    }

    private String decide() {
        String base = configured.orElseGet(WorkerIdentity::hostName);
        try {
            holder = pool.getConnection().await().atMost(Duration.ofSeconds(10));
            for (String candidate = base;; candidate = base + "-" + UUID.randomUUID().toString().substring(0, 6)) {
                Boolean locked = holder.preparedQuery("select pg_try_advisory_lock(hashtext($1)::bigint)")
                        .execute(Tuple.of("madetask-bridge-instance:" + candidate)).await()
                        .atMost(Duration.ofSeconds(10)).iterator().next().getBoolean(0);
                if (Boolean.TRUE.equals(locked)) {
                    if (!candidate.equals(base)) {
                        LOG.warnf("Instance name %s is in use by a live process; this one is %s", base, candidate);
                    }
                    watch(holder, candidate);
                    return candidate;
                }
            }
        } catch (RuntimeException e) {
            String random = "bridge-" + UUID.randomUUID().toString().substring(0, 8);
            LOG.warnf("Could not reserve instance name %s (%s); using %s", base, e.toString(), random);
            if (holder != null) {
                holder.closeAndForget();
                holder = null;
            }
            return random;
        }
    }

    /** When the connection holding the name drops, takes the name again on a new one. */
    private void watch(SqlConnection connection, String name) {
        connection.closeHandler(() -> {
            if (!stopping) {
                LOG.warnf("The connection holding instance name %s dropped; taking the name again", name);
                vertx.setTimer(1_000, t -> retake(name));
            }
        });
    }

    private void retake(String name) {
        if (stopping) {
            return;
        }
        pool.getConnection().subscribe().with(c -> c.preparedQuery("select pg_try_advisory_lock(hashtext($1)::bigint)")
                .execute(Tuple.of("madetask-bridge-instance:" + name)).subscribe().with(rows -> {
                    if (Boolean.TRUE.equals(rows.iterator().next().getBoolean(0))) {
                        synchronized (this) {
                            holder = c;
                        }
                        watch(c, name);
                        LOG.infof("Instance name %s held again", name);
                    } else {
                        c.closeAndForget();
                        lost = true;
                        LOG.errorf("Another process took instance name %s while its connection was down: this "
                                + "process reports itself not alive, to be restarted", name);
                    }
                }, e -> {
                    c.closeAndForget();
                    vertx.setTimer(2_000, t -> retake(name));
                }), e -> vertx.setTimer(2_000, t -> retake(name)));
    }

    /** On SIGTERM (and at any shutdown) a dropped connection is no longer a lost name: the pool is closing. */
    void stopping(@Observes io.quarkus.runtime.ShutdownDelayInitiatedEvent event) {
        stopping = true;
    }

    void stopping(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        stopping = true;
    }

    void stop(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER + 1000) ShutdownEvent event) {
        stopping = true;
        SqlConnection h;
        synchronized (this) {
            h = holder;
            holder = null;
        }
        if (h != null) {
            h.closeAndForget();
        }
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "bridge-" + UUID.randomUUID().toString().substring(0, 8);
        }
    }
}
