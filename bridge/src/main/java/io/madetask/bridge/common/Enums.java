package io.madetask.bridge.common;

import java.util.Arrays;
import java.util.List;

/** Statuses and kinds arrive as text (query strings, bodies); this reads them, or answers a clear 400. */
public final class Enums {

    private Enums() {
    }

    /** The constant named {@code value}, null for null; any other text is a 400 naming the field and the choices. */
    public static <E extends Enum<E>> E parse(Class<E> type, String value, String field) {
        if (value == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw BridgeException.validation(List.of(new Problem.FieldError(field,
                    "one of " + Arrays.toString(type.getEnumConstants()))));
        }
    }

    /** Whether {@code value} names a constant of {@code type}. */
    public static <E extends Enum<E>> boolean known(Class<E> type, String value) {
        return value != null && Arrays.stream(type.getEnumConstants()).anyMatch(c -> c.name().equals(value));
    }
}
