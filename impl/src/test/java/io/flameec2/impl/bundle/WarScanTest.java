package io.flameec2.impl.bundle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The byte search behind {@link WarScan}: which names make a class matter to CDI or the servlet container. */
class WarScanTest {

    private static boolean container(String constantPool) {
        return WarScan.namesContainerType(constantPool.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aCdiInjectionInterceptorOrServletAnnotationNameMatters() {
        for (String name : new String[] {"Ljakarta/inject/Inject;", "jakarta/enterprise/context/ApplicationScoped",
                "Ljakarta/interceptor/AroundInvoke;", "jakarta/decorator/Delegate", "jakarta/annotation/PostConstruct",
                "Ljakarta/servlet/annotation/WebServlet;"}) {
            assertTrue(container("\u0001\u0000\u0010" + name + "\u0007\u0000\u0002"), name);
        }
    }

    @Test
    void otherJakartaNamesAndLookAlikesDoNot() {
        assertFalse(container("jakarta/servlet/http/HttpServlet jakarta/ws/rs/GET jakarta/json/JsonObject"));
        assertFalse(container("jakarta/injection jakarta/ jakarta/inje"), "a prefix of a name, or the end of the bytes");
        assertFalse(container("javax/inject/Inject org/jakarta/Inject"));
    }

    @Test
    void aMatchAfterAnEarlierNonMatchingJakartaNameIsFound() {
        assertTrue(container("jakarta/servlet/http/HttpServlet ... jakarta/inject/Named"));
    }
}
