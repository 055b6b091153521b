package io.madetask.bridge.common;

import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The settings production cannot run without, checked all at once before the application starts, so that a deploy
 * with several of them missing fails with one message naming every one (not with the first extension that trips over
 * its own, then the next, and a missing key only on the first write). Values are never printed: most are secrets.
 */
public final class ProductionSettings {

    /** The exit code of a start refused for its configuration (sysexits' EX_CONFIG). */
    public static final int EXIT_CODE = 78;

    private ProductionSettings() {
    }

    /** What is wrong with the settings {@code lookup} finds, one line each; empty when production may start. */
    public static List<String> problems(Function<String, Optional<String>> lookup) {
        List<String> problems = new ArrayList<>();
        url(problems, lookup, "quarkus.datasource.reactive.url", "PostgreSQL for the reactive client, e.g. "
                + "postgresql://db:5432/bridge", "postgresql://", "postgres://", "vertx-reactive:postgresql://");
        url(problems, lookup, "quarkus.datasource.jdbc.url", "PostgreSQL for Flyway's migrations, e.g. "
                + "jdbc:postgresql://db:5432/bridge", "jdbc:postgresql://");
        text(problems, lookup, "quarkus.datasource.username", "the PostgreSQL user, the owner of the bridge's schema "
                + "(Flyway creates and alters its tables)", 1);
        url(problems, lookup, "madetask.base-url", "MadeTask's API, e.g. https://api.madetask.ru", "https://",
                "http://");
        text(problems, lookup, "madetask.client-id", "the OAuth2 client id MadeTask gave this company", 1);
        text(problems, lookup, "madetask.client-secret", "the OAuth2 client secret MadeTask gave this company", 1);
        text(problems, lookup, "madetask.webhook-secret", "the secret MadeTask signs its webhooks with", 16);
        url(problems, lookup, "quarkus.oidc.auth-server-url", "the company's identity provider (the issuer of the "
                + "CRM's and people's tokens), e.g. https://sso.example.ru/realms/company", "https://", "http://");
        text(problems, lookup, "bridge.security.audience", "the audience (aud) the identity provider puts in tokens "
                + "for this API", 1);
        Optional<String> key = value(lookup, "bridge.crypto.active-key");
        if (key.isEmpty()) {
            problems.add(line("bridge.crypto.active-key", "not set", "base64 of a 256-bit AES key that seals card "
                    + "and account numbers, e.g. from: openssl rand -base64 32"));
        } else if (aesKeyBytes(key.get()) != 32) {
            problems.add(line("bridge.crypto.active-key", "not base64 of 32 bytes", "a 256-bit AES key: "
                    + "openssl rand -base64 32"));
        }
        Optional<String> crm = value(lookup, "bridge.notifications.url");
        if (crm.isPresent()) {
            url(problems, lookup, "bridge.notifications.url", "the CRM's callback for notifications", "https://",
                    "http://");
            text(problems, lookup, "bridge.notifications.secret", "the secret notifications to the CRM are signed "
                    + "with (needed once bridge.notifications.url is set)", 16);
        }
        return problems;
    }

    /** The message for {@code problems}: what is wrong, under the names one sets them by. */
    public static String report(List<String> problems) {
        StringBuilder s = new StringBuilder("MadeTask Bridge will not start: ").append(problems.size())
                .append(problems.size() == 1 ? " production setting is" : " production settings are")
                .append(" missing or invalid:\n");
        problems.forEach(p -> s.append("  - ").append(p).append('\n'));
        s.append("Set them as environment variables (or as -Dname=value); docs/production.md lists every setting.");
        return s.toString();
    }

    /** The environment variable a property is read from (the MicroProfile Config rule). */
    static String environmentName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    private static String line(String property, String what, String meaning) {
        return environmentName(property) + " (" + property + "): " + what + ". " + meaning;
    }

    private static Optional<String> value(Function<String, Optional<String>> lookup, String property) {
        try {
            return lookup.apply(property).map(String::strip).filter(v -> !v.isEmpty());
        } catch (RuntimeException unresolvable) {
            // an expression naming a setting that is not there counts as not set
            return Optional.empty();
        }
    }

    private static void text(List<String> problems, Function<String, Optional<String>> lookup, String property,
            String meaning, int minLength) {
        Optional<String> v = value(lookup, property);
        if (v.isEmpty()) {
            problems.add(line(property, "not set", meaning));
        } else if (v.get().length() < minLength) {
            problems.add(line(property, "shorter than " + minLength + " characters", meaning));
        }
    }

    private static void url(List<String> problems, Function<String, Optional<String>> lookup, String property,
            String meaning, String... schemes) {
        Optional<String> v = value(lookup, property);
        if (v.isEmpty()) {
            problems.add(line(property, "not set", meaning));
            return;
        }
        boolean known = false;
        for (String scheme : schemes) {
            known |= v.get().toLowerCase(Locale.ROOT).startsWith(scheme);
        }
        String host = null;
        try {
            String uri = v.get().startsWith("jdbc:") ? v.get().substring(5) : v.get();
            host = URI.create(uri.startsWith("vertx-reactive:") ? uri.substring(15) : uri).getHost();
        } catch (IllegalArgumentException e) {
            // reported below
        }
        if (!known || host == null) {
            problems.add(line(property, "not a URL of the form " + String.join(" or ", schemes) + "host...",
                    meaning));
        }
    }

    private static int aesKeyBytes(String base64) {
        try {
            return Base64.getDecoder().decode(base64).length;
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }
}
