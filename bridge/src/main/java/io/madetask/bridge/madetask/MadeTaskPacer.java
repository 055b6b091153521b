package io.madetask.bridge.madetask;

import java.time.Duration;

/**
 * Keeps the bridge under MadeTask's rate limit instead of spending its time in 429s: a generic cell rate algorithm
 * (a token bucket seen from the sender) that hands out start times, so callers wait without blocking a thread.
 */
final class MadeTaskPacer {

    private final long intervalNanos;
    private final long toleranceNanos;
    private long theoreticalArrival;

    /**
     * @param ratePerSecond calls per second; 0 or less turns pacing off
     * @param burst         calls that may go at once after a quiet spell
     */
    MadeTaskPacer(double ratePerSecond, int burst) {
        this.intervalNanos = ratePerSecond <= 0 ? 0 : (long) (1e9 / ratePerSecond);
        this.toleranceNanos = intervalNanos * Math.max(0, burst - 1);
        this.theoreticalArrival = System.nanoTime();
    }

    /** Reserves the next slot; answers how long the caller must wait before it (zero when it may go now). */
    synchronized Duration reserve() {
        if (intervalNanos == 0) {
            return Duration.ZERO;
        }
        long now = System.nanoTime();
        long start = Math.max(theoreticalArrival, now);
        long wait = Math.max(0, start - toleranceNanos - now);
        theoreticalArrival = start + intervalNanos;
        return Duration.ofNanos(wait);
    }
}
