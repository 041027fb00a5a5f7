package dev.shovel.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextStreamTest {
    static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void releasesOnlyWholeCharacters() {
        List<String> got = new ArrayList<>();
        TextStream t = new TextStream(List.of(), got::add);
        byte[] euro = b("€"); // 3 bytes
        t.add(new byte[] {euro[0]});
        t.add(new byte[] {euro[1]});
        assertTrue(got.isEmpty(), "half a character is held back");
        t.add(new byte[] {euro[2], 'x'});
        assertEquals(List.of("€x"), got);
    }

    @Test
    void holdsBackWhatMayStartAStopStringAndNeverPrintsIt() {
        List<String> got = new ArrayList<>();
        TextStream t = new TextStream(List.of("END"), got::add);
        assertFalse(t.add(b("ab E")));
        assertEquals("ab ", String.join("", got), "'E' may start END");
        assertFalse(t.add(b("Nx")));
        assertEquals("ab ENx", String.join("", got), "ENx is not END");
        assertFalse(t.add(b(" E")));
        assertTrue(t.add(b("ND tail")));
        assertEquals("ab ENx ", String.join("", got));
        assertEquals("ab ENx ", t.text());
    }

    @Test
    void flushReleasesTheRest() {
        List<String> got = new ArrayList<>();
        TextStream t = new TextStream(List.of("\n\n"), got::add);
        t.add(b("line\n"));
        assertEquals("line", String.join("", got));
        t.flush();
        assertEquals("line\n", String.join("", got));
    }
}
