package io.madetask.bridge.payout;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.madetask.bridge.audit.Audit;
import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.Enums;
import io.madetask.bridge.common.Problem;
import io.madetask.bridge.common.RequestIds;
import io.madetask.bridge.executor.ExecutorIdentity;
import io.madetask.bridge.executor.ExecutorService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;

/**
 * The payout registry (реестр выплат): every payout of a filter, in creation order, streamed as CSV or xlsx.
 * <p>
 * It runs on a worker thread, writing to the response's blocking output stream, which waits while the client is
 * behind: so the pace is the client's, and what is held is one page of payouts (with their executors' names and
 * ИНН) and the writers' buffers, whatever the number of rows. Each page is read with its own query on the reactive
 * client, awaited on that worker thread (never on an event loop), so no connection is held between pages and a slow
 * client holds none. At most {@link PayoutExportConfig#concurrency()} exports run at once; a client that goes away
 * stops its export at the next page or write.
 * <p>
 * The registry is not a snapshot: each page reads what is committed when it is read. Its {@code to} defaults to the
 * moment of the request, so payouts created while it streams are not in it.
 */
@ApplicationScoped
public class PayoutExport {

    private static final Logger LOG = Logger.getLogger(PayoutExport.class);
    private static final Duration PAGE_WAIT = Duration.ofSeconds(30);
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    static final String ENTITY = "PAYOUT_EXPORT";

    private final PayoutExportStore store;
    private final ExecutorService executors;
    private final Audit audit;
    private final PayoutExportConfig config;
    private final Semaphore running;

    PayoutExport(PayoutExportStore store, ExecutorService executors, Audit audit, PayoutExportConfig config) {
        this.store = store;
        this.executors = executors;
        this.audit = audit;
        this.config = config;
        this.running = new Semaphore(Math.max(1, config.concurrency()));
    }

    /** What to export: the list's filters (from inclusive, to exclusive, on the creation time) and the format. */
    public record Request(PayoutStatus status, String executorCrmId, Instant from, Instant to,
            PayoutRegistry.Format format) {

        /** The filter as the audit shows it: ids, statuses and times only. */
        String describe() {
            StringBuilder s = new StringBuilder(format.extension);
            if (status != null) {
                s.append(", status ").append(status);
            }
            if (executorCrmId != null) {
                s.append(", executor ").append(executorCrmId);
            }
            s.append(", created from ").append(from == null ? "the start" : from).append(" to ").append(to);
            return s.toString();
        }

        public String mediaType() {
            return format.mediaType;
        }

        /** {@code payouts-<from>-<to>.csv}, times in UTC as {@code 20260101T000000Z}, "start" for no from. */
        public String fileName() {
            return "payouts-" + (from == null ? "start" : FILE_TIME.format(from)) + "-" + FILE_TIME.format(to) + "."
                    + format.extension;
        }
    }

    /**
     * Reads the query: 400 naming each bad field (an unknown format or status, a malformed executor crmId, from after
     * to). The format is csv unless given; {@code to} is now unless given; an empty value is no filter.
     */
    public Request check(String status, String executorCrmId, Instant from, Instant to, String format) {
        status = given(status);
        executorCrmId = given(executorCrmId);
        format = given(format);
        List<Problem.FieldError> errors = new ArrayList<>();
        PayoutRegistry.Format f = PayoutRegistry.Format.CSV;
        if (format != null) {
            String name = format.strip().toUpperCase(Locale.ROOT);
            if (Enums.known(PayoutRegistry.Format.class, name)) {
                f = PayoutRegistry.Format.valueOf(name);
            } else {
                errors.add(new Problem.FieldError("format", "csv or xlsx"));
            }
        }
        PayoutStatus s = null;
        if (status != null) {
            if (Enums.known(PayoutStatus.class, status)) {
                s = PayoutStatus.valueOf(status);
            } else {
                errors.add(new Problem.FieldError("status", "one of " + List.of(PayoutStatus.values())));
            }
        }
        if (executorCrmId != null && !RequestIds.isCrmId(executorCrmId)) {
            errors.add(new Problem.FieldError("executorCrmId", "1 to 100 of letters, digits and . _ : -"));
        }
        if (from != null && (to != null ? from.isAfter(to) : from.isAfter(Instant.now()))) {
            errors.add(new Problem.FieldError("from", to != null ? "must not be after to"
                    : "must not be after now (to, by default)"));
        }
        if (!errors.isEmpty()) {
            throw BridgeException.validation(errors);
        }
        return new Request(s, executorCrmId, from, to != null ? to : Instant.now().truncatedTo(ChronoUnit.MICROS), f);
    }

