package io.madetask.bridge.events;

import java.time.Duration;
import java.time.Instant;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.Signatures;
import io.madetask.bridge.madetask.MadeTaskConfig;
import io.madetask.bridge.madetask.MadeTaskModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/** MadeTask's webhook: no bearer token, the HMAC signature instead. */
@Path("/webhooks/madetask")
@PermitAll
@Tag(name = "Webhooks", description = "Events from MadeTask")
public class WebhookResource {

    private static final Logger LOG = Logger.getLogger(WebhookResource.class);

    private static final Duration TOLERANCE = Duration.ofMinutes(5);

    private final EventInbox events;
    private final MadeTaskConfig config;
    private final ObjectMapper json;

    private final MeterRegistry meters;

    WebhookResource(EventInbox events, MadeTaskConfig config, ObjectMapper json, MeterRegistry meters) {
        this.meters = meters;
        this.events = events;
        this.config = config;
        this.json = json;
    }

    /** How an event was taken. */
    public record Receipt(String eventId, String outcome) {
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Receive a MadeTask event",
            description = "Checks MadeTask-Signature (HMAC-SHA256, 5-minute window) and stores the event once (outcome ACCEPTED, or DUPLICATE for an event id already taken); the bridge applies stored events in the background, never letting an older version overwrite a newer one. 401 for a bad or stale signature, 400 for a malformed body.")
    public Uni<Receipt> receive(@HeaderParam("MadeTask-Signature") String signature, byte[] body) {
        Signatures.Verdict verdict = Signatures.verify(config.webhookSecret(), signature, body, Instant.now(), TOLERANCE);
        if (verdict != Signatures.Verdict.VALID) {
            meters.counter("bridge.madetask.events", "source", "webhook", "outcome",
                    "REJECTED_" + verdict.name()).increment();
            LOG.warnf("Signature refused on a MadeTask webhook: %s (a MISMATCH is another secret than "
                    + "MADETASK_WEBHOOK_SECRET; STALE a time over 5 minutes from now)", verdict);
            throw new BridgeException(401, verdict == Signatures.Verdict.STALE ? "stale_signature" : "invalid_signature",
                    "Signature refused", verdict == Signatures.Verdict.STALE
                            ? "The signature's time is more than 5 minutes from now (in the past or the future)"
                            : "MadeTask-Signature is missing or does not match the body");
        }
        com.fasterxml.jackson.databind.JsonNode tree;
        try {
            tree = json.readTree(body);
        } catch (Exception e) {
            throw new BridgeException(400, "malformed_json", "Malformed JSON", "The event is not valid JSON");
        }
        MadeTaskModel.Event event = readEvent(tree);
        if (event == null || event.data() == null || !event.data().isObject() || !EventInbox.storable(event)) {
            throw new BridgeException(400, "malformed_event", "Malformed event",
                    "An event needs an id and a type (1 to 255 characters, no control characters) and a data object");
        }
        MDC.put("eventId", event.id());
        // Stored, then applied by the event inbox: the answer never waits for the work the event causes.
        return events.receive(event, "webhook").map(outcome -> new Receipt(event.id(), outcome));
    }

    /** The event in a JSON body, or null when the body is not an object shaped like one. */
    private MadeTaskModel.Event readEvent(com.fasterxml.jackson.databind.JsonNode tree) {
        if (tree == null || !tree.isObject()) {
            return null;
        }
        try {
            return json.treeToValue(tree, MadeTaskModel.Event.class);
        } catch (Exception e) {
            return null;
        }
    }
}
