package dev.ensemble.gpu.provider;

import dev.ensemble.web.ApiException;

/** The offer was rented by someone else (or withdrawn) between search and create. */
public class OfferGoneException extends ApiException {
    public static final String CODE = "OFFER_UNAVAILABLE";

    public OfferGoneException(String provider, String offerId) {
        super(409, CODE, "offer " + offerId + " of " + provider + " is no longer available");
    }
}
