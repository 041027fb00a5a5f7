package dev.shovel.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** The reference validator itself rejects what it must, formats included (else the schema tests could not fail). */
class SchemaValidatorTest {
    @Test
    void formatsAreAsserted() {
        SchemaValidator v = new SchemaValidator("{\"type\":\"object\",\"properties\":{\"d\":{\"type\":\"string\",\"format\":\"date\"},"
                + "\"t\":{\"type\":\"string\",\"format\":\"time\"},\"u\":{\"type\":\"string\",\"format\":\"uuid\"},"
                + "\"e\":{\"type\":\"string\",\"format\":\"email\"},\"dt\":{\"type\":\"string\",\"format\":\"date-time\"}}}");
        assertEquals(0, v.errors("{\"d\":\"2024-02-29\",\"t\":\"12:30:59Z\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\",\"e\":\"a.b@c.io\",\"dt\":\"2000-01-01T00:00:00+01:00\"}").size());
        assertFalse(v.errors("{\"d\":\"2023-02-29\"}").isEmpty());
        assertFalse(v.errors("{\"d\":\"2024-04-31\"}").isEmpty());
        assertFalse(v.errors("{\"t\":\"25:00:00Z\"}").isEmpty());
        assertFalse(v.errors("{\"u\":\"123e4567-e89b-12d3-a456-42661417400\"}").isEmpty());
        assertFalse(v.errors("{\"e\":\"nobody\"}").isEmpty());
        assertFalse(v.errors("{\"dt\":\"2000-01-01 00:00:00\"}").isEmpty());
    }

    @Test
    void strictParsing() {
        SchemaValidator v = new SchemaValidator("{\"type\":\"object\"}");
        assertFalse(v.errors("{} x").isEmpty());
        assertFalse(v.errors("[]").isEmpty());
        assertEquals(0, v.errors("{}").size());
    }
}
