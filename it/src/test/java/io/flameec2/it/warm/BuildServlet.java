package io.flameec2.it.warm;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code /build/ready}, and {@code /build/work}: one call to a runner. */
@WebServlet("/build/*")
public class BuildServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    BuildWork work;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        resp.getWriter().print("/work".equals(req.getPathInfo()) ? work.whichBuild() : "ready");
    }
}
