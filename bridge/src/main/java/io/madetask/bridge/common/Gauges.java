package io.madetask.bridge.common;

import java.util.function.Supplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * Registers the bridge's gauges so that they read this application's state: a gauge left by an earlier start in the
 * same JVM (dev-mode reloads, test restarts share Micrometer's global registry) is replaced, not kept pointing at
 * state that is gone.
 */
public final class Gauges {

    private Gauges() {
    }

    public static void register(MeterRegistry meters, String name, Tags tags, String description, String baseUnit,
            Supplier<Number> value) {
        Gauge old = meters.find(name).tags(tags).gauge();
        if (old != null) {
            meters.remove(old);
        }
        Gauge.builder(name, value).tags(tags).description(description).baseUnit(baseUnit).strongReference(true)
                .register(meters);
    }
}
