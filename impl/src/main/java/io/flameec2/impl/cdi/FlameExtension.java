package io.flameec2.impl.cdi;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlameExecutor;
import io.flameec2.FlamePool;
import io.flameec2.FlameRemote;
import io.flameec2.FlamePools;
import io.flameec2.FlameRunnerContext;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.exec.Invokers;
import io.flameec2.impl.pool.Pools;
import io.flameec2.impl.remote.common.RunnerEnv;
import io.flameec2.impl.remote.runner.BootMarks;
import io.flameec2.impl.telemetry.Telemetry;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.AnnotatedType;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.BeforeShutdown;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.InjectionPoint;
import jakarta.enterprise.inject.spi.Decorator;
import jakarta.enterprise.inject.spi.Interceptor;
import jakarta.enterprise.inject.spi.ProcessManagedBean;
import jakarta.enterprise.inject.spi.ProcessInjectionPoint;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The portable extension: finds {@link FlameRemote @FlameRemote} methods and the pools they and the
 * {@code FlameExecutor} injection points name, fails the deployment with errors naming the method or the
 * configuration key, registers the executor and runner-context beans and the interceptor, starts the pools
 * (not on runners, where FLAME forces {@code min} to 0 and pools start on first use) and stops them at
 * shutdown.
 */
public class FlameExtension implements Extension {

    private static final Logger LOG = Logger.getLogger(FlameExtension.class.getName());

    private final RemoteMethods remoteMethods = new RemoteMethods();
    /** Pool name to where it is used, for error messages. */
    private final Map<String, String> usedPools = new TreeMap<>();
    private final Set<String> executorPools = ConcurrentHashMap.newKeySet();
    /** Deployment problems, each once: a method inherited by several beans is checked for each of them. */
    private final Set<String> problems = new LinkedHashSet<>();
    private final boolean runnerMode = "true".equalsIgnoreCase(System.getenv(RunnerEnv.RUNNER));
    private volatile Pools pools;
    private volatile Optional<Telemetry.Hooks> telemetry = Optional.empty();

    void registerInterceptor(@Observes BeforeBeanDiscovery discovery, BeanManager beanManager) {
        if (runnerMode) {
            BootMarks.mark(BootMarks.LIBERTY); // the earliest moment of the application's own code
        }
        discovery.addAnnotatedType(beanManager.createAnnotatedType(FlameRemoteInterceptor.class),
                FlameRemoteInterceptor.class.getName());
    }

    /**
     * Registers the {@code @FlameRemote} methods of one bean, keyed by its bean class: collected here, where
     * the container names the bean, rather than per annotated type, so two beans inheriting one method under
     * different class-level pools each keep their own pool (issue #19).
     */
    <T> void findRemoteMethods(@Observes ProcessManagedBean<T> event) {
        if (event.getBean() instanceof Interceptor<?> || event.getBean() instanceof Decorator<?>) {
            return;
        }
        register(event.getBean().getBeanClass(), event.getAnnotatedBeanClass());
    }

    /** Registers the remote methods of a bean class, recording every problem, each naming the method. */
    <T> void register(Class<?> beanClass, AnnotatedType<T> type) {
        FlameRemote onClass = type.getAnnotation(FlameRemote.class);
        for (AnnotatedMethod<? super T> m : type.getMethods()) {
            Method method = m.getJavaMember();
            // a class-level @FlameRemote makes the bean's public methods remote (not Object's)
            FlameRemote annotation = m.isAnnotationPresent(FlameRemote.class) ? m.getAnnotation(FlameRemote.class)
                    : onClass != null && Modifier.isPublic(method.getModifiers())
                            && method.getDeclaringClass() != Object.class ? onClass : null;
            if (annotation == null) {
                continue;
            }
            try {
                RemoteMethod remote = RemoteMethod.of(beanClass, method, annotation);
                synchronized (problems) {
                    problems.addAll(remote.problems());
                }
                remoteMethods.add(remote);
                synchronized (usedPools) {
                    usedPools.putIfAbsent(remote.pool(), RemoteMethod.describe(method) + " of bean "
                            + beanClass.getName());
                }
            } catch (FlameConfigurationException e) {
                synchronized (problems) {
                    problems.add(e.getMessage());
                }
            }
        }
    }

    void findExecutors(@Observes ProcessInjectionPoint<?, FlameExecutor> event) {
        InjectionPoint ip = event.getInjectionPoint();
        String pool = ip.getQualifiers().stream().filter(FlamePool.class::isInstance).map(FlamePool.class::cast)
                .map(FlamePool::value).findFirst().orElse(FlamePool.DEFAULT);
        executorPools.add(pool);
        synchronized (usedPools) {
            usedPools.putIfAbsent(pool, "the FlameExecutor injected into " + ip.getMember());
        }
    }

