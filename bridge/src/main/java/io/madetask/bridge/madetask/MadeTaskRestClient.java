package io.madetask.bridge.madetask;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/**
 * MadeTask API v1 as HTTP. Package-private: {@link MadeTaskClient} owns tokens, idempotency keys, timeouts, retries
 * and the circuit breaker, and nothing else calls this.
 */
@Path("/api/v1")
@RegisterRestClient(configKey = "madetask")
@RegisterProvider(MadeTaskResponseMapper.class)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
interface MadeTaskRestClient {

    String AUTHORIZATION = "Authorization";
    String IDEMPOTENCY_KEY = "Idempotency-Key";
    String REQUEST_ID = "X-Request-Id";

    @POST
    @Path("/executors")
    Uni<MadeTaskModel.Executor> createExecutor(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(IDEMPOTENCY_KEY) String key, @HeaderParam(REQUEST_ID) String requestId,
            MadeTaskModel.ExecutorCreate body);

    @POST
    @Path("/executors/bulk")
    Uni<MadeTaskModel.BulkResponse> createExecutors(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(IDEMPOTENCY_KEY) String key, @HeaderParam(REQUEST_ID) String requestId,
            MadeTaskModel.BulkRequest body);

    @GET
    @Path("/executors/{id}")
    Uni<MadeTaskModel.Executor> getExecutor(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(REQUEST_ID) String requestId, @PathParam("id") String id);

    @GET
    @Path("/executors")
    Uni<MadeTaskModel.Page<MadeTaskModel.Executor>> listExecutors(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(REQUEST_ID) String requestId, @QueryParam("updated_since") String updatedSince,
            @QueryParam("external_id") String externalId, @QueryParam("cursor") String cursor,
            @QueryParam("limit") Integer limit);

    @PATCH
    @Path("/executors/{id}")
    Uni<MadeTaskModel.Executor> patchExecutor(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(REQUEST_ID) String requestId, @HeaderParam("If-Match") String version,
            @PathParam("id") String id, MadeTaskModel.ExecutorPatch body);

    @POST
    @Path("/tasks")
    Uni<MadeTaskModel.Task> createTask(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(IDEMPOTENCY_KEY) String key, @HeaderParam(REQUEST_ID) String requestId,
            MadeTaskModel.TaskCreate body);

    @GET
    @Path("/tasks/{id}")
    Uni<MadeTaskModel.Task> getTask(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(REQUEST_ID) String requestId, @PathParam("id") String id);

    @GET
    @Path("/tasks")
    Uni<MadeTaskModel.Page<MadeTaskModel.Task>> listTasks(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(REQUEST_ID) String requestId, @QueryParam("updated_since") String updatedSince,
            @QueryParam("external_id") String externalId, @QueryParam("status") String status,
            @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit);

    @PATCH
    @Path("/tasks/{id}")
    Uni<MadeTaskModel.Task> patchTask(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(REQUEST_ID) String requestId, @HeaderParam("If-Match") String version,
            @PathParam("id") String id, MadeTaskModel.TaskPatch body);

    @POST
    @Path("/tasks/{id}/transitions")
    Uni<MadeTaskModel.Task> transitionTask(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(IDEMPOTENCY_KEY) String key, @HeaderParam(REQUEST_ID) String requestId,
            @PathParam("id") String id, MadeTaskModel.Transition body);

    @POST
    @Path("/payouts")
    Uni<MadeTaskModel.Payout> createPayout(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(IDEMPOTENCY_KEY) String key, @HeaderParam(REQUEST_ID) String requestId,
            MadeTaskModel.PayoutCreate body);

    @GET
    @Path("/payouts/{id}")
    Uni<MadeTaskModel.Payout> getPayout(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(REQUEST_ID) String requestId, @PathParam("id") String id);

    @GET
    @Path("/payouts")
    Uni<MadeTaskModel.Page<MadeTaskModel.Payout>> listPayouts(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(REQUEST_ID) String requestId, @QueryParam("task_id") String taskId,
            @QueryParam("status") String status, @QueryParam("updated_since") String updatedSince,
            @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit);

    @GET
    @Path("/balance")
    Uni<MadeTaskModel.Balance> balance(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(REQUEST_ID) String requestId);

    @GET
    @Path("/events")
    Uni<MadeTaskModel.Page<MadeTaskModel.Event>> events(@HeaderParam(AUTHORIZATION) String auth,
            @HeaderParam(REQUEST_ID) String requestId, @QueryParam("after") String after,
            @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit);
}
