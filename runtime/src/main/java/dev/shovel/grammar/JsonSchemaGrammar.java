package dev.shovel.grammar;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * JSON Schema to GBNF. The grammar's sentences are JSON texts valid under the schema (a subset of them where the
 * schema cannot be followed exactly by a grammar: no extra properties unless asked for, bounded number sizes, a
 * conservative email). Properties come in the schema's order; optional ones may be left out. Between tokens there is
 * at most one space, or a newline and some indentation. Annotations ({@code title}, {@code description}, ...) are
 * ignored; any other keyword Shovel cannot enforce is an error naming it, never silently dropped.
 */
public final class JsonSchemaGrammar {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment", "default", "examples",
            "deprecated", "readOnly", "writeOnly", "contentMediaType", "contentEncoding", "$anchor");
    static final Set<String> SUPPORTED = Set.of("type", "properties", "required", "additionalProperties", "enum", "const", "items",
            "prefixItems", "minItems", "maxItems", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "anyOf", "oneOf", "allOf", "$ref", "$defs", "definitions");

    /** The shared rules, written only when used. */
    private static final Map<String, String> BASE = Map.ofEntries(
            Map.entry("space", "| \" \" | \"\\n\" [ \\t]{0,20}"),
            Map.entry("boolean", "\"true\" | \"false\""),
            Map.entry("null", "\"null\""),
            Map.entry("digits", "\"0\" | [1-9] [0-9]{0,15}"),
            Map.entry("integer", "\"0\" | \"-\"? [1-9] [0-9]{0,15}"),
            Map.entry("number", "\"-\"? digits (\".\" [0-9]{1,16})? ([eE] [-+]? [0-9]{1,2})?"),
            Map.entry("char", "[^\"\\\\\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" ([0-9a-cA-Ce-fE-F] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2}))"),
            Map.entry("string", "\"\\\"\" char* \"\\\"\""),
            Map.entry("value", "object | array | string | number | boolean | null"),
            Map.entry("object", "\"{\" space (string space \":\" space value space (\",\" space string space \":\" space value space)*)? \"}\""),
            Map.entry("array", "\"[\" space (value space (\",\" space value space)*)? \"]\""));

    private final JsonNode root;
    private final Map<String, String> rules = new LinkedHashMap<>();
    private final Map<String, String> byBody = new HashMap<>();
    private final Map<String, String> refs = new HashMap<>();
    private int depth;

    private JsonSchemaGrammar(JsonNode root) { this.root = root; }

    /** The GBNF grammar of the JSON texts valid under {@code schemaJson}; an unsupported keyword is a {@link GrammarException} naming it. */
    public static String toGbnf(String schemaJson) {
        if (schemaJson == null) throw new GrammarException("no JSON schema given");
        JsonNode schema;
        try {
            schema = JSON.readTree(schemaJson);
        } catch (JsonProcessingException e) {
            throw new GrammarException("the JSON schema is not valid JSON: " + e.getOriginalMessage());
        }
        if (schema == null || schema.isMissingNode()) throw new GrammarException("the JSON schema is empty");
        return toGbnf(schema);
    }

    /** The same for a parsed schema. */
    public static String toGbnf(JsonNode schema) {
        JsonSchemaGrammar c = new JsonSchemaGrammar(schema);
        String body = c.visit(schema, "#");
        StringBuilder out = new StringBuilder("root ::= ").append(body).append('\n');
        c.rules.forEach((name, b) -> out.append(name).append(" ::= ").append(b).append('\n'));
        return out.toString();
    }

    /** GBNF for any JSON object (OpenAI's {@code response_format: json_object}). */
    public static String anyJsonObjectGbnf() {
        return toGbnf("{\"type\": \"object\", \"additionalProperties\": true}");
    }

    // ---- rules ----

    /** Refers to a shared rule, writing it (and what it uses) on first use. */
    private String use(String name) {
        if (rules.containsKey(name)) return name;
        String body = BASE.containsKey(name) ? BASE.get(name) : SchemaFormats.RULES.get(name);
        if (body == null) return name;
        rules.put(name, body);
        for (String word : body.split("[^a-z0-9-]+")) {
            if (!word.isEmpty() && !rules.containsKey(word) && (BASE.containsKey(word) || SchemaFormats.RULES.containsKey(word))) use(word);
        }
        return name;
    }

    /** A rule for {@code body} named after {@code hint}, shared with an equal body. */
    private String rule(String hint, String body) {
        String have = byBody.get(body);
        if (have != null) return have;
        String base = hint.replaceAll("[^a-zA-Z0-9-]+", "-").replaceAll("^-+|-+$", "").toLowerCase();
        if (base.isEmpty() || BASE.containsKey(base) || base.equals("root") || base.startsWith("fmt-")) base = "r-" + base;
        String name = base;
        for (int i = 2; rules.containsKey(name); i++) name = base + "-" + i;
        rules.put(name, body);
        byBody.put(body, name);
        return name;
    }

    // ---- schemas ----

    /** GBNF for a value valid under {@code s} (no surrounding space). */
    private String visit(JsonNode s, String path) {
        if (++depth > 200) throw new GrammarException("the JSON schema nests too deeply at " + path);
        try {
            return visitNode(s, path);
        } finally {
            depth--;
        }
    }

    private String visitNode(JsonNode s, String path) {
        if (s.isBoolean()) {
            if (s.asBoolean()) return use("value");
            throw new GrammarException("the schema at " + path + " is false: no value can match it");
        }
        if (!s.isObject()) throw new GrammarException("the schema at " + path + " must be an object or a boolean");
        checkKeywords(s, path);
        if (s.has("$ref")) {
            for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!k.equals("$ref") && !k.equals("$defs") && !k.equals("definitions") && !ANNOTATIONS.contains(k)) {
                    return visit(allOf(List.of(withoutKey(s, "$ref"), refTarget(s.get("$ref"), path)), path), path);
                }
            }
            return ref(s.get("$ref"), path);
        }
        if (s.has("allOf")) {
            List<JsonNode> parts = new ArrayList<>();
            parts.add(withoutKey(s, "allOf"));
            JsonNode all = s.get("allOf");
            if (!all.isArray() || all.isEmpty()) throw new GrammarException("'allOf' at " + path + " must be a non-empty array");
            for (JsonNode p : all) parts.add(resolve(p, path + "/allOf"));
            return visit(allOf(parts, path), path);
        }
        for (String k : new String[] {"anyOf", "oneOf"}) { // oneOf as anyOf: alternatives that overlap are not made exclusive
            if (!s.has(k)) continue;
            JsonNode alts = s.get(k);
            if (!alts.isArray() || alts.isEmpty()) throw new GrammarException("'" + k + "' at " + path + " must be a non-empty array");
            JsonNode rest = withoutKey(s, k);
            boolean plain = constraintFree(rest);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < alts.size(); i++) {
                JsonNode a = alts.get(i);
                String p = path + "/" + k + "/" + i;
                out.add(plain ? visit(a, p) : visit(allOf(List.of(rest, resolve(a, p)), p), p));
            }
            return alternatives(out);
        }
        if (s.has("const") || s.has("enum")) {
            List<JsonNode> values = new ArrayList<>();
            if (s.has("const")) values.add(s.get("const"));
            else {
                JsonNode e = s.get("enum");
                if (!e.isArray() || e.isEmpty()) throw new GrammarException("'enum' at " + path + " must be a non-empty array");
                e.forEach(values::add);
            }
            JsonNode rest = withoutKey(withoutKey(s, "const"), "enum");
            Grammar others = constraintFree(rest) ? null : Grammar.parse(toGbnf(root.equals(s) ? rest : withDefs(rest)));
            List<String> out = new ArrayList<>();
            for (JsonNode v : values) { // only the values the schema's other keywords allow
                String text = canonical(v);
                if (others == null || others.matches(text)) out.add(GbnfText.literal(text));
            }
            if (out.isEmpty()) throw new GrammarException("no value of 'enum'/'const' at " + path + " satisfies the schema's other keywords");
            return alternatives(out);
        }
        List<String> types = types(s, path);
        List<String> out = new ArrayList<>();
        for (String t : types) out.add(typed(s, t, path));
        return alternatives(out);
    }

    private static String alternatives(List<String> alts) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(alts));
        return distinct.size() == 1 ? distinct.get(0) : "(" + String.join(" | ", distinct) + ")";
    }

    private void checkKeywords(JsonNode s, String path) {
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!SUPPORTED.contains(k) && !ANNOTATIONS.contains(k)) throw new GrammarException("unsupported keyword '" + k + "' at " + path);
        }
    }

    /** The types a schema allows: its {@code type}, or what its keywords imply, or every type. */
    private static List<String> types(JsonNode s, String path) {
        List<String> all = List.of("object", "array", "string", "number", "integer", "boolean", "null");
        JsonNode t = s.get("type");
        if (t == null) {
            if (has(s, "properties", "additionalProperties", "required")) return List.of("object");
            if (has(s, "items", "prefixItems", "minItems", "maxItems")) return List.of("array");
            if (has(s, "minLength", "maxLength", "pattern", "format")) return List.of("string");
            if (has(s, "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) return List.of("number");
            return List.of("any");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode x : t.isArray() ? t : List.of(t)) {
            if (!x.isTextual() || !all.contains(x.asText())) throw new GrammarException("unknown type " + x + " at " + path);
            if (!out.contains(x.asText())) out.add(x.asText());
        }
        if (out.isEmpty()) throw new GrammarException("'type' at " + path + " lists no type");
        if (out.contains("number") && out.contains("integer")) out.remove("integer"); // integers are numbers
        return out;
    }

    private static boolean has(JsonNode s, String... keys) {
        for (String k : keys) if (s.has(k)) return true;
        return false;
    }

    private String typed(JsonNode s, String type, String path) {
        return switch (type) {
            case "any" -> use("value");
            case "object" -> object(s, path);
            case "array" -> array(s, path);
            case "string" -> string(s, path);
            case "integer" -> integer(s, path);
            case "number" -> number(s, path);
            case "boolean" -> use("boolean");
            case "null" -> use("null");
            default -> throw new IllegalStateException(type);
        };
    }

    // ---- objects ----

    private String object(JsonNode s, String path) {
        JsonNode props = s.get("properties");
        if (props != null && !props.isObject()) throw new GrammarException("'properties' at " + path + " must be an object");
        Set<String> required = new LinkedHashSet<>();
        JsonNode req = s.get("required");
        if (req != null) {
            if (!req.isArray()) throw new GrammarException("'required' at " + path + " must be an array");
            for (JsonNode r : req) {
                if (!r.isTextual()) throw new GrammarException("'required' at " + path + " must list strings");
                required.add(r.asText());
            }
        }
        List<String> names = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        List<Boolean> needed = new ArrayList<>();
        if (props != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                String key = p.getKey();
                String v = visit(p.getValue(), path + "/properties/" + pointer(key));
                names.add(key);
                pairs.add(GbnfText.literal(canonical(JSON.getNodeFactory().textNode(key))) + " " + use("space") + " \":\" space " + v + " space");
                needed.add(required.contains(key));
            }
        }
        for (String r : required) {
            if (!names.contains(r)) { // required but not described: any value under that name
                names.add(r);
                pairs.add(GbnfText.literal(canonical(JSON.getNodeFactory().textNode(r))) + " " + use("space") + " \":\" space " + use("value") + " space");
                needed.add(true);
            }
        }
        JsonNode add = s.get("additionalProperties");
        if (add == null && props == null && required.isEmpty()) return use("object"); // nothing said: any object
        String extra = null;
        if (add != null && !(add.isBoolean() && !add.asBoolean())) {
            String v = visit(add, path + "/additionalProperties");
            extra = rule(path + "-extra-kv", keyExcept(names, path) + " " + use("space") + " \":\" space " + v + " space");
        }
        use("space");
        if (pairs.isEmpty() && extra == null) return "\"{\" space \"}\"";
        String members = members(pairs, needed, extra, 0, true, path, new HashMap<>());
        return rule(path + "-object", "\"{\" space " + (members.isEmpty() ? "" : members + " ") + "\"}\"");
    }

    /** The members from property {@code i} on; {@code first}: no comma before the next one. */
    private String members(List<String> pairs, List<Boolean> needed, String extra, int i, boolean first, String path, Map<String, String> memo) {
        String key = i + "/" + first;
        if (memo.containsKey(key)) return memo.get(key);
        String comma = first ? "" : "\",\" space ";
        String body;
        if (i == pairs.size()) {
            if (extra == null) body = "";
            else body = first ? "(" + extra + " (\",\" space " + extra + ")*)?" : "(\",\" space " + extra + ")*";
        } else {
            String rest = members(pairs, needed, extra, i + 1, false, path, memo);
            String take = (comma + pairs.get(i) + (rest.isEmpty() ? "" : " " + rest)).strip();
            if (needed.get(i)) body = take;
            else {
                String skip = members(pairs, needed, extra, i + 1, first, path, memo);
                body = "(" + take + " | " + (skip.isEmpty() ? "\"\"" : skip) + ")";
            }
        }
        String ref = body.isEmpty() ? "" : rule(path + "-members", body);
        memo.put(key, ref);
        return ref;
    }

    /** A JSON string key other than {@code names}: plain characters (no escapes, so no spelling of a name slips by). */
    private String keyExcept(List<String> names, String path) {
        String plain = "[^\"\\\\\\x00-\\x1F]";
        if (names.isEmpty()) return "\"\\\"\" " + plain + "* \"\\\"\"";
        String start = notIn("", new LinkedHashSet<>(names), plain, path);
        return "\"\\\"\" " + start + " \"\\\"\"";
    }

    /** Strings that extend {@code prefix} and are not in {@code words}, as a rule per trie node. */
    private String notIn(String prefix, Set<String> words, String plain, String path) {
        TreeMap<Integer, Set<String>> next = new TreeMap<>();
        for (String w : words) {
            if (w.length() > prefix.length() && w.startsWith(prefix)) {
                int c = w.codePointAt(prefix.length());
                next.computeIfAbsent(c, k -> new LinkedHashSet<>()).add(w);
            }
        }
        List<String> alts = new ArrayList<>();
        if (!words.contains(prefix)) alts.add("\"\""); // end here
        List<int[]> taken = new ArrayList<>();
        for (Map.Entry<Integer, Set<String>> e : next.entrySet()) {
            int c = e.getKey();
            taken.add(new int[] {c, c});
            String sub = notIn(prefix + new String(Character.toChars(c)), e.getValue(), plain, path);
            alts.add(RegexGrammar.json(new int[] {c, c}) + " " + sub);
        }
        // any other plain character, then anything
        List<int[]> excluded = new ArrayList<>(taken);
        excluded.add(new int[] {0, 0x1F});
        excluded.add(new int[] {'"', '"'});
        excluded.add(new int[] {'\\', '\\'});
        int[] other = CharSets.complement(CharSets.of(excluded));
        if (other.length > 0) alts.add(GbnfText.charClass(other, false) + " " + plain + "*");
        return rule(path + "-key", String.join(" | ", alts));
    }

    // ---- arrays ----

    private String array(JsonNode s, String path) {
        int min = count(s, "minItems", 0, path), max = count(s, "maxItems", -1, path);
        if (max >= 0 && min > max) throw new GrammarException("minItems " + min + " is above maxItems " + max + " at " + path);
        List<String> prefix = new ArrayList<>();
        JsonNode pi = s.get("prefixItems");
        if (pi != null) {
            if (!pi.isArray()) throw new GrammarException("'prefixItems' at " + path + " must be an array");
            for (int i = 0; i < pi.size(); i++) prefix.add(visit(pi.get(i), path + "/prefixItems/" + i));
        }
        JsonNode items = s.get("items");
        if (items != null && items.isArray()) throw new GrammarException("'items' as an array at " + path + " is not supported (use 'prefixItems')");
        String item = items == null ? use("value") : items.isBoolean() && !items.asBoolean() ? null : visit(items, path + "/items");
        int most = item == null ? prefix.size() : Integer.MAX_VALUE;
        if (max >= 0) most = Math.min(most, max);
        if (min > most) throw new GrammarException("the array at " + path + " cannot have " + min + " items");
        use("space");
        String body = elements(prefix, item, 1, min, most);
        return rule(path + "-array", "\"[\" space " + (body.isEmpty() ? "" : body + " ") + "\"]\"");
    }

    /** Elements from position {@code j} (1-based) on, with at least {@code min} and at most {@code most} in all. */
    private String elements(List<String> prefix, String item, int j, int min, int most) {
        if (j > most) return "";
        String sep = j == 1 ? "" : "\",\" space ";
        if (j > prefix.size()) { // the rest are all `item`
            int lo = Math.max(0, min - (j - 1)), hi = most == Integer.MAX_VALUE ? -1 : most - (j - 1);
            String one = "(" + sep + item + " space)";
            if (j == 1) { // no comma before the first
                String more = "(\",\" space " + item + " space)";
                String tail = hi < 0 ? more + (lo > 1 ? "{" + (lo - 1) + ",}" : "*") : hi - 1 == 0 ? "" : more + "{" + Math.max(0, lo - 1) + "," + (hi - 1) + "}";
                String all = (one + " " + tail).strip();
                return lo >= 1 ? all : "(" + all + ")?";
            }
            return hi < 0 ? one + (lo == 0 ? "*" : "{" + lo + ",}") : hi == 0 ? "" : one + "{" + lo + "," + hi + "}";
        }
        String here = sep + prefix.get(j - 1) + " space";
        String rest = elements(prefix, item, j + 1, min, most);
        String seq = (here + " " + rest).strip();
        return j <= min ? seq : "(" + seq + ")?";
    }

    private static int count(JsonNode s, String key, int dflt, String path) {
        JsonNode n = s.get(key);
        if (n == null) return dflt;
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 0) throw new GrammarException("'" + key + "' at " + path + " must be a non-negative integer");
        if (n.asInt() > 100_000) throw new GrammarException("'" + key + "' at " + path + " is too large");
        return n.asInt();
    }

    // ---- strings and numbers ----

    private String string(JsonNode s, String path) {
        int min = count(s, "minLength", 0, path), max = count(s, "maxLength", -1, path);
        if (max >= 0 && min > max) throw new GrammarException("minLength " + min + " is above maxLength " + max + " at " + path);
        if (s.has("format")) {
            JsonNode f = s.get("format");
            if (!f.isTextual() || !SchemaFormats.known(f.asText())) throw new GrammarException("unsupported format " + f + " at " + path);
            if (s.has("pattern")) throw new GrammarException("'pattern' together with 'format' at " + path + " is not supported");
            String e = SchemaFormats.expr(f.asText(), min, max, path);
            for (String word : e.split("[^a-z0-9-]+")) if (word.startsWith("fmt-")) use(word);
            return rule(path + "-" + f.asText(), "\"\\\"\" " + e + " \"\\\"\"");
        }
        if (s.has("pattern")) {
            if (s.has("minLength") || s.has("maxLength")) throw new GrammarException("'pattern' together with 'minLength'/'maxLength' at " + path + " is not supported");
            JsonNode p = s.get("pattern");
            if (!p.isTextual()) throw new GrammarException("'pattern' at " + path + " must be a string");
            return rule(path + "-pattern", "\"\\\"\" " + RegexGrammar.toGbnf(p.asText(), path) + " \"\\\"\"");
        }
        if (min == 0 && max < 0) return use("string");
        use("char");
        String count = max < 0 ? (min == 0 ? "*" : "{" + min + ",}") : "{" + min + "," + max + "}";
        return rule(path + "-string", "\"\\\"\" char" + count + " \"\\\"\"");
    }

    private String integer(JsonNode s, String path) {
        Long lo = bound(s, "minimum", path, false), hi = bound(s, "maximum", path, false);
        Long xlo = bound(s, "exclusiveMinimum", path, true), xhi = bound(s, "exclusiveMaximum", path, true);
        if (xlo != null) lo = lo == null ? xlo : Math.max(lo, xlo);
        if (xhi != null) hi = hi == null ? xhi : Math.min(hi, xhi);
        if (lo == null && hi == null) return use("integer");
        return rule(path + "-integer", IntRanges.range(lo, hi));
    }

    /** An integer bound; an exclusive one moved inside; fractional bounds rounded inward. */
    private static Long bound(JsonNode s, String key, String path, boolean exclusive) {
        JsonNode n = s.get(key);
        if (n == null) return null;
        if (!n.isNumber()) throw new GrammarException("'" + key + "' at " + path + " must be a number");
        double v = n.asDouble();
        if (Math.abs(v) > 9e15) return v > 0 ? Long.MAX_VALUE / 2 : Long.MIN_VALUE / 2;
        boolean lower = key.toLowerCase().contains("min");
        double r = lower ? Math.ceil(v) : Math.floor(v);
        long x = (long) r;
        if (exclusive && r == v) x += lower ? 1 : -1;
        return x;
    }

    private String number(JsonNode s, String path) {
        for (String k : new String[] {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}) {
            if (!s.has(k)) continue;
            boolean zeroFloor = (k.equals("minimum") || k.equals("exclusiveMinimum")) && s.get(k).isNumber() && s.get(k).asDouble() == 0
                    && !has(s, "maximum", "exclusiveMaximum") && !(s.has("minimum") && s.has("exclusiveMinimum"));
            if (!zeroFloor) throw new GrammarException("'" + k + "' on a number at " + path + " is not supported (only on integers, or a minimum of 0)");
            use("digits");
            if (k.equals("minimum")) return rule(path + "-number", "digits (\".\" [0-9]{1,16})? ([eE] [-+]? [0-9]{1,2})?");
            // above 0: a non-zero leading digit, or 0. with a non-zero digit somewhere in the fraction
            return rule(path + "-number", "([1-9] [0-9]{0,15} (\".\" [0-9]{1,16})? | \"0.\" [0-9]{0,15} [1-9]) ([eE] [-+]? [0-9]{1,2})?");
        }
        return use("number");
    }

    // ---- references and combination ----

    private String ref(JsonNode r, String path) {
        if (!r.isTextual()) throw new GrammarException("'$ref' at " + path + " must be a string");
        String target = r.asText();
        String have = refs.get(target);
        if (have != null) return have;
        JsonNode s = refTarget(r, path);
        String name = target.equals("#") ? "r-root" : "r-" + target.substring(target.lastIndexOf('/') + 1);
        name = name.replaceAll("[^a-zA-Z0-9-]+", "-").toLowerCase();
        String unique = name;
        for (int i = 2; rules.containsKey(unique); i++) unique = name + "-" + i;
        refs.put(target, unique);
        rules.put(unique, ""); // reserved: the body may refer back to it
        rules.put(unique, visit(s, target));
        return unique;
    }

    private JsonNode refTarget(JsonNode r, String path) {
        String target = r.asText();
        if (!target.startsWith("#")) throw new GrammarException("'$ref' " + target + " at " + path + " is not a local reference (#...)");
        JsonNode s = root;
        if (target.length() > 1) {
            if (!target.startsWith("#/")) throw new GrammarException("'$ref' " + target + " at " + path + " is not a JSON pointer");
            for (String part : target.substring(2).split("/", -1)) {
                String key = java.net.URLDecoder.decode(part.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8).replace("~1", "/").replace("~0", "~");
                s = s.isArray() && key.matches("\\d+") ? s.get(Integer.parseInt(key)) : s.get(key);
                if (s == null) throw new GrammarException("'$ref' " + target + " at " + path + " points to nothing");
            }
        }
        return s;
    }

    /** {@code s} with its {@code $ref} replaced by the schema it points to (for merging). */
    private JsonNode resolve(JsonNode s, String path) {
        for (int hops = 0; s.isObject() && s.has("$ref") && s.size() == 1; hops++) {
            if (hops > 50) throw new GrammarException("'$ref' cycle at " + path);
            s = refTarget(s.get("$ref"), path);
        }
        return s;
    }

    /** {@code s} with the root's definitions, so its references resolve on its own. */
    private JsonNode withDefs(JsonNode s) {
        ObjectNode o = ((ObjectNode) s).deepCopy();
        for (String k : new String[] {"$defs", "definitions"}) if (root.has(k) && !o.has(k)) o.set(k, root.get(k));
        return o;
    }

    private static boolean constraintFree(JsonNode s) {
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!ANNOTATIONS.contains(k) && !k.equals("$defs") && !k.equals("definitions")) return false;
        }
        return true;
    }

    private static ObjectNode withoutKey(JsonNode s, String key) {
        ObjectNode o = ((ObjectNode) s).deepCopy();
        o.remove(key);
        return o;
    }

    /** One schema that demands what all of {@code parts} demand, where that can be said without a grammar intersection. */
    private JsonNode allOf(List<JsonNode> parts, String path) {
        ObjectNode out = JSON.createObjectNode();
        Set<String> allowed = null; // with additionalProperties false in a part: only the names every such part declares
        for (JsonNode p0 : parts) {
            JsonNode p = resolve(p0, path);
            if (p.isBoolean()) {
                if (!p.asBoolean()) throw new GrammarException("'allOf' at " + path + " includes false: no value can match");
                continue;
            }
            if (p.has("additionalProperties") && p.get("additionalProperties").isBoolean() && !p.get("additionalProperties").asBoolean()) {
                Set<String> names = new LinkedHashSet<>();
                if (p.has("properties")) p.get("properties").fieldNames().forEachRemaining(names::add);
                if (allowed == null) allowed = names;
                else allowed.retainAll(names);
            }
            if (p.has("allOf")) {
                List<JsonNode> inner = new ArrayList<>();
                inner.add(withoutKey(p, "allOf"));
                for (JsonNode x : p.get("allOf")) inner.add(x);
                p = allOf(inner, path);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String k = e.getKey();
                JsonNode v = e.getValue(), have = out.get(k);
                if (ANNOTATIONS.contains(k) || k.equals("$defs") || k.equals("definitions")) continue;
                if (have == null) out.set(k, v.deepCopy());
                else if (have.equals(v)) continue;
                else switch (k) {
                    case "properties" -> {
                        ObjectNode merged = ((ObjectNode) have).deepCopy();
                        for (Iterator<Map.Entry<String, JsonNode>> f = v.fields(); f.hasNext(); ) {
                            Map.Entry<String, JsonNode> pe = f.next();
                            JsonNode old = merged.get(pe.getKey());
                            merged.set(pe.getKey(), old == null ? pe.getValue() : allOf(List.of(old, pe.getValue()), path + "/properties/" + pointer(pe.getKey())));
                        }
                        out.set(k, merged);
                    }
                    case "required" -> {
                        Set<String> r = new LinkedHashSet<>();
                        have.forEach(x -> r.add(x.asText()));
                        v.forEach(x -> r.add(x.asText()));
                        ArrayNode a = out.putArray(k);
                        r.forEach(a::add);
                    }
                    case "minimum", "exclusiveMinimum", "minItems", "minLength" -> out.set(k, have.asDouble() >= v.asDouble() ? have : v);
                    case "maximum", "exclusiveMaximum", "maxItems", "maxLength" -> out.set(k, have.asDouble() <= v.asDouble() ? have : v);
                    case "type" -> {
                        Set<String> a = new LinkedHashSet<>(), b = new LinkedHashSet<>();
                        (have.isArray() ? have : List.of(have)).forEach(x -> a.add(x.asText()));
                        (v.isArray() ? v : List.of(v)).forEach(x -> b.add(x.asText()));
                        if (a.contains("number")) a.add("integer");
                        if (b.contains("number")) b.add("integer");
                        a.retainAll(b);
                        if (a.isEmpty()) throw new GrammarException("'allOf' at " + path + " asks for types that exclude each other");
                        ArrayNode t = out.putArray(k);
                        a.forEach(t::add);
                    }
                    case "additionalProperties" -> {
                        if (have.isBoolean() && !have.asBoolean() || v.isBoolean() && !v.asBoolean()) out.put(k, false);
                        else throw new GrammarException("'allOf' at " + path + " combines two 'additionalProperties' schemas; that is not supported");
                    }
                    default -> throw new GrammarException("'allOf' at " + path + " combines different '" + k + "'; that is not supported");
                }
            }
        }
        if (allowed != null) {
            if (out.has("properties")) {
                ObjectNode props = (ObjectNode) out.get("properties");
                for (Iterator<String> it = props.fieldNames(); it.hasNext(); ) if (!allowed.contains(it.next())) it.remove();
            }
            if (out.has("required")) {
                for (JsonNode r : out.get("required")) {
                    if (!allowed.contains(r.asText())) throw new GrammarException("'allOf' at " + path + " requires '" + r.asText() + "', which another part forbids");
                }
            }
        }
        return out;
    }

    private static String canonical(JsonNode v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new GrammarException("cannot write " + v);
        }
    }

    private static String pointer(String key) { return key.replace("~", "~0").replace("/", "~1"); }
}
