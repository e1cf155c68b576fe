package io.flameec2.it.warm;

import jakarta.enterprise.context.ApplicationScoped;

/** A bean the second build adds: a runner that scanned the first build's classes would not know it. */
@ApplicationScoped
public class SecondBuildGreeting implements Greeting {

    @Override
    public String build() {
        return "second build";
    }
}
