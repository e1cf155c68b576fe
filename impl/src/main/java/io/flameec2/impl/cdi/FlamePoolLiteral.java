package io.flameec2.impl.cdi;

import io.flameec2.FlamePool;
import jakarta.enterprise.util.AnnotationLiteral;

/** An instance of {@link FlamePool}, to register one executor bean per pool name. */
@SuppressWarnings("all")
final class FlamePoolLiteral extends AnnotationLiteral<FlamePool> implements FlamePool {

    private static final long serialVersionUID = 1L;
    private final String value;

    FlamePoolLiteral(String value) {
        this.value = value;
    }

    @Override
    public String value() {
        return value;
    }
}
