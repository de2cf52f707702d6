package dev.ensemble.k8s;

import java.util.regex.Pattern;

/** Kubernetes name and label syntax (k8s.io/apimachinery validation). */
final class Names {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    private Names() {
    }

    static boolean isDnsLabel(String s) {
        return s != null && s.length() <= 63 && DNS_LABEL.matcher(s).matches();
    }

    /** Service names: a DNS-1035 label (starts with a letter). */
    static boolean isDns1035Label(String s) {
        return s != null && s.length() <= 63 && DNS_1035_LABEL.matcher(s).matches();
    }

    static boolean isDnsSubdomain(String s) {
        return s != null && s.length() <= 253 && DNS_SUBDOMAIN.matcher(s).matches();
    }

    /** A label or annotation key: optional DNS-subdomain prefix and a qualified name. */
    static boolean isQualifiedKey(String key) {
        if (key == null || key.isEmpty()) {
            return false;
        }
        int slash = key.indexOf('/');
        String name = key;
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (!isDnsSubdomain(prefix)) {
                return false;
            }
        }
        return name.length() <= 63 && QUALIFIED_NAME.matcher(name).matches();
    }

    static boolean isLabelValue(String v) {
        return v != null && (v.isEmpty() || (v.length() <= 63 && QUALIFIED_NAME.matcher(v).matches()));
    }

    /** IANA_SVC_NAME: at most 15 characters, a letter among them, no double hyphen. */
    static boolean isPortName(String s) {
        return s != null && s.length() <= 15 && PORT_NAME.matcher(s).matches() && s.matches(".*[a-z].*") && !s.contains("--");
    }

    static boolean isEnvName(String s) {
        return s != null && ENV_NAME.matcher(s).matches();
    }
}
