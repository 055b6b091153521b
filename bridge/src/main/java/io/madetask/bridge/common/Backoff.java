package io.madetask.bridge.common;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** The background workers' retry delay: doubling from {@code initial} up to {@code max}, less up to a quarter at random. */
public final class Backoff {

    private Backoff() {
    }

    public static Duration doubling(Duration initial, Duration max, int attempt) {
        long delay = initial.toMillis() << Math.min(Math.max(0, attempt - 1), 20);
        long capped = Math.min(delay, max.toMillis());
        return Duration.ofMillis((long) (capped * (0.75 + ThreadLocalRandom.current().nextDouble() * 0.25)));
    }
}
