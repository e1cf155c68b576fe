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
import java.lang.invoke.SerializedLambda;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import com.example.app.ClosureResource;
import com.example.app.ClosureServlet;
import com.example.app.GadgetComparator;
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
    void nullIsAResultButNeverAnEnvelope() {
        byte[] bytes = codec.encode(null);
        assertNull(codec.decode(bytes, loader, Object.class));
        assertThrows(WireException.class, () -> codec.decode(bytes, loader, WireReply.class));
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

    // ---- closures written anywhere in the application ----

    @Test
    void closureDeclaredInAServletRunsWithTheDefaultAllowList() throws Exception {
        FlameCallable<Integer> task = new ClosureServlet().answer(7);
        WireCall back = codec.decode(codec.encode(new WireCall("c-2", 1L, new FlameInvocation.Closure(task))),
                loader, WireCall.class);
        assertEquals(42, ((FlameInvocation.Closure) back.invocation()).callable().call());
    }

    @Test
    void closureDeclaredInARestResourceRunsWithTheDefaultAllowList() throws Exception {
        FlameCallable<String> task = new ClosureResource().answer();
        WireCall back = codec.decode(codec.encode(new WireCall("c-3", 1L, new FlameInvocation.Closure(task))),
                loader, WireCall.class);
        assertEquals("hello from a resource", ((FlameInvocation.Closure) back.invocation()).callable().call());
    }

    @Test
    void theServletItselfIsStillRefusedNamingItsClass() {
        // a closure's class may travel by name; an instance of it (or of HttpServlet) never
        byte[] bytes = codec.encode(new WireReply.Value(new ClosureServlet()));
        WireException e = assertThrows(WireException.class, () -> codec.decode(bytes, loader, WireReply.class));
        assertTrue(e.getMessage().contains("class " + ClosureServlet.class.getName() + " is not allowed"), e.getMessage());
    }

    @Test
    void aRawSerializedLambdaIsRefused() throws Exception {
        // what a plain ObjectOutputStream writes: its capturing class as a Class, with the servlet's hierarchy
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(raw)) {
            out.writeObject(new WireReply.Value(new ClosureServlet().answer(1)));
        }
        WireException e = assertThrows(WireException.class, () -> codec.decode(raw.toByteArray(), loader, WireReply.class));
        assertTrue(e.getMessage().contains(SerializedLambda.class.getName() + " is not allowed"), e.getMessage());
    }

    @Test
    void aLambdaOfAClassOutsideTheApplicationAndTheAllowListIsRefused() {
        // the class loader of javax.management is not the application's, and the package is not allowed
        WireLambda forged = new WireLambda("javax.management.ObjectName", "io/flameec2/FlameCallable", "call",
                "()Ljava/lang/Object;", 6, "javax/management/ObjectName", "lambda$x$0", "()Ljava/lang/Object;",
                "()Ljava/lang/Object;", new Object[0]);
        byte[] bytes = codec.encode(new WireReply.Value(forged));
        WireException e = assertThrows(WireException.class, () -> codec.decode(bytes, loader, WireReply.class));
        assertTrue(e.getMessage().contains("javax.management.ObjectName is not allowed"), e.getMessage());
    }

    @Test
    void aLambdaTheCapturingClassDoesNotDeclareIsRefused() {
        WireLambda forged = new WireLambda(ClosureServlet.class.getName(), "io/flameec2/FlameCallable", "call",
                "()Ljava/lang/Object;", 6, "java/lang/Runtime", "exit", "(I)V", "()Ljava/lang/Object;",
                new Object[] {1});
        byte[] bytes = codec.encode(new WireReply.Value(forged));
        WireException e = assertThrows(WireException.class, () -> codec.decode(bytes, loader, WireReply.class));
        assertTrue(e.getMessage().contains(ClosureServlet.class.getName() + " declares no lambda"), e.getMessage());
    }

    @Test
    void aGadgetComparatorInAnAllowedCollectionIsRefusedBeforeItRuns() {
        PriorityQueue<Object> queue = new PriorityQueue<>(2, new GadgetComparator());
        queue.add("a");
        queue.add("b");
        GadgetComparator.ran = false;
        byte[] bytes = codec.encode(new WireReply.Value(queue));
        WireException e = assertThrows(WireException.class, () -> codec.decode(bytes, loader, WireReply.class));
        assertTrue(e.getMessage().contains(GadgetComparator.class.getName()), e.getMessage());
        assertFalse(GadgetComparator.ran, "the comparator ran");
    }

    // ---- array lengths bounded by the message ----

    @Test
    void aForgedArrayLengthIsRefusedBeforeTheArrayIsAllocated() {
        long[] marked = {0x1122334455667788L, 0x1122334455667788L};
        byte[] bytes = codec.encode(new WireReply.Value(marked));
        int data = indexOf(bytes, ByteBuffer.allocate(8).putLong(0x1122334455667788L).array());
        ByteBuffer.wrap(bytes, data - 4, 4).putInt(16_000_000); // 128 MB from a 100-byte message
        for (WireCodec c : new WireCodec[] {codec, new WireCodec(WireFilter.defaults().forReplies())}) {
            WireException e = assertThrows(WireException.class, () -> c.decode(bytes, loader, WireReply.class));
            assertTrue(e.getMessage().contains("an array of 16000000 long elements cannot be in a message of "
                    + bytes.length + " bytes"), e.getMessage());
        }
    }

    // ---- replies ----

    private final WireCodec replies = new WireCodec(WireFilter.defaults().forReplies());

    @Test
    void aSerialDosReplyIsRefusedWithinASecondOfCpu() {
        byte[] bytes = codec.encode(new WireReply.Value(nestedSets(100)));
        long cpu = cpuNanos(() -> {
            WireException e = assertThrows(WireException.class, () -> replies.decode(bytes, loader, WireReply.class));
            assertTrue(e.getMessage().contains(WireFilter.REPLIES_MAX_DEPTH), e.getMessage());
        });
        // a loaded 2-core machine: the refusal itself takes milliseconds
        assertTrue(cpu < 1_000_000_000L, "decoding thread busy for " + cpu / 1_000_000 + " ms");
    }

    @Test
    void theDeepestSerialDosTheReplyLimitLetsThroughCostsWellUnderASecond() {
        // the sizing of DEFAULT_REPLIES_MAX_DEPTH: the worst nested-set graph it admits
        int levels = (int) WireFilter.DEFAULT_REPLIES_MAX_DEPTH - 2; // WireReply.Value and the root set
        byte[] bytes = codec.encode(new WireReply.Value(nestedSets(levels)));
        long cpu = cpuNanos(() -> replies.decode(bytes, loader, WireReply.class));
        assertTrue(cpu < 1_000_000_000L, "decoding thread busy for " + cpu / 1_000_000 + " ms");
        byte[] deeper = codec.encode(new WireReply.Value(nestedSets(levels + 1)));
        assertThrows(WireException.class, () -> replies.decode(deeper, loader, WireReply.class));
    }

    @Test
    void aLambdaInAReplyIsRefusedUnlessAllowed() throws Exception {
        byte[] bytes = codec.encode(new WireReply.Value(new ClosureServlet().answer(2)));
        WireException e = assertThrows(WireException.class, () -> replies.decode(bytes, loader, WireReply.class));
        assertTrue(e.getMessage().contains(WireFilter.REPLIES_ALLOW_LAMBDAS), e.getMessage());
        WireFilter lenient = WireFilter.readReplies(ConfigLookup.of(Map.of(WireFilter.REPLIES_ALLOW_LAMBDAS, "true")));
        WireReply.Value back = new WireCodec(lenient).decode(bytes, loader, WireReply.Value.class);
        assertEquals(12, ((FlameCallable<?>) back.value()).call());
    }

    @Test
    void replyLimitsAreConfigurableAndNamedInErrors() {
        WireFilter f = WireFilter.readReplies(ConfigLookup.of(Map.of(WireFilter.REPLIES_MAX_DEPTH, "30",
                WireFilter.REPLIES_MAX_REFS, "500", WireFilter.MAX_BYTES, "1MiB")));
        assertEquals(30, f.maxDepth());
        assertEquals(500, f.maxRefs());
        assertEquals(1024 * 1024, f.maxBytes());
        assertFalse(f.lambdas());
        for (String key : List.of(WireFilter.REPLIES_MAX_DEPTH, WireFilter.REPLIES_MAX_REFS,
                WireFilter.REPLIES_ALLOW_LAMBDAS)) {
            FlameConfigurationException e = assertThrows(FlameConfigurationException.class,
                    () -> WireFilter.readReplies(ConfigLookup.of(Map.of(key, "-1"))));
            assertEquals(key, e.key());
        }
    }

    @Test
    void theDeepestFailureFitsInAReply() {
        Throwable chain = new IllegalStateException("root");
        for (int i = 0; i < 40; i++) {
            chain = new IllegalStateException("level " + i, chain);
        }
        byte[] bytes = codec.encode(new WireReply.Failed(WireFailure.of(chain)));
        assertInstanceOf(WireReply.Failed.class, replies.decode(bytes, loader, WireReply.class));
    }

    /** The classic SerialDOS graph: two sets per level, each holding both sets of the next level. */
    private static Set<Object> nestedSets(int levels) {
        Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < levels; i++) {
            Set<Object> t1 = new HashSet<>();
            Set<Object> t2 = new HashSet<>();
            t1.add("foo"); // makes t1 and t2 unequal, so both stay in their parents
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        return root;
    }

    private static long cpuNanos(Runnable work) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadCpuTime();
        work.run();
        return threads.getCurrentThreadCpuTime() - before;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("marker not found");
    }
}
