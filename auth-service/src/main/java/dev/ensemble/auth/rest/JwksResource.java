package dev.ensemble.auth.rest;

import dev.ensemble.auth.keys.SigningKeys;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/** The public signing keys, which every service uses to verify tokens. */
@Path("/.well-known/jwks.json")
public class JwksResource {

    @Inject
    SigningKeys keys;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> jwks() {
        return keys.jwksMap();
    }
}
