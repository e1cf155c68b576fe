package io.flameec2.impl.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * What the parent reads of its application's classes, in one pass over the WAR: which types the class files of
 * {@code WEB-INF/classes} and of each library jar name, and the descriptors a container reads. It answers both
 * {@link ScanFreeLayout} (may a jar leave {@code WEB-INF/lib}?) and {@code OpenTelemetryUse} (does the application
 * use the OpenTelemetry API?), which once read the 45 MB demo WAR a pass each (1.1 s and 0.8 s). The library jars
 * are read in parallel, every class inflated once and searched once for every name of interest.
 *
 * <p>A type a class uses is named in its constant pool ({@code jakarta/inject/Inject}), so a byte search of the
 * class file finds every use, without parsing it.
 */
public final class WarScan {

    /** Types that make a class matter to CDI or to the servlet container, after {@code jakarta/}. */
    private static final List<byte[]> CONTAINER_PACKAGES = Stream.of("enterprise/", "inject/", "interceptor/",
            "decorator/", "servlet/annotation/", "annotation/").map(WarScan::ascii).toList();
    private static final byte[] JAKARTA = ascii("jakarta/");
    private static final byte[] OPEN_TELEMETRY = ascii("io/opentelemetry/");
    /** Resources of a jar that matter to the servlet container or to CDI. */
    private static final List<String> CONTAINER_RESOURCES = List.of("META-INF/beans.xml", "META-INF/web-fragment.xml",
            "META-INF/resources/", "META-INF/services/jakarta.", "META-INF/services/javax.");
    private static final List<String> BEANS_XMLS = List.of("WEB-INF/beans.xml", "WEB-INF/classes/META-INF/beans.xml");
    /** FlameEC2's own classes. */
    private static final String OWN = "io/flameec2/";
    /**
     * FlameEC2's implementation: its classes that name OpenTelemetry types use them only after checking that the
     * API is visible (its telemetry package), or only name them (this class's own constant). An application's
     * classes may be in other packages under {@code io.flameec2}, and count.
     */
    private static final String OWN_IMPL = "io/flameec2/impl/";
    private static final Map<List<Object>, WarScan> KNOWN = new ConcurrentHashMap<>();

    /**
     * What one library jar holds.
     *
     * @param entry its entry in the WAR ({@code WEB-INF/lib/x.jar})
     * @param ownOnly all its classes are FlameEC2's
     * @param beansXml it has {@code META-INF/beans.xml} (an explicit bean archive)
     * @param containerTypes a class names a CDI, injection, interceptor or servlet-annotation type, or it holds a
     *     web fragment, web resources or a {@code META-INF/services/jakarta.*} service: it may matter to CDI or
     *     to the servlet container
     * @param usesOpenTelemetry a class, not of FlameEC2's implementation, names an {@code io.opentelemetry} type
     */
    public record Library(String entry, boolean ownOnly, boolean beansXml, boolean containerTypes,
            boolean usesOpenTelemetry) {
    }

    private final boolean beansXml;
    private final boolean classesUseOpenTelemetry;
    private final List<Library> libraries;

    private WarScan(boolean beansXml, boolean classesUseOpenTelemetry, List<Library> libraries) {
        this.beansXml = beansXml;
        this.classesUseOpenTelemetry = classesUseOpenTelemetry;
        this.libraries = List.copyOf(libraries);
    }

    /**
     * Reads a WAR: a file once per version (remembered by path, size and time, read once when several threads ask
     * at the same time), an expanded directory every time.
     *
     * @param war a WAR file or an expanded WAR directory
     * @return what it holds
     * @throws IOException when it cannot be read
     */
    public static WarScan of(Path war) throws IOException {
        return Files.isDirectory(war) ? expanded(war) : WarFiles.perFile(KNOWN, war, WarScan::archive);
    }

    /**
     * Whether the WAR has a {@code beans.xml} of its own ({@code WEB-INF/beans.xml} or in its classes).
     *
     * @return whether it has
     */
    public boolean beansXml() {
        return beansXml;
    }

    /**
     * Whether a class of the application, not of FlameEC2's implementation, names an {@code io.opentelemetry} type:
     * in {@code WEB-INF/classes} or in a library jar.
     *
     * @return whether one does
     */
    public boolean usesOpenTelemetry() {
        return classesUseOpenTelemetry || libraries.stream().anyMatch(Library::usesOpenTelemetry);
    }

