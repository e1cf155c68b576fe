package io.flameec2.it.cdi;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** Jakarta REST resources of the test application, under {@code /api}. */
@ApplicationPath("/api")
public class ItRestApplication extends Application {
}
