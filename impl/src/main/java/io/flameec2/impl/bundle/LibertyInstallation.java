package io.flameec2.impl.bundle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Open Liberty installation this parent runs in, which its runners run with ({@code process}) or which is
 * packaged into their bundle ({@code ec2}): Liberty sets the system property {@value #PROPERTY} in its servers.
 */
public final class LibertyInstallation {

    /** The system property Open Liberty sets to its installation directory ({@code .../wlp/}). */
    public static final String PROPERTY = "wlp.install.dir";
    /** Where a machine has bash. */
    private static final List<Path> BASH = List.of(Path.of("/bin/bash"), Path.of("/usr/bin/bash"));

    private LibertyInstallation() {
    }

    /**
     * The installation of the server this JVM is.
     *
     * @return its {@code wlp} directory, or empty outside Open Liberty (or without a {@code bin/server} there)
     */
    public static Optional<Path> ofThisServer() {
        return Optional.ofNullable(System.getProperty(PROPERTY)).filter(v -> !v.isBlank()).map(Path::of)
                .filter(wlp -> Files.isRegularFile(wlp.resolve("bin/server")));
    }

    /**
     * The command that runs an installation's {@code bin/server} script: with bash where the machine has it. The
     * script is POSIX shell, and Debian's and Ubuntu's {@code /bin/sh} (dash) reads its {@code jvm.options} files
     * a byte per system call: from spawn to the JVM 0.97 s with dash, 0.17 s with bash on an idle 2-core machine,
     * up to 1.5 s of a runner's boot under load (README "Runner cold start"). Elsewhere {@code /bin/sh} is bash
     * already, or the script runs as it is.
     *
     * @param wlp the installation's {@code wlp} directory
     * @param args the script's arguments ({@code run}, the server's name)
     * @return the command
     */
    public static List<String> serverCommand(Path wlp, String... args) {
        List<String> command = new ArrayList<>();
        BASH.stream().filter(Files::isExecutable).findFirst().ifPresent(bash -> command.add(bash.toString()));
        command.add(wlp.resolve("bin/server").toString());
        command.addAll(List.of(args));
        return command;
    }
}
