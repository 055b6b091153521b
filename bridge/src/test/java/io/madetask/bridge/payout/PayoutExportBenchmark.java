package io.madetask.bridge.payout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.BridgeProcess;
import io.madetask.bridge.testing.ServerDatabase;
import io.madetask.bridge.testing.StandaloneSandbox;
import io.madetask.sandbox.SandboxFaults;

/**
 * The payout registry of 100,000 payouts (seeded with SQL, 1000 executors with Cyrillic names) downloaded from the
 * packaged bridge (its own process, default settings, -Xmx512m as every process test), as CSV and as xlsx, and of
 * 10,000 of them for comparison. Prints, for each: time to the answer's headers, to its first body byte and to its
 * last, the bytes and rows, and the bridge's resident memory before and its peak during the download (VmHWM, reset
 * before each download through /proc/PID/clear_refs). Flat memory shows as peaks that do not grow with the rows: the
 * 100,000-row download runs twice, the second after the heap has been touched all over.
 * Not a test: run it with
 * {@code ./mvnw verify -pl bridge -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=PayoutExportBenchmark}
 * ({@code -Dbench.export-rows=...} for another size).
 */
class PayoutExportBenchmark {

    private static final int ROWS = Integer.getInteger("bench.export-rows", 100_000);
    private static final int SMALL = Math.min(10_000, ROWS);
    private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void registryOf100000PayoutsStreamsWithFlatMemory() throws Exception {
        try (StandaloneSandbox standalone = new StandaloneSandbox(new SandboxFaults());
                ServerDatabase db = new ServerDatabase();
                BridgeProcess bridge = new BridgeProcess("bench-export", standalone.sandbox, db, Map.of())) {
            bridge.start();
            long seeding = System.nanoTime();
            seed(db, ROWS);
            System.out.printf("%nPAYOUT REGISTRY BENCHMARK: %d payouts seeded in %.1f s; bridge RSS after start %d MiB%n",
                    ROWS, (System.nanoTime() - seeding) / 1e9, bridge.rssMib());
            String token = standalone.sandbox.devToken("maria", List.of("manager"), null);
            HttpClient http = HttpClient.newHttpClient();
            // warm-up: both formats once, so that both JVMs have compiled the paths the measured runs take
            download(http, bridge, token, "csv", SMALL);
            download(http, bridge, token, "xlsx", SMALL);
            for (String format : List.of("csv", "xlsx")) {
                // the large one twice: its second peak is the steady state once the heap has been touched all over
                for (int rows : ROWS == SMALL ? List.of(ROWS) : List.of(SMALL, ROWS, ROWS)) {
                    Result r = download(http, bridge, token, format, rows);
                    assertThat(r.rows).as("rows in the %s file", format).isEqualTo(rows);
                    System.out.printf("  %-4s %,7d rows: headers %4d ms, first byte %4d ms, last byte %6d ms; %,11d bytes"
                            + " (%.1f MB/s); bridge RSS before %d MiB, peak during %d MiB%s%n", format, r.rows,
                            r.headersMs, r.firstByteMs, r.lastByteMs, r.bytes, r.bytes / 1e6 / (r.lastByteMs / 1e3),
                            r.rssBefore, r.peak, r.peakReset ? "" : " (peak since start: clear_refs refused)");
                }
            }
            // the export is a meter label of its own, not a payout's {id}
            String metrics = io.restassured.RestAssured.given().baseUri(bridge.managementUrl()).get("/q/metrics")
                    .asString();
            List<String> exportMeters = metrics.lines().filter(l -> l.startsWith("http_server_requests_seconds_count")
                    && l.contains("/api/v1/payouts")).toList();
            System.out.println("  " + String.join("\n  ", exportMeters));
            assertThat(exportMeters).anyMatch(l -> l.contains("uri=\"/api/v1/payouts/export\""))
                    .noneMatch(l -> l.contains("uri=\"/api/v1/payouts/{id}\""));
            System.out.printf("  bridge peak RSS since the last reset %d MiB; machine load average %s%n",
                    bridge.peakRssMib(), Files.readString(Path.of("/proc/loadavg")).trim());
        }
    }

    private record Result(long rows, long bytes, long headersMs, long firstByteMs, long lastByteMs, long rssBefore,
            long peak, boolean peakReset) {
    }

