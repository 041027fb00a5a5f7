package dev.shovel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Closing unmaps the model; using it afterwards is a clear error. Sessions can be cancelled. */
class ModelLifecycleTest {

    @Test
    void useAfterCloseIsAClearError() {
        Model m = Model.loadDefault(ModelOptions.defaults().withThreads(2));
        Session s = m.newSession();
        m.close();
        assertTrue(m.isClosed());
        ModelClosedException e = assertThrows(ModelClosedException.class, m::newSession);
        assertEquals("the model is closed", e.getMessage());
        assertThrows(ModelClosedException.class, () -> s.generate("Once", GenerationOptions.greedy(4), t -> {}));
        assertThrows(ModelClosedException.class, m::tokenizer);
        m.close(); // closing twice is harmless
    }

    @Test
    void cancelStopsAGeneration() {
        try (Model m = Model.loadDefault(ModelOptions.defaults().withThreads(1)); Session s = m.newSession()) {
            AtomicInteger pieces = new AtomicInteger();
            GenerationResult r = s.generate("Once upon a time", GenerationOptions.greedy(200), t -> {
                if (pieces.incrementAndGet() == 5) s.cancel();
            });
            assertEquals(GenerationResult.StopReason.CANCELLED, r.stopReason());
            assertTrue(r.generatedTokens() <= 6, "stopped right after the cancel: " + r.generatedTokens());
        }
    }
}
