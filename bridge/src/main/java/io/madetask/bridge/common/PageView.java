package io.madetask.bridge.common;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One page of a list: {@code items, page, size, total}. */
@RegisterForReflection
public record PageView<T>(List<T> items, int page, int size, long total) {

    public static final int DEFAULT_SIZE = 50;
    public static final int MAX_SIZE = 500;
    /** The furthest a list pages: page x size (PostgreSQL's OFFSET; far beyond any real list here). */
    public static final long MAX_OFFSET = 10_000_000;

    /** Checks {@code page} (from 0) and {@code size} (1 to 500) and answers them with defaults filled in. */
    public static int[] checked(Integer page, Integer size) {
        int p = page == null ? 0 : page;
        int s = size == null ? DEFAULT_SIZE : size;
        List<Problem.FieldError> errors = new java.util.ArrayList<>();
        if (p < 0) {
            errors.add(new Problem.FieldError("page", "must be 0 or more"));
        }
        if (s < 1 || s > MAX_SIZE) {
            errors.add(new Problem.FieldError("size", "must be 1 to 500"));
        }
        if (p >= 0 && s >= 1 && (long) p * s > MAX_OFFSET) {
            errors.add(new Problem.FieldError("page", "too far: page x size may not pass " + MAX_OFFSET));
        }
        if (!errors.isEmpty()) {
            throw BridgeException.validation(errors);
        }
        return new int[] {p, s};
    }
}
