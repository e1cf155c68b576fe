package io.flameec2.spi;

import io.flameec2.FlameCallable;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** What a call runs on the runner: a closure, or a method of a CDI bean. */
public sealed interface FlameInvocation extends Serializable {

    /**
     * A short description for logs and error messages, such as {@code com.acme.Thumbnails#render}.
     *
     * @return the description
     */
    String describe();

    /**
     * A closure handed to {@link io.flameec2.FlameExecutor}.
     *
     * @param callable the closure
     */
    record Closure(FlameCallable<?> callable) implements FlameInvocation {

        /**
         * Checks that the closure is present.
         *
         * @param callable the record component
         * @throws NullPointerException when it is {@code null}
         */
        public Closure {
            Objects.requireNonNull(callable, "callable");
        }

        @Override
        public String describe() {
            return callable.getClass().getName();
        }
    }

    /**
     * A {@link io.flameec2.FlameRemote @FlameRemote} method of a CDI bean, resolved by CDI on the runner.
     *
     * @param beanClass the bean class (not a proxy class)
     * @param method the method name
     * @param parameterTypes the method's parameter types, to find the overload
     * @param arguments the arguments, each serializable or {@code null}
     */
    record BeanMethod(String beanClass, String method, List<String> parameterTypes, Object[] arguments)
            implements FlameInvocation {

        private static final long serialVersionUID = 1L;

        /**
         * Checks that the components fit together.
         *
         * @param beanClass the record component
         * @param method the record component
         * @param parameterTypes the record component
         * @param arguments the record component
         * @throws IllegalArgumentException when the argument count differs from the parameter count
         */
        public BeanMethod {
            Objects.requireNonNull(beanClass, "beanClass");
            Objects.requireNonNull(method, "method");
            parameterTypes = List.copyOf(parameterTypes);
            arguments = arguments == null ? new Object[0] : arguments.clone();
            if (arguments.length != parameterTypes.size()) {
                throw new IllegalArgumentException(beanClass + "#" + method + " takes " + parameterTypes.size()
                        + " arguments, got " + arguments.length);
            }
        }

        /**
         * A copy of the arguments.
         *
         * @return the arguments
         */
        @Override
        public Object[] arguments() {
            return arguments.clone();
        }

        @Override
        public String describe() {
            return beanClass + "#" + method;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof BeanMethod that && beanClass.equals(that.beanClass)
                    && method.equals(that.method) && parameterTypes.equals(that.parameterTypes)
                    && Arrays.equals(arguments, that.arguments);
        }

        @Override
        public int hashCode() {
            return Objects.hash(beanClass, method, parameterTypes, Arrays.hashCode(arguments));
        }

        @Override
        public String toString() {
            return "BeanMethod[" + describe() + parameterTypes + "]";
        }
    }
}
