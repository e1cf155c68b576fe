package io.flameec2.it.warm;

/** What only the second build of the test application has a bean of. */
public interface Greeting {

    /**
     * Which build this is.
     *
     * @return the build's name
     */
    String build();
}
