package io.flameec2;

import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Selects the pool of an injected {@link FlameExecutor}: {@code @Inject @FlamePool("thumbnails") FlameExecutor
 * thumbnails;}. An unqualified {@code FlameExecutor} is bound to the default pool.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.TYPE})
public @interface FlamePool {

    /** The name of the default pool, used where no pool is named. */
    String DEFAULT = "default";

    /**
     * The pool name.
     *
     * @return the pool name as used in {@code flame.pools.<name>.*}
     */
    String value();
}