    private static Result download(HttpClient http, BridgeProcess bridge, String token, String format, int rows)
            throws Exception {
        boolean reset = resetPeak(bridge.pid());
        long before = bridge.rssMib();
        Instant to = BASE.plusSeconds(rows + 1L);
        HttpRequest request = HttpRequest.newBuilder(URI.create(bridge.baseUrl() + "/api/v1/payouts/export?format="
                + format + "&from=" + BASE + "&to=" + to)).header("Authorization", "Bearer " + token).build();
        Path file = Files.createTempFile("registry-", "." + format);
        try {
            long started = System.nanoTime();
            HttpResponse<InputStream> answer = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            long headers = System.nanoTime();
            assertThat(answer.statusCode()).isEqualTo(200);
            long first = 0;
            AtomicLong bytes = new AtomicLong();
            long lines = 0;
            try (InputStream in = answer.body(); OutputStream out = Files.newOutputStream(file)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) > 0;) {
                    if (first == 0) {
                        first = System.nanoTime();
                    }
                    bytes.addAndGet(n);
                    out.write(buffer, 0, n);
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            lines++;
                        }
                    }
                }
            }
            long last = System.nanoTime();
            long peak = bridge.peakRssMib();
            long counted;
            if ("csv".equals(format)) {
                counted = lines - 1;
            } else {
                try (ReadableWorkbook book = new ReadableWorkbook(file.toFile());
                        var stream = book.getFirstSheet().openStream()) {
                    counted = stream.count() - 1;
                }
            }
            return new Result(counted, bytes.get(), (headers - started) / 1_000_000, (first - started) / 1_000_000,
                    (last - started) / 1_000_000, before, peak, reset);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Resets the process's peak resident memory (VmHWM) to its current RSS (Linux, the process's owner). */
    private static boolean resetPeak(long pid) {
        try {
            Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** 1000 executors, a task and a payout per row: mostly PAID with a receipt, every 10th FAILED, every 25th PENDING. */
    private static void seed(ServerDatabase db, int rows) throws Exception {
        db.execute("""
                insert into executor (crm_id, full_name, phone, email, inn, tax_status, payout_type, payout_last4,
                                      status, sync_state)
                select 'bx-' || g, 'Исполнитель Тестовый № ' || g, '+7916' || lpad(g::text, 7, '0'),
                       'bx' || g || '@example.org', lpad((500100000000 + g)::text, 12, '0'), 'SELF_EMPLOYED', 'CARD',
                       '1111', 'ACTIVE', 'SYNCED'
                from generate_series(1, 1000) g""");
        db.execute("""
                insert into task (crm_id, executor_crm_id, title, description, reward)
                select 'bt-' || g, 'bx-' || (1 + mod(g, 1000)), 'Задача ' || g, 'd', 100 + mod(g, 900)
                from generate_series(1, %d) g""".formatted(rows));
        db.execute("""
                insert into payout (id, task_crm_id, executor_crm_id, amount, status, idempotency_key, madetask_id,
                                    task_madetask_id, failure_code, receipt_url, created_at, updated_at, paid_at)
                select 'po-bench-' || g, 'bt-' || g, 'bx-' || (1 + mod(g, 1000)), (100 + mod(g, 900)) + (mod(g, 100)) / 100.0,
                       case when mod(g, 25) = 0 then 'PENDING' when mod(g, 10) = 0 then 'FAILED' else 'PAID' end,
                       'bench-key-' || g,
                       case when mod(g, 25) = 0 then null else 'mt-po-' || g end,
                       case when mod(g, 25) = 0 then null else 'mt-task-' || g end,
                       case when mod(g, 25) <> 0 and mod(g, 10) = 0 then 'BANK_REJECTED' end,
                       case when mod(g, 25) <> 0 and mod(g, 10) <> 0 then 'https://receipts.example/' || g end,
                       timestamptz '%2$s' + g * interval '1 second', timestamptz '%2$s' + g * interval '1 second',
                       case when mod(g, 25) <> 0 and mod(g, 10) <> 0 then timestamptz '%2$s' + g * interval '1 second'
                            + interval '90 seconds' end
                from generate_series(1, %1$d) g""".formatted(rows, BASE));
        db.execute("analyze payout");
    }
}
