package io.flameec2.it.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The TCP sockets a process listens on, from Linux's {@code /proc}: the socket inodes among its open file
 * descriptors ({@code /proc/<pid>/fd}), matched against the LISTEN entries of {@code /proc/<pid>/net/tcp} and
 * {@code tcp6} (readable for processes of the same user).
 */
public final class ListeningSockets {

    /** One listening socket. */
    public record Listener(InetAddress address, int port) {
        @Override
        public String toString() {
            return address.getHostAddress() + ":" + port;
        }
    }

    private static final String LISTEN = "0A";

    private ListeningSockets() {
    }

    /** The listening TCP sockets of a process. */
    public static List<Listener> of(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while we looked
                }
            }
        }
        List<Listener> listeners = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path file = proc.resolve("net").resolve(table);
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !LISTEN.equals(f[3]) || !inodes.contains(f[9])) {
                    continue;
                }
                String[] local = f[1].split(":");
                listeners.add(new Listener(address(local[0]), Integer.parseInt(local[1], 16)));
            }
        }
        return listeners;
    }

    /** A /proc/net address: 32-bit words in hex, each in host (little-endian) byte order. */
    static InetAddress address(String hex) throws UnknownHostException {
        byte[] raw = HexFormat.of().parseHex(hex);
        byte[] ordered = new byte[raw.length];
        for (int word = 0; word < raw.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                ordered[word + i] = raw[word + 3 - i];
            }
        }
        return InetAddress.getByAddress(ordered); // an IPv4-mapped IPv6 address comes back as IPv4
    }
}
