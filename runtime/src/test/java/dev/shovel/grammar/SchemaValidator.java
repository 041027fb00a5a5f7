package dev.shovel.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;

/**
 * The reference for structured output: networknt's JSON-Schema validator (draft 2020-12) with format assertions on,
 * over output parsed strictly (trailing text is an error). Additional properties may repeat a key (a grammar cannot
 * remember keys); JSON allows it and parsers keep the last, so the check sees what a parser sees.
 */
final class SchemaValidator {
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final Schema schema;

    SchemaValidator(String schemaJson) {
        this.schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaJson);
    }

    /** What is wrong with {@code json} under the schema; empty when it is valid. */
    List<String> errors(String json) {
        JsonNode node;
        try {
            node = STRICT.readTree(json);
        } catch (Exception e) {
            return List.of("not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (node == null || node.isMissingNode()) return List.of("no JSON value");
        return schema.validate(node, ctx -> ctx.executionConfig(b -> b.formatAssertionsEnabled(true))).stream()
                .map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
    }
}
