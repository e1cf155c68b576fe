package io.flameec2.impl.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The declaration of one setting: its name, the type of its value, its default and what it means. Every
 * {@code flame.*} setting is declared once as a constant of its reader, read with {@link Settings}, and listed
 * in its reader's {@code SETTINGS}, which README's tables are checked against.
 *
 * @param name the name: a full key for a global setting ({@code flame.parent.port}), the last part of the key
 *     for a pool or backend setting ({@code max}, {@code image-id})
 * @param type how its text is read
 * @param defaultValue the value when it is not set; empty when it has none (optional, required, or a default
 *     that is worked out, such as the application's name)
 * @param doc what it means, one line
 * @param <T> the value's type
 */
public record Setting<T>(String name, SettingType<T> type, Optional<T> defaultValue, String doc) {

    /**
     * Checks the declaration.
     *
     * @param name the record component
     * @param type the record component
     * @param defaultValue the record component
     * @param doc the record component
     */
    public Setting {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(doc, "doc");
    }

    /**
     * Declares a setting without a default.
     *
     * @param name the name
     * @param type how its text is read
     * @param doc what it means
     * @param <T> the value's type
     * @return the declaration
     */
    public static <T> Setting<T> of(String name, SettingType<T> type, String doc) {
        return new Setting<>(name, type, Optional.empty(), doc);
    }

    /**
     * Declares a setting with a default.
     *
     * @param name the name
     * @param type how its text is read
     * @param defaultValue the value when it is not set
     * @param doc what it means
     * @param <T> the value's type
     * @return the declaration
     */
    public static <T> Setting<T> of(String name, SettingType<T> type, T defaultValue, String doc) {
        return new Setting<>(name, type, Optional.of(defaultValue), doc);
    }
}
