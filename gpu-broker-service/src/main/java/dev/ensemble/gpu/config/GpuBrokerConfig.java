package dev.ensemble.gpu.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** gpu-broker-service settings ({@code gpu-broker.*}); provider credentials come only from here. */
@ConfigMapping(prefix = "gpu-broker")
public interface GpuBrokerConfig {

    /** How long one provider's offer list is reused before it is asked again. */
    @WithDefault("PT30S")
    Duration offerCacheTtl();

    /** The longest rental one request may ask for. */
    @WithDefault("720")
    int maxDurationHours();

    /** The most instances one batch or reserve request may create. */
    @WithDefault("32")
    int maxInstancesPerRequest();

    /** Currency of provider prices (all supported marketplaces price in US dollars). */
    @WithDefault("USD")
    String currency();

    Sandbox sandbox();

    VastAi vastai();

    IoNet ionet();

    Kubernetes kubernetes();

    Guardrails guardrails();

    Proxy proxy();

    Reconcile reconcile();

    /** The simulated marketplace (clearly labelled "sandbox"); never a real rental. */
    interface Sandbox {
        @WithDefault("false")
        boolean enabled();

        /** Fixes the simulation (offers, churn, failures) for reproducible runs. */
        Optional<Long> seed();

        /** Share of creates that fail. */
        @WithDefault("0.1")
        double failureRate();

        /** Time from create to running. */
        @WithDefault("PT5S")
        Duration provisioningDelay();

        /** Offers on the market at any time. */
        @WithDefault("12")
        int offerCount();

        /** Share of offers replaced each time the market is looked at again. */
        @WithDefault("0.25")
        double churn();
    }

    /** vast.ai (https://console.vast.ai/api/v0), Bearer API key. */
    interface VastAi {
        @WithDefault("false")
        boolean enabled();

        @WithDefault("https://console.vast.ai")
        String baseUrl();

        Optional<String> apiKey();

        @WithDefault("PT15S")
        Duration timeout();

        /** Docker image started on rented machines. */
        @WithDefault("pytorch/pytorch:latest")
        String image();

        @WithDefault("32")
        int diskGb();

        @WithDefault("64")
        int searchLimit();
    }

    /** io.net IO Cloud VM-as-a-Service (https://api.io.solutions/enterprise/v1/io-cloud), x-api-key. */
    interface IoNet {
        @WithDefault("false")
        boolean enabled();

        @WithDefault("https://api.io.solutions")
        String baseUrl();

        Optional<String> apiKey();

        @WithDefault("PT15S")
        Duration timeout();
    }

    /** The cluster's own GPU nodes ({@code nvidia.com/gpu}) through the Kubernetes API. */
    interface Kubernetes {
        @WithDefault("false")
        boolean enabled();

        @WithDefault("https://kubernetes.default.svc")
        String baseUrl();

        /** Service-account bearer token. */
        Optional<String> token();

        @WithDefault("ensemble-gpu")
        String namespace();

        @WithDefault("nvcr.io/nvidia/pytorch:24.05-py3")
        String image();

        /** Internal price charged per GPU hour on the cluster's own nodes. */
        @WithDefault("0.50")
        String pricePerGpuHour();

        @WithDefault("PT10S")
        Duration timeout();
    }

    /** Billing's spending guardrails, asked before every create (billing's URL: {@code ensemble.billing.url}). */
    interface Guardrails {
        @WithDefault("true")
        boolean enabled();
    }

    /** {@code POST /api/v1/gpu/proxy}: the SSRF policy and limits. */
    interface Proxy {
        @WithDefault("PT30S")
        Duration timeout();

        @WithDefault("1048576")
        int maxRequestBytes();

        @WithDefault("10485760")
        int maxResponseBytes();

        /** Port the workload listens on inside an instance (mapped by the provider). */
        @WithDefault("8080")
        int instancePort();

        /** Operators only: allow instance endpoints on loopback addresses. */
        @WithDefault("false")
        boolean allowLoopback();

        /** Operators only: allow private, link-local and unique-local instance endpoints. */
        @WithDefault("false")
        boolean allowPrivate();

        /** Capacity per GPU used to express live connections as a load between 0 and 1. */
        @WithDefault("16")
        int connectionsPerGpu();
    }

    /** The loop that compares every instance with each provider's own list. */
    interface Reconcile {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("30s")
        String every();

        /** Wait after start before the first pass. */
        @WithDefault("10s")
        String delay();

        /** How long a create may stay unseen in the provider's list before it counts as lost. */
        @WithDefault("PT10M")
        Duration provisioningGrace();
    }
}
