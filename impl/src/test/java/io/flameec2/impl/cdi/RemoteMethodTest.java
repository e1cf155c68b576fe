package io.flameec2.impl.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameConfigurationException;
import io.flameec2.FlameKey;
import io.flameec2.FlameRemote;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class RemoteMethodTest {

    static class Beans {
        @FlameRemote(pool = "p", timeout = "5s")
        public String fine(int a, String b, List<String> c, Map<String, Integer> d, long[] e) {
            return "";
        }

        @FlameRemote
        public CompletionStage<Thread> async(String x) {
            return null;
        }

        @FlameRemote
        public final String sealed() {
            return "";
        }

        @FlameRemote
        public Thread result() {
            return null;
        }

        @FlameRemote
        public void argument(Object o, java.io.InputStream in) {
        }

        @FlameRemote(timeout = "soon")
        public void badTimeout() {
        }

        @FlameRemote
        public String keyed(int n, @FlameKey String tenant) {
            return "";
        }

        @FlameRemote
        public void twoKeys(@FlameKey String a, int b, @FlameKey String c) {
        }
    }

    static final class Final {
        @FlameRemote
        public void x() {
        }
    }

    private static RemoteMethod of(Class<?> type, String name) {
        Method m = java.util.Arrays.stream(type.getDeclaredMethods()).filter(x -> x.getName().equals(name))
                .findFirst().orElseThrow();
        return RemoteMethod.of(type, m, m.getAnnotation(FlameRemote.class));
    }

    @Test
    void serializablePrimitiveAndInterfaceTypesPass() {
        RemoteMethod m = of(Beans.class, "fine");
        assertEquals(List.of(), m.problems());
        assertEquals("p", m.pool());
        assertEquals(Duration.ofSeconds(5), m.timeout());
        assertEquals(List.of("int", "java.lang.String", "java.util.List", "java.util.Map", "[J"), m.parameterTypes());
        assertFalse(m.asynchronous());
    }

    @Test
    void asynchronousMethodsUseTheDefaultPoolAndTheirValueIsNotCheckedHere() {
        RemoteMethod m = of(Beans.class, "async");
        assertTrue(m.asynchronous());
        assertEquals("default", m.pool());
        assertNull(m.timeout());
        assertEquals(List.of(), m.problems());
    }

    @Test
    void everyProblemNamesTheMethod() {
        assertTrue(of(Beans.class, "sealed").problems().get(0)
                .startsWith("io.flameec2.impl.cdi.RemoteMethodTest$Beans#sealed(): a @FlameRemote method must not be final"));
        assertTrue(of(Beans.class, "result").problems().get(0).contains("#result(): return type java.lang.Thread"));
        List<String> args = of(Beans.class, "argument").problems();
        assertEquals(2, args.size(), args.toString());
        assertTrue(args.get(0).contains("#argument(Object, InputStream): parameter 0 of type java.lang.Object"));
        assertTrue(of(Final.class, "x").problems().get(0).contains("class io.flameec2.impl.cdi.RemoteMethodTest$Final is final"));
    }

    @Test
    void aMalformedTimeoutNamesTheMethod() {
        FlameConfigurationException e = assertThrows(FlameConfigurationException.class,
                () -> of(Beans.class, "badTimeout"));
        assertTrue(e.key().contains("RemoteMethodTest$Beans#badTimeout()"), e.key());
    }

    @Test
    void theFlameKeyParameterRoutesTheCall() {
        RemoteMethod m = of(Beans.class, "keyed");
        assertEquals(List.of(), m.problems());
        assertEquals(1, m.keyParameter());
        assertEquals("acme", m.key(new Object[] {7, "acme"}));
        assertNull(of(Beans.class, "fine").key(new Object[] {1, "b", null, null, null}), "no @FlameKey, no key");
    }

    @Test
    void twoFlameKeysAreADeploymentProblemNamingTheMethod() {
        List<String> problems = of(Beans.class, "twoKeys").problems();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("io.flameec2.impl.cdi.RemoteMethodTest$Beans#twoKeys(String, int, String):"
                + " parameters [0, 2] are all marked @FlameKey"), problems.get(0));
    }
}
