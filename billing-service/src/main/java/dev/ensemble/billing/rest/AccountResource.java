package dev.ensemble.billing.rest;

import dev.ensemble.billing.service.AccountService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.UUID;

/** The caller's billing account. */
@Path("/api/v1/billing/account")
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {

    @Inject
    AccountService accounts;

    @Inject
    JsonWebToken jwt;

    @GET
    @RolesAllowed("user")
    public Uni<AccountService.AccountView> account() {
        return accounts.view(UUID.fromString(jwt.getSubject()));
    }
}
