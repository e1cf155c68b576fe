package io.flameec2.runner;

import io.flameec2.impl.remote.runner.RunnerCore;
import io.flameec2.impl.remote.runner.RunnerResponse;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The runner's HTTP routes, {@code /flame/runner/*}: a thin adapter over {@link RunnerCore#handle}, which
 * authenticates before it reads anything. In a parent (no {@code FLAME_RUNNER=true}) every route answers 404.
 *
 * <p>Calls are asynchronous requests handled on {@link RunnerCore#callThreads()}: a call may take minutes,
 * and the container's request threads (Open Liberty starts with few and adds more slowly) must stay free for
 * heartbeats and cancels, or a busy runner would miss heartbeats and stop as if its parent were gone.
 */
@WebServlet(urlPatterns = RunnerCore.BASE_PATH + "/*", loadOnStartup = 1, asyncSupported = true)
public class FlameRunnerServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(FlameRunnerServlet.class.getName());

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object attribute = getServletContext().getAttribute(FlameRunnerListener.CORE_ATTRIBUTE);
        if (!(attribute instanceof RunnerCore core)) {
            resp.sendError(404);
            return;
        }
        // an application filter on /* that is not asyncSupported makes the request synchronous: still correct
        if (!"/call".equals(req.getPathInfo()) || !req.isAsyncSupported()) {
            respond(core, req, resp);
            return;
        }
        AsyncContext async = req.startAsync();
        async.setTimeout(0); // the call's own deadline applies: RunnerCore interrupts it and replies
        try {
            core.callThreads().execute(() -> {
                try {
                    respond(core, req, resp);
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "flame runner: could not answer a call", e);
                } finally {
                    async.complete();
                }
            });
        } catch (RejectedExecutionException e) {
            resp.sendError(503, "the runner is stopping");
            async.complete();
        }
    }

    private static void respond(RunnerCore core, HttpServletRequest req, HttpServletResponse resp) throws IOException {
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
