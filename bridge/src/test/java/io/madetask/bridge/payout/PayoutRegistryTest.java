package io.madetask.bridge.payout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.Row;
import org.dhatim.fastexcel.reader.Sheet;
import org.junit.jupiter.api.Test;

import io.madetask.bridge.executor.ExecutorIdentity;

/** The registry's writers on their own: the sheet rollover of a long xlsx, an empty file, and the CSV's text care. */
class PayoutRegistryTest {

    private static PayoutExportStore.Line line(int i) {
        Instant at = Instant.parse("2031-01-01T00:00:00Z").plusSeconds(i);
        return new PayoutExportStore.Line("po-" + i, "mt-" + i, "t-" + i, null, "ex-1", new BigDecimal("10.00"),
                "PAID", null, null, at, null);
    }

    @Test
    void anXlsxLongerThanASheetContinuesOnTheNextWithItsOwnHeader() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PayoutRegistry file = new PayoutRegistry.Xlsx(out, 4);
        ExecutorIdentity who = new ExecutorIdentity("ex-1", "Пётр Щукин", "7707083893");
        for (int i = 0; i < 7; i++) {
            file.row(line(i), who);
            file.flush();
        }
        file.finish();
        try (ReadableWorkbook book = new ReadableWorkbook(new ByteArrayInputStream(out.toByteArray()))) {
            List<Sheet> sheets = book.getSheets().toList();
            assertThat(sheets).extracting(Sheet::getName).containsExactly("Payouts", "Payouts 2", "Payouts 3");
            List<Row> first = sheets.get(0).read();
            assertThat(first).hasSize(4);
            assertThat(first.get(0).getCellText(0)).isEqualTo("payoutId");
            assertThat(first.get(1).getCellText(5)).isEqualTo("Пётр Щукин");
            assertThat(sheets.get(1).read()).extracting(r -> r.getCellText(0))
                    .containsExactly("payoutId", "po-3", "po-4", "po-5");
            assertThat(sheets.get(2).read()).extracting(r -> r.getCellText(0)).containsExactly("payoutId", "po-6");
        }
    }

    @Test
    void anEmptyRegistryIsAHeaderInBothFormats() throws Exception {
        ByteArrayOutputStream xlsx = new ByteArrayOutputStream();
        PayoutRegistry.of(PayoutRegistry.Format.XLSX, xlsx).finish();
        try (ReadableWorkbook book = new ReadableWorkbook(new ByteArrayInputStream(xlsx.toByteArray()))) {
            assertThat(book.getFirstSheet().read()).hasSize(1);
        }
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        PayoutRegistry.of(PayoutRegistry.Format.CSV, csv).finish();
        assertThat(csv.toString(StandardCharsets.UTF_8)).isEqualTo("\uFEFF" + String.join(",",
                PayoutRegistry.COLUMNS) + "\r\n");
    }

    @Test
    void csvTextThatASpreadsheetWouldRunIsWrittenAsText() {
        assertThat(PayoutRegistry.Csv.text("=1+2")).isEqualTo("'=1+2");
        assertThat(PayoutRegistry.Csv.text("+7 916")).isEqualTo("'+7 916");
        assertThat(PayoutRegistry.Csv.text("-5")).isEqualTo("'-5");
        assertThat(PayoutRegistry.Csv.text("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(PayoutRegistry.Csv.text("Иван = Иван")).isEqualTo("Иван = Иван");
        assertThat(PayoutRegistry.Csv.text("")).isEmpty();
        assertThat(PayoutRegistry.Csv.text(null)).isNull();
    }
}
