package com.example.untrusted;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An application class outside every allow-list (not {@code io.flameec2.**}, not configured): reading it
 * leaves a file behind. The reliability suite ships it in the runner's WAR, so a refusal is the filter's
 * doing and not a missing class.
 */
public final class Outsider implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String canary;

    /**
     * Creates the payload.
     *
     * @param canary the file that reading this object writes
     */
    public Outsider(String canary) {
        this.canary = canary;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        Files.writeString(Path.of(canary), "outsider deserialized");
    }
}
