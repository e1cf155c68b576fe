package com.example.app;

import io.flameec2.FlameCallable;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** An application's Jakarta REST resource (not serializable) declaring a closure that captures a value. */
@Path("/answer")
public class ClosureResource {

    /** The closure a resource method would hand to a FlameExecutor. */
    @GET
    public FlameCallable<String> answer() {
        String greeting = "hello";
        return () -> greeting + " from a resource";
    }
}