    void addBeans(@Observes AfterBeanDiscovery event) {
        problems.forEach(p -> event.addDefinitionError(new DeploymentException("FlameEC2: " + p)));
        for (String pool : executorPools) {
            List<Annotation> qualifiers = new ArrayList<>(List.of(new FlamePoolLiteral(pool), Any.Literal.INSTANCE));
            if (pool.equals(FlamePool.DEFAULT)) {
                qualifiers.add(Default.Literal.INSTANCE);
            }
            event.addBean().types(FlameExecutor.class, Object.class).qualifiers(qualifiers.toArray(Annotation[]::new))
                    .beanClass(FlameExtension.class).createWith(c -> new PoolExecutor(pool, () -> pools().get(pool)));
        }
        RunnerContextBean context = new RunnerContextBean(System.getenv());
        event.addBean().types(FlameRunnerContext.class, Object.class).beanClass(FlameExtension.class)
                .createWith(c -> context);
        PoolsView view = new PoolsView(this::pools);
        event.addBean().types(FlamePools.class, Object.class).beanClass(FlameExtension.class).createWith(c -> view);
        if (!runnerMode) {
            Set<String> checked;
            synchronized (usedPools) {
                checked = Set.copyOf(usedPools.keySet());
            }
            HealthChecks.register(event, checked, this::pools);
        }
    }

    void startPools(@Observes AfterDeploymentValidation event, BeanManager beanManager) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Optional<Telemetry.Hooks> otel = Telemetry.find(FlameExtension.class.getClassLoader(),
                type -> bean(beanManager, type));
        telemetry = otel;
        otel.ifPresent(Telemetry::install);
        start(new Pools(ConfigLookup.discover(), runnerMode, e -> beanManager.getEvent().fire(e), loader,
                Telemetry.pools(otel)), CdiInvoker.beansFromCdi(), event::addDeploymentProblem);
    }

    /** The bean of a type, or {@code null} when none is resolvable (MicroProfile Telemetry not enabled). */
    private static Object bean(BeanManager beanManager, Class<?> type) {
        Instance<?> instance = beanManager.createInstance().select(type);
        return instance.isResolvable() ? instance.get() : null;
    }

    /**
     * Checks every pool in use, installs the runner of arriving invocations and, on the parent, starts the
     * pools.
     *
     * @param created the application's pools
     * @param beans resolves a bean class to its contextual instance, for invocations arriving here
     * @param deploymentProblems takes each configuration error, naming the pool and where it is used
     */
    void start(Pools created, Function<Class<?>, Object> beans, Consumer<Throwable> deploymentProblems) {
        Map<String, String> used;
        synchronized (usedPools) {
            used = Map.copyOf(usedPools);
        }
        boolean valid = true;
        for (Map.Entry<String, String> use : used.entrySet()) {
            try {
                created.validate(use.getKey());
            } catch (FlameConfigurationException e) {
                valid = false;
                deploymentProblems.accept(misconfigured(use.getKey(), use.getValue(), e));
            }
        }
        pools = created;
        Invokers.install(new CdiInvoker(remoteMethods, beans));
        if (valid && !runnerMode) {
            // backends check their own settings (ec2.*) when created: report those like the pool settings
            // instead of letting them escape this observer without the pool and where it is used
            created.startAll(used.keySet())
                    .forEach((pool, e) -> deploymentProblems.accept(misconfigured(pool, used.get(pool), e)));
        }
        LOG.info(() -> "FlameEC2 " + (runnerMode ? "runner" : "parent") + ": " + remoteMethods.size()
                + " @FlameRemote methods, pools " + used.keySet());
    }

    private static DeploymentException misconfigured(String pool, String usedBy, FlameConfigurationException e) {
        return new DeploymentException("FlameEC2: pool '" + pool + "' used by " + usedBy
                + " is not configured correctly: " + e.getMessage(), e);
    }

    void stopPools(@Observes BeforeShutdown event) {
        Pools p = pools;
        if (p != null) {
            p.shutdown();
        }
        Invokers.reset();
        Telemetry.reset();
        telemetry.ifPresent(Telemetry.Hooks::close);
    }

    Pools pools() {
        Pools p = pools;
        if (p == null) {
            throw new IllegalStateException("FlameEC2 pools are not started yet (the deployment is not validated)");
        }
        return p;
    }

    /**
     * The remote method of an intercepted call.
     *
     * @param beanClass the intercepted bean's class
     * @param method the intercepted method
     * @return the entry, or empty when the method is not remote (a non-public method of a bean whose class
     *     carries {@code @FlameRemote}: the interceptor binding reaches it, the extension does not register it)
     */
    Optional<RemoteMethod> remoteMethod(Class<?> beanClass, Method method) {
        return remoteMethods.forCall(beanClass, method);
    }
}
