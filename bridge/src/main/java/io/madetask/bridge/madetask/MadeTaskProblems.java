package io.madetask.bridge.madetask;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.madetask.bridge.common.ProblemMapper;

/** MadeTask's failures, as the bridge's callers see them when a request had to ask MadeTask: 503 or 502. */
public class MadeTaskProblems {

    private static final Logger LOG = Logger.getLogger(MadeTaskProblems.class);

    @ServerExceptionMapper
    public Response madeTask(MadeTaskException e, ContainerRequestContext request) {
        if (e instanceof MadeTaskException.CircuitOpen) {
            return ProblemMapper.answer(503, "madetask_circuit_open", "MadeTask unavailable",
                    "MadeTask keeps failing; the bridge pauses calls to it for a while", request, null);
        }
        if (e.isTransient()) {
            String detail = switch (String.valueOf(e.code())) {
                case "token_unavailable" -> "The bridge could not get a MadeTask access token (MadeTask's token "
                        + "endpoint refused it or did not answer: check MADETASK_CLIENT_ID and "
                        + "MADETASK_CLIENT_SECRET); try again later";
                case "timeout", "connection_failed" -> "MadeTask did not answer in time; try again later";
                default -> "MadeTask answered " + (e.status() > 0 ? e.status() + " " : "") + e.code()
                        + "; try again later";
            };
            return ProblemMapper.answer(503, "madetask_unavailable", "MadeTask unavailable", detail, request, null);
        }
        LOG.warnf("MadeTask refused a call: %d %s (MadeTask request %s)", e.status(), e.code(), e.requestId());
        return ProblemMapper.answer(502, "madetask_refused", "MadeTask refused the call",
                "MadeTask answered " + e.status() + " " + e.code(), request, null);
    }

}
