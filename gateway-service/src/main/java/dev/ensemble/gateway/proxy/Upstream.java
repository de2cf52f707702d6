package dev.ensemble.gateway.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.http.HttpClient;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One service behind the gateway: its address, its pool of keep-alive connections, and the
 * proxy's meters for it (one timer per status, created on first use, so recording allocates nothing).
 */
public final class Upstream {

    static final String REQUESTS = "ensemble.gateway.proxy.requests";
    static final String FAILURES = "ensemble.gateway.proxy.failures";
    static final String ACTIVE = "ensemble.gateway.proxy.active";

    private final String name;
    private final String url;
    private final String host;
    private final int port;
    private final boolean ssl;
    private final String basePath;
    /**
     * One client (one pool) per event loop: a pooled connection belongs to the event loop that
     * opened it, and Vert.x' pool hands out any free one, so with one shared pool an exchange on
     * one event loop would often get a connection of another and pay two thread hand-offs per
     * request. Each event loop thread keeps its own pool instead.
     */
    private final FastThreadLocal<HttpClient> client;
    private final List<HttpClient> clients = new CopyOnWriteArrayList<>();
    private final MeterRegistry registry;
    private final Timer[] timers = new Timer[600];
    private final AtomicInteger active = new AtomicInteger();

    Upstream(String name, String url, Supplier<HttpClient> clientFactory, MeterRegistry registry) {
        URI uri = URI.create(url);
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("service " + name + ": not an http(s) URL: " + url);
        }
        this.name = name;
        this.url = url;
        this.host = uri.getHost();
        this.ssl = "https".equals(uri.getScheme());
        this.port = uri.getPort() > 0 ? uri.getPort() : (ssl ? 443 : 80);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.client = new FastThreadLocal<>() {
            @Override
            protected HttpClient initialValue() {
                HttpClient c = clientFactory.get();
                clients.add(c);
                return c;
            }
        };
        this.registry = registry;
        Gauge.builder(ACTIVE, active, AtomicInteger::get)
                .description("Proxied requests in flight").tag("upstream", name).register(registry);
    }

    public String name() {
        return name;
    }

    public String url() {
        return url;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public boolean ssl() {
        return ssl;
    }

    /** The path the service is mounted under ({@code ""} for the root). */
    public String basePath() {
        return basePath;
    }

    /** The calling event loop's client for this service. */
    public HttpClient client() {
        return client.get();
    }

    void close() {
        clients.forEach(HttpClient::close);
        clients.clear();
    }

    void started() {
        active.incrementAndGet();
    }

    /** Records one finished exchange: its status (0 when the client went away first) and duration. */
    void finished(int status, long nanos) {
        active.decrementAndGet();
        int index = status >= 0 && status < timers.length ? status : 0;
        Timer timer = timers[index];
        if (timer == null) {
            // A benign race: the registry hands every caller the same timer.
            timer = Timer.builder(REQUESTS)
                    .description("Requests proxied to a service, by final status (0: client went away)")
                    .tag("upstream", name)
                    .tag("status", Integer.toString(index))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(60))
                    .register(registry);
            timers[index] = timer;
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts a failure the gateway answered or cut itself: connect, timeout, reset, too_large. */
    void failed(String reason) {
        Counter.builder(FAILURES).description("Proxy failures by reason")
                .tag("upstream", name).tag("reason", reason).register(registry).increment();
    }

    @Override
    public String toString() {
        return name + "=" + url;
    }
}