    /**
     * The library jars, in the WAR's order.
     *
     * @return them
     */
    public List<Library> libraries() {
        return libraries;
    }

    private static WarScan archive(Path war) throws IOException {
        try (ZipFile zip = new ZipFile(war.toFile())) {
            boolean beans = false;
            boolean otel = false;
            List<ZipEntry> jars = new ArrayList<>();
            for (ZipEntry e : Collections.list(zip.entries())) {
                String name = e.getName();
                beans |= BEANS_XMLS.contains(name);
                if (WarFiles.isLibrary(name)) {
                    jars.add(e);
                } else if (!otel && isClass(name) && name.startsWith(WarFiles.CLASSES)) {
                    try (InputStream in = zip.getInputStream(e)) {
                        otel = usesOpenTelemetry(name.substring(WarFiles.CLASSES.length()), in.readAllBytes());
                    }
                }
            }
            // ZipFile reads entries from several threads; the jars are most of the work
            List<Library> libraries = jars.parallelStream().map(e -> {
                try (InputStream in = zip.getInputStream(e)) {
                    return library(e.getName(), in);
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
            }).toList();
            return new WarScan(beans, otel, libraries);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static WarScan expanded(Path war) throws IOException {
        boolean beans = false;
        for (String b : BEANS_XMLS) {
            beans |= Files.isRegularFile(war.resolve(b));
        }
        boolean otel = false;
        Path classes = war.resolve(WarFiles.CLASSES);
        if (Files.isDirectory(classes)) {
            try (Stream<Path> all = Files.walk(classes)) {
                for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                    String name = classes.relativize(p).toString().replace('\\', '/');
                    if (isClass(name) && usesOpenTelemetry(name, Files.readAllBytes(p))) {
                        otel = true;
                        break;
                    }
                }
            }
        }
        List<Library> libraries = new ArrayList<>();
        Path lib = war.resolve(WarFiles.LIB);
        if (Files.isDirectory(lib)) {
            try (Stream<Path> jars = Files.list(lib)) {
                for (Path p : (Iterable<Path>) jars.sorted()::iterator) {
                    String entry = WarFiles.LIB + p.getFileName();
                    if (WarFiles.isLibrary(entry) && Files.isRegularFile(p)) {
                        try (InputStream in = Files.newInputStream(p)) {
                            libraries.add(library(entry, in));
                        }
                    }
                }
            }
        }
        return new WarScan(beans, otel, libraries);
    }

    private static Library library(String entry, InputStream jar) throws IOException {
        ZipInputStream in = new ZipInputStream(jar); // not closed: that would close the WAR's entry stream
        boolean own = true;
        boolean classes = false;
        boolean beans = false;
        boolean container = false;
        boolean otel = false;
        for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
            String name = e.getName();
            beans |= name.equals("META-INF/beans.xml");
            container |= CONTAINER_RESOURCES.stream().anyMatch(name::startsWith);
            if (isClass(name)) {
                classes = true;
                own &= name.startsWith(OWN);
                if (!container || !otel) {
                    byte[] bytes = in.readAllBytes();
                    container = container || namesContainerType(bytes);
                    otel = otel || usesOpenTelemetry(name, bytes);
                }
            }
        }
        return new Library(entry, classes && own, beans, container, otel);
    }

    private static boolean isClass(String name) {
        return name.endsWith(".class") && !name.endsWith("module-info.class");
    }

    private static boolean usesOpenTelemetry(String classPath, byte[] bytes) {
        return !classPath.startsWith(OWN_IMPL) && WarFiles.contains(bytes, OPEN_TELEMETRY);
    }

    /** One pass over the bytes for every {@code jakarta/} name, checking what follows it. */
    static boolean namesContainerType(byte[] bytes) {
        for (int at = WarFiles.indexOf(bytes, JAKARTA, 0); at >= 0; at = WarFiles.indexOf(bytes, JAKARTA, at + 1)) {
            int after = at + JAKARTA.length;
            for (byte[] p : CONTAINER_PACKAGES) {
                if (WarFiles.startsAt(bytes, after, p)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
