package io.flameec2.it.telemetry;

import io.flameec2.FlamePools;
import io.flameec2.status.PoolStatus;
import io.flameec2.status.RunnerStatus;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.Callable;

/** Drives ObservabilityIT's scenario in the parent: one path per step, failures answered as their class name. */
@WebServlet("/obs/*")
public class ObservabilityServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    TracedWork work;

    @Inject
    FlamePools pools;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String answer = switch (String.valueOf(req.getPathInfo())) {
            case "/ready" -> "ready";
            case "/work" -> outcome(work::work);
            case "/sleepy" -> outcome(work::sleepy);
            case "/hang" -> outcome(work::hang);
            case "/broken" -> outcome(work::fixed);
            case "/pools" -> pools();
            default -> null;
        };
        if (answer == null) {
            resp.sendError(404);
            return;
        }
        resp.setContentType("text/plain");
        resp.getWriter().print(answer);
    }

    private static String outcome(Callable<String> call) {
        try {
            return call.call();
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    /** One line per pool: {@code name ready=1 booting=0 inFlight=0 waiting=0 bootFailures=0}. */
    private String pools() {
        StringBuilder out = new StringBuilder();
        for (PoolStatus p : pools.pools()) {
            out.append(p.name()).append(" ready=").append(p.runners(RunnerStatus.State.READY))
                    .append(" booting=").append(p.runners(RunnerStatus.State.BOOTING))
                    .append(" inFlight=").append(p.inFlight()).append(" waiting=").append(p.waiting())
                    .append(" bootFailures=").append(p.consecutiveBootFailures()).append('\n');
        }
        return out.toString();
    }
}
