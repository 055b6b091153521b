package io.madetask.sandbox;

import static io.madetask.sandbox.SandboxProblem.error;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The sandbox's MadeTask: executors, tasks, payouts, the balance and the event log, with the rules of the contract.
 * Every public method is synchronized: the HTTP layer may call in from any thread, and settlement timers too.
 */
final class SandboxStore {

    static final BigDecimal SELF_EMPLOYED_YEARLY_LIMIT = new BigDecimal("2400000.00");
    private static final Set<String> TAX_STATUSES = Set.of("SELF_EMPLOYED", "SOLE_PROPRIETOR", "INDIVIDUAL");
    private static final Set<String> EDITABLE_TASK_STATES = Set.of("ASSIGNED", "IN_PROGRESS", "REJECTED");
    private static final Set<String> CANCELLABLE_TASK_STATES = Set.of("ASSIGNED", "IN_PROGRESS", "SUBMITTED", "REJECTED");
    private static final int ID_LENGTH = 20;
    private static final String ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final String EVENT_CURSOR_TAG = "events.v1";

    interface Scheduler {
        void schedule(long delayMs, Runnable action);
    }

    /** What executors and tasks have alike: a version and times, moved on at every change. */
    abstract static class Versioned {
        long version;
        Instant createdAt;
        Instant updatedAt;

        void touch() {
            version++;
            updatedAt = Instant.now();
        }
    }

    static final class Executor extends Versioned {
        String id;
        String clientId;
        String externalId;
        String fullName;
        String phone;
        String email;
        String inn;
        String taxStatus;
        String payoutType;
        String payoutLast4;
        String bik;
        boolean payoutVerified;
        String status;
        final Map<Integer, BigDecimal> paidByYear = new HashMap<>();

        boolean payable() {
            return "ACTIVE".equals(status) && payoutVerified;
        }
    }

    static final class Task extends Versioned {
        String id;
        String clientId;
        String externalId;
        String executorId;
        String title;
        String description;
        BigDecimal reward;
        String deadline;
        String status;
    }

    static final class Payout {
        String id;
        String clientId;
        String taskId;
        String executorId;
        BigDecimal amount;
        String purpose;
        String status;
        String failureCode;
        String failureMessage;
        String receiptUrl;
        Instant createdAt;
        Instant updatedAt;
        Instant paidAt;
    }

    record Event(String id, String type, Instant createdAt, ObjectNode data) {
    }

    private final ObjectMapper json;
    private final Scheduler scheduler;
    private final Consumer<ObjectNode> eventSink;
    private final BigDecimal initialBalance;
    private volatile SandboxFaults faults;
    private String receiptBaseUrl = "http://localhost/receipts/";

