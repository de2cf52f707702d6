package dev.ensemble.gateway.auth;

/** Why the edge refused a credential: a 401 (bad or missing credential) or a 503 (auth-service unreachable). */
public final class AuthFailure extends RuntimeException {

    public final int status;
    public final String code;

    public AuthFailure(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static AuthFailure invalid(String message) {
        return new AuthFailure(401, "INVALID_TOKEN", message);
    }
}
