package io.flameec2.impl.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class JoinRequestTest {

    @Test
    void bootMarksTravelWithTheJoin() {
        List<BootMark> marks = List.of(new BootMark("bundle", -1200), new BootMark("jvm", 0),
                new BootMark("liberty", 3100), new BootMark("join", 5400));
        JoinRequest join = new JoinRequest("r-1", "secret", "1.0", marks);
        byte[] bytes = join.encode();
        assertTrue(bytes.length < Frames.MAX_JOIN_FRAME);
        assertEquals(join, JoinRequest.decode(Unpooled.wrappedBuffer(bytes)));
        assertFalse(join.toString().contains("secret"));
    }

    @Test
    void aJoinClaimingMoreMarksThanAnyBootHasIsRefused() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(JoinRequest.PROTOCOL);
            out.writeUTF("r-1");
            out.writeUTF("t");
            out.writeUTF("1.0");
            out.writeByte(200);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JoinRequest.decode(Unpooled.wrappedBuffer(bytes.toByteArray())));
        assertTrue(e.getMessage().contains("200 boot marks"), e.getMessage());
    }
}
