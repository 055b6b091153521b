package io.madetask.bridge.executor;

import java.util.Collection;
import java.util.Map;

import io.smallrye.mutiny.Uni;

/**
 * Executors' income through the bridge, which the payout feature knows and implements, so that payouts depend on
 * executors and never the reverse.
 */
public interface ExecutorIncome {

    /** The income in {@code year} of each named executor (those without payouts too). */
    Uni<Map<String, IncomeView>> of(Collection<ExecutorForPayout> executors, int year);
}
