package io.flameec2.runner;

import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.exec.Invokers;
import io.flameec2.impl.remote.AppVersion;
import io.flameec2.impl.exec.ContainerThreads;
import io.flameec2.impl.remote.runner.RunnerCore;
import io.flameec2.impl.remote.runner.RunnerSettings;
import io.flameec2.impl.wire.WireCodec;
import io.flameec2.impl.wire.WireFilter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts the runner side when the application is deployed with {@code FLAME_RUNNER=true}: reads the
 * runner's environment, creates the {@link RunnerCore}, which connects to the parent and joins as soon as the
 * application is up. The runner opens no port for FlameEC2. In a parent (no {@code FLAME_RUNNER}), it only
 * records the WAR's version ({@link AppVersion}).
 *
 * <p>When the runner must end (parent lost, idle, stop request, failed join), the JVM exits,
 * which stops Open Liberty; on EC2 the systemd unit then powers the instance off.
 */
@WebListener
public class FlameRunnerListener implements ServletContextListener {

    /** The servlet context attribute holding the {@link RunnerCore} in runner mode. */
    public static final String CORE_ATTRIBUTE = RunnerCore.class.getName();

    private static final Logger LOG = Logger.getLogger(FlameRunnerListener.class.getName());
    private static final AtomicBoolean SERVER_STOPPING = new AtomicBoolean();

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        AppVersion.recordManifest(context.getResourceAsStream("/META-INF/MANIFEST.MF"));
        Map<String, String> env = System.getenv();
        if (!RunnerSettings.isRunner(env)) {
            return;
        }
        try {
            ConfigLookup config = ConfigLookup.discover();
            RunnerSettings settings = RunnerSettings.fromEnv(env, AppVersion.resolve(config));
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            RunnerCore core = new RunnerCore(settings, new WireCodec(WireFilter.read(config)), loader,
                    Invokers::current, ContainerThreads.factory(loader), FlameRunnerListener::exit);
            context.setAttribute(CORE_ATTRIBUTE, core);
            core.start();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "flame runner cannot start: " + e.getMessage() + "; exiting", e);
            exit("cannot start: " + e.getMessage(), Duration.ofSeconds(10));
        }
    }

    /**
     * The server stops the application (such as systemd stopping Liberty): in-flight calls get the drain
     * timeout to finish before the application goes away.
     */
    @Override
    public void contextDestroyed(ServletContextEvent event) {
        Object attribute = event.getServletContext().getAttribute(CORE_ATTRIBUTE);
        if (!(attribute instanceof RunnerCore core) || core.state() == RunnerCore.State.EXITED) {
            return;
        }
        // the server is already going down: the exit callback must not call System.exit from inside it
        SERVER_STOPPING.set(true);
        Duration drain = core.settings().shutdownTimeout();
        core.beginStop("the application is stopping", drain);
        try {
            if (!core.awaitExit(drain.plusSeconds(1))) {
                LOG.warning(() -> "flame runner " + core.settings().runnerId() + ": calls still running after "
                        + drain.toMillis() + " ms; the application stops anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void exit(String reason, Duration grace) {
        if (SERVER_STOPPING.get()) {
            return;
        }
        // from a separate thread: System.exit blocks until shutdown hooks ran, and Liberty's hook stops this app
        Thread t = new Thread(() -> {
            LOG.info(() -> "flame runner: exiting the JVM (" + reason + ")");
            System.exit(0);
        }, "flame-runner-system-exit");
        t.setDaemon(false);
        t.start();
        // the stop has a deadline (shutdown-timeout): a server that takes longer to stop is halted, so that a
        // runner whose parent is gone never outlives it by more than it promised (on EC2: the instance powers off)
        Thread failsafe = new Thread(() -> {
            try {
                Thread.sleep(Math.max(1, grace.toMillis()));
            } catch (InterruptedException e) {
                return;
            }
            LOG.warning(() -> "flame runner: the server did not stop within " + grace.toMillis()
                    + " ms of the shutdown-timeout that was left; halting the JVM (" + reason + ")");
            Runtime.getRuntime().halt(0);
        }, "flame-runner-exit-failsafe");
        failsafe.setDaemon(true);
        failsafe.start();
    }
}
