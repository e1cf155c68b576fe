package io.flameec2.demo;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code GET /app/primes?n=2000000}: the parent answers; the work runs on a runner. */
@WebServlet("/primes")
public class PrimesServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    Primes primes;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String n = req.getParameter("n");
        resp.setContentType("text/plain");
        resp.getWriter().print(primes.countBelow(n == null ? 1_000_000 : Integer.parseInt(n)));
    }
}
