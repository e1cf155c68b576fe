package io.flameec2.impl.channel;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.FingerprintTrustManagerFactory;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * TLS 1.3 for the runner channel. The parent makes a fresh EC P-256 key and self-signed certificate per JVM
 * ({@link #parentIdentity()}); a runner is given the certificate's SHA-256 fingerprint with its other boot
 * settings and trusts exactly that certificate ({@link #runnerContext}), so a fake parent gets nothing. The
 * runner proves itself afterwards, inside the encrypted connection, with its one-time join token.
 */
public final class ChannelTls {

    private static final String[] PROTOCOLS = {"TLSv1.3"};
    /** JVM system property: {@code jdk} makes the channel use the JDK's TLS even where BoringSSL loads. */
    public static final String PROVIDER_PROPERTY = "flame.channel.tls-provider";

    /** A parent JVM lives at most this long with one certificate; nothing checks it but the TLS stack. */
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private ChannelTls() {
    }

    /**
     * The parent's TLS identity.
     *
     * @param context the server context
     * @param fingerprint the certificate's SHA-256 fingerprint, lower-case hex (public: runners get it)
     */
    public record ParentIdentity(SslContext context, String fingerprint) {
    }

    /**
     * Makes a fresh key and self-signed certificate.
     *
     * @return the identity
     * @throws IllegalStateException when the JVM lacks EC keys or SHA-256 (it never does)
     */
    public static ParentIdentity parentIdentity() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair key = generator.generateKeyPair();
            X500Name name = new X500Name("CN=flame-parent");
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), name, key.getPublic());
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
            SslContext context = SslContextBuilder.forServer(key.getPrivate(), cert).sslProvider(provider())
                    .protocols(PROTOCOLS).build();
            return new ParentIdentity(context, fingerprint(cert));
        } catch (GeneralSecurityException | OperatorCreationException | SSLException e) {
            throw new IllegalStateException("cannot make the flame parent's TLS certificate: " + e, e);
        }
    }

    /**
     * The runner's client context: TLS 1.3, trusting only the certificate with this fingerprint.
     *
     * @param fingerprint the parent's certificate fingerprint, SHA-256 hex
     * @return the context
     * @throws IllegalArgumentException when the fingerprint is not 64 hex digits
     */
    public static SslContext runnerContext(String fingerprint) {
        String hex = fingerprint.replace(":", "").trim();
        if (!hex.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("the parent's certificate fingerprint must be 64 hex digits (SHA-256)");
        }
        try {
            return SslContextBuilder.forClient().sslProvider(provider()).protocols(PROTOCOLS)
                    .trustManager(FingerprintTrustManagerFactory.builder("SHA-256").fingerprints(hex).build())
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot make the flame runner's TLS context: " + e, e);
        }
    }

    /**
     * The TLS implementation of the channel: BoringSSL (netty-tcnative) where its natives load, measured
     * several times cheaper per byte than the JDK's AES-GCM (which weighs on megabyte arguments and results);
     * the JDK's otherwise, or when {@value #PROVIDER_PROPERTY}{@code =jdk}.
     *
     * @return the provider
     */
    public static SslProvider provider() {
        return Provider.CHOSEN;
    }

    /** Chosen once per JVM, and said once in the log. */
    private static final class Provider {
        static final SslProvider CHOSEN = choose();

        private static SslProvider choose() {
            boolean jdk = "jdk".equalsIgnoreCase(System.getProperty(PROVIDER_PROPERTY, "").trim());
            SslProvider p = !jdk && OpenSsl.isAvailable() ? SslProvider.OPENSSL
                    : SslProvider.JDK;
            Logger.getLogger(ChannelTls.class.getName()).info(() -> "flame channel TLS: " + (p == SslProvider.OPENSSL
                    ? OpenSsl.versionString() : "the JDK's provider" + (jdk ? " (" + PROVIDER_PROPERTY + "=jdk)"
                    : " (BoringSSL unavailable here: " + OpenSsl.unavailabilityCause() + ")")));
            return p;
        }
    }

    /**
     * The SHA-256 fingerprint of a certificate.
     *
     * @param cert the certificate
     * @return lower-case hex
     */
    public static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