    private final Map<String, Executor> executors = new LinkedHashMap<>();
    private final Map<String, String> executorByExternalId = new HashMap<>();
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final Map<String, String> taskByExternalId = new HashMap<>();
    private final Map<String, Payout> payouts = new LinkedHashMap<>();
    private final List<Event> events = new ArrayList<>();
    /** Each event's position in {@link #events}: {@code after=<event id>} is looked up here, ids are never compared. */
    private final Map<String, Integer> eventIndex = new HashMap<>();
    private BigDecimal available;
    private BigDecimal reserved = BigDecimal.ZERO.setScale(2);
    /** Changes on every reset, so event cursors of an earlier log are refused instead of pointing into this one. */
    private long logGeneration = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);

    SandboxStore(ObjectMapper json, Scheduler scheduler, Consumer<ObjectNode> eventSink, BigDecimal initialBalance,
            SandboxFaults faults) {
        this.json = json;
        this.scheduler = scheduler;
        this.eventSink = eventSink;
        this.initialBalance = initialBalance.setScale(2);
        this.available = this.initialBalance;
        this.faults = faults;
    }

    void faults(SandboxFaults faults) {
        this.faults = faults;
    }

    void receiptBaseUrl(String url) {
        this.receiptBaseUrl = url;
    }

    synchronized void reset() {
        executors.clear();
        executorByExternalId.clear();
        tasks.clear();
        taskByExternalId.clear();
        payouts.clear();
        events.clear();
        eventIndex.clear();
        logGeneration = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        available = initialBalance;
        reserved = BigDecimal.ZERO.setScale(2);
    }

    // ---------------------------------------------------------------- executors

    synchronized ObjectNode createExecutor(String clientId, JsonNode body) {
        List<Map<String, String>> errors = new ArrayList<>();
        String externalId = externalId(body, errors);
        validateExecutorFields(body, errors, true);
        if (!errors.isEmpty()) {
            throw SandboxProblem.validation(errors);
        }
        String existing = executorByExternalId.get(clientId + "\n" + externalId);
        if (existing != null) {
            throw new SandboxProblem(409, "duplicate_external_id", "An executor with this external_id exists", null,
                    existing);
        }
        Executor e = new Executor();
        e.id = nextId("ex_", executors);
        e.clientId = clientId;
        e.externalId = externalId;
        applyExecutorFields(e, body);
        e.status = "INVITED";
        e.version = 1;
        e.createdAt = e.updatedAt = Instant.now();
        executors.put(e.id, e);
        executorByExternalId.put(clientId + "\n" + externalId, e.id);
        return emitted("executor.updated", executorView(e));
    }

    synchronized ObjectNode createExecutorsBulk(String clientId, JsonNode body) {
        JsonNode items = body == null ? null : body.get("items");
        if (items == null || !items.isArray()) {
            throw SandboxProblem.invalid("items", "required, an array of executors");
        }
        if (items.size() > 500) {
            throw SandboxProblem.invalid("items", "at most 500 items");
        }
        ObjectNode answer = json.createObjectNode();
        ArrayNode results = answer.putArray("results");
        for (JsonNode item : items) {
            ObjectNode result = results.addObject();
            result.put("external_id", text(item, "external_id"));
            try {
                ObjectNode created = createExecutor(clientId, item);
                result.put("status", 201);
                result.set("executor", created);
            } catch (SandboxProblem p) {
                result.put("status", p.status);
                result.set("error", p.body(null));
            }
        }
        return answer;
    }

    synchronized ObjectNode getExecutor(String clientId, String id) {
        return executorView(executor(clientId, id));
    }

    synchronized ObjectNode listExecutors(String clientId, Map<String, String> query) {
        String externalId = query.get("external_id");
        return page(executors.values().stream().filter(e -> e.clientId.equals(clientId))
                .filter(e -> externalId == null || externalId.equals(e.externalId)).toList(),
                e -> e.updatedAt, e -> e.id, this::executorView, query);
    }

    synchronized ObjectNode patchExecutor(String clientId, String id, String ifMatch, JsonNode body) {
        Executor e = executor(clientId, id);
        checkVersion(ifMatch, e.version);
        List<Map<String, String>> errors = new ArrayList<>();
        validateExecutorFields(body, errors, false);
        String status = text(body, "status");
        if (body.has("status") && !"BLOCKED".equals(status) && !"ACTIVE".equals(status)) {
            errors.add(error("status", "BLOCKED or ACTIVE"));
        }
        if (body.has("inn") || body.has("tax_status") || body.has("external_id")) {
            errors.add(error(body.has("inn") ? "inn" : body.has("tax_status") ? "tax_status" : "external_id",
                    "cannot be changed"));
        }
        if (!errors.isEmpty()) {
            throw SandboxProblem.validation(errors);
        }
        applyExecutorFields(e, body);
        if (status != null) {
            if ("ACTIVE".equals(status) && "INVITED".equals(e.status)) {
                throw new SandboxProblem(409, "invalid_transition",
                        "An INVITED executor becomes ACTIVE by finishing registration");
            }
            e.status = status;
        }
        e.touch();
        return emitted("executor.updated", executorView(e));
    }

    /** The executor finished registration in MadeTask's app: ACTIVE, with a verified payout method. */
    synchronized ObjectNode completeRegistration(String id) {
        Executor e = executors.get(id);
        if (e == null) {
            throw new SandboxProblem(404, "executor_not_found", "No such executor");
        }
        if ("BLOCKED".equals(e.status)) {
            throw new SandboxProblem(409, "invalid_transition", "The executor is blocked");
        }
        e.status = "ACTIVE";
        e.payoutVerified = true;
        e.touch();
        return emitted("executor.updated", executorView(e));
    }

    private void validateExecutorFields(JsonNode body, List<Map<String, String>> errors, boolean creating) {
        if (body == null || !body.isObject()) {
            errors.add(error("body", "a JSON object is required"));
            return;
        }
        String fullName = text(body, "full_name");
        if ((creating || body.has("full_name")) && (fullName == null || fullName.isBlank() || fullName.length() > 300)) {
            errors.add(error("full_name", "required, 1 to 300 characters"));
        }
        if ((creating || body.has("phone")) && !SandboxRules.isPhone(text(body, "phone"))) {
            errors.add(error("phone", "must be E.164: +7 and 10 digits"));
        }
        if ((creating || body.has("email")) && !SandboxRules.isEmail(text(body, "email"))) {
            errors.add(error("email", "must be an email address"));
        }
        if (creating && !SandboxRules.isIndividualInn(text(body, "inn"))) {
            errors.add(error("inn", "must be 12 digits with valid check digits"));
        }
        String taxStatus = text(body, "tax_status");
        if (creating && (taxStatus == null || !TAX_STATUSES.contains(taxStatus))) {
            errors.add(error("tax_status", "one of SELF_EMPLOYED, SOLE_PROPRIETOR, INDIVIDUAL"));
        }
        if (creating || body.has("payout_method")) {
            JsonNode pm = body.get("payout_method");
            String type = text(pm, "type");
            if ("CARD".equals(type)) {
                if (!SandboxRules.isCardNumber(text(pm, "card_number"))) {
                    errors.add(error("payout_method.card_number", "must be 16 digits passing the Luhn check"));
                }
            } else if ("BANK_ACCOUNT".equals(type)) {
                if (!SandboxRules.isAccountNumber(text(pm, "account_number"))) {
                    errors.add(error("payout_method.account_number", "must be 20 digits"));
                }
                if (!SandboxRules.isBik(text(pm, "bik"))) {
                    errors.add(error("payout_method.bik", "must be 9 digits"));
                }
            } else {
                errors.add(error("payout_method.type", "CARD or BANK_ACCOUNT"));
            }
        }
    }

    private void applyExecutorFields(Executor e, JsonNode body) {
        if (body.has("full_name")) {
            e.fullName = text(body, "full_name");
        }
        if (body.has("phone")) {
            e.phone = text(body, "phone");
        }
        if (body.has("email")) {
            e.email = text(body, "email");
        }
        if (body.has("inn") && e.inn == null) {
            e.inn = text(body, "inn");
        }
        if (body.has("tax_status") && e.taxStatus == null) {
            e.taxStatus = text(body, "tax_status");
        }
        JsonNode pm = body.get("payout_method");
        if (pm != null && pm.isObject()) {
            e.payoutType = text(pm, "type");
            if ("CARD".equals(e.payoutType)) {
                e.payoutLast4 = SandboxRules.last4(text(pm, "card_number"));
                e.bik = null;
            } else {
                e.payoutLast4 = SandboxRules.last4(text(pm, "account_number"));
                e.bik = text(pm, "bik");
            }
            // A new payout method is verified again in the app; a registered executor's is taken as verified.
            e.payoutVerified = "ACTIVE".equals(e.status);
        }
    }

    private Executor executor(String clientId, String id) {
        Executor e = executors.get(id);
        if (e == null || !e.clientId.equals(clientId)) {
            throw new SandboxProblem(404, "executor_not_found", "No such executor");
        }
        return e;
    }

    private ObjectNode executorView(Executor e) {
        ObjectNode n = json.createObjectNode();
        n.put("id", e.id);
        n.put("external_id", e.externalId);
        n.put("full_name", e.fullName);
        n.put("phone", e.phone);
        n.put("email", e.email);
        n.put("inn", e.inn);
        n.put("tax_status", e.taxStatus);
        ObjectNode pm = n.putObject("payout_method");
        pm.put("type", e.payoutType);
        if ("CARD".equals(e.payoutType)) {
            pm.put("card_last4", e.payoutLast4);
        } else {
            pm.put("account_last4", e.payoutLast4);
            pm.put("bik", e.bik);
        }
        n.put("status", e.status);
        n.put("payable", e.payable());
        n.put("version", e.version);
        n.put("created_at", e.createdAt.toString());
        n.put("updated_at", e.updatedAt.toString());
        return n;
    }

    // ---------------------------------------------------------------- tasks

    synchronized ObjectNode createTask(String clientId, JsonNode body) {
        List<Map<String, String>> errors = new ArrayList<>();
        String externalId = externalId(body, errors);
        if (text(body, "executor_id") == null) {
            errors.add(error("executor_id", "required"));
        }
        validateTaskFields(body, errors, true);
        if (!errors.isEmpty()) {
            throw SandboxProblem.validation(errors);
        }
        String existing = taskByExternalId.get(clientId + "\n" + externalId);
        if (existing != null) {
            throw new SandboxProblem(409, "duplicate_external_id", "A task with this external_id exists", null,
                    existing);
        }
        Executor e = executor(clientId, text(body, "executor_id"));
        if ("BLOCKED".equals(e.status)) {
            throw new SandboxProblem(422, "executor_blocked", "The executor is blocked");
        }
        Task t = new Task();
        t.id = nextId("tk_", tasks);
        t.clientId = clientId;
        t.externalId = externalId;
        t.executorId = e.id;
        applyTaskFields(t, body);
        t.status = "ASSIGNED";
        t.version = 1;
        t.createdAt = t.updatedAt = Instant.now();
        tasks.put(t.id, t);
        taskByExternalId.put(clientId + "\n" + externalId, t.id);
        return emitted("task.updated", taskView(t));
    }

    synchronized ObjectNode getTask(String clientId, String id) {
        return taskView(task(clientId, id));
    }

    synchronized ObjectNode listTasks(String clientId, Map<String, String> query) {
        String externalId = query.get("external_id");
        String status = query.get("status");
        return page(tasks.values().stream().filter(t -> t.clientId.equals(clientId))
                .filter(t -> externalId == null || externalId.equals(t.externalId))
                .filter(t -> status == null || status.equals(t.status)).toList(),
                t -> t.updatedAt, t -> t.id, this::taskView, query);
    }

    synchronized ObjectNode patchTask(String clientId, String id, String ifMatch, JsonNode body) {
        Task t = task(clientId, id);
        checkVersion(ifMatch, t.version);
        List<Map<String, String>> errors = new ArrayList<>();
        validateTaskFields(body, errors, false);
        if (!errors.isEmpty()) {
            throw SandboxProblem.validation(errors);
        }
        if (!EDITABLE_TASK_STATES.contains(t.status)) {
            throw new SandboxProblem(409, "task_not_editable", "A task in " + t.status + " cannot be edited");
        }
        applyTaskFields(t, body);
        t.touch();
        return emitted("task.updated", taskView(t));
    }

    synchronized ObjectNode transitionTask(String clientId, String id, JsonNode body) {
        Task t = task(clientId, id);
        String to = text(body, "to");
        if (to == null || !Set.of("ACCEPTED", "REJECTED", "CANCELLED").contains(to)) {
            throw SandboxProblem.invalid("to", "ACCEPTED, REJECTED or CANCELLED");
        }
        boolean allowed = switch (to) {
            case "ACCEPTED" -> t.status.equals("IN_PROGRESS") || t.status.equals("SUBMITTED");
            case "REJECTED" -> t.status.equals("SUBMITTED");
            default -> CANCELLABLE_TASK_STATES.contains(t.status);
        };
        if (!allowed) {
            throw new SandboxProblem(409, "invalid_transition", "A task in " + t.status + " cannot become " + to);
        }
        t.status = to;
        t.touch();
        return emitted("task.updated", taskView(t));
    }

    /** The executor's own moves, made in MadeTask's app: start, submit, resume. */
    synchronized ObjectNode executorMove(String id, String move) {
        Task t = tasks.get(id);
        if (t == null) {
            throw new SandboxProblem(404, "task_not_found", "No such task");
        }
        String from = switch (move) {
            case "start" -> "ASSIGNED";
            case "submit" -> "IN_PROGRESS";
            case "resume" -> "REJECTED";
            default -> throw new SandboxProblem(404, "not_found", "Unknown move " + move);
        };
        if (!t.status.equals(from)) {
            throw new SandboxProblem(409, "invalid_transition", "Cannot " + move + " a task in " + t.status);
        }
        t.status = move.equals("submit") ? "SUBMITTED" : "IN_PROGRESS";
        t.touch();
        return emitted("task.updated", taskView(t));
    }

    private void validateTaskFields(JsonNode body, List<Map<String, String>> errors, boolean creating) {
        if (body == null || !body.isObject()) {
            errors.add(error("body", "a JSON object is required"));
            return;
        }
        String title = text(body, "title");
        if ((creating || body.has("title")) && (title == null || title.isBlank() || title.length() > 200)) {
            errors.add(error("title", "required, 1 to 200 characters"));
        }
        String description = text(body, "description");
        if ((creating || body.has("description")) && (description == null || description.length() > 10_000)) {
            errors.add(error("description", "required, at most 10000 characters"));
        }
        if (creating || body.has("reward")) {
            BigDecimal reward = money(body.get("reward"));
            if (reward == null || reward.signum() <= 0) {
                errors.add(error("reward", "a positive RUB amount with two fraction digits"));
            }
        }
        String deadline = text(body, "deadline");
        if (deadline != null) {
            try {
                OffsetDateTime.parse(deadline);
            } catch (DateTimeParseException ex) {
                errors.add(error("deadline", "must be an RFC 3339 time"));
            }
        }
    }

    private void applyTaskFields(Task t, JsonNode body) {
        if (body.has("title")) {
            t.title = text(body, "title");
        }
        if (body.has("description")) {
            t.description = text(body, "description");
        }
        if (body.has("reward")) {
            t.reward = money(body.get("reward"));
        }
        if (body.has("deadline")) {
            String deadline = text(body, "deadline");
            t.deadline = deadline == null ? null
                    : OffsetDateTime.parse(deadline).withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString();
        }
    }

    private Task task(String clientId, String id) {
        Task t = tasks.get(id);
        if (t == null || !t.clientId.equals(clientId)) {
            throw new SandboxProblem(404, "task_not_found", "No such task");
        }
        return t;
    }

    private ObjectNode taskView(Task t) {
        ObjectNode n = json.createObjectNode();
        n.put("id", t.id);
        n.put("external_id", t.externalId);
        n.put("executor_id", t.executorId);
        n.put("title", t.title);
        n.put("description", t.description);
        n.set("reward", moneyNode(t.reward));
        n.put("deadline", t.deadline);
        n.put("status", t.status);
        n.put("version", t.version);
        n.put("created_at", t.createdAt.toString());
        n.put("updated_at", t.updatedAt.toString());
        return n;
    }

    // ---------------------------------------------------------------- payouts

    synchronized ObjectNode createPayout(String clientId, JsonNode body) {
        List<Map<String, String>> errors = new ArrayList<>();
        if (text(body, "task_id") == null) {
            errors.add(error("task_id", "required"));
        }
        BigDecimal amount = money(body == null ? null : body.get("amount"));
        if (amount == null || amount.signum() <= 0) {
            errors.add(error("amount", "a positive RUB amount with two fraction digits"));
        }
        if (!errors.isEmpty()) {
            throw SandboxProblem.validation(errors);
        }
        Task t = task(clientId, text(body, "task_id"));
        SandboxFaults f = faults;
        if (f.refuseSecondPayout) {
            for (Payout p : payouts.values()) {
                if (p.taskId.equals(t.id) && !"FAILED".equals(p.status)) {
                    throw new SandboxProblem(409, "payout_exists", "The task already has a payout", null, p.id);
                }
            }
        }
        // With the guard off, a task its first payout made PAID takes another: paying twice is seen, not refused.
        boolean payable = "ACCEPTED".equals(t.status) || (!f.refuseSecondPayout && "PAID".equals(t.status));
        if (!payable) {
            throw new SandboxProblem(409, "task_not_accepted", "The task is " + t.status + ", not ACCEPTED");
        }
        if (amount.compareTo(t.reward) != 0) {
            throw new SandboxProblem(422, "amount_mismatch", "The amount must equal the task's reward");
        }
        Executor e = executors.get(t.executorId);
        if (!e.payable()) {
            throw new SandboxProblem(422, "executor_not_payable", "The executor cannot be paid yet");
        }
        if ("SELF_EMPLOYED".equals(e.taxStatus)) {
            int year = Instant.now().atZone(ZoneOffset.UTC).getYear();
            BigDecimal committed = e.paidByYear.getOrDefault(year, BigDecimal.ZERO);
            for (Payout p : payouts.values()) {
                if (p.executorId.equals(e.id) && "PROCESSING".equals(p.status)) {
                    committed = committed.add(p.amount);
                }
            }
            if (committed.add(amount).compareTo(SELF_EMPLOYED_YEARLY_LIMIT) > 0) {
                throw new SandboxProblem(422, "income_limit_exceeded",
                        "The payout would take the executor past 2,400,000.00 RUB this year");
            }
        }
        if (available.compareTo(amount) < 0) {
            throw new SandboxProblem(422, "insufficient_funds", "The balance cannot cover the payout");
        }
        available = available.subtract(amount);
        reserved = reserved.add(amount);
        Payout p = new Payout();
        p.id = nextId("po_", payouts);
        p.clientId = clientId;
        p.taskId = t.id;
        p.executorId = e.id;
        p.amount = amount;
        p.purpose = text(body, "purpose");
        p.status = "PROCESSING";
        p.createdAt = p.updatedAt = Instant.now();
        payouts.put(p.id, p);
        ObjectNode view = payoutView(p);
        emit("payout.updated", view);
        long delay = f.settlementDelayMs + (f.settlementJitterMs > 0 ? ThreadLocalRandom.current().nextLong(f.settlementJitterMs + 1) : 0);
        scheduler.schedule(delay, () -> settleAutomatically(p.id));
        return view;
    }

    private synchronized void settleAutomatically(String payoutId) {
        Payout p = payouts.get(payoutId);
        if (p == null || !"PROCESSING".equals(p.status)) {
            return;
        }
        SandboxFaults f = faults;
        Executor e = executors.get(p.executorId);
        if ("BLOCKED".equals(e.status)) {
            settle(p, "EXECUTOR_BLOCKED");
        } else if (ThreadLocalRandom.current().nextDouble() < f.payoutFailureRate) {
            settle(p, f.payoutFailureCode);
        } else {
            settle(p, null);
        }
    }

    /** Settles a PROCESSING payout now: PAID when failureCode is null, FAILED with it otherwise. */
    synchronized ObjectNode settleNow(String payoutId, String failureCode) {
        Payout p = payouts.get(payoutId);
        if (p == null) {
            throw new SandboxProblem(404, "payout_not_found", "No such payout");
        }
        if (!"PROCESSING".equals(p.status)) {
            throw new SandboxProblem(409, "invalid_transition", "The payout is " + p.status);
        }
        settle(p, failureCode);
        return payoutView(p);
    }

    private void settle(Payout p, String failureCode) {
        reserved = reserved.subtract(p.amount);
        p.updatedAt = Instant.now();
        if (failureCode == null) {
            p.status = "PAID";
            p.paidAt = p.updatedAt;
            Executor e = executors.get(p.executorId);
            int year = p.paidAt.atZone(ZoneOffset.UTC).getYear();
            e.paidByYear.merge(year, p.amount, BigDecimal::add);
            if ("SELF_EMPLOYED".equals(e.taxStatus)) {
                p.receiptUrl = receiptBaseUrl + p.id;
            }
        } else {
            available = available.add(p.amount);
            p.status = "FAILED";
            p.failureCode = failureCode;
            p.failureMessage = switch (failureCode) {
                case "INSUFFICIENT_FUNDS" -> "The account had not enough money at settlement";
                case "BANK_REJECTED" -> "The executor's bank refused the transfer";
                case "INVALID_PAYOUT_METHOD" -> "The payout method is not valid";
                case "EXECUTOR_BLOCKED" -> "The executor is blocked";
                default -> "The payout failed";
            };
        }
        emit("payout.updated", payoutView(p));
        if (failureCode == null) {
            Task t = tasks.get(p.taskId);
            if ("ACCEPTED".equals(t.status)) {
                t.status = "PAID";
                t.touch();
                emit("task.updated", taskView(t));
            }
        }
    }

    synchronized ObjectNode getPayout(String clientId, String id) {
        Payout p = payouts.get(id);
        if (p == null || !p.clientId.equals(clientId)) {
            throw new SandboxProblem(404, "payout_not_found", "No such payout");
        }
        return payoutView(p);
    }

    synchronized ObjectNode listPayouts(String clientId, Map<String, String> query) {
        String taskId = query.get("task_id");
        String status = query.get("status");
        return page(payouts.values().stream().filter(p -> p.clientId.equals(clientId))
                .filter(p -> taskId == null || taskId.equals(p.taskId))
                .filter(p -> status == null || status.equals(p.status)).toList(),
                p -> p.updatedAt, p -> p.id, this::payoutView, query);
    }

    synchronized ObjectNode balance() {
        ObjectNode n = json.createObjectNode();
        n.set("available", moneyNode(available));
        n.set("reserved", moneyNode(reserved));
        return n;
    }

    synchronized void setAvailable(BigDecimal amount) {
        available = amount.setScale(2);
    }

    private ObjectNode payoutView(Payout p) {
        ObjectNode n = json.createObjectNode();
        n.put("id", p.id);
        n.put("task_id", p.taskId);
        n.put("executor_id", p.executorId);
        n.set("amount", moneyNode(p.amount));
        n.put("status", p.status);
        n.put("failure_code", p.failureCode);
        n.put("failure_message", p.failureMessage);
        n.put("receipt_url", p.receiptUrl);
        n.put("created_at", p.createdAt.toString());
        n.put("updated_at", p.updatedAt.toString());
        n.put("paid_at", p.paidAt == null ? null : p.paidAt.toString());
        return n;
    }

    /** Every executor with this external id, whichever client made it (for exactly-once checks). */
    synchronized List<ObjectNode> executorsByExternalId(String externalId) {
        return executors.values().stream().filter(e -> externalId.equals(e.externalId)).map(this::executorView).toList();
    }

    synchronized List<ObjectNode> tasksByExternalId(String externalId) {
        return tasks.values().stream().filter(t -> externalId.equals(t.externalId)).map(this::taskView).toList();
    }

    // ---------------------------------------------------------------- events and the ledger

    /**
     * A page of the event log, in the order the events were made. {@code after} (an event id) starts strictly after
     * that event; {@code cursor} (a {@code next_cursor} of an earlier page) goes on where that page ended; neither
     * starts at the beginning. {@code next_cursor} is set exactly when more events follow the page, and is a cursor,
     * not an event id.
     */
    synchronized ObjectNode listEvents(String after, String cursor, String limitParam) {
        int limit = limit(limitParam);
        boolean hasAfter = after != null && !after.isEmpty();
        boolean hasCursor = cursor != null && !cursor.isEmpty();
        if (hasAfter && hasCursor) {
            throw SandboxProblem.invalid("cursor", "give either after or cursor, not both");
        }
        int start = 0;
        if (hasAfter) {
            Integer position = eventIndex.get(after);
            if (position == null) {
                throw SandboxProblem.invalid("after", "not the id of an event in the log");
            }
            start = position + 1;
        } else if (hasCursor) {
            start = eventCursorPosition(cursor);
        }
        ObjectNode n = json.createObjectNode();
        ArrayNode items = n.putArray("items");
        int end = Math.min(events.size(), start + limit);
        for (int i = start; i < end; i++) {
            items.add(eventView(events.get(i)));
        }
        if (end < events.size()) {
            n.put("next_cursor", eventCursor(end));
        } else {
            n.putNull("next_cursor");
        }
        return n;
    }

    /** The opaque token for "the log from this position on". */
    private String eventCursor(int position) {
        return encodeCursor(EVENT_CURSOR_TAG + "|" + Long.toString(logGeneration, 36) + "|" + position);
    }

    private int eventCursorPosition(String cursor) {
        try {
            String[] parts = decodeCursor(cursor).split("\\|", -1);
            if (parts.length == 3 && EVENT_CURSOR_TAG.equals(parts[0])
                    && Long.parseLong(parts[1], 36) == logGeneration) {
                int position = Integer.parseInt(parts[2]);
                if (position >= 0 && position <= events.size()) {
                    return position;
                }
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw SandboxProblem.invalid("cursor", "not a cursor this API gave");
    }

    synchronized int eventCount() {
        return events.size();
    }

    /** Per task, the payouts made and paid, and every breach of "paid once, paid the reward". */
    synchronized ObjectNode ledger() {
        Map<String, List<Payout>> byTask = new LinkedHashMap<>();
        for (Payout p : payouts.values()) {
            byTask.computeIfAbsent(p.taskId, k -> new ArrayList<>()).add(p);
        }
        ObjectNode n = json.createObjectNode();
        ArrayNode rows = n.putArray("tasks");
        ArrayNode violations = n.putArray("violations");
        int paidTasks = 0;
        BigDecimal paidTotal = BigDecimal.ZERO.setScale(2);
        for (Map.Entry<String, List<Payout>> entry : byTask.entrySet()) {
            Task t = tasks.get(entry.getKey());
            long paid = entry.getValue().stream().filter(p -> "PAID".equals(p.status)).count();
            long active = entry.getValue().stream().filter(p -> !"FAILED".equals(p.status)).count();
            ObjectNode row = rows.addObject();
            row.put("task_id", t.id);
            row.put("external_id", t.externalId);
            row.set("reward", moneyNode(t.reward));
            row.put("payouts_created", entry.getValue().size());
            row.put("payouts_paid", paid);
            row.put("payouts_failed", entry.getValue().stream().filter(p -> "FAILED".equals(p.status)).count());
            if (paid > 0) {
                paidTasks++;
            }
            if (paid > 1) {
                violation(violations, t.id, "PAID_MORE_THAN_ONCE", paid + " payouts PAID for one task");
            }
            if (active > 1) {
                violation(violations, t.id, "CONCURRENT_PAYOUTS", active + " payouts not FAILED for one task");
            }
            for (Payout p : entry.getValue()) {
                paidTotal = "PAID".equals(p.status) ? paidTotal.add(p.amount) : paidTotal;
                if (p.amount.compareTo(t.reward) != 0) {
                    violation(violations, t.id, "AMOUNT_MISMATCH",
                            p.id + " is " + p.amount + ", the reward " + t.reward);
                }
            }
        }
        n.put("tasks_paid", paidTasks);
        n.put("payouts_created", payouts.size());
        n.put("payouts_paid", payouts.values().stream().filter(p -> "PAID".equals(p.status)).count());
        n.set("paid_total", moneyNode(paidTotal));
        n.put("executors", executors.size());
        n.put("task_count", tasks.size());
        return n;
    }

    private ObjectNode eventView(Event e) {
        ObjectNode n = json.createObjectNode();
        n.put("id", e.id());
        n.put("type", e.type());
        n.put("created_at", e.createdAt().toString());
        n.set("data", e.data());
        return n;
    }

    private void emit(String type, ObjectNode data) {
        Event event = new Event(nextId("evt_", eventIndex), type, Instant.now(), data.deepCopy());
        eventIndex.put(event.id(), events.size());
        events.add(event);
        eventSink.accept(eventView(event));
    }

    private ObjectNode emitted(String type, ObjectNode view) {
        emit(type, view);
        return view;
    }

    private static void violation(ArrayNode violations, String taskId, String kind, String detail) {
        violations.addObject().put("task_id", taskId).put("kind", kind).put("detail", detail);
    }

    // ---------------------------------------------------------------- helpers

    /** The external_id of a create, or an entry in errors when it is missing or too long. */
    private static String externalId(JsonNode body, List<Map<String, String>> errors) {
        String externalId = text(body, "external_id");
        if (externalId == null || externalId.isBlank() || externalId.length() > 255) {
            errors.add(error("external_id", "required, 1 to 255 characters"));
        }
        return externalId;
    }

    private static void checkVersion(String ifMatch, long version) {
        if (ifMatch == null || ifMatch.isBlank()) {
            throw new SandboxProblem(428, "if_match_required", "PATCH needs If-Match with the current version");
        }
        String given = ifMatch.trim().replace("\"", "").replace("W/", "");
        if (!given.equals(Long.toString(version))) {
            throw new SandboxProblem(412, "version_mismatch", "The current version is " + version);
        }
    }

    /**
     * A new opaque id: the prefix and {@value #ID_LENGTH} random lowercase base36 characters, like MadeTask's. Ids say
     * nothing about order or time, so a client that sorts or compares them is caught here rather than in production.
     */
    private static String nextId(String prefix, Map<String, ?> taken) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (true) {
            StringBuilder id = new StringBuilder(prefix.length() + ID_LENGTH).append(prefix);
            for (int i = 0; i < ID_LENGTH; i++) {
                id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
            }
            String candidate = id.toString();
            if (!taken.containsKey(candidate)) {
                return candidate;
            }
        }
    }

    private <T> ObjectNode page(List<T> all, Function<T, Instant> updatedAt, Function<T, String> id,
            Function<T, ObjectNode> view, Map<String, String> query) {
        int limit = limit(query.get("limit"));
        Instant since = null;
        if (query.get("updated_since") != null) {
            try {
                since = OffsetDateTime.parse(query.get("updated_since")).toInstant();
            } catch (DateTimeParseException e) {
                throw SandboxProblem.invalid("updated_since", "must be an RFC 3339 time");
            }
        }
        Instant afterTime = null;
        String afterId = null;
        if (query.get("cursor") != null) {
            try {
                String[] parts = decodeCursor(query.get("cursor")).split("\\|", 2);
                afterTime = Instant.parse(parts[0]);
                afterId = parts[1];
            } catch (RuntimeException e) {
                throw SandboxProblem.invalid("cursor", "not a cursor this API gave");
            }
        }
        Instant sinceFinal = since;
        Instant afterTimeFinal = afterTime;
        String afterIdFinal = afterId;
        Comparator<T> order = Comparator.comparing(updatedAt).thenComparing(id);
        Predicate<T> afterCursor = x -> afterTimeFinal == null || updatedAt.apply(x).isAfter(afterTimeFinal)
                || (updatedAt.apply(x).equals(afterTimeFinal) && id.apply(x).compareTo(afterIdFinal) > 0);
        List<T> matching = all.stream().filter(x -> sinceFinal == null || !updatedAt.apply(x).isBefore(sinceFinal))
                .filter(afterCursor).sorted(order).toList();
        ObjectNode n = json.createObjectNode();
        ArrayNode items = n.putArray("items");
        matching.stream().limit(limit).forEach(x -> items.add(view.apply(x)));
        if (matching.size() > limit) {
            T last = matching.get(limit - 1);
            n.put("next_cursor", encodeCursor(updatedAt.apply(last) + "|" + id.apply(last)));
        } else {
            n.putNull("next_cursor");
        }
        return n;
    }

    /** Cursors are opaque to clients: their text, base64url without padding. */
    private static String encodeCursor(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The text of a cursor; IllegalArgumentException when it is not base64url. */
    private static String decodeCursor(String cursor) {
        return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    }

    static int limit(String value) {
        if (value == null) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= 500) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw SandboxProblem.invalid("limit", "1 to 500");
    }

    private ObjectNode moneyNode(BigDecimal value) {
        ObjectNode n = json.createObjectNode();
        n.put("amount", value.setScale(2).toPlainString());
        n.put("currency", SandboxRules.RUB);
        return n;
    }

    private static BigDecimal money(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        String amount = text(node, "amount");
        if (!SandboxRules.isAmount(amount) || !SandboxRules.RUB.equals(text(node, "currency"))) {
            return null;
        }
        return new BigDecimal(amount);
    }

    static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value == null || value.isNull() || !value.isValueNode() ? null : value.asText();
    }
}
