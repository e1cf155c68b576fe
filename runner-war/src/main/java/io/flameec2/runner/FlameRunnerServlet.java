package io.flameec2.runner;

import io.flameec2.impl.remote.runner.RunnerCore;
import io.flameec2.impl.remote.runner.RunnerResponse;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The runner's HTTP routes, {@code /flame/runner/*}: a thin adapter over {@link RunnerCore#handle}, which
 * authenticates before it reads anything. In a parent (no {@code FLAME_RUNNER=true}) every route answers 404.
 */
@WebServlet(urlPatterns = RunnerCore.BASE_PATH + "/*", loadOnStartup = 1)
public class FlameRunnerServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object attribute = getServletContext().getAttribute(FlameRunnerListener.CORE_ATTRIBUTE);
        if (!(attribute instanceof RunnerCore core)) {
            resp.sendError(404);
            return;
        }
        RunnerResponse r;
        try (InputStream body = req.getInputStream()) {
            r = core.handle(req.getMethod(), req.getPathInfo(), req::getHeader, body, req.getContentLengthLong());
        }
        try {
            resp.setStatus(r.status());
            r.headers().forEach(resp::setHeader);
            resp.setContentType(r.contentType());
            resp.setContentLength(r.body().length);
            try (OutputStream out = resp.getOutputStream()) {
                out.write(r.body());
                out.flush();
                resp.flushBuffer();
            }
        } finally {
            r.sent(); // only now may a draining runner exit
        }
    }
}
