package io.madetask.bridge.work;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.jboss.logging.Logger;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * A process that can no longer make progress is not alive. Every event-loop thread ticks once a second, and the
 * database pool is asked for a connection every few seconds; liveness goes DOWN when an event loop has not ticked for
 * {@code bridge.liveness.event-loop-stall} or a connection has been waited for longer than
 * {@code bridge.liveness.pool-stall}, so that Kubernetes restarts the process (and its work goes back to the queues).
 * A database that answers "no" (an outage) is not a stall: readiness reports that, and a restart would not help.
 */
@Liveness
@ApplicationScoped
public class ProgressCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ProgressCheck.class);

    /** The bounds of liveness. */
    @ConfigMapping(prefix = "bridge.liveness")
    public interface Config {

        /** An event loop that has not run its once-a-second tick for this long makes liveness DOWN. */
        @WithDefault("10S")
        Duration eventLoopStall();

        /** A database connection waited for this long without an answer makes liveness DOWN. */
        @WithDefault("60S")
        Duration poolStall();

        /** How often the pool is asked for a connection. */
        @WithDefault("5S")
        Duration poolProbeInterval();
    }

    private final Vertx vertx;
    private final Pool pool;
    private final Config config;
    private final WorkerIdentity identity;
    private final List<AtomicLong> ticks = new ArrayList<>();
    private final List<ScheduledFuture<?>> tickers = new ArrayList<>();
    /** When the probe now waiting for a connection began (epoch millis), 0 when none waits. */
    private final AtomicLong probeSince = new AtomicLong();
    /** Since when callers get no connection within the pool's timeout (epoch millis), 0 when they do. */
    private final AtomicLong stalledSince = new AtomicLong();
    private long probeTimer = -1;

    ProgressCheck(Vertx vertx, Pool pool, Config config, WorkerIdentity identity) {
        this.identity = identity;
        this.vertx = vertx;
        this.pool = pool;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
            AtomicLong tick = new AtomicLong(System.currentTimeMillis());
            ticks.add(tick);
            tickers.add(loop.scheduleAtFixedRate(() -> tick.set(System.currentTimeMillis()), 1, 1, TimeUnit.SECONDS));
        }
        probeTimer = vertx.setPeriodic(config.poolProbeInterval().toMillis(), t -> probe());
    }

    void stop(@Observes ShutdownEvent event) {
        tickers.forEach(f -> f.cancel(false));
        if (probeTimer >= 0) {
            vertx.cancelTimer(probeTimer);
        }
    }

    private void probe() {
        long now = System.currentTimeMillis();
        if (!probeSince.compareAndSet(0, now)) {
            return; // the last probe still waits: that is what liveness measures
        }
        pool.getConnection().subscribe().with(c -> {
            probeSince.set(0);
            stalledSince.set(0);
            c.closeAndForget();
        }, e -> {
            String message = String.valueOf(e.getMessage());
            if (message.contains("Timeout waiting for connection") || message.contains("max wait queue size")) {
                // No connection for a caller within the pool's timeout: the stall began when this probe did, or
                // earlier, and goes on until a probe gets one.
                LOG.warnf("No database connection for a caller: %s", message);
                stalledSince.compareAndSet(0, probeSince.get());
            } else {
                // An answer, even a refusal (the database is down), is not a stall: a restart would not help.
                stalledSince.set(0);
            }
            probeSince.set(0);
        });
    }

    @Override
    public HealthCheckResponse call() {
        long now = System.currentTimeMillis();
        long stalledLoop = 0;
        for (AtomicLong tick : ticks) {
            stalledLoop = Math.max(stalledLoop, now - tick.get());
        }
        long since = probeSince.get();
        long stalled = stalledSince.get();
        long poolWait = Math.max(since == 0 ? 0 : now - since, stalled == 0 ? 0 : now - stalled);
        boolean loopOk = stalledLoop < config.eventLoopStall().toMillis();
        boolean poolOk = poolWait < config.poolStall().toMillis();
        boolean named = identity.held();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("Progress").status(loopOk && poolOk && named)
                .withData("eventLoopLastTickMs", stalledLoop)
                .withData("databaseConnectionWaitMs", poolWait);
        if (!named) {
            b.withData("instanceName", "taken by another process");
        }
        if (!loopOk || !poolOk || !named) {
            LOG.errorf("Liveness DOWN: %s", !loopOk ? "an event loop has been blocked for " + stalledLoop + " ms"
                    : !poolOk ? "a database connection has been awaited for " + poolWait + " ms"
                    : "another process holds this instance's name");
        }
        return b.build();
    }
}
