package io.madetask.bridge.common;

import java.util.Map;
import java.util.function.Supplier;

import org.jboss.logging.MDC;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs background work (timers, workers) on a fresh duplicated Vert.x context marked safe, which is what Hibernate
 * Reactive needs to open a session outside an HTTP request. The logging context (MDC: the request id, the entity the
 * work is about) goes along, so every line of a flow names what it is about, however many contexts it crosses.
 */
public final class SafeContext {

    private SafeContext() {
    }

    public static <T> Uni<T> run(Vertx vertx, Supplier<Uni<T>> work) {
        return run(vertx, true, Map.of(), work);
    }

    /**
     * Starts a new flow of background work (one outbox operation, one payout, one notification): on a fresh context
     * whose logging context is {@code mdc} alone, whatever context the worker happened to be on.
     */
    public static <T> Uni<T> start(Vertx vertx, Map<String, String> mdc, Supplier<Uni<T>> work) {
        return run(vertx, false, mdc, work);
    }

    private static <T> Uni<T> run(Vertx vertx, boolean inherit, Map<String, String> mdc, Supplier<Uni<T>> work) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        return Uni.createFrom().emitter(emitter -> {
            Map<String, Object> inherited = inherit ? MDC.getMap() : Map.of();
            context.runOnContext(ignored -> {
                try {
                    inherited.forEach(MDC::put);
                    mdc.forEach(MDC::put);
                    work.get().subscribe().with(emitter::complete, emitter::fail);
                } catch (RuntimeException e) {
                    emitter.fail(e);
                }
            });
        });
    }
}
