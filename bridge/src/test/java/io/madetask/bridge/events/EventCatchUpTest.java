package io.madetask.bridge.events;

import io.madetask.bridge.madetask.MadeTaskClient;
import io.madetask.bridge.madetask.MadeTaskModel;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.NoBackgroundWork;
import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.SandboxTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The catch-up reads MadeTask's whole event log, page after page by {@code next_cursor}, however its ids look: more
 * than ten pages of 500, every event taken once, and a catch-up that starts again from an earlier position (a crash
 * between storing a page and moving the cursor) takes nothing twice. Only one page is in memory at a time. (Background
 * work is off here, so the test drives the catch-up and the stored events stay as stored.)
 */
@QuarkusTest
@WithTestResource(SandboxResource.class)
@TestProfile(NoBackgroundWork.class)
class EventCatchUpTest extends SandboxTest {

    private static final Duration WAIT = Duration.ofMinutes(2);

    @Inject
    MadeTaskClient client;

    @Inject
    EventInbox events;

    @Inject
    Pool pool;

    @Test
    void catchUpFollowsTheCursorAcrossManyPagesAndTakesEveryEventOnce() {
        sandbox.configureWebhook(null, null);
        int before = log().size();
        String tag = UUID.randomUUID().toString().substring(0, 6);
        for (int bulk = 0; bulk < 11; bulk++) {
            List<MadeTaskModel.ExecutorCreate> items = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                items.add(new MadeTaskModel.ExecutorCreate("cu-" + tag + "-" + bulk + "-" + i, "Иван Петров",
                        "+79161234567", "ivan@example.com", "500100732259", "SELF_EMPLOYED",
                        MadeTaskModel.PayoutMethod.card("4111111111111111")));
            }
            client.createExecutors(items, "cu-" + tag + "-" + bulk).await().atMost(WAIT);
        }
        int total = log().size();
        assertThat(total - before).as("events made").isGreaterThanOrEqualTo(5_500);

        Runtime runtime = Runtime.getRuntime();
        long usedBefore = runtime.totalMemory() - runtime.freeMemory();
        long requestsBefore = sandbox.counter("requests");
        int taken = events.catchUp().await().atMost(WAIT);
        long requests = sandbox.counter("requests") - requestsBefore;
        long usedAfter = runtime.totalMemory() - runtime.freeMemory();
        System.out.printf("CATCH-UP: %d events in %d pages read with %d requests; heap %d MB -> %d MB%n", taken,
                (total + 499) / 500, requests, usedBefore >> 20, usedAfter >> 20);

        assertThat(taken).as("every event of the log, once").isEqualTo(total);
        assertThat(count("select count(*) from processed_event")).isEqualTo(total);
        assertThat(count("select count(distinct event_id) from processed_event")).isEqualTo(total);
        assertThat(requests).as("each page read once (no page read again and again)")
                .isLessThanOrEqualTo((total + 499) / 500 + 1);
        String lastId = pool.query("select last_event_id from madetask_event_cursor").execute().await()
                .atMost(WAIT).iterator().next().getString(0);
        List<String> log = log();
        assertThat(lastId).as("the cursor stands at the log's last event").isEqualTo(log.get(log.size() - 1));

        // Nothing new: nothing taken. From an earlier position (a crash before the cursor moved): nothing taken twice.
        assertThat(events.catchUp().await().atMost(WAIT)).isZero();
        String middle = pool.query("select event_id from processed_event order by seq offset 2000 limit 1").execute()
                .await().atMost(WAIT).iterator().next().getString(0);
        pool.preparedQuery("update madetask_event_cursor set last_event_id = $1").execute(Tuple.of(middle)).await()
                .atMost(WAIT);
        assertThat(events.catchUp().await().atMost(WAIT)).isZero();
        assertThat(count("select count(*) from processed_event")).isEqualTo(total);
        assertThat(count("select count(*) from processed_event where status = 'PENDING'"))
                .as("stored for the inbox to apply").isEqualTo(total);
    }

    /** Every event id of MadeTask's log, in order, read page by page as any client would. */
    private List<String> log() {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            MadeTaskModel.Page<MadeTaskModel.Event> page = client.events(null, cursor, 500).await().atMost(WAIT);
            page.items().forEach(e -> ids.add(e.id()));
            cursor = page.nextCursor();
        } while (cursor != null);
        return ids;
    }

    private long count(String sql) {
        return pool.query(sql).execute().await().atMost(WAIT).iterator().next().getLong(0);
    }
}
