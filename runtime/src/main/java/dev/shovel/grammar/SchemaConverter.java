package dev.shovel.grammar;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks a JSON schema and writes GBNF rules: one rule per schema that needs one, one per {@code $ref} target (so
 * recursion works), JSON's primitives shared. Values carry no white space of their own; separators allow a bounded
 * run of blanks ({@code space}). See {@link JsonSchemaGrammar} for what is supported.
 */
final class SchemaConverter {
    static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment", "default", "examples",
            "deprecated", "readOnly", "writeOnly", "contentMediaType", "contentEncoding", "contentSchema", "$anchor", "$dynamicAnchor");
    static final Set<String> KEYWORDS = Set.of("type", "properties", "required", "additionalProperties", "enum", "const", "items",
            "prefixItems", "minItems", "maxItems", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "anyOf", "oneOf", "allOf", "$ref", "$defs", "definitions");
    static final List<String> TYPES = List.of("object", "array", "string", "number", "integer", "boolean", "null");
    static final Set<String> OBJECT_KW = Set.of("properties", "required", "additionalProperties");
    static final Set<String> ARRAY_KW = Set.of("items", "prefixItems", "minItems", "maxItems");
    static final Set<String> STRING_KW = Set.of("minLength", "maxLength", "pattern", "format");
    static final Set<String> NUMBER_KW = Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");
    /** Largest lengths and item counts written out; larger maxima are lowered to these (a sound subset). */
    static final int MAX_LENGTH = 10_000, MAX_ITEMS = 1_000;
    private static final int MAX_DEPTH = 200;

    final JsonNode document;
    final GbnfWriter out = new GbnfWriter();
    private final Map<String, String> refRules = new HashMap<>();
    private final Map<String, String> mergedRules = new HashMap<>();
    private final SchemaMerge merger = new SchemaMerge(this);
    private int depth;

    SchemaConverter(JsonNode document) { this.document = document; }

    static JsonNode parse(String schemaJson) {
        if (schemaJson == null) throw new GrammarException("no JSON schema given");
        try {
            JsonNode n = JSON.readTree(schemaJson);
            if (n == null || n.isMissingNode()) throw new GrammarException("the JSON schema is empty");
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new GrammarException("the JSON schema is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The grammar of {@code node} (a schema inside {@link #document} at {@code path}, or the document itself). */
    String grammar(JsonNode node, String path) {
        out.reserve("root");
        if (node == document) refRules.put("", "root");
        out.define("root", body(node, path, "root"));
        return out.text();
    }

    static String where(String path) { return "#" + path; }

    static String child(String path, String key) { return path + "/" + key.replace("~", "~0").replace("/", "~1"); }

    static GrammarException error(String what, String path) { return new GrammarException(what + " at " + where(path)); }

    /** A rule name (or primitive) for a schema. */
    String element(JsonNode s, String path, String hint) { return out.rule(hint, body(s, path, hint)); }

    /** The body of a rule for a schema: alternatives of sequences. */
    String body(JsonNode s, String path, String hint) {
        if (++depth > MAX_DEPTH) throw error("the schema is nested too deeply", path);
        try {
            return dispatch(s, path, hint);
        } finally {
            depth--;
        }
    }

    private String dispatch(JsonNode s, String path, String hint) {
        if (s.isBoolean()) {
            if (s.booleanValue()) return out.prim("value");
            throw new Unsatisfiable("schema 'false' can never be satisfied at " + where(path));
        }
        if (!s.isObject()) throw error("a schema must be an object or a boolean", path);
        check(s, path);
        if (s.has("$ref") && assertions(s, "$ref").isEmpty()) return refRule(s.get("$ref"), path);
        if (s.has("$ref") || s.has("allOf")) {
            ObjectNode merged = merger.merge(List.of(s), path);
            String key = JsonText.canonical(merged);
            String known = mergedRules.get(key);
            if (known != null) return known;
            String name = out.reserve(hint);
            mergedRules.put(key, name);
            try {
                out.define(name, body(merged, path, name));
            } catch (RuntimeException e) {
                mergedRules.remove(key);
                out.release(name);
                throw e;
            }
            return name;
        }
        if (s.has("anyOf") || s.has("oneOf")) return alternatives(s, path, hint);
        if (s.has("enum") || s.has("const")) return enumBody(s, path, hint);
        return typed(s, path, hint);
    }

    /** Refuses keywords that are neither supported nor annotations. */
    static void check(JsonNode s, String path) {
        for (String k : (Iterable<String>) s::fieldNames) {
            if (!KEYWORDS.contains(k) && !ANNOTATIONS.contains(k)) throw error("unsupported keyword '" + k + "'", path);
            if (k.equals("$id") && !path.isEmpty()) throw error("unsupported keyword '$id' in a nested schema (it would move $ref's base)", path);
        }
    }

    /** The schema's assertion keywords other than {@code except}: what must hold beside them. */
    static ObjectNode assertions(JsonNode s, String... except) {
        ObjectNode o = JSON.createObjectNode();
        for (var e : s.properties()) {
            String k = e.getKey();
            if (ANNOTATIONS.contains(k) || k.equals("$defs") || k.equals("definitions") || List.of(except).contains(k)) continue;
            o.set(k, e.getValue());
        }
        return o;
    }

    // ---- $ref ----

    private String refRule(JsonNode refNode, String path) {
        String ref = text(refNode, "$ref", path);
        String ptr = pointer(ref, path);
        String known = refRules.get(ptr);
        if (known != null) return known;
        JsonNode target = resolve(ref, ptr, path);
        Set<String> chain = new HashSet<>(Set.of(ptr)); // a $ref to a $ref ... back to itself: no value at all
        for (JsonNode t = target; t.isObject() && t.has("$ref") && assertions(t, "$ref").isEmpty(); ) {
            String r = text(t.get("$ref"), "$ref", path), p = pointer(r, path);
            if (!chain.add(p)) throw new Unsatisfiable("$ref '" + ref + "' only refers to itself at " + where(path));
            t = resolve(r, p, path);
        }
        String[] segs = ptr.split("/");
        String name = out.reserve(segs.length == 0 || ptr.isEmpty() ? "root" : segs[segs.length - 1]);
        refRules.put(ptr, name);
        try {
            out.define(name, body(target, ptr, name));
        } catch (RuntimeException e) {
            refRules.remove(ptr);
            out.release(name);
            throw e;
        }
        return name;
    }

    /** The JSON pointer of a local {@code $ref} ("" for the whole document). */
    static String pointer(String ref, String path) {
        if (!ref.startsWith("#")) throw error("unsupported $ref '" + ref + "' (only '#' pointers into this schema)", path);
        String ptr;
        try {
            ptr = URLDecoder.decode(ref.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) { // a stray or malformed %-escape
            throw error("bad $ref '" + ref + "': malformed %-escape", path);
        }
        if (!ptr.isEmpty() && !ptr.startsWith("/")) throw error("unsupported $ref '" + ref + "' (anchors are not supported)", path);
        return ptr;
    }

    JsonNode resolve(String ref, String ptr, String path) {
        JsonNode n = document;
        if (!ptr.isEmpty()) {
            for (String seg : ptr.substring(1).split("/", -1)) {
                String key = seg.replace("~1", "/").replace("~0", "~");
                if (n.isObject()) n = n.get(key);
                else if (n.isArray() && key.matches("0|[1-9][0-9]{0,8}")) n = n.get(Integer.parseInt(key));
                else n = null;
                if (n == null) throw error("bad $ref '" + ref + "': nothing there", path);
            }
        }
        if (!n.isObject() && !n.isBoolean()) throw error("bad $ref '" + ref + "': not a schema", path);
        return n;
    }

    // ---- anyOf / oneOf ----

    /**
     * Each alternative with the sibling keywords merged in. oneOf is written as anyOf: alternatives that overlap are
     * not made exclusive, so a value matching two of them is possible (schemas should make them disjoint).
     */
    private String alternatives(JsonNode s, String path, String hint) {
        if (s.has("anyOf") && s.has("oneOf")) throw error("unsupported: anyOf together with oneOf", path);
        String kw = s.has("anyOf") ? "anyOf" : "oneOf";
        JsonNode arr = s.get(kw);
        if (!arr.isArray() || arr.isEmpty()) throw error("'" + kw + "' must be a non-empty array", path);
        ObjectNode siblings = assertions(s, kw);
        Set<String> alts = new LinkedHashSet<>();
        Unsatisfiable first = null;
        for (int i = 0; i < arr.size(); i++) {
            String p = path + "/" + kw + "/" + i;
            try {
                if (siblings.isEmpty()) alts.add(body(arr.get(i), p, hint + "-" + i));
                else alts.add(body(merger.merge(List.of(siblings, arr.get(i)), p), p, hint + "-" + i));
            } catch (Unsatisfiable u) {
                if (first == null) first = u;
            }
        }
        if (alts.isEmpty()) throw new Unsatisfiable("no alternative of '" + kw + "' can be satisfied at " + where(path) + ": " + first.getMessage());
        return String.join(" | ", alts);
    }

    // ---- enum / const ----

    private String enumBody(JsonNode s, String path, String hint) {
        List<JsonNode> values = values(s, path);
        ObjectNode rest = assertions(s, "enum", "const");
        if (!rest.isEmpty()) { // keep the values the other keywords allow
            Grammar g = Grammar.parse(new SchemaConverter(document).grammar(rest, path));
            values.removeIf(v -> !g.matches(JsonText.canonical(v)));
        }
        if (values.isEmpty()) throw new Unsatisfiable("no value of 'enum'/'const' satisfies the schema at " + where(path));
        Set<String> alts = new LinkedHashSet<>();
        for (JsonNode v : values) alts.add(GbnfWriter.literal(JsonText.canonical(v)));
        return String.join(" | ", alts);
    }

    /** The values {@code enum} and {@code const} both allow. */
    static List<JsonNode> values(JsonNode s, String path) {
        List<JsonNode> values = null;
        if (s.has("enum")) {
            JsonNode e = s.get("enum");
            if (!e.isArray()) throw error("'enum' must be an array", path);
            values = new ArrayList<>();
            e.forEach(values::add);
        }
        if (s.has("const")) {
            JsonNode c = s.get("const");
            String t = JsonText.canonical(c);
            values = values == null ? new ArrayList<>(List.of(c)) : new ArrayList<>(values.stream().filter(v -> JsonText.canonical(v).equals(t)).toList());
        }
        return values;
    }

    // ---- types ----

    private String typed(JsonNode s, String path, String hint) {
        List<String> types = types(s, path);
        if (types == null) return out.prim("value");
        if (types.contains("number")) types.remove("integer");
        List<String> alts = new ArrayList<>();
        Unsatisfiable first = null;
        for (String t : types) {
            try {
                alts.add(switch (t) {
                    case "object" -> new ObjectGbnf(this).body(s, path, hint);
                    case "array" -> array(s, path, hint);
                    case "string" -> string(s, path, hint);
                    case "integer" -> integer(s, path, hint);
                    case "number" -> {
                        for (String k : NUMBER_KW) {
                            if (s.has(k)) throw error("unsupported keyword '" + k + "' on non-integer numbers", path);
                        }
                        yield out.prim("number");
                    }
                    default -> out.prim(t); // boolean, null
                });
            } catch (Unsatisfiable u) {
                if (first == null) first = u;
            }
        }
        if (alts.isEmpty()) throw first;
        return String.join(" | ", alts);
    }

    /** The declared types, or those the keywords imply; null for any value. */
    static List<String> types(JsonNode s, String path) {
        List<String> types = new ArrayList<>();
        if (s.has("type")) {
            JsonNode t = s.get("type");
            List<JsonNode> list = new ArrayList<>();
            if (t.isArray()) t.forEach(list::add);
            else list.add(t);
            for (JsonNode x : list) {
                if (!x.isTextual() || !TYPES.contains(x.textValue())) throw error("bad 'type' " + JsonText.canonical(x), path);
                if (!types.contains(x.textValue())) types.add(x.textValue());
            }
            if (types.isEmpty()) throw new Unsatisfiable("an empty 'type' list can never be satisfied at " + where(path));
            return types;
        }
        if (OBJECT_KW.stream().anyMatch(s::has)) types.add("object");
        if (ARRAY_KW.stream().anyMatch(s::has)) types.add("array");
        if (STRING_KW.stream().anyMatch(s::has)) types.add("string");
        for (String k : NUMBER_KW) if (s.has(k)) throw error("unsupported keyword '" + k + "' on non-integer numbers", path);
        return types.isEmpty() ? null : types;
    }

    private String integer(JsonNode s, String path, String hint) {
        BigInteger lo = null, hi = null;
        if (s.has("minimum")) lo = max(lo, number(s, "minimum", path).setScale(0, RoundingMode.CEILING).toBigIntegerExact());
        if (s.has("exclusiveMinimum")) lo = max(lo, number(s, "exclusiveMinimum", path).setScale(0, RoundingMode.FLOOR).toBigIntegerExact().add(BigInteger.ONE));
        if (s.has("maximum")) hi = min(hi, number(s, "maximum", path).setScale(0, RoundingMode.FLOOR).toBigIntegerExact());
        if (s.has("exclusiveMaximum")) hi = min(hi, number(s, "exclusiveMaximum", path).setScale(0, RoundingMode.CEILING).toBigIntegerExact().subtract(BigInteger.ONE));
        if (lo == null && hi == null) return out.prim("integer");
        if (lo != null && hi != null && lo.compareTo(hi) > 0) throw new Unsatisfiable("no integer lies between minimum " + lo + " and maximum " + hi + " at " + where(path));
        return out.rule(hint, IntegerRange.gbnf(lo, hi));
    }

    private static BigInteger max(BigInteger a, BigInteger b) { return a == null ? b : a.max(b); }

    private static BigInteger min(BigInteger a, BigInteger b) { return a == null ? b : a.min(b); }

    static BigDecimal number(JsonNode s, String key, String path) {
        JsonNode n = s.get(key);
        if (n.isBoolean() && key.startsWith("exclusive")) throw error("unsupported keyword '" + key + "' as a boolean (draft 4; use a number)", path);
        if (!n.isNumber()) throw error("'" + key + "' must be a number", path);
        BigDecimal d = n.decimalValue();
        if (d.abs().compareTo(BigDecimal.TEN.pow(1000)) > 0) throw error("'" + key + "' is too large", path);
        return d;
    }

    /** A non-negative integer keyword, or {@code dflt} when absent. */
    static int count(JsonNode s, String key, int dflt, String path) {
        JsonNode n = s.get(key);
        if (n == null) return dflt;
        BigDecimal d = n.isNumber() ? n.decimalValue() : null;
        if (d == null || d.signum() < 0 || d.stripTrailingZeros().scale() > 0) throw error("'" + key + "' must be a non-negative integer", path);
        return d.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0 ? Integer.MAX_VALUE : d.intValue();
    }

    static String text(JsonNode n, String key, String path) {
        if (!n.isTextual()) throw error("'" + key + "' must be a string", path);
        return n.textValue();
    }

    // ---- strings ----

    private String string(JsonNode s, String path, String hint) {
        int min = count(s, "minLength", 0, path);
        int max = s.has("maxLength") ? count(s, "maxLength", 0, path) : -1;
        if (max >= 0 && min > max) throw new Unsatisfiable("minLength " + min + " is above maxLength " + max + " at " + where(path));
        if (min > MAX_LENGTH) throw error("unsupported minLength above " + MAX_LENGTH, path);
        if (max > MAX_LENGTH) max = Math.max(min, MAX_LENGTH);
        if (s.has("format") && s.has("pattern")) throw error("unsupported: 'format' together with 'pattern'", path);
        if (s.has("format")) return out.rule(hint, JsonFormats.string(out, text(s.get("format"), "format", path), min, max, where(path)));
        if (s.has("pattern")) return out.rule(hint, PatternGbnf.string(out, text(s.get("pattern"), "pattern", path), min, max, hint, where(path)));
        if (min == 0 && max < 0) return out.prim("string");
        String rep = max < 0 ? "{" + min + ",}" : min == max ? "{" + min + "}" : "{" + min + "," + max + "}";
        return out.rule(hint, "\"\\\"\" " + out.prim("char") + rep + " \"\\\"\"");
    }

    // ---- arrays ----

    /**
     * Items in order: prefixItems first (an array may stop inside the tuple where minItems allows), then
     * {@code items} once the tuple is complete.
     */
    private String array(JsonNode s, String path, String hint) {
        JsonNode itemsNode = s.get("items");
        if (itemsNode != null && itemsNode.isArray()) throw error("unsupported 'items' as an array (use prefixItems)", path);
        JsonNode prefix = s.get("prefixItems");
        if (prefix != null && !prefix.isArray()) throw error("'prefixItems' must be an array", path);
        int lo = count(s, "minItems", 0, path);
        long hi = s.has("maxItems") ? count(s, "maxItems", 0, path) : Long.MAX_VALUE;
        List<String> fixed = new ArrayList<>();
        int k = prefix == null ? 0 : prefix.size();
        for (int j = 0; j < k && j < hi; j++) {
            try {
                fixed.add(element(prefix.get(j), path + "/prefixItems/" + j, hint + "-" + j));
            } catch (Unsatisfiable u) {
                hi = j; // no array reaches this position
            }
        }
        String item = null;
        if (itemsNode == null) item = out.prim("value");
        else {
            try {
                item = element(itemsNode, path + "/items", hint + "-item");
            } catch (Unsatisfiable u) {
                item = null;
            }
        }
        if (item == null) hi = Math.min(hi, k);
        if (lo > hi) throw new Unsatisfiable("no array can have between " + lo + " and " + hi + " items at " + where(path));
        if (lo > MAX_ITEMS) throw error("unsupported minItems above " + MAX_ITEMS, path);
        if (hi > MAX_ITEMS && hi != Long.MAX_VALUE) hi = Math.max(lo, MAX_ITEMS);
        String sp = out.prim("space"), comma = out.comma();
        if (hi == 0) return "\"[\" " + sp + " \"]\"";
        if (fixed.isEmpty()) {
            String more = repeat("( " + comma + " " + item + " )", Math.max(0, lo - 1), hi == Long.MAX_VALUE ? -1 : hi - 1);
            String items = item + (more.isEmpty() ? "" : " " + more) + " " + sp;
            return "\"[\" " + sp + " " + (lo == 0 ? "( " + items + " )?" : items) + " \"]\"";
        }
        // the tuple, cut short where minItems allows, then more items once it is complete
        String rest = fixed.size() == k && item != null && hi > k
                ? repeat("( " + comma + " " + item + " )", Math.max(0, lo - k), hi == Long.MAX_VALUE ? -1 : hi - k) : "";
        for (int j = fixed.size() - 1; j >= 1; j--) {
            String inner = comma + " " + fixed.get(j) + (rest.isEmpty() ? "" : " " + rest);
            rest = j >= lo ? "( " + inner + " )?" : inner;
        }
        String all = fixed.get(0) + (rest.isEmpty() ? "" : " " + rest) + " " + sp;
        return "\"[\" " + sp + " " + (lo == 0 ? "( " + all + " )?" : all) + " \"]\"";
    }

    private static String repeat(String atom, long min, long max) {
        if (max == 0) return "";
        if (max < 0) return atom + (min == 0 ? "*" : min == 1 ? "+" : "{" + min + ",}");
        if (min == 0 && max == 1) return atom + "?";
        return atom + (min == max ? "{" + min + "}" : "{" + min + "," + max + "}");
    }
}
