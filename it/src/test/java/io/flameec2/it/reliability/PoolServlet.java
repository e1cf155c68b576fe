package io.flameec2.it.reliability;

import io.flameec2.FlameExecutor;
import io.flameec2.FlamePool;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The whole application of {@link BadConfigurationIT}'s WARs: it uses pool {@code x} (by injecting its
 * executor), so the pool's configuration is read and checked when the WAR deploys. {@code /pool/name} only
 * proves the deployment succeeded; {@code /pool/call} also runs a closure on the pool.
 */
@WebServlet("/pool/*")
public class PoolServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    @FlamePool("x")
    FlameExecutor x;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        String answer = switch (String.valueOf(req.getPathInfo())) {
            case "/name" -> x.pool();
            case "/call" -> "pool " + x.pool() + " computed " + x.call(() -> 6 * 7); // README's closure, here
            default -> "unknown path " + req.getPathInfo();
        };
        resp.getWriter().print(answer);
    }
}
