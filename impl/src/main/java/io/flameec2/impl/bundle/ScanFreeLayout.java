package io.flameec2.impl.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * How a runner's copy of the application is laid out so that Liberty does not scan its library jars on every
 * untrained start: those scans (CDI's implicit bean archives, servlet annotations) were 4.5 s of an 11-13 s
 * runner boot (README "Runner cold start").
 *
 * <p>The library jars that cannot matter to CDI or to the servlet container (no {@code beans.xml}, no class or
 * service naming a CDI, injection, interceptor or servlet-annotation type, no web fragment, no servlet container
 * initializer, no web resources) leave {@code WEB-INF/lib} for the runner server's private library
 * ({@code lib/}, the application's own class loader, which Liberty's scans skip), and CDI discovers only archives
 * with a {@code beans.xml} ({@code <cdi enableImplicitBeanArchives="false"/>}). The WAR's own classes keep their
 * discovery: a WAR without {@code beans.xml} gets one with {@code bean-discovery-mode="annotated"}, the discovery
 * of an implicit bean archive. When a library jar that stays could hold beans without a {@code beans.xml}, the
 * layout is not used and the runner is the WAR as it is.
 */
final class ScanFreeLayout {

    private static final Logger LOG = Logger.getLogger(ScanFreeLayout.class.getName());
    /** The runner server's directory of moved jars (its private library, named in the runner server.xml). */
    static final String LIB = "lib";
    /** The include the runner server.xml reads when the layout is used. */
    static final String CONFIG = "scan-free.xml";
    static final String CONFIG_XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- Written by FlameEC2 (ScanFreeLayout): the application's library jars that matter neither to CDI nor
                 to the servlet container are in lib/ (the application's private library), and CDI discovers only
                 archives with a beans.xml; the WAR's own classes have one (README "Runner cold start"). -->
            <server>
              <cdi enableImplicitBeanArchives="false"/>
            </server>
            """;
    static final String BEANS_XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- Added to the runner's copy by FlameEC2: the same discovery as the WAR's implicit bean archive -->
            <beans xmlns="https://jakarta.ee/xml/ns/jakartaee" version="4.0" bean-discovery-mode="annotated"/>
            """;
    /** Where the runner's copy of a WAR without a {@code beans.xml} gets one. */
    private static final String BEANS_XML_ENTRY = "WEB-INF/beans.xml";

    private final Set<String> moved;
    private final boolean addBeansXml;

    private ScanFreeLayout(Set<String> moved, boolean addBeansXml) {
        this.moved = moved;
        this.addBeansXml = addBeansXml;
    }

    /**
     * The layout of a WAR file's runner copy, when it can be used (from {@link WarScan}, which reads a WAR file once
     * per version).
     *
     * @param war a WAR file (an expanded WAR is used as it is)
     * @return the layout, or empty: the runner runs the WAR as it is
     * @throws UncheckedIOException when the WAR cannot be read
     */
    static Optional<ScanFreeLayout> of(Path war) {
        try {
            return Files.isRegularFile(war) ? plan(war) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the application's WAR " + war, e);
        }
    }

    /** The jars moved out of {@code WEB-INF/lib}, by entry name. */
    Set<String> moved() {
        return moved;
    }

    /** Whether the runner's copy gets a {@code WEB-INF/beans.xml}. */
    boolean addsBeansXml() {
        return addBeansXml;
    }

    private static Optional<ScanFreeLayout> plan(Path war) throws IOException {
        WarScan scan = WarScan.of(war);
        Set<String> moved = new TreeSet<>();
        for (WarScan.Library jar : scan.libraries()) {
            if (jar.ownOnly() || jar.beansXml()) {
                continue; // FlameEC2's own, or an explicit bean archive: stays, discovered as before
            }
            if (jar.containerTypes()) {
                // it may hold beans without a beans.xml (or be a fragment, an initializer): keep the WAR as it is
                LOG.info(() -> "flame: runners keep the application's WAR as it is: " + jar.entry() + " may matter"
                        + " to CDI or the servlet container (README \"Runner cold start\")");
                return Optional.empty();
            }
            moved.add(jar.entry());
        }
        ScanFreeLayout layout = new ScanFreeLayout(Set.copyOf(moved), !scan.beansXml());
        LOG.info(() -> "flame: runners load " + moved.size() + " library jars of " + war.getFileName()
                + " from a private library that Liberty does not scan" + (!layout.addBeansXml ? ""
                        : "; the runner's copy of the WAR gets a beans.xml (bean-discovery-mode=\"annotated\")"));
        return Optional.of(layout);
    }

    /**
     * Writes the runner's copy of the WAR, the moved jars and the configuration that uses them.
     *
     * @param war the application's WAR file
     * @param server the runner server's directory
     * @throws IOException when they cannot be written
     */
    void write(Path war, Path server) throws IOException {
        Path lib = Files.createDirectories(server.resolve(LIB));
        Files.writeString(server.resolve(CONFIG), CONFIG_XML);
        if (moved.isEmpty() && !addBeansXml) {
            Files.copy(war, server.resolve("apps/app.war")); // nothing to change: the WAR as it is
            return;
        }
        try (ZipFile zip = new ZipFile(war.toFile());
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(server.resolve("apps/app.war")))) {
            List<? extends ZipEntry> entries = Collections.list(zip.entries());
            // the moved jars are most of the bytes: unpacked in parallel (ZipFile reads from several threads)
            entries.parallelStream().filter(e -> moved.contains(e.getName())).forEach(e -> {
                try (InputStream in = zip.getInputStream(e)) {
                    Files.copy(in, lib.resolve(e.getName().substring(WarFiles.LIB.length())),
                            StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
            });
            for (ZipEntry e : entries) {
                if (moved.contains(e.getName())) {
                    continue;
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                out.putNextEntry(copy);
                try (InputStream in = zip.getInputStream(e)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            if (addBeansXml) {
                out.putNextEntry(new ZipEntry(BEANS_XML_ENTRY));
                out.write(BEANS_XML.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
