package io.flameec2.it.ec2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A stand-in for a Liberty server package, laid out like one ({@code wlp/bin/server},
 * {@code wlp/usr/servers/<name>/}), whose {@code server run} reports what a runner would see (its env, the env
 * file's mode) to the test at {@code FAKE_REPORT_URL} over plain HTTP, then exits or stays as the parent answers. It tests the user-data
 * and the box without the minute a real Liberty boot costs.
 */
final class FakeRunnerBundle {

    /** The variable naming where the fake runner reports. */
    static final String REPORT_URL = "FAKE_REPORT_URL";

    static final String SERVER_SCRIPT = """
            #!/bin/bash
            # fake Liberty bin/server: FAKE_BEHAVIOUR=register (default) or silent (never calls back)
            can() { if [ "$1" "$2" ]; then echo yes; else echo no; fi; }
            report=$(printf 'id=%s\\ntoken=%s\\nport=%s\\nrunner=%s\\nmode=%s\\nargs=%s\\nuser=%s\\nuid=%s\\n' \\
              "${FLAME_RUNNER_ID}" "${FLAME_JOIN_TOKEN}" "${FLAME_HTTP_PORT}" "${FLAME_RUNNER}" \\
              "$(stat -c %a /opt/flame/runner.env)" "$*" "$(id -un)" "$(id -u)")
            report+=$(printf '\\nmarket=%s\\n' "${FLAME_MARKET}")
            report+=$(printf '\\nreadsEnvFile=%s\\nwritesBundle=%s\\nwritesOutput=%s\\nhome=%s\\noutputDir=%s\\n' \\
              "$(can -r /opt/flame/runner.env)" "$(can -w /opt/flame/wlp/bin/server)" "$(can -w "${WLP_OUTPUT_DIR}")" \\
              "${HOME}" "${WLP_OUTPUT_DIR}")
            if [ "${FAKE_BEHAVIOUR:-register}" = silent ]; then
              sleep 3600
            fi
            answer=$(curl -fsS -X POST --data-binary "${report}" "${FAKE_REPORT_URL}")
            if [ "${answer}" = stay ]; then
              sleep 3600
            fi
            echo "fake runner exiting"
            """;

    private FakeRunnerBundle() {
    }

    static byte[] zip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("wlp/bin/server"));
            zip.write(SERVER_SCRIPT.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("wlp/usr/servers/fakeRunner/server.xml"));
            zip.write("<server/>\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }
}
