package io.flameec2.impl.backend.ec2;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.CodeSource;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The name of the application this parent belongs to, the default of the {@code flame:app} tag. Orphan clean-up
 * and the README's IAM policy are scoped by that tag, so two applications in one account and region must not
 * share it by default: the name comes from the container ({@code java:app/AppName}, Jakarta EE's application
 * name: the WAR's name unless the deployment sets one), else from the name of the WAR this code was loaded
 * from. Outside a container (tests, a plain JVM) there is none.
 */
final class AppName {

    private static final Logger LOG = Logger.getLogger(AppName.class.getName());

    private AppName() {
    }

    /**
     * Finds the application's name, made fit for a tag value.
     *
     * @return the name, or empty outside a Jakarta EE application
     */
    static Optional<String> detect() {
        return fromJndi().or(() -> fromCodeSource(AppName.class.getProtectionDomain().getCodeSource()))
                .map(AppName::tagSafe).filter(n -> !n.isEmpty());
    }

    private static Optional<String> fromJndi() {
        try {
            Object name = new InitialContext().lookup("java:app/AppName");
            return name instanceof String s && !s.isBlank() ? Optional.of(s.trim()) : Optional.empty();
        } catch (NamingException | RuntimeException | LinkageError e) {
            // no container (NoInitialContextException), or no naming feature: try the WAR's file name
            LOG.log(Level.FINE, "java:app/AppName not available", e);
            return Optional.empty();
        }
    }

    /**
     * The WAR's name from where a class of it was loaded: {@code .../apps/shop.war/WEB-INF/lib/x.jar} or
     * {@code jar:file:/.../shop.war!/WEB-INF/lib/x.jar} give {@code shop}.
     *
     * @param source the code source, may be {@code null}
     * @return the WAR's name without {@code .war}, or empty
     */
    static Optional<String> fromCodeSource(CodeSource source) {
        URL location = source == null ? null : source.getLocation();
        if (location == null) {
            return Optional.empty();
        }
        String path;
        try {
            path = new URI(location.toString().replace(" ", "%20")).getSchemeSpecificPart();
        } catch (URISyntaxException e) {
            path = location.toString();
        }
        String found = null;
        for (String segment : path.split("[/!]")) {
            if (segment.toLowerCase(Locale.ROOT).endsWith(".war") && segment.length() > ".war".length()) {
                found = segment.substring(0, segment.length() - ".war".length()); // the innermost WAR wins
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Replaces what a {@code flame:app} tag value may not hold by {@code -}, and keeps 128 characters.
     *
     * @param name the name
     * @return the tag-safe name
     */
    static String tagSafe(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9_.:/=+\\-@]", "-");
        return safe.length() > 128 ? safe.substring(0, 128) : safe;
    }
}
