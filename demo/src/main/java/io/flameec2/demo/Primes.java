package io.flameec2.demo;

import io.flameec2.FlameRemote;
import io.flameec2.FlameRunnerContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** CPU-heavy work that runs on a runner of pool "primes", never on the parent. */
@ApplicationScoped
public class Primes {

    @Inject
    FlameRunnerContext context;

    /**
     * Counts the primes below {@code n}, by trial division on purpose (it should cost CPU).
     *
     * @param n the bound
     * @return the count and where it was computed
     */
    @FlameRemote(pool = "primes")
    public String countBelow(int n) {
        long start = System.nanoTime();
        int count = 0;
        for (int i = 2; i < n; i++) {
            boolean prime = true;
            for (int d = 2; (long) d * d <= i; d++) {
                if (i % d == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime) {
                count++;
            }
        }
        String where = context.parent().map(p -> "runner " + p.runnerId() + " (pid " + ProcessHandle.current().pid()
                + ")").orElse("the parent");
        return count + " primes below " + n + ", computed on " + where + " in "
                + (System.nanoTime() - start) / 1_000_000 + " ms\n";
    }
}
