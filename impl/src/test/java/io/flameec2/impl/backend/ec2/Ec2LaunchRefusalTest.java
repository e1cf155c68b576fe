package io.flameec2.impl.backend.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flameec2.impl.backend.ec2.Ec2Launcher.Refusal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which refused RunInstances moves on to which next attempt: one rule for types, subnets and markets. */
class Ec2LaunchRefusalTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "ON_DEMAND, InsufficientInstanceCapacity, NEXT_PLACEMENT",
        "SPOT,      InsufficientInstanceCapacity, NEXT_PLACEMENT",
        "SPOT,      UnfulfillableCapacity,        NEXT_PLACEMENT",
        "ON_DEMAND, InsufficientFreeAddressesInSubnet, NEXT_PLACEMENT",
        "SPOT,      MaxSpotInstanceCountExceeded, NEXT_MARKET",
        "SPOT,      SpotMaxPriceTooLow,           NEXT_MARKET",
        // only the spot market has spot limits: on-demand never skips its placements for them
        "ON_DEMAND, MaxSpotInstanceCountExceeded, FINAL",
        "SPOT,      InvalidAMIID.NotFound,        FINAL",
        "SPOT,      UnauthorizedOperation,        FINAL",
        "ON_DEMAND, '',                           FINAL",
    })
    void errorCodesDecideTheNextAttempt(Market market, String code, Refusal expected) {
        assertEquals(expected, Refusal.of(market, code));
    }
}
