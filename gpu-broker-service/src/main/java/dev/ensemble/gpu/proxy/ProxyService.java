package dev.ensemble.gpu.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ensemble.gpu.balancer.BalancerService;
import dev.ensemble.gpu.balancer.LoadBalancer;
import dev.ensemble.gpu.config.GpuBrokerConfig;
import dev.ensemble.gpu.instances.ContractService;
import dev.ensemble.gpu.instances.GpuContract;
import dev.ensemble.gpu.provider.ProviderHttp;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import dev.ensemble.web.Offload;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/** Forwards one request to an instance the caller owns (or the pool of them), within limits. */
@ApplicationScoped
public class ProxyService {

    static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    /** Request headers a caller may pass on; never credentials or hop-by-hop headers. */
    static final Set<String> FORWARDED = Set.of("accept", "content-type", "accept-language", "x-request-id");
    public static final Set<String> POOL = Set.of("pool", "auto", "*");

    @Inject
    ContractService contracts;

    @Inject
    BalancerService balancers;

    @Inject
    LoadBalancer balancer;

    @Inject
    ProviderHttp http;

    @Inject
    GpuBrokerConfig config;

    public record Answer(int status, String contentType, byte[] body, UUID contract) {
    }

    public Uni<Answer> forward(UUID user, String method, String target, String path, JsonNode payload,
                               Map<String, String> headers) {
        String m = method == null ? "POST" : method.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(m)) {
            throw ApiException.badRequest("method", "must be one of GET, POST, PUT, PATCH, DELETE");
        }
        String safePath = TargetPolicy.checkPath(path);
        byte[] body;
        try {
            body = payload == null || payload.isNull() ? null : ProviderHttp.JSON.writeValueAsBytes(payload);
        } catch (Exception e) {
            throw ApiException.badRequest("payload", "cannot be serialised");
        }
        if (body != null && body.length > config.proxy().maxRequestBytes()) {
            throw new ApiException(413, ErrorCode.PAYLOAD_TOO_LARGE, "payload is larger than "
                    + config.proxy().maxRequestBytes() + " bytes");
        }
        if (headers != null && headers.size() > 32) {
            throw ApiException.badRequest("headers", "at most 32 headers");
        }
        return choose(user, target).chain(c -> send(c, m, safePath, body, headers));
    }

    Uni<GpuContract> choose(UUID user, String target) {
        boolean pool = target == null || target.isBlank() || POOL.contains(target);
        if (!pool && target.length() > 200) {
            throw ApiException.badRequest("target", "must be at most 200 characters");
        }
        return contracts.running(user).chain(running -> {
            if (pool) {
                if (running.isEmpty()) {
                    return Uni.createFrom().failure(new ApiException(409, "NO_RUNNING_INSTANCE",
                            "no running instance to send the request to"));
                }
                List<GpuContract> reachable = running.stream().filter(c -> c.endpointHost != null).toList();
                return balancers.pick(user, reachable.isEmpty() ? running : reachable);
            }
            for (GpuContract c : running) {
                if (c.id.toString().equals(target) || target.equals(c.offerId) || target.equals(c.providerInstanceId)) {
                    return Uni.createFrom().item(c);
                }
            }
            // Not running: the caller's own (409) or nobody's they can see (404).
            return contracts.get(user, target).onFailure().recoverWithNull().map(c -> {
                if (c != null) {
                    throw new ApiException(409, "INSTANCE_NOT_RUNNING", "instance " + target + " is " + c.status);
                }
                throw ApiException.notFound("instance " + target);
            });
        });
    }

    Uni<Answer> send(GpuContract c, String method, String path, byte[] body, Map<String, String> headers) {
        if (c.endpointHost == null || c.endpointPort == null) {
            return Uni.createFrom().failure(new ApiException(409, "INSTANCE_NOT_REACHABLE",
                    "instance " + c.id + " has no reachable endpoint yet"));
        }
        String host = c.endpointHost;
        int port = c.endpointPort;
        return Offload.blocking(() -> TargetPolicy.resolve(host, config.proxy().allowLoopback(), config.proxy().allowPrivate()))
                .chain(address -> {
                    // Connect to the address that was checked, so a second DNS answer cannot redirect it.
                    String literal = address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
                    RequestOptions options = new RequestOptions().setMethod(HttpMethod.valueOf(method))
                            .setAbsoluteURI("http://" + literal + ":" + port + path)
                            .putHeader("Host", host + ":" + port)
                            .putHeader("X-Forwarded-By", "ensemble-gpu-broker");
                    if (headers != null) {
                        headers.forEach((k, v) -> {
                            if (k != null && v != null && FORWARDED.contains(k.toLowerCase(Locale.ROOT))
                                    && v.length() <= 1024 && v.indexOf('\r') < 0 && v.indexOf('\n') < 0) {
                                options.putHeader(k, v);
                            }
                        });
                    }
                    if (body != null && !options.getHeaders().contains("Content-Type")) {
                        options.putHeader("Content-Type", "application/json");
                    }
                    return exchange(c.id, options, body);
                });
    }

    private Uni<Answer> exchange(UUID contract, RequestOptions options, byte[] body) {
        int max = config.proxy().maxResponseBytes();
        long start = System.nanoTime();
        balancer.started(contract);
        return Uni.createFrom().deferred(() -> http.client().request(options)
                        .chain(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
                        .chain(resp -> {
                            String length = resp.getHeader("Content-Length");
                            if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > max) {
                                resp.request().reset();
                                return Uni.createFrom().failure(tooLarge(max));
                            }
                            return resp.toMulti().collect().in(Buffer::buffer, (acc, chunk) -> {
                                if (acc.length() + chunk.length() > max) {
                                    throw tooLarge(max);
                                }
                                acc.appendBuffer(chunk);
                            }).map(buf -> new Answer(resp.statusCode(), resp.getHeader("Content-Type"), buf.getBytes(), contract));
                        }))
                .ifNoItem().after(config.proxy().timeout()).failWith(TimeoutException::new)
                .onItemOrFailure().invoke((answer, failure) -> balancer.finished(contract,
                        (System.nanoTime() - start) / 1_000_000, failure == null && answer.status() < 500))
                .onFailure(e -> !(e instanceof ApiException)).transform(e -> e instanceof TimeoutException
                        ? new ApiException(504, ErrorCode.UPSTREAM_TIMEOUT, "the instance did not answer within "
                        + config.proxy().timeout().toMillis() + " ms")
                        : new ApiException(502, ErrorCode.BAD_GATEWAY, "the instance could not be reached"));
    }

    private static ApiException tooLarge(int max) {
        return new ApiException(502, ErrorCode.BAD_GATEWAY, "the instance's answer is larger than " + max + " bytes");
    }
}
