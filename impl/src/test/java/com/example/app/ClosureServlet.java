package com.example.app;

import io.flameec2.FlameCallable;
import jakarta.servlet.http.HttpServlet;

/**
 * An application's servlet, outside every allow-list: its closures must travel, its instances must not
 * (HttpServlet and GenericServlet are serializable, so a lambda's capturing class would bring them along).
 */
public class ClosureServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** The closure a doGet would hand to a FlameExecutor. */
    public FlameCallable<Integer> answer(int factor) {
        return () -> 6 * factor;
    }
}
