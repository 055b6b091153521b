package io.madetask.bridge.payout;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import io.madetask.bridge.common.Money;
import io.madetask.bridge.executor.ExecutorIdentity;

/**
 * The payout registry (реестр выплат) as a file: one row per payout, the same columns in both formats, written as the
 * rows come so that nothing but the current page is ever held. CSV by Jackson's CSV module, xlsx by fastexcel's
 * streaming writer: no quoting or XML of our own.
 */
abstract class PayoutRegistry {

    /** The columns, in order: stable names, documented in docs/api.md. */
    static final List<String> COLUMNS = List.of("payoutId", "madetaskPayoutId", "taskCrmId", "taskMadetaskId",
            "executorCrmId", "executorFullName", "executorInn", "amount", "currency", "status", "failureCode",
            "createdAt", "paidAt", "receiptUrl");

    /** A format of the registry: its media type and file extension. */
    enum Format {
        CSV("text/csv; charset=UTF-8", "csv"),
        XLSX("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx");

        final String mediaType;
        final String extension;

        Format(String mediaType, String extension) {
            this.mediaType = mediaType;
            this.extension = extension;
        }
    }

    static PayoutRegistry of(Format format, OutputStream out) throws IOException {
        return format == Format.CSV ? new Csv(out) : new Xlsx(out, Worksheet.MAX_ROWS);
    }

    /** One payout; {@code executor} is null when the bridge does not know it (the name and ИНН are left empty). */
    abstract void row(PayoutExportStore.Line line, ExecutorIdentity executor) throws IOException;

    /** Hands what was written so far to the stream (once per page). */
    abstract void flush() throws IOException;

    /** Completes the file, after the last row; a file not finished is cut short (the client sees a broken answer). */
    abstract void finish() throws IOException;

    static String amount(BigDecimal amount) {
        return amount.setScale(2, RoundingMode.UNNECESSARY).toPlainString();
    }

    /**
     * CSV (RFC 4180, CRLF line ends), UTF-8 with a byte order mark: Excel opens a CSV without one in the system's
     * legacy code page and garbles Cyrillic; every other reader skips it. Money as {@code 1500.00}, times RFC 3339 in
     * UTC. A text value that a spreadsheet would take for a formula (starting with {@code = + - @}, a tab or a carriage
     * return) is written with a leading {@code '} (CSV injection); the xlsx needs no such care, its text cells are
     * text.
     */
    static final class Csv extends PayoutRegistry {

        private static final CsvMapper MAPPER = new CsvMapper();
        private static final CsvSchema SCHEMA;

        static {
            CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true).setLineSeparator("\r\n");
            COLUMNS.forEach(schema::addColumn);
            SCHEMA = schema.build();
        }

        private final Writer text;
        private final SequenceWriter rows;

        Csv(OutputStream out) throws IOException {
            this.text = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            text.write('\uFEFF');
            this.rows = MAPPER.writer(SCHEMA).writeValues(text);
        }

        @Override
        void row(PayoutExportStore.Line l, ExecutorIdentity e) throws IOException {
            rows.write(new String[] {text(l.id()), text(l.madetaskId()), text(l.taskCrmId()),
                text(l.taskMadetaskId()), text(l.executorCrmId()), e == null ? null : text(e.fullName()),
                e == null ? null : text(e.inn()), amount(l.amount()), Money.RUB, l.status(), text(l.failureCode()),
                time(l.createdAt()), time(l.paidAt()), text(l.receiptUrl())});
        }

        @Override
        void flush() throws IOException {
            rows.flush();
        }

        @Override
        void finish() throws IOException {
            rows.close();
        }

        static String text(String value) {
            if (value == null || value.isEmpty()) {
                return value;
            }
            char first = value.charAt(0);
            return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
                    ? "'" + value : value;
        }

        private static String time(Instant at) {
            return at == null ? null : at.toString();
        }
    }

    /**
     * xlsx by fastexcel: every text an inline string (no shared-string table growing with the rows), the amount a
     * number cell shown with two decimals, the times date cells in UTC ({@code yyyy-mm-dd hh:mm:ss}). Rows go to the
     * stream on each {@link #flush()}. A sheet holds at most {@code rowsPerSheet} rows with its header; more continue
     * on "Payouts 2" and so on.
     */
    static final class Xlsx extends PayoutRegistry {

        private static final String AMOUNT = "0.00";
        private static final String TIME = "yyyy-mm-dd hh:mm:ss";
        private static final double[] WIDTHS = {42, 40, 24, 40, 24, 36, 14, 12, 9, 12, 24, 20, 20, 50};

        private final Workbook workbook;
        private final int rowsPerSheet;
        private Worksheet sheet;
        private int sheets;
        private int r;

        Xlsx(OutputStream out, int rowsPerSheet) {
            this.workbook = new Workbook(out, "MadeTask Bridge", "1.0");
            this.rowsPerSheet = rowsPerSheet;
        }

        @Override
        void row(PayoutExportStore.Line l, ExecutorIdentity e) throws IOException {
            if (sheet == null || r == rowsPerSheet) {
                newSheet();
            }
            text(0, l.id());
            text(1, l.madetaskId());
            text(2, l.taskCrmId());
            text(3, l.taskMadetaskId());
            text(4, l.executorCrmId());
            if (e != null) {
                text(5, e.fullName());
                text(6, e.inn());
            }
            sheet.value(r, 7, l.amount().setScale(2, RoundingMode.UNNECESSARY));
            sheet.style(r, 7).format(AMOUNT).set();
            text(8, Money.RUB);
            text(9, l.status());
            text(10, l.failureCode());
            time(11, l.createdAt());
            time(12, l.paidAt());
            text(13, l.receiptUrl());
            r++;
        }

        private void newSheet() throws IOException {
            if (sheet != null) {
                sheet.finish();
            }
            sheets++;
            sheet = workbook.newWorksheet(sheets == 1 ? "Payouts" : "Payouts " + sheets);
            for (int c = 0; c < COLUMNS.size(); c++) {
                sheet.width(c, WIDTHS[c]);
                sheet.inlineString(0, c, COLUMNS.get(c));
                sheet.style(0, c).bold().set();
            }
            sheet.freezePane(0, 1);
            r = 1;
        }

        private void text(int c, String value) {
            if (value != null) {
                sheet.inlineString(r, c, value);
            }
        }

        private void time(int c, Instant at) {
            if (at != null) {
                sheet.value(r, c, LocalDateTime.ofInstant(at, ZoneOffset.UTC));
                sheet.style(r, c).format(TIME).set();
            }
        }

        @Override
        void flush() throws IOException {
            if (sheet != null) {
                sheet.flush();
            }
        }

        @Override
        void finish() throws IOException {
            if (sheet == null) {
                newSheet();
            }
            sheet.finish();
            workbook.finish();
        }
    }
}
