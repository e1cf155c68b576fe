package io.flameec2.it.cdi;

import io.flameec2.FlameExecutor;
import io.flameec2.FlamePool;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

/** A Jakarta REST resource of the test application that hands a closure written here to a pool. */
@Path("/closure")
@RequestScoped
public class ItResource {

    @Inject
    @FlamePool("proc")
    FlameExecutor proc;

    @GET
    @Produces("text/plain")
    public String closure() {
        String who = "closure of a resource";
        return proc.call(() -> who + " ran in pid " + ProcessHandle.current().pid());
    }
}
