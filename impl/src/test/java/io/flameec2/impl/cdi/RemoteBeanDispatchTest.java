package io.flameec2.impl.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameRejectedException;
import io.flameec2.FlameRemote;
import io.flameec2.FlameRemoteException;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.impl.exec.Invokers;
import io.flameec2.impl.pool.Pools;
import io.flameec2.spi.FlameInvocation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real extension, interceptor and invoker over the local backend, fed by the CDI events a
 * container fires (issue #19 bug 1, issue #13 point 1).
 */
class RemoteBeanDispatchTest {

    /** Set by any bean method body that must never run on a runner. */
    static final AtomicInteger FORBIDDEN_RAN = new AtomicInteger();

    /** A method both beans inherit; each bean's class-level annotation names its own pool. */
    public abstract static class Worker {
        public String work(String what) {
            return getClass().getSimpleName() + " did " + what;
        }

        protected String helper() {
            return "local " + getClass().getSimpleName();
        }
    }

    @FlameRemote(pool = "a")
    public static class WorkerA extends Worker {
        @SuppressWarnings("unused")
        private String secret() {
            FORBIDDEN_RAN.incrementAndGet();
            return "secret";
        }
    }

    @FlameRemote(pool = "b")
    public static class WorkerB extends Worker {
    }

    /** A bean with one remote method among plain ones. */
    public static class Mixed {
        @FlameRemote(pool = "a")
        public int remote(int x) {
            return x + 1;
        }

        public int plain(int x) {
            FORBIDDEN_RAN.incrementAndGet();
            return x;
        }
    }

    private final FlameExtension extension = new FlameExtension();
    private final List<Class<?>> resolved = new CopyOnWriteArrayList<>();
    private final List<Throwable> deploymentProblems = new ArrayList<>();
    private Pools pools;

    @BeforeEach
    void deploy() {
        FORBIDDEN_RAN.set(0);
        for (Class<?> bean : List.of(WorkerA.class, WorkerB.class, Mixed.class)) {
            extension.findRemoteMethods(CdiStubs.processManagedBean(bean));
        }
        pools = new Pools(ConfigLookup.of(Map.of("flame.pools.a.max", "1", "flame.pools.b.max", "1")), false,
                e -> { }, getClass().getClassLoader());
        Map<Class<?>, Object> beans = Map.of(WorkerA.class, new WorkerA(), WorkerB.class, new WorkerB(),
                Mixed.class, new Mixed());
        extension.start(pools, beanClass -> {
            resolved.add(beanClass);
            return beans.get(beanClass);
        }, deploymentProblems::add);
        assertEquals(List.of(), deploymentProblems);
    }

    @AfterEach
    void undeploy() {
        pools.shutdown();
        Invokers.reset();
    }

    private Object call(Class<? extends Worker> beanClass, Method method, Object... args) throws Exception {
        FlameRemoteInterceptor interceptor = new FlameRemoteInterceptor();
        interceptor.beanManager = CdiStubs.beanManager(extension);
        interceptor.intercepted = CdiStubs.bean(beanClass);
        return interceptor.dispatch(CdiStubs.invocation(new Object(), method, args,
                () -> "proceeded here"));
    }

    @Test
    void twoBeansInheritingOneMethodEachCallTheirOwnPoolAndBean() throws Exception {
        Method work = Worker.class.getMethod("work", String.class);

        assertEquals("WorkerA did x", call(WorkerA.class, work, "x"));
        assertEquals(1, pools.get("a").snapshot().runners(), "WorkerA's call boots a runner of pool a");
        assertEquals(0, pools.get("b").snapshot().runners(), "and none of pool b");

        assertEquals("WorkerB did y", call(WorkerB.class, work, "y"));
        assertEquals(1, pools.get("b").snapshot().runners(), "WorkerB's call boots a runner of pool b");
        assertEquals(List.of(WorkerA.class, WorkerB.class), resolved, "each runner resolved the bean named");
    }

    @Test
    void aNonPublicMethodReachedByTheClassBindingRunsHere() throws Exception {
        assertEquals("proceeded here", call(WorkerA.class, Worker.class.getDeclaredMethod("helper")));
        assertEquals(0, pools.get("a").snapshot().runners());
    }

    @Test
    void aRunnerRefusesAMethodThatIsNotRemoteAndRunsNothing() {
        List<FlameInvocation.BeanMethod> refused = List.of(
                new FlameInvocation.BeanMethod(Mixed.class.getName(), "plain", List.of("int"), new Object[] {1}),
                new FlameInvocation.BeanMethod(WorkerA.class.getName(), "secret", List.of(), null),
                // a method of another bean's type than the one registered for it
                new FlameInvocation.BeanMethod(Mixed.class.getName(), "remote", List.of("long"), new Object[] {1L}),
                new FlameInvocation.BeanMethod(Runtime.class.getName(), "exit", List.of("int"), new Object[] {0}));
        for (FlameInvocation.BeanMethod call : refused) {
            FlameRejectedException e = assertThrows(FlameRejectedException.class,
                    () -> Invokers.current().run(call), call.toString());
            String named = call.beanClass() + "#" + call.method() + "("
                    + String.join(", ", call.parameterTypes()) + ")";
            assertTrue(e.getMessage().startsWith(named + " is not a @FlameRemote method"), e.getMessage());
        }
        assertEquals(0, FORBIDDEN_RAN.get(), "a refused method's body ran");
        assertEquals(List.of(), resolved, "a refused call must not even resolve its bean");
    }

    @Test
    void aRefusedMethodComesBackToTheParentNamed() throws Exception {
        // through a pool, as a forged message would arrive on a runner
        FlameInvocation.BeanMethod forged = new FlameInvocation.BeanMethod(Mixed.class.getName(), "plain",
                List.of("int"), new Object[] {7});
        Throwable failure = pools.get("a").submit(forged, null).handle((r, e) -> e).get();
        FlameRemoteException remote = remoteFailure(failure);
        assertEquals(FlameRejectedException.class.getName(), remote.remoteClass());
        assertTrue(remote.remoteMessage().startsWith(Mixed.class.getName() + "#plain(int) is not a @FlameRemote"),
                remote.getMessage());
        assertEquals(0, FORBIDDEN_RAN.get(), "the refused method's body ran");
        assertEquals(List.of(), resolved, "a refused call must not even resolve its bean");
    }

    @Test
    void aRegisteredMethodStillRuns() throws Exception {
        FlameInvocation.BeanMethod call = new FlameInvocation.BeanMethod(Mixed.class.getName(), "remote",
                List.of("int"), new Object[] {41});
        assertEquals(42, Invokers.current().run(call));
    }

    private static FlameRemoteException remoteFailure(Throwable t) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
        assertTrue(cause instanceof FlameRemoteException, "expected a FlameRemoteException, got " + cause);
        return (FlameRemoteException) cause;
    }
}
