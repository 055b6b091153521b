package io.madetask.sandbox;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;


/**
 * The sandbox's fault knobs, read and changed at run time through {@code GET/PUT /sandbox/faults}. A PUT changes only
 * the fields it names. Rates are probabilities from 0 to 1, applied to each {@code /api/v1} request.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
@JsonIgnoreProperties(ignoreUnknown = false)
public final class SandboxFaults {

    private static final ObjectMapper COPIER = new ObjectMapper();

    /** Added latency on every API answer, in milliseconds. */
    public long latencyMs = 0;
    /** Up to this many milliseconds more, drawn uniformly per request. */
    public long jitterMs = 0;
    /**
     * Share of requests answered with 500, 502, 503 or 504 (not applied). A 503 carries
     * {@code Retry-After: }{@link #retryAfterSeconds}, as MadeTask's do.
     */
    public double errorRate = 0;
    /**
     * Share of requests answered with 503 {@code service_unavailable} and
     * {@code Retry-After: }{@link #retryAfterSeconds} (not applied): MadeTask shedding load, apart from the generic
     * {@link #errorRate}.
     */
    public double unavailableRate = 0;
    /** The {@code Retry-After} seconds of every 503 the sandbox answers. */
    public int retryAfterSeconds = 1;
    /** Share of requests that never get an answer: held for {@link #timeoutHangMs}, then the connection is closed (not applied). */
    public double timeoutRate = 0;
    /** How long a timed-out request is held before its connection is closed. */
    public long timeoutHangMs = 30_000;
    /** Share of requests that are applied but whose answer is lost (the connection is closed instead). */
    public double lostAnswerRate = 0;
    /** Whether the per-client token bucket is on. */
    public boolean rateLimitEnabled = true;
    /** Token bucket refill rate, requests per second. */
    public double rateLimitPerSecond = 100;
    /** Token bucket size. */
    public int rateLimitBurst = 100;
    /** Base delay before a PROCESSING payout settles. */
    public long settlementDelayMs = 1_000;
    /** Up to this many milliseconds more, drawn per payout. */
    public long settlementJitterMs = 1_000;
    /** Share of payouts that settle as FAILED. */
    public double payoutFailureRate = 0;
    /** The failure code of payouts that fail. */
    public String payoutFailureCode = "BANK_REJECTED";
    /** Whether events are POSTed to the webhook URL at all (off: only {@code GET /api/v1/events} tells). */
    public boolean webhooksEnabled = true;
    /** Share of events delivered twice. */
    public double webhookDuplicateRate = 0;
    /** Share of events held back for a random time up to {@link #webhookReorderMaxDelayMs}, so they arrive out of order. */
    public double webhookReorderRate = 0;
    /** Longest hold-back of a reordered event, in milliseconds. */
    public long webhookReorderMaxDelayMs = 2_000;
    /** First retry delay of a failed delivery; doubles each time up to {@link #webhookRetryMaxMs}. */
    public long webhookRetryBaseMs = 1_000;
    /** Longest retry delay of a failed delivery (MadeTask: 1 hour). */
    public long webhookRetryMaxMs = 3_600_000;
    /** A failing event is retried this long after its first delivery (MadeTask: 3 days), then dropped. */
    public long webhookGiveUpAfterMs = 259_200_000;
    /** A delivery whose answer has not fully come after this many milliseconds is cut off and counts as failed. */
    public long webhookTimeoutMs = 10_000;
    /**
     * Whether a task that already has a payout not {@code FAILED} refuses another under a new Idempotency-Key with
     * 409 {@code payout_exists}, as MadeTask does (on by default). Off, the sandbox plays a platform without that
     * guard, so that a client that pays twice is not saved by the platform but caught: the second payout is created
     * and settles like the first, and a task its first payout already made {@code PAID} takes it too (the
     * {@code ACCEPTED} check then lets {@code PAID} through; without that, the usual retry after the first payout
     * settled would be refused as {@code task_not_accepted} and the double payment hidden). The ledger shows
     * {@code PAID_MORE_THAN_ONCE} (and {@code CONCURRENT_PAYOUTS} while both are open). Same-key replays still replay.
     */
    public boolean refuseSecondPayout = true;
    /**
     * Faults applied, in order, to the next API requests before any random one: ERROR_500, ERROR_502, ERROR_503,
     * ERROR_504, UNAVAILABLE (503 {@code service_unavailable}), TIMEOUT, LOST_ANSWER, RATE_LIMITED.
     */
    public List<String> scripted = new ArrayList<>();
    /** When set, random and scripted faults touch only requests whose "METHOD /path" matches this regular expression. */
    public String faultPathRegex;

    /**
     * A copy to change without touching the knobs in force: every knob, through the same mapping as
     * {@code GET/PUT /sandbox/faults}, so a new knob is copied without being listed again here.
     */
    public SandboxFaults copy() {
        return COPIER.convertValue(COPIER.<JsonNode>valueToTree(this), SandboxFaults.class);
    }
}
