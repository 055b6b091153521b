package io.madetask.bridge.common;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.quarkus.hibernate.reactive.panache.PanacheQuery;
import io.smallrye.mutiny.Uni;

/** The optional filters of a list endpoint as a Panache query: a condition is added only for a value that is given. */
public final class Filter {

    private final StringBuilder query = new StringBuilder("1 = 1");
    private final Map<String, Object> params = new HashMap<>();

    /** Adds {@code condition} (naming {@code :name}) when {@code value} is not null. */
    public Filter and(String condition, String name, Object value) {
        if (value != null) {
            query.append(" and ").append(condition);
            params.put(name, value);
        }
        return this;
    }

    public String query() {
        return query.toString();
    }

    public Map<String, Object> params() {
        return params;
    }

    /** One page of a query, with the total, its items mapped to views by the whole page at once. */
    public static <E, V> Uni<PageView<V>> page(PanacheQuery<E> found, int[] pageAndSize,
            Function<List<E>, Uni<List<V>>> views) {
        PanacheQuery<E> paged = found.page(pageAndSize[0], pageAndSize[1]);
        return paged.list().flatMap(items -> views.apply(items).flatMap(mapped -> paged.count()
                .map(total -> new PageView<>(mapped, pageAndSize[0], pageAndSize[1], total))));
    }

    /** One page of a query, each item mapped to its view. */
    public static <E, V> Uni<PageView<V>> pageOf(PanacheQuery<E> found, int[] pageAndSize, Function<E, V> view) {
        return page(found, pageAndSize, items -> Uni.createFrom().item(items.stream().map(view).toList()));
    }
}
