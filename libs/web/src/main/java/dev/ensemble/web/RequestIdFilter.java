package dev.ensemble.web;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Gives every REST request an id, logs under it, and returns it in {@code X-Request-Id}. */
public class RequestIdFilter {

    static final String PROPERTY = "ensemble.request-id";

    @ServerRequestFilter(preMatching = true)
    public void assignRequestId(ContainerRequestContext context, HttpServerRequest request) {
        String id = RequestIds.of(request);
        context.setProperty(PROPERTY, id);
        MDC.put(RequestIds.MDC_KEY, id);
    }

    @ServerResponseFilter
    public void echoRequestId(ContainerRequestContext request, ContainerResponseContext response) {
        Object id = request.getProperty(PROPERTY);
        if (id != null) {
            response.getHeaders().putSingle(RequestIds.HEADER, id);
        }
    }

    static String idOf(ContainerRequestContext context, HttpServerRequest request) {
        Object id = context == null ? null : context.getProperty(PROPERTY);
        return id != null ? id.toString() : RequestIds.of(request);
    }
}
