package io.flameec2.it.cdi;

import io.flameec2.FlameExecutor;
import io.flameec2.FlamePool;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Exercises the integration inside the parent server and answers in plain text, one scenario per path. */
@WebServlet("/it/*")
public class ItServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    FlameExecutor defaultExecutor;

    @Inject
    @FlamePool("fast")
    FlameExecutor fast;

    @Inject
    @FlamePool("proc")
    FlameExecutor proc;

    @Inject
    RemoteBean bean;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        String answer;
        try {
            answer = switch (req.getPathInfo()) {
                case "/inject" -> defaultExecutor.pool() + "," + fast.pool();
                // closures written right here: the servlet's class travels by name only, never as an instance
                case "/closure" -> fast.call(() -> "closure ran on " + Thread.currentThread().getName());
                case "/servlet-closure" -> proc.call(() -> "closure of a servlet ran in pid " + ProcessHandle.current().pid());
                case "/pid" -> String.valueOf(ProcessHandle.current().pid());
                case "/executor" -> ExecutorScenario.run(proc);
                case "/remote" -> bean.where("servlet");
                case "/async" -> String.valueOf(bean.square(12).toCompletableFuture().get(30, TimeUnit.SECONDS));
                case "/runner" -> bean.onRunner();
                case "/retry" -> {
                    RemoteBean.ATTEMPTS.set(0);
                    yield bean.flaky();
                }
                case "/timeout" -> failure(() -> bean.slow());
                case "/fallback" -> bean.withFallback("x");
                case "/circuit" -> failure(() -> bean.breaking()) + "|" + failure(() -> bean.breaking()) + "|"
                        + failure(() -> bean.breaking());
                case "/bulkhead" -> {
                    List<CompletableFuture<String>> calls = new ArrayList<>();
                    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(3);
                    for (int i = 0; i < 3; i++) {
                        calls.add(CompletableFuture.supplyAsync(() -> {  // on threads that inherit the app's loader
                            try {
                                return bean.crowded();
                            } catch (Exception e) {
                                return e.getClass().getSimpleName();
                            }
                        }, threads));
                    }
                    String all = String.join("|", calls.stream().map(CompletableFuture::join).sorted().toList());
                    threads.shutdown();
                    yield all;
                }
                case "/events" -> String.join("\n", EventLog.EVENTS);
                default -> "unknown scenario " + req.getPathInfo();
            };
        } catch (Exception e) {
            answer = "FAILED " + e;
        }
        resp.getWriter().print(answer);
    }

    private interface Action {
        Object run() throws Exception;
    }

    private static String failure(Action action) {
        try {
            return "no failure: " + action.run();
        } catch (Exception e) {
            return e.getClass().getName();
        }
    }
}
