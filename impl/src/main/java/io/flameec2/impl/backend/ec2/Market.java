package io.flameec2.impl.backend.ec2;

import io.flameec2.FlameConfigurationException;
import io.flameec2.impl.config.SettingType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The EC2 purchase option a runner instance is launched with: {@link #SPOT} (a one-time spot instance, terminated
 * on interruption) or {@link #ON_DEMAND}. A pool lists them in the order to try ({@code ec2.market}); a launch
 * moves on to the next one when EC2 has no capacity in this market ({@link Ec2Launcher}).
 */
public enum Market {
    /** A spot instance: a fraction of the on-demand price, taken back with a two-minute notice. */
    SPOT("spot"),
    /** An on-demand instance. */
    ON_DEMAND("on-demand");

    /** How {@code ec2.market} is read: a comma list of {@code spot} and {@code on-demand}, each at most once. */
    public static final SettingType<List<Market>> LIST = (key, text) -> {
        List<Market> markets = new ArrayList<>();
        for (String item : SettingType.LIST.parse(key, text)) {
            Market m = of(item).orElseThrow(() -> new FlameConfigurationException(key,
                    "must be spot, on-demand or an ordered list such as 'spot,on-demand', was '" + item + "'"));
            if (markets.contains(m)) {
                throw new FlameConfigurationException(key, "names " + m.label + " twice: '" + text + "'");
            }
            markets.add(m);
        }
        return List.copyOf(markets);
    };

    private final String label;

    Market(String label) {
        this.label = label;
    }

    /**
     * The name as configured, logged, handed to the runner ({@code FLAME_MARKET}) and reported by
     * {@link io.flameec2.spi.FlameRunnerHandle#market()}.
     *
     * @return {@code spot} or {@code on-demand}
     */
    public String label() {
        return label;
    }

    /**
     * The market of a label.
     *
     * @param label {@code spot} or {@code on-demand}, in any case
     * @return the market, or empty for anything else
     */
    public static java.util.Optional<Market> of(String label) {
        String l = label == null ? "" : label.trim().toLowerCase(Locale.ROOT);
        for (Market m : values()) {
            if (m.label.equals(l)) {
                return java.util.Optional.of(m);
            }
        }
        return java.util.Optional.empty();
    }

    @Override
    public String toString() {
        return label;
    }
}
