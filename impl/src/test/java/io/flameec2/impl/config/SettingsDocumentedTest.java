package io.flameec2.impl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.impl.backend.ec2.Ec2Settings;
import io.flameec2.impl.backend.local.LocalBackendFactory;
import io.flameec2.impl.backend.process.ProcessBackendFactory;
import io.flameec2.impl.remote.RemoteSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * README's settings tables and the declarations say the same: every declared setting has a row, every row is a
 * declared setting. Each table follows a {@code <!-- settings: scope -->} comment.
 */
class SettingsDocumentedTest {

    private static final Map<String, List<Setting<?>>> DECLARED = Map.of(
            "pool", PoolConfigReader.SETTINGS,
            "global", RemoteSettings.SETTINGS,
            "local", LocalBackendFactory.SETTINGS,
            "process", ProcessBackendFactory.SETTINGS,
            "ec2", Ec2Settings.SETTINGS);

    private static final Pattern MARKER = Pattern.compile("<!-- settings: ([a-z0-9]+)\\b.*-->");
    private static final Pattern KEY = Pattern.compile("`([^`]+)`");

    @ParameterizedTest
    @ValueSource(strings = {"pool", "global", "local", "process", "ec2"})
    void readmeTableListsExactlyTheDeclaredSettings(String scope) throws IOException {
        Set<String> declared = DECLARED.get(scope).stream().map(Setting::name)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> documented = new TreeSet<>(tables().getOrDefault(scope, List.of()));
        assertEquals(declared.size(), DECLARED.get(scope).size(), "a setting declared twice in " + scope);
        assertEquals(declared, documented, "README.md's " + scope + " table against the declarations");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pool", "global", "local", "process", "ec2"})
    void everyDeclarationSaysWhatItMeans(String scope) {
        DECLARED.get(scope).forEach(s -> assertTrue(!s.doc().isBlank(), s.name()));
    }

    /** The keys of each marked table, by scope: the backticked names in its rows' first cells. */
    private static Map<String, List<String>> tables() throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String scope = null;
        for (String line : Files.readAllLines(readme())) {
            Matcher marker = MARKER.matcher(line);
            if (marker.find()) {
                scope = marker.group(1);
                out.put(scope, new ArrayList<>());
            } else if (scope != null && line.startsWith("|")) {
                String first = line.split("\\|")[1];
                Matcher key = KEY.matcher(first);
                while (key.find()) {
                    out.get(scope).add(key.group(1));
                }
            } else {
                scope = null; // the table ended, or never began right after its marker
            }
        }
        return out;
    }

    private static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("impl"))) {
                return dir.resolve("README.md");
            }
        }
        throw new AssertionError("no README.md above " + Path.of("").toAbsolutePath());
    }
}
