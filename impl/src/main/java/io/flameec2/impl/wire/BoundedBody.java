package io.flameec2.impl.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request or reply body, refusing (413) anything larger than a limit before reading it all. */
public final class BoundedBody {

    private BoundedBody() {
    }

    /**
     * Reads the whole body.
     *
     * @param in the body stream
     * @param declaredLength the Content-Length, or -1 when unknown
     * @param max the most bytes allowed
     * @return the bytes
     * @throws WireException (413) when the body is, or is declared, larger than {@code max}
     * @throws IOException when reading fails
     */
    public static byte[] read(InputStream in, long declaredLength, long max) throws IOException {
        if (declaredLength > max) {
            throw tooLarge(declaredLength + " bytes", max);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(declaredLength > 0 ? (int) declaredLength : 512);
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > max) {
                throw tooLarge("more than " + max + " bytes", max);
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static WireException tooLarge(String size, long max) {
        return new WireException(413, "body of " + size + " exceeds the limit of " + max + " bytes ("
                + WireFilter.MAX_BYTES + ")", null);
    }
}
