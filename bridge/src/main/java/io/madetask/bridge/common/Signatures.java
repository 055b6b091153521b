package io.madetask.bridge.common;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The event signature scheme of MadeTask (and, for the CRM, of the bridge):
 * {@code t=<unix seconds>,v1=<lowercase hex HMAC-SHA256(secret, "<t>.<raw body>")>}.
 */
public final class Signatures {

    private Signatures() {
    }

    /** The outcome of checking a signature header. */
    public enum Verdict {
        VALID,
        MALFORMED,
        MISMATCH,
        STALE
    }

    public static String sign(String secret, long unixSeconds, byte[] body) {
        return "t=" + unixSeconds + ",v1=" + hmacHex(secret, unixSeconds, body);
    }

    public static Verdict verify(String secret, String header, byte[] body, Instant now, Duration tolerance) {
        if (header == null || header.isBlank()) {
            return Verdict.MALFORMED;
        }
        Long timestamp = null;
        java.util.List<String> given = new java.util.ArrayList<>();
        for (String part : header.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) {
                continue;
            }
            if (kv[0].equals("t")) {
                try {
                    timestamp = Long.parseLong(kv[1]);
                } catch (NumberFormatException e) {
                    return Verdict.MALFORMED;
                }
            } else if (kv[0].equals("v1") && given.size() < 4) {
                // more than one while MadeTask rotates its secret: any of them may match
                given.add(kv[1]);
            }
        }
        if (timestamp == null || given.isEmpty()) {
            return Verdict.MALFORMED;
        }
        byte[] expected = hmacHex(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII);
        boolean matches = false;
        for (String candidate : given) {
            matches |= MessageDigest.isEqual(expected,
                    candidate.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        }
        if (!matches) {
            return Verdict.MISMATCH;
        }
        long age = Math.abs(now.getEpochSecond() - timestamp);
        return age > tolerance.toSeconds() ? Verdict.STALE : Verdict.VALID;
    }

    private static String hmacHex(String secret, long unixSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((unixSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
