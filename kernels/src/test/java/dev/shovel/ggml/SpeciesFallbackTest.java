package dev.shovel.ggml;

import dev.shovel.ChildJvm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kernels under other vector sizes than this machine's: 256-bit (AVX2, 8 float lanes) and 128-bit (4 lanes,
 * which takes the scalar fallback), each in a child JVM limited with -XX:MaxVectorSize.
 */
class SpeciesFallbackTest {
    @ParameterizedTest
    @CsvSource({"32, 8", "16, 4"})
    void twinChecksPassWithOtherVectorSizes(int maxVectorBytes, int lanes) throws Exception {
        ChildJvm.assertOkWithVectors(TwinCheckMain.class, maxVectorBytes, lanes);
    }
}
