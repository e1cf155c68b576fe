package io.flameec2.impl.bundle;

/** What the parent reads in the application's class files: the names they hold (their constant pools). */
public final class ClassFiles {

    private ClassFiles() {
    }

    /**
     * Whether bytes hold a sequence, such as a class file a type's internal name ({@code io/opentelemetry/}).
     *
     * @param data the bytes
     * @param part the sequence, not empty
     * @return whether it occurs
     */
    public static boolean contains(byte[] data, byte[] part) {
        byte first = part[0];
        for (int i = 0, last = data.length - part.length; i <= last; i++) {
            if (data[i] == first && matchesAt(data, i, part)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesAt(byte[] data, int at, byte[] part) {
        for (int j = 1; j < part.length; j++) {
            if (data[at + j] != part[j]) {
                return false;
            }
        }
        return true;
    }
}
