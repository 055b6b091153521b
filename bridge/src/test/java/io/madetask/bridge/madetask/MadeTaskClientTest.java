package io.madetask.bridge.madetask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.madetask.bridge.common.Money;
import io.madetask.bridge.testing.NoBackgroundWork;
import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.SandboxTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.Multi;

/**
 * The MadeTask client against the sandbox with its fault knobs: what reaches MadeTask, how often, and what the caller
 * sees, with the production fault-tolerance settings.
 */
@QuarkusTest
@TestProfile(NoBackgroundWork.class)
@WithTestResource(SandboxResource.class)
class MadeTaskClientTest extends SandboxTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    MadeTaskClient client;

    @BeforeEach
    void resetSandboxAndBreaker() {
        resetSandbox();
    }

    @Test
    void lostAnswerFollowedByRetryCreatesOneExecutorNotTwo() {
        faults(f -> f.scripted = List.of("LOST_ANSWER"));

        MadeTaskModel.Executor created = client.createExecutor(executor("crm-lost"), "key-" + UUID.randomUUID())
                .await().atMost(WAIT);

        assertThat(created.externalId()).isEqualTo("crm-lost");
        assertThat(created.status()).isEqualTo("INVITED");
        assertThat(executorsWithExternalId("crm-lost")).hasSize(1);
        assertThat(sandbox.counter("faults_lost_answer")).isEqualTo(1);
        assertThat(sandbox.counter("idempotent_replays")).isEqualTo(1);
        assertThat(sandbox.counter("status_201")).isEqualTo(1);
    }

    @Test
    void serverErrorsTimeoutsAndLostAnswersAreRetriedWithTheSameKeyAndActOnce() {
        faults(f -> {
            f.scripted = List.of("ERROR_502", "TIMEOUT", "LOST_ANSWER");
            f.timeoutHangMs = 4_000;
        });

        MadeTaskModel.Executor created = client.createExecutor(executor("crm-faults"), "key-" + UUID.randomUUID())
                .await().atMost(WAIT);

        assertThat(created.externalId()).isEqualTo("crm-faults");
        assertThat(executorsWithExternalId("crm-faults")).hasSize(1);
        assertThat(sandbox.counter("faults_error")).isEqualTo(1);
        assertThat(sandbox.counter("faults_timeout")).isEqualTo(1);
        assertThat(sandbox.counter("faults_lost_answer")).isEqualTo(1);
        assertThat(sandbox.counter("status_201")).isEqualTo(1);
        assertThat(sandbox.counter("idempotent_replays")).isEqualTo(1);
    }

    @Test
    void rateLimitedCallWaitsOutRetryAfterAndSucceeds() {
        faults(f -> {
            f.rateLimitPerSecond = 1;
            f.rateLimitBurst = 1;
        });
        client.balance().await().atMost(WAIT);

        long started = System.nanoTime();
        MadeTaskModel.Balance balance = client.balance().await().atMost(WAIT);
        long waitedMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(balance.available().amount()).isEqualTo("100000000.00");
        assertThat(sandbox.counter("rate_limited")).isEqualTo(1);
        assertThat(waitedMs).as("Retry-After: 1 is waited out").isGreaterThanOrEqualTo(1_000);
        assertThat(sandbox.counter("status_200")).isEqualTo(2);
    }

    @Test
    void madeTaskFailingEveryCallOpensTheBreakerWithinSecondsAndStopsCallingIt() throws InterruptedException {
        faults(f -> f.errorRate = 1.0);

        // Production window: 20 calls, half of them failed after all their retries.
        long started = System.nanoTime();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        Multi.createFrom().range(0, 20).onItem().transformToUni(i -> client.balance().replaceWithVoid()
                .onFailure().invoke(failures::add).onFailure().recoverWithNull()).merge(20)
                .collect().asList().await().atMost(WAIT);
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        System.out.printf("BREAKER: 20 concurrent calls to a MadeTask that fails everything: OPEN after %d s, "
                + "%d requests%n", seconds, sandbox.counter("requests"));
        assertThat(failures).hasSize(20);
        assertThat(client.breakerState()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(client.acceptingCalls()).as("work queues stop claiming").isFalse();
        assertThat(seconds).as("each call gives up after its retries, well within 10 s").isLessThan(10);
        long requests = sandbox.counter("requests");

        assertThatThrownBy(() -> client.balance().await().atMost(WAIT))
                .isInstanceOf(MadeTaskException.CircuitOpen.class);
        assertThat(sandbox.counter("requests")).as("an open breaker does not call MadeTask").isEqualTo(requests);

        faults(f -> f.errorRate = 0);
        Thread.sleep(10_500); // the production delay
        assertThat(client.acceptingCalls()).as("trial calls may go once the delay is over").isTrue();
        assertThat(client.balance().await().atMost(WAIT).available().amount()).isEqualTo("100000000.00");
        assertThat(client.balance().await().atMost(WAIT).available().amount()).isEqualTo("100000000.00");
        assertThat(client.breakerState()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aThirdOfCallsFailingTransientlySlowsCallsDownButNeverTripsTheBreaker() {
        faults(f -> {
            f.errorRate = 0.25;
            f.lostAnswerRate = 0.10;
        });

        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        Multi.createFrom().range(0, 100).onItem().transformToUni(i -> client.balance().replaceWithVoid()
                .onFailure().invoke(failures::add).onFailure().recoverWithNull()).merge(10)
                .collect().asList().await().atMost(Duration.ofMinutes(2));

        assertThat(sandbox.counter("faults_error") + sandbox.counter("faults_lost_answer"))
                .as("faults were injected").isGreaterThan(20);
        assertThat(client.breakerState()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(failures).as("retries get past 35 %% transient faults").hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void refusedTokenIsRenewedAndTheCallTriedOnceMore() {
        client.balance().await().atMost(WAIT);
        long issued = sandbox.counter("tokens_issued");
        long fetched = client.tokensFetched();

        sandbox.expireTokens();
        MadeTaskModel.Balance balance = client.balance().await().atMost(WAIT);

        assertThat(balance.reserved().amount()).isEqualTo("0.00");
        assertThat(sandbox.counter("unauthorized")).isEqualTo(1);
        assertThat(sandbox.counter("tokens_issued")).isEqualTo(issued + 1);
        assertThat(client.tokensFetched()).isEqualTo(fetched + 1);
    }

    @Test
    void tokenIsReusedWhileValid() {
        client.balance().await().atMost(WAIT);
        long issued = sandbox.counter("tokens_issued");

        client.balance().await().atMost(WAIT);
        client.balance().await().atMost(WAIT);

        assertThat(sandbox.counter("tokens_issued")).isEqualTo(issued);
    }

    @Test
    void duplicateExternalIdBecomesConflictWithTheExistingIdAndIsNotRetried() {
        MadeTaskModel.Executor first = client.createExecutor(executor("crm-dup"), "key-" + UUID.randomUUID())
                .await().atMost(WAIT);

        assertThatThrownBy(() -> client.createExecutor(executor("crm-dup"), "key-" + UUID.randomUUID())
                .await().atMost(WAIT))
                .isInstanceOfSatisfying(MadeTaskException.Conflict.class, e -> {
                    assertThat(e.code()).isEqualTo("duplicate_external_id");
                    assertThat(e.existingId()).contains(first.id());
                });
        assertThat(sandbox.counter("requests")).isEqualTo(2);
    }

    @Test
    void businessRefusalsBecomeTypedExceptions() {
        MadeTaskModel.Executor executor = client.createExecutor(executor("crm-refusals"), "key-" + UUID.randomUUID())
                .await().atMost(WAIT);
        MadeTaskModel.Task task = client.createTask(new MadeTaskModel.TaskCreate("task-refusals", executor.id(),
                "Translate a contract", "Ten pages", Money.rub("1500.00"), null), "key-" + UUID.randomUUID())
                .await().atMost(WAIT);

        assertThatThrownBy(() -> client.getExecutor("ex_missing").await().atMost(WAIT))
                .isInstanceOfSatisfying(MadeTaskException.NotFound.class,
                        e -> assertThat(e.code()).isEqualTo("executor_not_found"));
        assertThatThrownBy(() -> client.createPayout(new MadeTaskModel.PayoutCreate(task.id(), Money.rub("1500.00"),
                null), "key-" + UUID.randomUUID()).await().atMost(WAIT))
                .isInstanceOfSatisfying(MadeTaskException.Conflict.class,
                        e -> assertThat(e.code()).isEqualTo("task_not_accepted"));
        assertThatThrownBy(() -> client.transitionTask(task.id(), new MadeTaskModel.Transition("REJECTED", null),
                "key-" + UUID.randomUUID()).await().atMost(WAIT))
                .isInstanceOfSatisfying(MadeTaskException.Conflict.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_transition"));
        assertThatThrownBy(() -> client.patchTask(task.id(), 99, new MadeTaskModel.TaskPatch("New title", null, null,
                null)).await().atMost(WAIT))
                .isInstanceOf(MadeTaskException.VersionMismatch.class);
        assertThat(client.breakerState()).as("refusals are answers, not failures").isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void acceptedTaskIsPaidThroughTheClient() {
        MadeTaskModel.Executor executor = client.createExecutor(executor("crm-paid"), "key-" + UUID.randomUUID())
                .await().atMost(WAIT);
        sandbox.completeRegistration(executor.id());
        MadeTaskModel.Task task = client.createTask(new MadeTaskModel.TaskCreate("task-paid", executor.id(),
                "Design a logo", "Three drafts", Money.rub("2500.50"), "2026-12-31T18:00:00Z"), "key-" + UUID.randomUUID())
                .await().atMost(WAIT);
        sandbox.executorMove(task.id(), "start");
        client.transitionTask(task.id(), new MadeTaskModel.Transition("ACCEPTED", "Looks good"), "key-" + UUID.randomUUID())
                .await().atMost(WAIT);

        MadeTaskModel.Payout payout = client.createPayout(new MadeTaskModel.PayoutCreate(task.id(),
                Money.rub("2500.50"), "Logo"), "payout-" + task.id()).await().atMost(WAIT);

        assertThat(payout.status()).isEqualTo("PROCESSING");
        assertThat(payout.amount()).isEqualTo(Money.rub("2500.50"));
        assertThat(client.listPayouts(new MadeTaskModel.ListQuery(null, null, null, task.id(), null, null))
                .await().atMost(WAIT).items()).extracting(MadeTaskModel.Payout::id).containsExactly(payout.id());
        assertThat(client.events(null, null, 500).await().atMost(WAIT).items())
                .extracting(MadeTaskModel.Event::type).contains("executor.updated", "task.updated", "payout.updated");
    }

    private List<MadeTaskModel.Executor> executorsWithExternalId(String externalId) {
        return client.listExecutors(new MadeTaskModel.ListQuery(null, externalId, null, null, null, null))
                .await().atMost(WAIT).items();
    }

    static MadeTaskModel.ExecutorCreate executor(String externalId) {
        return new MadeTaskModel.ExecutorCreate(externalId, "Иван Петров", "+79161234567", "ivan@example.com",
                "500100732259", "SELF_EMPLOYED", MadeTaskModel.PayoutMethod.card("4111111111111111"));
    }
}
