package io.madetask.bridge.payout;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.madetask.bridge.audit.Audit;
import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.Money;
import io.madetask.bridge.common.Problem;
import io.madetask.bridge.common.RequestIds;
import io.madetask.bridge.madetask.MadeTaskClient;
import io.madetask.bridge.madetask.MadeTaskException;
import io.madetask.bridge.madetask.MadeTaskModel;
import io.madetask.bridge.sync.JobRuns;
import io.madetask.bridge.work.WorkerIdentity;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The bridge's payouts against MadeTask's for a period [from, to): on demand ({@code GET /api/v1/reconciliation}) and
 * daily for the previous UTC day. A payout belongs to the period by its creation time, on each side's own clock.
 * <p>
 * Bounded memory: MadetTask's list (every payout updated since {@code from}, so every one created in the period) is
 * read a page of 500 at a time, and the page's payouts created in the period are written to the run's
 * {@code reconciliation_seen}; nothing of either side stays in memory. Then the bridge's payouts of the period that
 * reached MadeTask but were not in the list are asked about by id (one may have been created just outside the period on
 * MadeTask's clock), a chunk at a time; listed payouts whose status differs from the bridge's are asked about again
 * (one may have settled while the list was read); and the differences are found in SQL, set-wise, and stored: the first
 * {@code max-differences} listed, all counted. A MadeTask payout unknown by id is looked up in all of the bridge's
 * payouts and earlier attempts, whatever their period, before it is called missing.
 * <p>
 * The daily run: each instance looks every {@code check-interval}; the day's run row is claimed by one instance (an
 * insert-once row per day, with a lease renewed at every page), so it runs once across instances; a failed run, or one
 * whose instance died, is claimed again at a later check. Its outcome goes to the sync status
 * ({@link JobRuns#DAILY_RECONCILIATION}), and differences send {@code reconciliation.mismatch}.
 */
@ApplicationScoped
public class Reconciliation {

    static final String ENTITY = "RECONCILIATION";

    private static final Logger LOG = Logger.getLogger(Reconciliation.class);
    private static final int PAGE = 500;
    private static final int LOOKUP_CHUNK = 100;
    private static final int LOOKUP_CONCURRENCY = 4;
    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T00:00:00Z");

    private final ReconciliationStore store;
    private final MadeTaskClient client;
    private final Audit audit;
    private final JobRuns runs;
    private final ReconciliationConfig config;
    private final Vertx vertx;
    private final ObjectMapper json;
    private final WorkerIdentity identity;
    private final AtomicInteger onDemand = new AtomicInteger();
    private final AtomicBoolean checking = new AtomicBoolean();
    private volatile String instance;
    private long timer = -1;

    /** A period, from inclusive, to exclusive. */
    record Period(Instant from, Instant to) {
    }

    Reconciliation(ReconciliationStore store, MadeTaskClient client, Audit audit, JobRuns runs,
            ReconciliationConfig config, Vertx vertx, ObjectMapper json, WorkerIdentity identity) {
        this.store = store;
        this.client = client;
        this.audit = audit;
        this.runs = runs;
        this.config = config;
        this.vertx = vertx;
        this.json = json;
        this.identity = identity;
    }

    void start(@Observes StartupEvent event) {
        instance = identity.id();
        if (config.enabled()) {
            long every = config.checkInterval().toMillis();
            timer = vertx.setPeriodic(Math.min(30_000, every), every, t -> checkDaily());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    // ---------------------------------------------------------------- on demand

    /**
     * Reconciles the period now, for an admin. {@code from} and {@code to} are RFC 3339 times or dates (a date is
     * 00:00 UTC of that day); both absent (or empty) is the previous UTC day; one absent is one day from the other.
     */
    public Uni<ReconciliationView> reconcile(String from, String to, String actor) {
        return Uni.createFrom().deferred(() -> {
            Period asked = period(from, to);
            // what is made from now on belongs to a later reconciliation: both sides end when the run starts
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            Period period = asked.to().isAfter(now) && now.isAfter(asked.from()) ? new Period(asked.from(), now) : asked;
            if (onDemand.incrementAndGet() > config.maxConcurrent()) {
                onDemand.decrementAndGet();
                throw new BridgeException(429, "reconciliation_busy", "Reconciliation busy",
                        "As many reconciliations as this instance runs at once (" + config.maxConcurrent()
                                + ") are running; try again when one is done");
            }
            String requestId = RequestIds.current();
            String by = actor == null ? Audit.SYSTEM : actor;
            String runId = newId();
            return store.start(runId, period.from(), period.to(), by)
                    .flatMap(v -> execute(runId, period, false))
                    .flatMap(v -> complete(runId, "ON_DEMAND", period, (c, view) -> audit.record(c, by,
                            "payout.reconciliation", ENTITY, runId, "COMPLETED", requestId, summary(period, view))))
                    .onFailure().call(e -> store.fail(runId, instance, why(e))
                            .flatMap(v -> store.inTransaction(c -> audit.record(c, by, "payout.reconciliation", ENTITY,
                                    runId, "FAILED", requestId, period.from() + " to " + period.to() + ": " + why(e))))
                            .onFailure().invoke(f -> LOG.warnf("Recording the failed reconciliation %s failed: %s",
                                    runId, f.toString()))
                            .onFailure().recoverWithNull())
                    .eventually(() -> {
                        onDemand.decrementAndGet();
                    });
        });
    }

    /** The period of the query, checked: 400 naming the field for anything wrong. */
    Period period(String fromValue, String toValue) {
        List<Problem.FieldError> errors = new ArrayList<>();
        Instant from = instant("from", fromValue, errors);
        Instant to = instant("to", toValue, errors);
        if (errors.isEmpty()) {
            if (from == null && to == null) {
                to = LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
                from = to.minus(Duration.ofDays(1));
            } else if (from == null) {
                from = to.minus(Duration.ofDays(1));
            } else if (to == null) {
                to = from.plus(Duration.ofDays(1));
            }
            if (!to.isAfter(from)) {
                errors.add(new Problem.FieldError("to", "must be after from"));
            } else if (Duration.between(from, to).compareTo(config.maxPeriod()) > 0) {
                errors.add(new Problem.FieldError("to", "the period may be at most " + days(config.maxPeriod())
                        + " (bridge.reconciliation.max-period)"));
            }
        }
        if (!errors.isEmpty()) {
            throw BridgeException.validation(errors);
        }
        return new Period(from, to);
    }

    private static Instant instant(String field, String value, List<Problem.FieldError> errors) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        Instant t = null;
        if (value.length() <= 64) {
            try {
                t = OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException notATime) {
                try {
                    t = LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException | ArithmeticException notADate) {
                    t = null;
                }
            } catch (ArithmeticException outOfRange) {
                t = null;
            }
        }
        if (t == null) {
            errors.add(new Problem.FieldError(field, "must be an RFC 3339 time (2025-06-01T00:00:00Z) or a date "
                    + "(2025-06-01, 00:00 UTC)"));
        } else if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
            errors.add(new Problem.FieldError(field, "must be from 2000-01-01 to 9999-12-31"));
            t = null;
        }
        return t;
    }

    private static String days(Duration d) {
        return d.toMillis() % 86_400_000 == 0 ? d.toDays() + " days" : d.toString();
    }

    // ---------------------------------------------------------------- daily

    private void checkDaily() {
        if (!checking.compareAndSet(false, true)) {
            return;
        }
        Instant now = Instant.now();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (now.isBefore(today.atStartOfDay(ZoneOffset.UTC).toInstant().plus(config.dailyAfter()))) {
            checking.set(false);
            return;
        }
        store.purge(config.retention())
                .onFailure().invoke(e -> LOG.debugf("Deleting old reconciliations failed: %s", e.toString()))
                .onFailure().recoverWithItem(0)
                .flatMap(n -> runDaily(today.minusDays(config.daysBack())))
                .eventually(() -> checking.set(false))
                .subscribe().with(r -> { }, e -> LOG.warnf("The daily reconciliation failed: %s", why(e)));
    }

    /**
     * The daily run of {@code day} (UTC), when this instance gets the day's claim; empty when the day is done or
     * another instance runs it.
     */
    Uni<Optional<ReconciliationView>> runDaily(LocalDate day) {
        Period period = new Period(day.atStartOfDay(ZoneOffset.UTC).toInstant(),
                day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
        return store.claimDay(newId(), day, period.from(), period.to(), instance, config.lease()).flatMap(runId -> {
            if (runId == null) {
                return Uni.createFrom().item(Optional.<ReconciliationView>empty());
            }
            LOG.infof("Daily reconciliation of %s (run %s) started", day, runId);
            return execute(runId, period, true)
                    .flatMap(v -> complete(runId, "DAILY", period, (c, view) -> view.differenceCount() == 0
                            ? Uni.createFrom().voidItem()
                            : store.notifyMismatch(c, runId, mismatch(runId, day, view))))
                    .invoke(view -> {
                        String detail = day + ": " + view.differenceCount() + " differences"
                                + (view.differenceCount() == 0 ? "" : " " + view.differencesByKind()) + ", run " + runId
                                + " (GET /api/v1/reconciliation?from=" + day + " for the list)";
                        runs.ran(JobRuns.DAILY_RECONCILIATION, view.differenceCount() == 0 ? "OK" : "DIFFERENCES",
                                detail);
                        if (view.differenceCount() == 0) {
                            LOG.infof("Daily reconciliation of %s: no differences", day);
                        } else {
                            LOG.warnf("Daily reconciliation of %s: %d differences %s", day, view.differenceCount(),
                                    view.differencesByKind());
                        }
                    })
                    .onFailure().call(e -> {
                        runs.ran(JobRuns.DAILY_RECONCILIATION, "FAILED", day + ": " + why(e) + ", run " + runId);
                        return store.fail(runId, instance, why(e)).onFailure().recoverWithNull();
                    })
                    .map(Optional::of);
        });
    }

    // ---------------------------------------------------------------- one run

    /** Reads MadeTask's side into the run, asks about the bridge's payouts it did not list, confirms differences. */
    private Uni<Void> execute(String runId, Period period, boolean claimed) {
        AtomicReference<String> cursor = new AtomicReference<>();
        AtomicInteger pages = new AtomicInteger();
        AtomicInteger unreadable = new AtomicInteger();
        return Multi.createBy().repeating().uni(() -> page(runId, period, cursor, pages, unreadable, claimed))
                .whilst(more -> more).collect().last()
                .invoke(v -> {
                    if (unreadable.get() > 0) {
                        LOG.warnf("Reconciliation %s: %d MadeTask payouts without a usable id or creation time were "
                                + "left out", runId, unreadable.get());
                    }
                })
                .flatMap(v -> lookUpUnseen(runId, period))
                .flatMap(used -> confirm(runId, config.maxLookups() - used));
    }

    private Uni<Boolean> page(String runId, Period period, AtomicReference<String> cursor, AtomicInteger pages,
            AtomicInteger unreadable, boolean claimed) {
        if (pages.incrementAndGet() > config.maxPages()) {
            return Uni.createFrom().failure(new BridgeException(422, "reconciliation_too_large", "Period too large",
                    "MadeTask lists more than " + config.maxPages() * PAGE + " payouts updated since from "
                            + "(bridge.reconciliation.max-pages): choose a later or shorter period"));
        }
        return client.listPayouts(new MadeTaskModel.ListQuery(period.from().toString(), null, null, null,
                cursor.get(), PAGE)).flatMap(page -> {
                    List<MadeTaskModel.Payout> items = page.items() == null ? List.of() : page.items();
                    List<ReconciliationStore.Seen> inPeriod = new ArrayList<>();
                    for (MadeTaskModel.Payout mt : items) {
                        ReconciliationStore.Seen seen = seen(mt, mt == null ? null : mt.id());
                        if (seen == null || seen.createdAt() == null) {
                            unreadable.incrementAndGet();
                        } else if (!seen.createdAt().isBefore(period.from()) && seen.createdAt().isBefore(period.to())) {
                            inPeriod.add(seen);
                        }
                    }
                    Uni<Void> renewed = claimed ? store.renew(runId, instance, config.lease()).flatMap(held -> held
                            ? Uni.createFrom().voidItem()
                            : Uni.createFrom().failure(new IllegalStateException("the daily run's claim was lost")))
                            : Uni.createFrom().voidItem();
                    return store.seen(runId, inPeriod, "LIST").flatMap(v -> renewed).map(v -> {
                        cursor.set(page.nextCursor());
                        return page.nextCursor() != null && !items.isEmpty();
                    });
                });
    }

    /** Asks MadeTask by id about the bridge's payouts of the period it did not list; answers how many asks it took. */
    private Uni<Integer> lookUpUnseen(String runId, Period period) {
        AtomicInteger used = new AtomicInteger();
        return Multi.createBy().repeating().uni(() -> {
            int room = Math.min(LOOKUP_CHUNK, config.maxLookups() - used.get());
            if (room <= 0) {
                return Uni.createFrom().item(false);
            }
            return store.unseen(runId, period.from(), period.to(), room).flatMap(ids -> {
                if (ids.isEmpty()) {
                    return Uni.createFrom().item(false);
                }
                used.addAndGet(ids.size());
                return fetch(ids).flatMap(found -> {
                    List<ReconciliationStore.Seen> present = new ArrayList<>();
                    List<ReconciliationStore.Seen> absent = new ArrayList<>();
                    found.forEach((id, mt) -> {
                        ReconciliationStore.Seen seen = mt.map(p -> seen(p, id)).orElse(null);
                        if (seen != null) {
                            present.add(seen);
                        } else {
                            absent.add(new ReconciliationStore.Seen(id, null, null, null, null));
                        }
                    });
                    return store.seen(runId, present, "LOOKUP").flatMap(v -> store.seen(runId, absent, "ABSENT"))
                            .replaceWith(true);
                });
            });
        }).whilst(more -> more).collect().last().map(v -> used.get());
    }

    /** Asks again about listed payouts whose status differs from the bridge's, and keeps MadeTask's newer answer. */
    private Uni<Void> confirm(String runId, int room) {
        if (room <= 0) {
            return Uni.createFrom().voidItem();
        }
        return store.toConfirm(runId, room).flatMap(this::fetch).flatMap(found -> {
            List<ReconciliationStore.Seen> now = new ArrayList<>();
            found.forEach((id, mt) -> mt.map(p -> seen(p, id)).ifPresent(now::add));
            return store.seen(runId, now, "LIST");
        });
    }

    /** MadeTask's payouts by id, a few calls at a time; empty for a 404. */
    private Uni<Map<String, Optional<MadeTaskModel.Payout>>> fetch(List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Multi.createFrom().iterable(ids)
                .onItem().transformToUni(id -> client.getPayout(id).map(Optional::ofNullable)
                        .onFailure(MadeTaskException.NotFound.class).recoverWithItem(Optional.empty())
                        .map(mt -> Map.entry(id, mt)))
                .merge(LOOKUP_CONCURRENCY)
                .collect().asMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** A MadeTask payout as the run keeps it, under the id it was asked or listed by; null without a usable id. */
    private static ReconciliationStore.Seen seen(MadeTaskModel.Payout mt, String id) {
        if (mt == null || !MadeTaskModel.present(id)) {
            return null;
        }
        Instant created = null;
        if (mt.createdAt() != null) {
            try {
                created = OffsetDateTime.parse(mt.createdAt()).toInstant();
            } catch (DateTimeParseException unreadable) {
                created = null;
            }
        }
        String amount = mt.amount() != null && Money.isWellFormed(mt.amount().amount()) ? mt.amount().amount() : null;
        return new ReconciliationStore.Seen(id, MadeTaskModel.present(mt.taskId()) ? mt.taskId() : null,
                MadeTaskModel.present(mt.status()) ? mt.status() : null, amount, created);
    }

    /**
     * Finds and stores the differences and the figures, in one transaction with what goes with the result (the audit
     * line, the notification), and answers the result. Refused when the run is no longer this instance's.
     */
    private Uni<ReconciliationView> complete(String runId, String kind, Period period,
            BiFunction<SqlConnection, ReconciliationView, Uni<Void>> with) {
        return store.inTransaction(c -> store.lock(c, runId, instance).flatMap(held -> {
            if (!held) {
                return Uni.createFrom().failure(new IllegalStateException("the run is no longer this instance's"));
            }
            return store.differences(c, runId, period.from(), period.to(), config.maxDifferences())
                    .flatMap(found -> store.figures(c, runId, period.from(), period.to()).flatMap(figures -> {
                        Map<String, Long> byKind = new LinkedHashMap<>();
                        ReconciliationView.KINDS.forEach(k -> byKind.put(k, found.getOrDefault(k, 0L)));
                        long total = byKind.values().stream().mapToLong(Long::longValue).sum();
                        boolean truncated = total > config.maxDifferences();
                        ReconciliationView.Side bridge = side(figures, "BRIDGE",
                                List.of("PROCESSING", "PAID", "FAILED"),
                                side(figures, "NOT_IN_MADETASK", List.of("PENDING", "FAILED"), null));
                        ReconciliationView.Side madetask = side(figures, "MADETASK",
                                List.of("PROCESSING", "PAID", "FAILED"), null);
                        Map<String, Object> summary = new LinkedHashMap<>();
                        summary.put("bridge", bridge);
                        summary.put("madetask", madetask);
                        summary.put("differencesByKind", byKind);
                        return store.finish(c, runId, total, truncated, toJson(summary))
                                .flatMap(v -> store.listed(c, runId))
                                .flatMap(listed -> store.times(c, runId).map(times -> new ReconciliationView(runId,
                                        kind, period.from(), period.to(), times[0], times[1], bridge, madetask, total,
                                        byKind, truncated, listed.stream().map(Reconciliation::difference).toList())))
                                .call(view -> with.apply(c, view));
                    }));
        }));
    }

    private static ReconciliationView.Side side(List<ReconciliationStore.FigureRow> rows, String side,
            List<String> statuses, ReconciliationView.Side notInMadeTask) {
        Map<String, ReconciliationView.Figure> byStatus = new LinkedHashMap<>();
        statuses.forEach(s -> byStatus.put(s, ReconciliationView.Figure.of(0, BigDecimal.ZERO)));
        long count = 0;
        BigDecimal sum = BigDecimal.ZERO;
        for (ReconciliationStore.FigureRow r : rows) {
            if (r.side().equals(side)) {
                byStatus.put(r.status(), ReconciliationView.Figure.of(r.count(), r.sum()));
                count += r.count();
                sum = r.sum() == null ? sum : sum.add(r.sum());
            }
        }
        return new ReconciliationView.Side(byStatus, ReconciliationView.Figure.of(count, sum), notInMadeTask);
    }

    // ---------------------------------------------------------------- what a person reads

    static ReconciliationView.Difference difference(ReconciliationStore.DifferenceRow d) {
        ReconciliationView.BridgeState bridge = d.payoutId() == null ? null
                : new ReconciliationView.BridgeState(d.bridgeStatus(), money(d.bridgeAmount()), d.taskCrmId(),
                        d.bridgeAttempt());
        ReconciliationView.MadeTaskState madetask = "MISSING_IN_MADETASK".equals(d.kind()) ? null
                : new ReconciliationView.MadeTaskState(d.madetaskStatus(), money(d.madetaskAmount()),
                        d.madetaskTaskId(), d.madetaskCreated());
        return new ReconciliationView.Difference(d.kind(), d.payoutId(), d.madetaskId(), bridge, madetask, action(d));
    }

    /** What to do about a difference, in words a person can follow. */
    static String action(ReconciliationStore.DifferenceRow d) {
        String payout = "the bridge's payout " + d.payoutId() + (d.taskCrmId() == null ? "" : " (task " + d.taskCrmId() + ")");
        String attempt = d.bridgeAttempt() == null ? "" : ", its earlier attempt " + d.bridgeAttempt() + ",";
        String b = d.bridgeStatus();
        String m = d.madetaskStatus();
        switch (d.kind()) {
            case "MISSING_IN_BRIDGE":
                if (d.payoutId() == null) {
                    return "A payout made in MadeTask outside the bridge (MadeTask task " + d.madetaskTaskId() + ", "
                            + m + "): the bridge has no payout for this task. Check with whoever uses the MadeTask "
                            + "account that it was meant; if it was not, take it up with MadeTask's support. The "
                            + "bridge changes nothing on its own.";
                }
                if ("ANSWER_NOT_RECORDED".equals(d.note())) {
                    return "MadeTask made this payout for " + payout + ", which is " + b + " in the bridge without "
                            + "MadeTask's answer recorded. The bridge records it at its next attempt (same "
                            + "idempotency key) or from MadeTask's event; nothing to do unless a later reconciliation "
                            + "still lists it (then see GET /api/v1/sync/status).";
                }
                return "A payout for the task of " + payout + ", which the bridge has under another MadeTask payout: "
                        + "made in MadeTask outside the bridge. If both are PAID the executor was paid twice: check "
                        + "both in the MadeTask account and settle it with the executor.";
            case "MISSING_IN_MADETASK":
                if ("NOT_LOOKED_UP".equals(d.note())) {
                    return "Not in MadeTask's list for the period, and not asked about by id (more such payouts than "
                            + "bridge.reconciliation.max-lookups in one run): reconcile again when the payouts of "
                            + "the period have settled, or a shorter period, to check " + payout + ".";
                }
                return "MadeTask does not know this payout (404), which " + payout + attempt + " holds as " + b
                        + ". Do not pay again before you know: ask MadeTask's support about it with both ids."
                        + ("FAILED".equals(b) ? " If the executor was not paid, POST /api/v1/payouts/" + d.payoutId()
                                + "/retry makes a new attempt." : "")
                        + ("PAID".equals(b) ? " Until then the executor may not have been paid." : "");
            case "STATUS_DIFFERS":
                if (d.bridgeAttempt() != null) {
                    return "An attempt of " + payout + " that the bridge holds as " + b + " (it tried again after it) "
                            + "is " + m + " in MadeTask." + ("PAID".equals(m) ? " If a later attempt is PAID too, the "
                                    + "executor was paid twice: check both in the MadeTask account and settle it with "
                                    + "the executor." : " Check it in the MadeTask account.");
                }
                if (("PENDING".equals(b) || "PROCESSING".equals(b)) && ("PAID".equals(m) || "FAILED".equals(m))) {
                    return "MadeTask settled the payout as " + m + " but the bridge still has it " + b + ": MadeTask's "
                            + "event did not reach the bridge. The bridge asks MadeTask about payouts PROCESSING longer "
                            + "than bridge.payouts.reconcile-after and settles them by itself, so nothing is to be done "
                            + "unless it stays; then check the webhook's deliveries in MadeTask and "
                            + "GET /api/v1/sync/status.";
                }
                if ("PROCESSING".equals(m)) {
                    return "MadeTask still has it PROCESSING while the bridge has it " + b + ": most likely it "
                            + "settled while MadeTask's list was read; reconcile again. If it stays, ask MadeTask's "
                            + "support: the bridge settles a payout only on MadeTask's word.";
                }
                return "The sides disagree on a settled payout: the bridge has it " + b + ", MadeTask " + m + ". "
                        + "MadeTask holds the money: check the payout in the MadeTask account and tell the CRM what "
                        + "happened" + ("PAID".equals(b) && "FAILED".equals(m) ? " (the executor was not paid)"
                                : "FAILED".equals(b) && "PAID".equals(m) ? " (the executor was paid)" : "") + ".";
            case "AMOUNT_DIFFERS":
                return "MadeTask's payout is " + amount(d.madetaskAmount()) + ", " + payout + attempt + " "
                        + amount(d.bridgeAmount()) + ". MadeTask takes a payout only for its task's reward, so the "
                        + "reward differed between the bridge and MadeTask: compare the task in the CRM, the bridge "
                        + "and MadeTask, and settle the difference with the executor.";
            default:
                return "Compare the payout in the bridge and in the MadeTask account.";
        }
    }

    private static Money money(BigDecimal amount) {
        return amount == null ? null : Money.rub(amount);
    }

    private static String amount(BigDecimal amount) {
        return amount == null ? "unreadable" : amount.toPlainString() + " RUB";
    }

    private String mismatch(String runId, LocalDate day, ReconciliationView view) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("runId", runId);
        data.put("day", day.toString());
        data.put("from", view.from().toString());
        data.put("to", view.to().toString());
        data.put("differences", view.differenceCount());
        data.put("byKind", view.differencesByKind());
        data.put("truncated", view.truncated());
        data.put("bridgeCount", view.bridge().total().count());
        data.put("madetaskCount", view.madetask().total().count());
        return toJson(data);
    }

    private static String summary(Period period, ReconciliationView view) {
        return period.from() + " to " + period.to() + ": " + view.differenceCount() + " differences "
                + view.differencesByKind() + "; bridge " + view.bridge().total().count() + ", MadeTask "
                + view.madetask().total().count() + " payouts";
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the reconciliation's summary", e);
        }
    }

    private static String why(Throwable e) {
        return e instanceof MadeTaskException m ? "MadeTask: " + m.summary()
                : e instanceof BridgeException b ? b.code() : e.toString();
    }

    private static String newId() {
        return "rcn_" + UUID.randomUUID().toString().replace("-", "");
    }
}
