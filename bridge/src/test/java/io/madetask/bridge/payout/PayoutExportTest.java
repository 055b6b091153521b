package io.madetask.bridge.payout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.ReadingOptions;
import org.dhatim.fastexcel.reader.Row;
import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.BridgeApi;
import io.madetask.bridge.testing.Bodies;
import io.madetask.bridge.testing.ConnectedSandboxTest;
import io.madetask.bridge.testing.SandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The payout registry (реестр выплат): CSV read back with Commons CSV (another library than wrote it), xlsx with
 * fastexcel's reader; the columns, values, order, Cyrillic and the BOM; the filters; who may export; bad input; the
 * audit; the limit on exports at once; and a client that goes away stopping its export.
 */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class PayoutExportTest extends ConnectedSandboxTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger WINDOWS = new AtomicInteger();
    private static final String HEADER = "payoutId,madetaskPayoutId,taskCrmId,taskMadetaskId,executorCrmId,"
            + "executorFullName,executorInn,amount,currency,status,failureCode,createdAt,paidAt,receiptUrl";

    @Inject
    Pool pool;

    /** Every log record of the application while a test runs: the registry's personal data is never in one. */
    private final List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.logging.Handler capture = new java.util.logging.Handler() {
        @Override
        public void publish(java.util.logging.LogRecord record) {
            StringBuilder line = new StringBuilder(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                    line.append(" | ").append(parameter);
                }
            }
            if (record.getThrown() != null) {
                line.append(" | ").append(record.getThrown());
            }
            logged.add(line.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @org.junit.jupiter.api.BeforeEach
    void captureLogs() {
        capture.setLevel(java.util.logging.Level.ALL);
        java.util.logging.Logger.getLogger("").addHandler(capture);
    }

    /** The tags of the payouts, tasks and executors this class seeded: removed after each test. */
    private final List<String> seeded = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * The seeded rows go when the test ends: the application is shared with other test classes, which would otherwise
     * see a PENDING payout that waits for ever (its task never accepted) or retry a seeded FAILED one.
     */
    @org.junit.jupiter.api.AfterEach
    void removeWhatWasSeeded() {
        for (String tag : seeded) {
            Tuple t = Tuple.of("%-" + tag + "-%");
            sql("delete from payout_attempt where payout_id like $1", t);
            sql("delete from payout_batch_item where task_crm_id like $1", t);
            sql("delete from payout where id like $1", t);
            sql("delete from task where crm_id like $1", t);
            sql("delete from executor where crm_id like $1", t);
        }
        seeded.clear();
    }

    @org.junit.jupiter.api.AfterEach
    void noPersonalDataWasLogged() {
        java.util.logging.Logger.getLogger("").removeHandler(capture);
        assertThat(logged).as("log lines while exporting")
                .noneMatch(l -> l.contains("500100732259") || l.contains("7707083893") || l.contains("Иванова")
                        || l.contains("HYPERLINK") || l.contains("Получатель Реестра"));
    }

    @Inject
    PayoutExport export;

    /** Payouts seeded straight into the database, in a time window no other test uses. */
    private final class Seeded {
        final String tag = UUID.randomUUID().toString().substring(0, 8);
        final Instant start = Instant.parse("2031-01-01T00:00:00Z").plus(Duration.ofDays(7L * WINDOWS.incrementAndGet()));
        final Instant end = start.plus(Duration.ofDays(1));
        final String maria = "xe-" + tag + "-maria";
        final String formula = "xe-" + tag + "-formula";
        final String unknown = "xe-" + tag + "-unknown";

        Seeded() {
            seeded.add(tag);
            sql("""
                    insert into executor (crm_id, full_name, phone, email, inn, tax_status, payout_type, payout_last4,
                                          status, sync_state)
                    values ($1, 'Иванова Мария Петровна', '+79160000001', 'm@example.org', '500100732259',
                            'SELF_EMPLOYED', 'CARD', '1111', 'ACTIVE', 'SYNCED'),
                           ($2, '=HYPERLINK("http://evil")', '+79160000002', 'f@example.org', '7707083893',
                            'INDIVIDUAL', 'CARD', '2222', 'ACTIVE', 'SYNCED')""", Tuple.of(maria, formula));
        }

        /** A payout created {@code minutes} after the window's start; the task is made for it. */
        String payout(String executor, String amount, String status, String failureCode, int minutes, String id) {
            String task = "xt-" + tag + "-" + id;
            sql("insert into task (crm_id, executor_crm_id, title, description, reward) values ($1, $2, 't', 'd', $3)",
                    Tuple.of(task, executor.equals(unknown) ? maria : executor, new BigDecimal(amount)));
            Instant created = start.plus(Duration.ofMinutes(minutes));
            boolean paid = "PAID".equals(status);
            sql("""
                    insert into payout (id, task_crm_id, executor_crm_id, amount, status, idempotency_key, madetask_id,
                                        task_madetask_id, failure_code, receipt_url, created_at, updated_at, paid_at)
                    values ($1, $2, $3, $4, $5, $1 || '-key', $6, $7, $8, $9, $10, $10, $11)""",
                    Tuple.tuple().addString("po-" + tag + "-" + id).addString(task).addString(executor)
                            .addValue(new BigDecimal(amount)).addString(status)
                            .addString("PENDING".equals(status) ? null : "mt-po-" + id)
                            .addString("PENDING".equals(status) ? null : "mt-task-" + id).addString(failureCode)
                            .addString(paid ? "https://receipts.example/" + id : null)
                            .addOffsetDateTime(created.atOffset(ZoneOffset.UTC))
                            .addOffsetDateTime(paid ? created.plusSeconds(90).atOffset(ZoneOffset.UTC) : null));
            return "po-" + tag + "-" + id;
        }

        /** Five payouts: two at the same moment (ordered by id), a failed one, a pending one, one of an unknown executor. */
        Seeded five() {
            payout(maria, "1500", "PAID", null, 10, "b");
            payout(maria, "0.5", "PAID", null, 10, "a");
            payout(formula, "2400000.00", "FAILED", "BANK_REJECTED", 20, "c");
            payout(maria, "99.99", "PENDING", null, 30, "d");
            payout(unknown, "10.00", "PAID", null, 40, "e");
            return this;
        }

        String id(String suffix) {
            return "po-" + tag + "-" + suffix;
        }
    }

    private void sql(String sql, Tuple args) {
        pool.preparedQuery(sql).execute(args).await().atMost(WAIT);
    }

    private Response exportAs(io.restassured.specification.RequestSpecification who, Object... query) {
        for (int i = 0; i < query.length; i += 2) {
            who.queryParam((String) query[i], query[i + 1]);
        }
        return who.get("/api/v1/payouts/export");
    }

    private static List<CSVRecord> csv(byte[] body) throws Exception {
        assertThat(Arrays.copyOf(body, 3)).as("UTF-8 byte order mark").containsExactly(0xEF, 0xBB, 0xBF);
        String text = new String(body, 3, body.length - 3, StandardCharsets.UTF_8);
        try (CSVParser parser = CSVParser.parse(new StringReader(text), CSVFormat.RFC4180)) {
            return parser.getRecords();
        }
    }

    @Test
    void csvHasTheRegistryColumnsAndValuesInCreationOrderWithCyrillicIntactAfterABom() throws Exception {
        Seeded s = new Seeded().five();
        Response answer = exportAs(api.manager(), "from", s.start.toString(), "to", s.end.toString());
        answer.then().statusCode(200).contentType(startsWith("text/csv"))
                .header("Content-Type", equalTo("text/csv; charset=UTF-8"))
                .header("Content-Disposition", equalTo("attachment; filename=\"payouts-" + file(s.start) + "-"
                        + file(s.end) + ".csv\""))
                .header("Cache-Control", equalTo("no-store"));
        List<CSVRecord> rows = csv(answer.asByteArray());
        assertThat(String.join(",", rows.get(0).toList())).isEqualTo(HEADER);
        assertThat(rows).hasSize(6);
        assertThat(rows.subList(1, 6)).extracting(r -> r.get(0))
                .containsExactly(s.id("a"), s.id("b"), s.id("c"), s.id("d"), s.id("e"));
        Instant at10 = s.start.plus(Duration.ofMinutes(10));
        assertThat(rows.get(1).toList()).containsExactly(s.id("a"), "mt-po-a", "xt-" + s.tag + "-a", "mt-task-a",
                s.maria, "Иванова Мария Петровна", "500100732259", "0.50", "RUB", "PAID", "", at10.toString(),
                at10.plusSeconds(90).toString(), "https://receipts.example/a");
        assertThat(rows.get(2).get(7)).isEqualTo("1500.00");
        // a name a spreadsheet would run as a formula is text; the failure and its code are there
        assertThat(rows.get(3).toList()).containsExactly(s.id("c"), "mt-po-c", "xt-" + s.tag + "-c", "mt-task-c",
                s.formula, "'=HYPERLINK(\"http://evil\")", "7707083893", "2400000.00", "RUB", "FAILED",
                "BANK_REJECTED", s.start.plus(Duration.ofMinutes(20)).toString(), "", "");
        assertThat(rows.get(4).toList()).containsExactly(s.id("d"), "", "xt-" + s.tag + "-d", "", s.maria,
                "Иванова Мария Петровна", "500100732259", "99.99", "RUB", "PENDING", "",
                s.start.plus(Duration.ofMinutes(30)).toString(), "", "");
        // an executor the bridge does not know: its name and ИНН are empty, the row is still there
        assertThat(rows.get(5).get(4)).isEqualTo(s.unknown);
        assertThat(rows.get(5).get(5)).isEmpty();
        assertThat(rows.get(5).get(6)).isEmpty();
    }

    private static String file(Instant at) {
        return at.toString().replace("-", "").replace(":", "");
    }

    @Test
    void xlsxReadsBackWithTheSameRowsNumbersAndDates() throws Exception {
        Seeded s = new Seeded().five();
        Response answer = exportAs(api.admin(), "from", s.start.toString(), "to", s.end.toString(), "format", "xlsx");
        answer.then().statusCode(200)
                .header("Content-Type", equalTo("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
                .header("Content-Disposition", equalTo("attachment; filename=\"payouts-" + file(s.start) + "-"
                        + file(s.end) + ".xlsx\""));
        List<Row> rows;
        try (ReadableWorkbook book = new ReadableWorkbook(new ByteArrayInputStream(answer.asByteArray()),
                new ReadingOptions(true, false))) {
            assertThat(book.getSheets().count()).isEqualTo(1);
            assertThat(book.getFirstSheet().getName()).isEqualTo("Payouts");
            rows = book.getFirstSheet().read();
        }
        assertThat(rows).hasSize(6);
        List<String> header = new ArrayList<>();
        for (int c = 0; c < 14; c++) {
            header.add(rows.get(0).getCellText(c));
        }
        assertThat(String.join(",", header)).isEqualTo(HEADER);
        assertThat(rows.subList(1, 6)).extracting(r -> r.getCellText(0))
                .containsExactly(s.id("a"), s.id("b"), s.id("c"), s.id("d"), s.id("e"));
        Row a = rows.get(1);
        assertThat(a.getCellText(5)).isEqualTo("Иванова Мария Петровна");
        assertThat(a.getCellText(6)).isEqualTo("500100732259");
        assertThat(a.getCellAsNumber(7).orElseThrow()).isEqualByComparingTo("0.50");
        assertThat(a.getCell(7).getDataFormatString()).isEqualTo("0.00");
        assertThat(a.getCellText(9)).isEqualTo("PAID");
        LocalDateTime at10 = LocalDateTime.ofInstant(s.start.plus(Duration.ofMinutes(10)), ZoneOffset.UTC);
        assertThat(a.getCellAsDate(11)).contains(at10);
        assertThat(a.getCellAsDate(12)).contains(at10.plusSeconds(90));
        assertThat(a.getCellText(13)).isEqualTo("https://receipts.example/a");
        Row c = rows.get(3);
        assertThat(c.getCellText(5)).as("text, not a formula").isEqualTo("=HYPERLINK(\"http://evil\")");
        assertThat(c.getCellAsNumber(7).orElseThrow()).isEqualByComparingTo("2400000.00");
        assertThat(c.getCellText(10)).isEqualTo("BANK_REJECTED");
        assertThat(c.getOptionalCell(12).map(x -> x.getRawValue()).orElse(null)).isNull();
        assertThat(rows.get(5).getCellText(4)).isEqualTo(s.unknown);
        assertThat(rows.get(5).getOptionalCell(5).map(x -> x.getRawValue()).orElse(null)).isNull();
    }

    @Test
    void filtersAreTheListsFromInclusiveToExclusiveStatusAndExecutor() throws Exception {
        Seeded s = new Seeded().five();
        Instant at10 = s.start.plus(Duration.ofMinutes(10));
        Instant at30 = s.start.plus(Duration.ofMinutes(30));
        assertThat(ids(exportAs(api.manager(), "from", at10.toString(), "to", at30.toString())))
                .containsExactly(s.id("a"), s.id("b"), s.id("c"));
        assertThat(ids(exportAs(api.manager(), "from", s.start.toString(), "to", s.end.toString(), "status", "PAID")))
                .containsExactly(s.id("a"), s.id("b"), s.id("e"));
        assertThat(ids(exportAs(api.manager(), "from", s.start.toString(), "to", s.end.toString(), "status", "PAID",
                "executorCrmId", s.maria))).containsExactly(s.id("a"), s.id("b"));
        assertThat(ids(exportAs(api.manager(), "executorCrmId", s.formula, "to", s.end.toString())))
                .containsExactly(s.id("c"));
        // to is the moment of the request unless given: these were created "later"
        assertThat(ids(exportAs(api.manager(), "executorCrmId", s.formula))).isEmpty();
        // nothing matches: the header alone
        assertThat(ids(exportAs(api.manager(), "from", s.end.toString(), "to", s.end.plusSeconds(1).toString())))
                .isEmpty();
        // a page boundary inside rows of the same moment loses none and repeats none
        assertThat(ids(exportAs(api.manager(), "executorCrmId", s.maria, "format", "csv", "to", s.end.toString())))
                .containsExactly(s.id("a"), s.id("b"), s.id("d"));
    }

    private static List<String> ids(Response answer) throws Exception {
        answer.then().statusCode(200);
        List<CSVRecord> rows = csv(answer.asByteArray());
        return rows.subList(1, rows.size()).stream().map(r -> r.get(0)).toList();
    }

    @Test
    void aRealPayoutIsThereWithBothSidesIdsTheReceiptAndTheExecutorsNameAndInn() throws Exception {
        String executor = api.putExecutor("Получатель Реестра");
        api.awaitSynced("executors", executor);
        sandbox.completeRegistration(api.madetaskId("executors", executor));
        String task = api.putTask(executor, "Для реестра", "1500.00");
        api.awaitSynced("tasks", task);
        sandbox.executorMove(api.madetaskId("tasks", task), "start");
        api.awaitTaskStatus(task, "IN_PROGRESS");
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/executors/" + executor)
                .then().body("payable", equalTo(true)));
        api.manager().contentType(ContentType.JSON).body("{\"status\":\"ACCEPTED\"}")
                .post("/api/v1/tasks/" + task + "/status").then().statusCode(200);
        api.awaitTaskStatus(task, "PAID");
        var payout = api.manager().get("/api/v1/tasks/" + task).then().extract().jsonPath();
        String payoutId = payout.getString("payout.id");
        var view = api.manager().get("/api/v1/payouts/" + payoutId).then().statusCode(200).extract().jsonPath();

        List<CSVRecord> rows = csv(exportAs(api.manager(), "executorCrmId", executor).then().statusCode(200)
                .extract().asByteArray());
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).toList()).containsExactly(payoutId, view.getString("madetaskId"), task,
                api.madetaskId("tasks", task), executor, "Получатель Реестра", Bodies.INN, "1500.00", "RUB", "PAID",
                "", Instant.parse(view.getString("createdAt")).toString(),
                Instant.parse(view.getString("paidAt")).toString(), view.getString("receiptUrl"));
        assertThat(rows.get(1).get(1)).isNotEmpty();
        assertThat(rows.get(1).get(13)).isNotEmpty();
    }

    @Test
    void managerAndAdminMayExportAnExecutorMayNotAndNoTokenIsUnauthorized() {
        exportAs(api.manager(), "status", "PAID", "to", "2000-01-01T00:00:00Z").then().statusCode(200);
        exportAs(api.admin(), "status", "PAID", "to", "2000-01-01T00:00:00Z").then().statusCode(200);
        exportAs(api.executor("crm-ex-1")).then().statusCode(403).contentType(startsWith("application/problem+json"))
                .body("code", equalTo("forbidden"));
        RestAssured.given().get("/api/v1/payouts/export").then().statusCode(401).body("code", equalTo("unauthorized"));
        // the export's path is its own, not a payout's id
        api.manager().get("/api/v1/payouts/no-such-payout").then().statusCode(404);
    }

    @Test
    void theOpenApiDocumentDescribesTheExport() throws Exception {
        var op = new com.fasterxml.jackson.databind.ObjectMapper().readTree(RestAssured.given().accept("application/json")
                .get("/q/openapi").asString()).path("paths").path("/api/v1/payouts/export").path("get");
        assertThat(op.path("responses").path("200").path("content").has("text/csv")).isTrue();
        assertThat(op.path("responses").path("200").path("content")
                .has("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).isTrue();
        assertThat(op.path("responses").path("400").path("content").has("application/problem+json")).isTrue();
        assertThat(op.path("responses").path("429").path("headers").has("Retry-After")).isTrue();
        List<String> params = new ArrayList<>();
        op.path("parameters").forEach(p -> {
            params.add(p.path("name").asText());
            assertThat(p.path("description").asText()).as(p.path("name").asText()).isNotBlank();
        });
        assertThat(params).containsExactlyInAnyOrder("from", "to", "status", "executorCrmId", "format");
    }

    @Test
    void badInputIs400ProblemJsonNamingEachField() {
        exportAs(api.manager(), "format", "pdf", "status", "PAYED", "executorCrmId", "two words").then()
                .statusCode(400).contentType(startsWith("application/problem+json"))
                .body("code", equalTo("validation_failed"))
                .body("errors.field", hasItems("format", "status", "executorCrmId"));
        exportAs(api.manager(), "from", "2031-02-01T00:00:00Z", "to", "2031-01-01T00:00:00Z").then().statusCode(400)
                .body("errors.field", equalTo(List.of("from")));
        // from in the future, to left out (now): as much after to as a to given
        exportAs(api.manager(), "from", "2031-02-01T00:00:00Z").then().statusCode(400)
                .body("errors[0].field", equalTo("from"));
        exportAs(api.manager(), "from", "yesterday").then().statusCode(400).contentType(startsWith("application/problem+json"))
                .body("errors.field", equalTo(List.of("from")));
        exportAs(api.manager(), "to", "2031-13-01T00:00:00Z").then().statusCode(400)
                .body("errors.field", equalTo(List.of("to")));
        // an empty value is no filter (as a form sends it)
        exportAs(api.manager(), "status", "", "executorCrmId", "", "format", "", "to", "2000-01-01T00:00:00Z").then()
                .statusCode(200).header("Content-Type", startsWith("text/csv"));
        // the format's name in any case
        exportAs(api.manager(), "format", "XLSX", "to", "2000-01-01T00:00:00Z").then().statusCode(200)
                .header("Content-Type", startsWith("application/vnd.openxmlformats"));
    }

    @Test
    void theAuditHasEachExportTwiceStartedThenCompletedWithTheFilterAndNoPersonalData() throws Exception {
        Seeded s = new Seeded().five();
        String requestId = "export-audit-" + s.tag;
        exportAs(api.manager().header("X-Request-Id", requestId), "from", s.start.toString(), "to", s.end.toString(),
                "status", "PAID").then().statusCode(200);
        await().atMost(WAIT).untilAsserted(() -> {
            var lines = api.admin().queryParam("entityType", "PAYOUT_EXPORT").queryParam("size", 100)
                    .get("/api/v1/audit").then().statusCode(200).extract().jsonPath();
            List<String> outcomes = new ArrayList<>();
            List<String> details = new ArrayList<>();
            for (int i = 0; i < lines.getList("items").size(); i++) {
                if (requestId.equals(lines.getString("items[" + i + "].requestId"))) {
                    outcomes.add(lines.getString("items[" + i + "].outcome"));
                    details.add(lines.getString("items[" + i + "].detail"));
                    assertThat(lines.getString("items[" + i + "].action")).isEqualTo("payout.export");
                    assertThat(lines.getString("items[" + i + "].actor")).isEqualTo("maria");
                }
            }
            assertThat(outcomes).containsExactlyInAnyOrder("STARTED", "SENT");
            assertThat(details).allMatch(d -> d.startsWith("csv, status PAID, created from " + s.start + " to " + s.end));
            assertThat(details).anyMatch(d -> d.endsWith("; 3 rows"));
            assertThat(details).noneMatch(d -> d.contains("500100732259") || d.contains("Иванова"));
        });
    }

    @Test
    void exportsBeyondTheLimitAre429WithRetryAfterUntilAPlaceIsFree() {
        PayoutExport.Request request = export.check(null, null, null, Instant.parse("2000-01-01T00:00:00Z"), null);
        List<PayoutExport.Run> taken = new ArrayList<>();
        try {
            for (Optional<PayoutExport.Run> run = export.admit(request, "test"); run.isPresent();
                    run = export.admit(request, "test")) {
                taken.add(run.get());
            }
            assertThat(taken).as("the default limit").hasSize(2);
            exportAs(api.manager()).then().statusCode(429).contentType(startsWith("application/problem+json"))
                    .header("Retry-After", equalTo("30")).body("code", equalTo("export_busy"));
        } finally {
            taken.forEach(PayoutExport.Run::requestEnded);
        }
        exportAs(api.manager(), "to", "2000-01-01T00:00:00Z").then().statusCode(200);
    }

    @Test
    void aFailureHalfWayCutsTheAnswerOffInsteadOfEndingItAsIfComplete() throws Exception {
        Seeded s = new Seeded();
        int n = 1500;
        sql("""
                insert into task (crm_id, executor_crm_id, title, description, reward)
                select $1 || g, $2, 't', 'd', 100 from generate_series(1, $3) g""",
                Tuple.of("xt-" + s.tag + "-", s.maria, n));
        // a row the registry cannot write (no amount), on the second page: the first one is sent by then
        sql("alter table payout alter column amount drop not null", Tuple.tuple());
        try {
            sql("""
                    insert into payout (id, task_crm_id, executor_crm_id, amount, status, idempotency_key, created_at)
                    select 'po-' || $1 || g, 'xt-' || $1 || g, $2, case when g = 1200 then null else 100 end, 'PAID',
                           'key-' || $1 || g, $3::timestamptz + g * interval '1 second'
                    from generate_series(1, $4) g""",
                    Tuple.tuple().addString(s.tag + "-").addString(s.maria)
                            .addOffsetDateTime(s.start.atOffset(ZoneOffset.UTC)).addInteger(n));
            String requestId = "export-cut-" + s.tag;
            java.net.http.HttpResponse<InputStream> answer = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + RestAssured.port
                            + "/api/v1/payouts/export?from=" + s.start + "&to=" + s.end))
                            .header("Authorization", "Bearer " + sandbox.devToken("maria", List.of("manager"), null))
                            .header("X-Request-Id", requestId).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            assertThat(answer.statusCode()).isEqualTo(200);
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> answer.body().transferTo(got)))
                    .as("reading an answer cut off").isInstanceOf(java.io.IOException.class);
            String text = got.toString(StandardCharsets.UTF_8);
            assertThat(text).contains(s.id("1000")).doesNotContain(s.id("1500")).doesNotContain("problem");
            await().atMost(WAIT).untilAsserted(() -> {
                var row = pool.preparedQuery("select outcome, detail from audit_entry where request_id = $1"
                        + " and outcome <> 'STARTED'").execute(Tuple.of(requestId)).await().atMost(WAIT);
                assertThat(row.size()).isEqualTo(1);
                assertThat(row.iterator().next().getString("outcome")).isEqualTo("ABORTED");
                assertThat(row.iterator().next().getString("detail")).endsWith("; 1000 rows; failed: NullPointerException");
            });
        } finally {
            sql("delete from payout where amount is null", Tuple.tuple());
            sql("alter table payout alter column amount set not null", Tuple.tuple());
        }
        // the place it held is free again
        exportAs(api.manager(), "to", "2000-01-01T00:00:00Z").then().statusCode(200);
        exportAs(api.manager(), "to", "2000-01-01T00:00:00Z").then().statusCode(200);
    }

    @Test
    void aClientThatGoesAwayMidExportStopsItAndFreesItsPlace() throws Exception {
        Seeded s = new Seeded();
        int n = 20_000;
        sql("""
                insert into task (crm_id, executor_crm_id, title, description, reward)
                select $1 || g, $2, 't', 'd', 100 from generate_series(1, $3) g""",
                Tuple.of("xt-" + s.tag + "-", s.maria, n));
        sql("""
                insert into payout (id, task_crm_id, executor_crm_id, amount, status, idempotency_key, madetask_id,
                                    created_at, paid_at, receipt_url)
                select 'po-' || $1 || g, 'xt-' || $1 || g, $2, 100 + g % 900, 'PAID', 'key-' || $1 || g, 'mt-' || g,
                       $3::timestamptz + g * interval '1 second', $3::timestamptz + g * interval '1 second',
                       'https://receipts.example/' || g
                from generate_series(1, $4) g""",
                Tuple.tuple().addString(s.tag + "-").addString(s.maria).addOffsetDateTime(s.start.atOffset(ZoneOffset.UTC))
                        .addInteger(n));
        String requestId = "export-gone-" + s.tag;
        String token = sandbox.devToken("maria", List.of("manager"), null);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("localhost", RestAssured.port));
            OutputStream request = socket.getOutputStream();
            request.write(("GET /api/v1/payouts/export?from=" + s.start + "&to=" + s.end + " HTTP/1.1\r\n"
                    + "Host: localhost\r\nAuthorization: Bearer " + token + "\r\nX-Request-Id: " + requestId
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            request.flush();
            InputStream answer = socket.getInputStream();
            byte[] first = answer.readNBytes(2048);
            assertThat(new String(first, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
        }
        await().atMost(WAIT).untilAsserted(() -> {
            var row = pool.preparedQuery("select outcome, detail from audit_entry where request_id = $1 and outcome <> 'STARTED'")
                    .execute(Tuple.of(requestId)).await().atMost(WAIT);
            assertThat(row.size()).isEqualTo(1);
            var line = row.iterator().next();
            assertThat(line.getString("outcome")).isEqualTo("ABORTED");
            long rows = Long.parseLong(line.getString("detail").replaceAll(".*; (\\d+) rows.*", "$1"));
            assertThat(rows).as("rows read before the export stopped").isLessThan(n);
            System.out.println("EXPORT STOPPED by the client going away: " + line.getString("detail"));
        });
        // both places are free again
        PayoutExport.Request request = export.check(null, null, null, Instant.parse("2000-01-01T00:00:00Z"), null);
        List<PayoutExport.Run> taken = new ArrayList<>();
        try {
            for (Optional<PayoutExport.Run> run = export.admit(request, "test"); run.isPresent();
                    run = export.admit(request, "test")) {
                taken.add(run.get());
            }
            assertThat(taken).hasSize(2);
        } finally {
            taken.forEach(PayoutExport.Run::requestEnded);
        }
    }
}
