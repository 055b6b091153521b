package io.madetask.bridge.work;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The name this instance signs its leases with. It is stable across restarts ({@code bridge.sync.instance-id}, else
 * the host name, which Kubernetes sets to the pod's name), so that a restarted instance knows its own claims and takes
 * them back at once instead of waiting for their leases. Two live processes never share a name: each holds a
 * PostgreSQL advisory lock on its name for its whole life, on one connection of the pool, and a process that finds
 * the name taken by a live one adds a random suffix. A process that dies loses its connection and so its lock at once.
 */
@ApplicationScoped
public class WorkerIdentity {

    private static final Logger LOG = Logger.getLogger(WorkerIdentity.class);

    private final Pool pool;
    private final Optional<String> configured;
    private String id;
    private SqlConnection holder;

    WorkerIdentity(Pool pool, @ConfigProperty(name = "bridge.sync.instance-id") Optional<String> configured) {
        this.pool = pool;
        this.configured = configured.filter(s -> !s.isBlank());
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

    void stop(@Observes ShutdownEvent event) {
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
