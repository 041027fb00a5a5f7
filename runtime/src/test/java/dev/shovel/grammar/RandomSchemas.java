package dev.shovel.grammar;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random JSON schemas over the supported keywords, as JSON text: the input of the randomized converter test. */
final class RandomSchemas {
    private static final String[] NAMES = {"a", "b", "ab", "id", "name", "x\"y", "é", "a/b", "n~1", ""};
    private static final String[] PATTERNS = {"^[a-c]+$", "b", "^x(y|z)*$", "^\\\\d{2,4}$", "^[^\\\"]?\\\\w$", "q.?$", "^(a|\\\\n)+"};
    private static final String[] FORMATS = {"date", "time", "date-time", "uuid", "email"};
    private final Random rnd;
    private boolean defs;

    RandomSchemas(long seed) { this.rnd = new Random(seed); }

    String next() {
        defs = rnd.nextInt(4) == 0;
        String body = schema(0);
        if (!defs) return body;
        return "{\"$defs\":{\"d\":" + schema(2) + ",\"r\":{\"type\":\"array\",\"maxItems\":2,\"items\":{\"$ref\":\"#/$defs/r\"}}},"
                + "\"allOf\":[" + body + "]}";
    }

    private String schema(int depth) {
        int pick = rnd.nextInt(depth > 2 ? 6 : 14);
        return switch (pick) {
            case 0 -> "{\"type\":\"string\"" + lengths() + "}";
            case 1 -> "{\"type\":\"integer\"" + ints() + "}";
            case 2 -> "{\"type\":[\"boolean\",\"null\"" + (rnd.nextBoolean() ? ",\"number\"" : "") + "]}";
            case 3 -> "{\"enum\":[" + String.join(",", values(1 + rnd.nextInt(4))) + "]" + (rnd.nextBoolean() ? ",\"type\":\"string\"" : "") + "}";
            case 4 -> "{\"type\":\"string\",\"pattern\":\"" + PATTERNS[rnd.nextInt(PATTERNS.length)] + "\"" + (rnd.nextInt(3) == 0 ? lengths() : "") + "}";
            case 5 -> "{\"type\":\"string\",\"format\":\"" + FORMATS[rnd.nextInt(FORMATS.length)] + "\"" + (rnd.nextInt(4) == 0 ? ",\"maxLength\":" + (20 + rnd.nextInt(20)) : "") + "}";
            case 6, 7 -> object(depth);
            case 8 -> array(depth);
            case 9 -> "{\"anyOf\":[" + schema(depth + 1) + "," + schema(depth + 1) + "]}";
            case 10 -> "{\"allOf\":[" + object(depth + 1) + "," + object(depth + 1) + "]}";
            case 11 -> defs ? "{\"$ref\":\"#/$defs/" + (rnd.nextBoolean() ? "d" : "r") + "\"}" : "{}";
            case 12 -> "{\"const\":" + values(1).get(0) + "}";
            default -> rnd.nextBoolean() ? "true" : "{\"type\":\"object\"}";
        };
    }

    private String lengths() {
        StringBuilder sb = new StringBuilder();
        int min = rnd.nextInt(4);
        if (rnd.nextBoolean()) sb.append(",\"minLength\":").append(min);
        if (rnd.nextBoolean()) sb.append(",\"maxLength\":").append(min + rnd.nextInt(5));
        return sb.toString();
    }

    private String ints() {
        StringBuilder sb = new StringBuilder();
        long lo = rnd.nextInt(2000) - 1000;
        if (rnd.nextBoolean()) sb.append(rnd.nextBoolean() ? ",\"minimum\":" : ",\"exclusiveMinimum\":").append(lo);
        if (rnd.nextBoolean()) sb.append(rnd.nextBoolean() ? ",\"maximum\":" : ",\"exclusiveMaximum\":").append(lo + rnd.nextInt(3000));
        return sb.toString();
    }

    private List<String> values(int n) {
        List<String> out = new ArrayList<>();
        String[] pool = {"1", "-2.5", "\"a\"", "\"é\\\"\"", "null", "true", "[1,\"x\"]", "{\"k\":[]}", "\"\"", "\"2024-02-29\""};
        for (int i = 0; i < n; i++) out.add(pool[rnd.nextInt(pool.length)]);
        return out.stream().distinct().toList();
    }

    private String object(int depth) {
        StringBuilder sb = new StringBuilder("{\"type\":\"object\",\"properties\":{");
        List<String> names = new ArrayList<>();
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            String name = NAMES[rnd.nextInt(NAMES.length)];
            if (names.contains(name)) continue;
            if (!names.isEmpty()) sb.append(',');
            names.add(name);
            sb.append(quote(name)).append(':').append(schema(depth + 1));
        }
        sb.append('}');
        if (!names.isEmpty() && rnd.nextBoolean()) sb.append(",\"required\":[").append(quote(names.get(rnd.nextInt(names.size())))).append(']');
        switch (rnd.nextInt(4)) {
            case 0 -> sb.append(",\"additionalProperties\":false");
            case 1 -> sb.append(",\"additionalProperties\":").append(schema(depth + 1));
            default -> { }
        }
        return sb.append('}').toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private String array(int depth) {
        StringBuilder sb = new StringBuilder("{\"type\":\"array\"");
        if (rnd.nextBoolean()) sb.append(",\"prefixItems\":[").append(schema(depth + 1)).append(rnd.nextBoolean() ? "," + schema(depth + 1) : "").append(']');
        switch (rnd.nextInt(3)) {
            case 0 -> sb.append(",\"items\":false");
            case 1 -> sb.append(",\"items\":").append(schema(depth + 1));
            default -> { }
        }
        int min = rnd.nextInt(3);
        if (rnd.nextBoolean()) sb.append(",\"minItems\":").append(min);
        if (rnd.nextBoolean()) sb.append(",\"maxItems\":").append(min + rnd.nextInt(3));
        return sb.append('}').toString();
    }
}