    /** An empty query value is no filter, as a form sends it. */
    private static String given(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** Seconds a refused export should wait before it asks again. */
    public long retryAfterSeconds() {
        return Math.max(1, config.retryAfter().toSeconds());
    }

    /**
     * A place among the running exports, with its audit line written (on this worker thread); empty when all places
     * are taken. The place is given back when its {@link #stream} ends, or when its request ends without one.
     */
    public Optional<Run> admit(Request request, String actor) {
        if (!running.tryAcquire()) {
            return Optional.empty();
        }
        Run run = new Run(request, actor, RequestIds.current());
        try {
            await(() -> Panache.withTransaction(() -> audit.record(actor, "payout.export", ENTITY, run.id, "STARTED",
                    run.requestId, request.describe())));
        } catch (RuntimeException e) {
            running.release();
            throw e;
        }
        return Optional.of(run);
    }

    /** One export: its place among the running ones, and whether its client is still there. */
    public final class Run {

        private static final int ADMITTED = 0;
        private static final int STREAMING = 1;
        private static final int DONE = 2;

        final String id = "px-" + UUID.randomUUID();
        final Request request;
        final String actor;
        final String requestId;
        private final AtomicInteger state = new AtomicInteger(ADMITTED);
        private volatile boolean ended;
        private volatile Runnable cut = () -> { };

        private Run(Request request, String actor, String requestId) {
            this.request = request;
            this.actor = actor;
            this.requestId = requestId;
        }

        /** The HTTP exchange is over (answered, or the connection closed): a stream still going stops. */
        public void requestEnded() {
            ended = true;
            if (state.compareAndSet(ADMITTED, DONE)) {
                // the answer never began streaming (a failure in between): the place is free again
                running.release();
            }
        }

        /** How to cut the answer off (close its connection) when the export fails half-way. */
        public void cutWith(Runnable closeConnection) {
            this.cut = closeConnection;
        }

        private void cut() {
            try {
                cut.run();
            } catch (RuntimeException e) {
                LOG.debugf("Payout export %s: closing the connection failed (%s)", id, e.toString());
            }
        }

        private boolean begin() {
            return state.compareAndSet(ADMITTED, STREAMING);
        }

        private void end() {
            if (state.getAndSet(DONE) == STREAMING) {
                running.release();
            }
        }
    }

    /** Thrown at the next page once the client has gone: the export stops reading. */
    static final class ClientGone extends IOException {
        ClientGone() {
            super("The client went away", null);
        }
    }

    /**
     * Writes the registry to {@code out}, a page at a time (blocking: a worker thread only). Ends with a second audit
     * line: SENT with the number of rows (every row written to the connection; a client may still cut the download
     * short after that, which HTTP does not tell the server), or ABORTED with the rows written before the client went away or the
     * failure. A client gone is no error of the bridge: it is logged as a warning, and the export just stops. Any
     * other failure cuts the answer off (see {@link Run#cutWith}) and is logged as an error; nothing is thrown to Quarkus
     * REST, whose exception mapping would otherwise write a problem into the already streaming body.
     */
    public void stream(Run run, OutputStream out) {
        if (!run.begin()) {
            return;
        }
        long started = System.nanoTime();
        long rows = 0;
        String outcome = "ABORTED";
        Throwable failure = null;
        Request q = run.request;
        try {
            PayoutRegistry file = PayoutRegistry.of(q.format(), out);
            int size = Math.max(1, config.pageSize());
            PayoutExportStore.After after = PayoutExportStore.After.start(q.from());
            while (true) {
                if (run.ended) {
                    throw new ClientGone();
                }
                PayoutExportStore.After cursor = after;
                PayoutExportStore.Page page = await(() -> store.page(cursor, q.to(), q.status(), q.executorCrmId(),
                        size));
                if (page.lines().isEmpty()) {
                    break;
                }
                Set<String> ids = new LinkedHashSet<>();
                page.lines().forEach(l -> ids.add(l.executorCrmId()));
                Map<String, ExecutorIdentity> who = await(() -> executors.identities(ids));
                for (PayoutExportStore.Line line : page.lines()) {
                    file.row(line, who.get(line.executorCrmId()));
                }
                file.flush();
                rows += page.lines().size();
                if (page.lines().size() < size) {
                    break;
                }
                after = page.last();
            }
            file.finish();
            outcome = "SENT";
        } catch (IOException e) {
            // the client went away (a write failed, or its connection closed between pages): nothing to answer it
            failure = e;
        } catch (RuntimeException | Error e) {
            // a failure mid-way (the database gone): the connection is closed before the answer's last chunk, so the
            // client sees a broken download, never a file that looks complete (nor a problem appended to it)
            failure = e;
            run.cut();
        } finally {
            run.end();
            long ms = (System.nanoTime() - started) / 1_000_000;
            String reason = failure == null ? "" : failure instanceof IOException ? "; the client went away"
                    : "; failed: " + failure.getClass().getSimpleName();
            if (failure == null) {
                LOG.infof("Payout export %s: %d rows (%s) in %d ms", run.id, rows, q.format().extension, ms);
            } else if (failure instanceof IOException) {
                LOG.warnf("Payout export %s stopped after %d rows in %d ms%s", run.id, rows, ms, reason);
            } else {
                LOG.errorf("Payout export %s failed after %d rows in %d ms, its answer cut off: %s", run.id, rows, ms,
                        failure.toString());
            }
            String detail = q.describe() + "; " + rows + " rows" + reason;
            String result = outcome;
            try {
                await(() -> Panache.withTransaction(() -> audit.record(run.actor, "payout.export", ENTITY, run.id,
                        result, run.requestId, detail)));
            } catch (RuntimeException e) {
                LOG.warnf("Payout export %s: its closing audit line could not be written (%s)", run.id, e.toString());
            }
        }
    }

    /** Awaits a reactive step on this (worker) thread, on a Vert.x duplicated context, for a bounded time. */
    private static <T> T await(Supplier<Uni<T>> step) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> step.get().ifNoItem().after(PAGE_WAIT).fail());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
