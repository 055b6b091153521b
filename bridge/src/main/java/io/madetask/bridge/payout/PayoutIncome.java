package io.madetask.bridge.payout;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.madetask.bridge.executor.ExecutorForPayout;
import io.madetask.bridge.executor.ExecutorIncome;
import io.madetask.bridge.executor.IncomeView;
import io.smallrye.mutiny.Uni;

/** Executors' income through the bridge: their payouts PAID in the year, and those in flight. */
@ApplicationScoped
class PayoutIncome implements ExecutorIncome {

    private final PayoutStore store;
    private final PayoutPolicy policy;

    PayoutIncome(PayoutStore store, PayoutPolicy policy) {
        this.store = store;
        this.policy = policy;
    }

    @Override
    public Uni<Map<String, IncomeView>> of(Collection<ExecutorForPayout> executors, int year) {
        if (executors.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return store.income(executors.stream().map(ExecutorForPayout::crmId).toList(), PayoutPolicy.yearStart(year),
                PayoutPolicy.yearStart(year + 1)).map(figures -> {
                    Map<String, IncomeView> views = new HashMap<>();
                    for (ExecutorForPayout e : executors) {
                        views.put(e.crmId(), policy.view(year, e, figures.get(e.crmId())));
                    }
                    return views;
                });
    }
}
