package io.flameec2.it.cdi2;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Calls one worker and answers with its result and the pools booted so far. */
@WebServlet("/work/*")
public class WorkerServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    WorkerA a;

    @Inject
    WorkerB b;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        String result = switch (req.getPathInfo()) {
            case "/a" -> a.work("x");
            case "/b" -> b.work("y");
            default -> "ready";
        };
        resp.getWriter().print(result + " " + BootLog.POOLS);
    }
}
