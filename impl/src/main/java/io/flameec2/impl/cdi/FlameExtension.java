package io.flameec2.impl.cdi;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlameExecutor;
import io.flameec2.FlamePool;
import io.flameec2.FlameRemote;
import io.flameec2.FlameRunnerContext;
import io.flameec2.impl.exec.InvocationRunners;
import io.flameec2.impl.remote.RemoteSettings;
import io.flameec2.impl.remote.RunnerEnv;
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
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.ProcessInjectionPoint;
import jakarta.enterprise.inject.spi.WithAnnotations;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
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

    private final Map<Method, RemoteMethod> remoteMethods = new ConcurrentHashMap<>();
    /** Pool name to where it is used, for error messages. */
    private final Map<String, String> usedPools = new TreeMap<>();
    private final Set<String> executorPools = ConcurrentHashMap.newKeySet();
    private final List<String> problems = new ArrayList<>();
    private final boolean runnerMode = "true".equalsIgnoreCase(System.getenv(RunnerEnv.RUNNER));
    private volatile Pools pools;

    void registerInterceptor(@Observes BeforeBeanDiscovery discovery, BeanManager beanManager) {
        discovery.addAnnotatedType(beanManager.createAnnotatedType(FlameRemoteInterceptor.class),
                FlameRemoteInterceptor.class.getName());
    }

    <T> void findRemoteMethods(@Observes @WithAnnotations(FlameRemote.class) ProcessAnnotatedType<T> event) {
        AnnotatedType<T> type = event.getAnnotatedType();
        Class<T> beanClass = type.getJavaClass();
        if (beanClass == FlameRemoteInterceptor.class) {
            return;
        }
        FlameRemote onClass = type.getAnnotation(FlameRemote.class);
        for (AnnotatedMethod<? super T> m : type.getMethods()) {
            FlameRemote annotation = m.isAnnotationPresent(FlameRemote.class) ? m.getAnnotation(FlameRemote.class)
                    : onClass != null && Modifier.isPublic(m.getJavaMember().getModifiers())
                            && m.getJavaMember().getDeclaringClass() != Object.class ? onClass : null;
            if (annotation == null) {
                continue;
            }
            try {
                RemoteMethod remote = RemoteMethod.of(beanClass, m.getJavaMember(), annotation);
                problems.addAll(remote.problems());
                remoteMethods.put(m.getJavaMember(), remote);
                synchronized (usedPools) {
                    usedPools.putIfAbsent(remote.pool(), RemoteMethod.describe(m.getJavaMember()));
                }
            } catch (FlameConfigurationException e) {
                problems.add(e.getMessage());
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
    }

    void startPools(@Observes AfterDeploymentValidation event, BeanManager beanManager) {
        Pools created = new Pools(RemoteSettings.configLookup(), runnerMode, e -> beanManager.getEvent().fire(e),
                Thread.currentThread().getContextClassLoader());
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
                event.addDeploymentProblem(misconfigured(use.getKey(), use.getValue(), e));
            }
        }
        pools = created;
        InvocationRunners.install(new CdiInvocationRunner());
        if (valid && !runnerMode) {
            // backends check their own settings (ec2.*) when created: report those like the pool settings
            // instead of letting them escape this observer without the pool and where it is used
            created.startAll(used.keySet())
                    .forEach((pool, e) -> event.addDeploymentProblem(misconfigured(pool, used.get(pool), e)));
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
        InvocationRunners.reset();
    }

    Pools pools() {
        Pools p = pools;
        if (p == null) {
            throw new IllegalStateException("FlameEC2 pools are not started yet (the deployment is not validated)");
        }
        return p;
    }

    RemoteMethod remoteMethod(Method method, Class<?> beanClass) {
        return remoteMethods.computeIfAbsent(method, m -> {
            FlameRemote a = m.isAnnotationPresent(FlameRemote.class) ? m.getAnnotation(FlameRemote.class)
                    : beanClass.getAnnotation(FlameRemote.class);
            return RemoteMethod.of(beanClass, m, a);
        });
    }
}
