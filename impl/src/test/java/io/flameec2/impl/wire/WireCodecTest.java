package io.flameec2.impl.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flameec2.FlameCallable;
import io.flameec2.FlameConfigurationException;
import io.flameec2.FlameRemoteException;
import io.flameec2.impl.config.ConfigLookup;
import io.flameec2.spi.FlameInvocation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WireCodecTest {

    private final WireCodec codec = new WireCodec(WireFilter.defaults());
    private final ClassLoader loader = getClass().getClassLoader();

    /** Stands for a gadget: deserializing it, or calling its toString, would be "code execution". */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;
        static volatile boolean canary;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            canary = true;
            in.defaultReadObject();
        }

        @Override
        public String toString() {
            canary = true;
            return "gadget";
        }
    }

    @BeforeEach
    void resetCanary() {
        Gadget.canary = false;
    }

    @Test
    void closureRoundTripsWithItsCapturedValues() throws Exception {
        int base = 40;
        List<String> names = List.of("a", "b");
        FlameCallable<String> task = () -> names.get(1) + (base + 2);
        WireCall call = new WireCall("c-1", 123L, new FlameInvocation.Closure(task));
        WireCall back = codec.decode(codec.encode(call), loader, WireCall.class);
        assertEquals("c-1", back.callId());
        assertEquals(123L, back.timeLeftMillis());
        assertEquals("b42", ((FlameInvocation.Closure) back.invocation()).callable().call());
    }

    @Test
    void valuesCollectionsAndTimeRoundTrip() {
        Object value = Map.of("when", LocalDate.of(2026, 11, 25), "xs", new ArrayList<>(List.of(1L, 2.5, "s")),
                "bytes", new byte[] {1, 2, 3}, "nested", new Object[] {new int[] {7}});
        WireReply.Value back = codec.decode(codec.encode(new WireReply.Value(value)), loader, WireReply.Value.class);
        Map<?, ?> m = (Map<?, ?>) back.value();
        assertEquals(LocalDate.of(2026, 11, 25), m.get("when"));
        assertEquals(List.of(1L, 2.5, "s"), m.get("xs"));
    }

    @Test
    void classOutsideTheAllowListIsRefusedNamingIt() throws Exception {
        // the URLDNS gadget: deserializing a HashMap with a URL key makes the JDK resolve its host
        Map<Object, Object> urldns = new java.util.HashMap<>();
        urldns.put(new java.net.URL("http://gadget.invalid/"), "x");
        byte[] bytes = codec.encode(new WireReply.Value(urldns));
        WireException e = assertThrows(WireException.class, () -> codec.decode(bytes, loader, WireReply.class));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("class java.net.URL is not allowed"), e.getMessage());
        assertTrue(e.getMessage().contains(WireFilter.ALLOW), e.getMessage());
    }

    @Test
    void applicationPatternsComeBeforeTheDefaults() {
        WireCodec strict = new WireCodec(new WireFilter("!io.flameec2.impl.wire.WireCodecTest$Gadget",
                WireFilter.DEFAULT_MAX_BYTES, 100, 1000, 1000));
        byte[] bytes = strict.encode(new WireReply.Value(new Gadget()));
        assertFalse(Gadget.canary, "precondition: encoding does not run readObject");
        WireException e = assertThrows(WireException.class, () -> strict.decode(bytes, loader, WireReply.class));
        assertTrue(e.getMessage().contains("WireCodecTest$Gadget"), e.getMessage());
        assertFalse(Gadget.canary, "readObject of a rejected class ran");
        // control: the same bytes through the default filter do construct it, so the canary works
        codec.decode(bytes, loader, WireReply.class);
        assertTrue(Gadget.canary, "control: readObject ran");
    }

    @Test
    void allowKeyExtendsTheList() throws Exception {
        WireFilter filter = WireFilter.read(ConfigLookup.of(Map.of(WireFilter.ALLOW, "javax.management.*")));
        WireCodec lenient = new WireCodec(filter);
        byte[] bytes = lenient.encode(new WireReply.Value(new javax.management.ObjectInstance("a:b=c", "X")));
        assertInstanceOf(WireReply.Value.class, lenient.decode(bytes, loader, WireReply.class));
    }

    @Test
    void deepGraphIsRefusedNamingTheLimit() {
        List<Object> head = new ArrayList<>();
        List<Object> current = head;
        for (int i = 0; i < 300; i++) {
            List<Object> next = new ArrayList<>();
            current.add(next);
            current = next;
        }
        byte[] bytes = codec.encode(new WireReply.Value(head));
        WireException e = assertThrows(WireException.class, () -> codec.decode(bytes, loader, WireReply.class));
        assertTrue(e.getMessage().contains(WireFilter.MAX_DEPTH), e.getMessage());
    }

    @Test
    void longArrayIsRefusedNamingTheLimit() {
        WireCodec small = new WireCodec(new WireFilter("", WireFilter.DEFAULT_MAX_BYTES, 100, 1000, 10));
        byte[] bytes = small.encode(new WireReply.Value(new long[11]));
        WireException e = assertThrows(WireException.class, () -> small.decode(bytes, loader, WireReply.class));
        assertTrue(e.getMessage().contains(WireFilter.MAX_ARRAY), e.getMessage());
    }

    @Test
    void notSerializableValueIsNamed() {
        Object notSerializable = new Object();
        WireException e = assertThrows(WireException.class,
                () -> codec.encode(new WireReply.Value(notSerializable)));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    }

    @Test
    void sizesAndLimitsAreConfigurable() {
        WireFilter f = WireFilter.read(ConfigLookup.of(Map.of(WireFilter.MAX_BYTES, "2MiB", WireFilter.MAX_DEPTH, "7")));
        assertEquals(2L * 1024 * 1024, f.maxBytes());
        assertEquals(7, f.maxDepth());
        FlameConfigurationException e = assertThrows(FlameConfigurationException.class,
                () -> WireFilter.read(ConfigLookup.of(Map.of(WireFilter.MAX_BYTES, "lots"))));
        assertEquals(WireFilter.MAX_BYTES, e.key());
    }

    @Test
    void failureTravelsAsDataWithItsCauseChain() {
        IllegalStateException thrown = new IllegalStateException("outer", new java.io.UncheckedIOException("inner",
                new IOException("root")));
        WireReply.Failed back = codec.decode(codec.encode(new WireReply.Failed(WireFailure.of(thrown))), loader,
                WireReply.Failed.class);
        FlameRemoteException e = back.failure().toException("r-1");
        assertEquals("java.lang.IllegalStateException", e.remoteClass());
        assertEquals("outer", e.remoteMessage());
        assertEquals("r-1", e.runnerId());
        assertEquals(thrown.getStackTrace()[0], e.getStackTrace()[0]);
        FlameRemoteException inner = (FlameRemoteException) e.getCause();
        assertEquals("java.io.UncheckedIOException", inner.remoteClass());
        FlameRemoteException root = (FlameRemoteException) inner.getCause();
        assertEquals("java.io.IOException", root.remoteClass());
        assertNull(root.getCause());
    }
}
