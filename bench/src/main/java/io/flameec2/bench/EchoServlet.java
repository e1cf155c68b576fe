package io.flameec2.bench;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The transport floor of {@link TransportBench}: POST echoes the body back, GET answers "hello" (the cold-start
 * probe). It does what the runner servlet does minus authentication, deserialization and the call itself: read
 * the whole body, then write a body with a Content-Length.
 */
@WebServlet(urlPatterns = "/echo", loadOnStartup = 1)
public class EchoServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] body;
        try (InputStream in = req.getInputStream()) {
            body = in.readAllBytes();
        }
        resp.setContentType("application/octet-stream");
        resp.setContentLength(body.length);
        try (OutputStream out = resp.getOutputStream()) {
            out.write(body);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        resp.getWriter().write("hello");
    }
}
