package dev.ensemble.gpu.provider;

import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The providers this server knows, and which of them are enabled by configuration. */
@ApplicationScoped
public class Providers {

    public static final Set<String> KNOWN = Set.of(VastAiProvider.NAME, IoNetProvider.NAME, KubernetesProvider.NAME,
            SandboxProvider.NAME);

    @Inject
    Instance<GpuProvider> all;

    public List<GpuProvider> enabled() {
        return all.stream().filter(GpuProvider::enabled).sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    public Optional<GpuProvider> find(String name) {
        return enabled().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The enabled provider named in a path; unknown or disabled is 404. */
    public GpuProvider require(String name) {
        return find(name).orElseThrow(() -> new ApiException(404, ErrorCode.NOT_FOUND,
                "provider " + (name == null ? "" : name.length() > 40 ? name.substring(0, 40) : name)
                        + " not found; enabled: " + String.join(", ", enabled().stream().map(GpuProvider::name).toList())));
    }
}
