package dev.shovel.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The repack pool (zeroed, 64-byte aligned, disjoint blocks of any size) and lazy memory, freed with the arena. */
class PageMemoryTest {
    @Test
    void blocksAreZeroedAlignedAndDisjoint() {
        Arena arena = Arena.ofShared();
        PageMemory.Pool pool = new PageMemory.Pool(arena);
        long[] sizes = {3 << 20, 100, 5 << 20, 70L << 20, 2 << 20, 1000};
        List<MemorySegment> blocks = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            MemorySegment b = pool.allocate(sizes[i]);
            assertEquals(sizes[i], b.byteSize());
            assertEquals(0, b.address() % 64, "aligned");
            for (long at : new long[] {0, sizes[i] / 2, sizes[i] - 1}) assertEquals(0, b.get(ValueLayout.JAVA_BYTE, at), "zeroed");
            b.fill((byte) (i + 1));
            blocks.add(b);
        }
        for (int i = 0; i < blocks.size(); i++) { // nobody wrote over another block
            MemorySegment b = blocks.get(i);
            for (long at : new long[] {0, sizes[i] - 1}) assertEquals(i + 1, b.get(ValueLayout.JAVA_BYTE, at));
        }
        arena.close();
        assertTrue(!blocks.get(0).scope().isAlive(), "freed with the arena");
    }

    @Test
    void lazyMemoryIsZeroedWritableAndFreedWithTheArena() {
        Arena arena = Arena.ofShared();
        MemorySegment small = PageMemory.lazy(arena, 4096), big = PageMemory.lazy(arena, 24L << 20);
        for (MemorySegment m : List.of(small, big)) {
            assertEquals(0, m.address() % 64, "aligned");
            for (long at : new long[] {0, m.byteSize() / 2, m.byteSize() - 1}) assertEquals(0, m.get(ValueLayout.JAVA_BYTE, at), "zeroed");
            m.set(ValueLayout.JAVA_BYTE, m.byteSize() - 1, (byte) 7);
            assertEquals(7, m.get(ValueLayout.JAVA_BYTE, m.byteSize() - 1));
        }
        assertEquals(24L << 20, big.byteSize());
        arena.close();
        assertTrue(!big.scope().isAlive() && !small.scope().isAlive(), "freed with the arena");
    }
}
