package io.flameec2.impl.telemetry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** WARs and jars made of real class files, for the checks of what an application uses. */
public final class TestWars {

    /** Names an OpenTelemetry type, as a bean injecting a {@code Tracer} does. */
    public static final class Traced {
        io.opentelemetry.api.trace.Tracer tracer;
    }

    /** Names nothing of OpenTelemetry. */
    public static final class Plain {
        String name;
    }

    private TestWars() {
    }

    /**
     * The class file of a class.
     *
     * @param type the class
     * @return its bytes
     * @throws IOException when it cannot be read
     */
    public static byte[] classFile(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getName().substring(type.getName().lastIndexOf('.') + 1)
                + ".class")) {
            return in.readAllBytes();
        }
    }

    /**
     * An archive of entries.
     *
     * @param entries path in the archive to content
     * @return the archive's bytes
     * @throws IOException never in practice
     */
    public static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /**
     * Writes an archive.
     *
     * @param file where
     * @param entries path in the archive to content
     * @return the file
     * @throws IOException when it cannot be written
     */
    public static Path write(Path file, Map<String, byte[]> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(zip(entries));
        }
        return file;
    }
}
