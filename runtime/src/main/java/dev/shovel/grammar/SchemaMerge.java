package dev.shovel.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * allOf (and {@code $ref} with sibling keywords) as one schema: $refs and nested allOf flattened, then keyword by
 * keyword: types intersected, properties merged (a name in several parts gets an allOf of its schemas), required
 * united, each part's additionalProperties applied to the names other parts declare, bounds tightened, enum/const
 * intersected, array positions merged, anyOf/oneOf lists crossed. Two different patterns or formats are refused.
 */
final class SchemaMerge {
    private static final int MAX_FLATTEN = 32, MAX_CROSS = 64;
    private final SchemaConverter c;

    SchemaMerge(SchemaConverter c) { this.c = c; }

    ObjectNode merge(List<JsonNode> parts, String path) {
        List<ObjectNode> flat = new ArrayList<>();
        Map<JsonNode, Boolean> seen = new IdentityHashMap<>(); // true while a part is being flattened
        for (JsonNode p : parts) flatten(p, path, flat, seen, 0);
        ObjectNode m = SchemaConverter.JSON.createObjectNode();
        types(flat, m, path);
        objects(flat, m);
        arrays(flat, m);
        bounds(flat, m, path);
        for (String k : List.of("pattern", "format")) {
            for (ObjectNode f : flat) {
                if (!f.has(k)) continue;
                if (m.has(k) && !m.get(k).equals(f.get(k))) throw SchemaConverter.error("unsupported: allOf with two different '" + k + "' values", path);
                m.set(k, f.get(k));
            }
        }
        values(flat, m, path);
        alternatives(flat, m, path);
        return m;
    }

    private void flatten(JsonNode p, String path, List<ObjectNode> out, Map<JsonNode, Boolean> seen, int depth) {
        if (depth > MAX_FLATTEN) throw SchemaConverter.error("allOf/$ref nested too deeply (a cycle?)", path);
        if (p.isBoolean()) {
            if (p.booleanValue()) return;
            throw new Unsatisfiable("schema 'false' in allOf can never be satisfied at " + SchemaConverter.where(path));
        }
        if (!p.isObject()) throw SchemaConverter.error("a schema must be an object or a boolean", path);
        Boolean was = seen.put(p, true);
        if (was != null) {
            seen.put(p, was);
            if (was) throw new Unsatisfiable("allOf/$ref only refers to itself at " + SchemaConverter.where(path));
            return; // the same part twice
        }
        SchemaConverter.check(p, path);
        if (p.has("$ref")) {
            String ref = SchemaConverter.text(p.get("$ref"), "$ref", path);
            String ptr = SchemaConverter.pointer(ref, path);
            flatten(c.resolve(ref, ptr, path), ptr, out, seen, depth + 1);
        }
        if (p.has("allOf")) {
            JsonNode all = p.get("allOf");
            if (!all.isArray() || all.isEmpty()) throw SchemaConverter.error("'allOf' must be a non-empty array", path);
            for (int i = 0; i < all.size(); i++) flatten(all.get(i), path + "/allOf/" + i, out, seen, depth + 1);
        }
        ObjectNode rest = SchemaConverter.assertions(p, "$ref", "allOf");
        if (!rest.isEmpty()) out.add(rest);
        seen.put(p, false);
    }

    private static void types(List<ObjectNode> flat, ObjectNode m, String path) {
        List<String> types = null;
        for (ObjectNode f : flat) {
            if (!f.has("type")) continue;
            List<String> t = SchemaConverter.types(f, path);
            if (types == null) { types = t; continue; }
            List<String> both = new ArrayList<>();
            for (String x : types) {
                if (t.contains(x)) both.add(x);
                else if (x.equals("integer") && t.contains("number") || x.equals("number") && t.contains("integer")) both.add("integer");
            }
            types = new ArrayList<>(new LinkedHashSet<>(both));
        }
        if (types == null) return;
        if (types.isEmpty()) throw new Unsatisfiable("allOf: the parts' types have nothing in common at " + SchemaConverter.where(path));
        ArrayNode a = m.putArray("type");
        types.forEach(a::add);
    }

    private static void objects(List<ObjectNode> flat, ObjectNode m) {
        Map<String, List<JsonNode>> props = new LinkedHashMap<>();
        for (ObjectNode f : flat) {
            if (f.get("properties") instanceof ObjectNode p) p.properties().forEach(e -> props.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        }
        // a part's additionalProperties governs the names only other parts declare
        List<JsonNode> extras = new ArrayList<>();
        boolean anyAp = false;
        for (ObjectNode f : flat) {
            JsonNode ap = f.get("additionalProperties");
            if (ap == null) continue;
            anyAp = true;
            if (ap.isBoolean() && ap.booleanValue()) continue;
            extras.add(ap);
            JsonNode own = f.get("properties");
            for (var e : props.entrySet()) if (own == null || !own.has(e.getKey())) e.getValue().add(ap);
        }
        if (!props.isEmpty()) {
            ObjectNode p = m.putObject("properties");
            props.forEach((k, v) -> p.set(k, all(v)));
        }
        Set<String> required = new LinkedHashSet<>();
        for (ObjectNode f : flat) if (f.get("required") instanceof ArrayNode r) r.forEach(x -> required.add(x.asText()));
        if (!required.isEmpty()) {
            ArrayNode r = m.putArray("required");
            required.forEach(r::add);
        }
        if (anyAp) m.set("additionalProperties", extras.isEmpty() ? BooleanNode.TRUE : all(extras));
    }

    private static void arrays(List<ObjectNode> flat, ObjectNode m) {
        int longest = -1;
        for (ObjectNode f : flat) {
            if (f.has("prefixItems") || f.has("items")) longest = Math.max(longest, f.has("prefixItems") ? f.get("prefixItems").size() : 0);
        }
        if (longest < 0) return;
        if (longest > 0) {
            ArrayNode pre = m.putArray("prefixItems");
            for (int j = 0; j < longest; j++) {
                List<JsonNode> at = new ArrayList<>();
                for (ObjectNode f : flat) {
                    JsonNode pi = f.get("prefixItems");
                    if (pi != null && j < pi.size()) at.add(pi.get(j));
                    else if (f.has("items")) at.add(f.get("items"));
                }
                pre.add(all(at));
            }
        }
        List<JsonNode> items = new ArrayList<>();
        for (ObjectNode f : flat) if (f.has("items")) items.add(f.get("items"));
        if (!items.isEmpty()) m.set("items", all(items));
    }

    private static void bounds(List<ObjectNode> flat, ObjectNode m, String path) {
        for (String k : List.of("minLength", "minItems", "maxLength", "maxItems", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")) {
            boolean lower = k.startsWith("min") || k.equals("exclusiveMinimum");
            BigDecimal best = null;
            for (ObjectNode f : flat) {
                if (!f.has(k)) continue;
                BigDecimal v = SchemaConverter.number(f, k, path);
                if (best == null || (lower ? v.compareTo(best) > 0 : v.compareTo(best) < 0)) best = v;
            }
            if (best != null) m.set(k, DecimalNode.valueOf(best));
        }
    }

    private static void values(List<ObjectNode> flat, ObjectNode m, String path) {
        List<JsonNode> values = null;
        for (ObjectNode f : flat) {
            List<JsonNode> v = SchemaConverter.values(f, path);
            if (v == null) continue;
            if (values == null) values = v;
            else {
                Set<String> keep = new LinkedHashSet<>();
                v.forEach(x -> keep.add(JsonText.canonical(x)));
                values.removeIf(x -> !keep.contains(JsonText.canonical(x)));
            }
        }
        if (values == null) return;
        if (values.isEmpty()) throw new Unsatisfiable("allOf: no value is in every part's enum/const at " + SchemaConverter.where(path));
        ArrayNode e = m.putArray("enum");
        values.forEach(e::add);
    }

    /** At most one list stays as is; several are crossed into one anyOf of allOf pairs. */
    private static void alternatives(List<ObjectNode> flat, ObjectNode m, String path) {
        List<List<JsonNode>> lists = new ArrayList<>();
        String only = null;
        for (ObjectNode f : flat) {
            for (String k : List.of("anyOf", "oneOf")) {
                if (!f.has(k)) continue;
                JsonNode a = f.get(k);
                if (!a.isArray() || a.isEmpty()) throw SchemaConverter.error("'" + k + "' must be a non-empty array", path);
                List<JsonNode> l = new ArrayList<>();
                a.forEach(l::add);
                lists.add(l);
                only = only == null ? k : "anyOf";
            }
        }
        if (lists.isEmpty()) return;
        List<JsonNode> cross = lists.get(0);
        for (int i = 1; i < lists.size(); i++) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode a : cross) for (JsonNode b : lists.get(i)) next.add(all(List.of(a, b)));
            if (next.size() > MAX_CROSS) throw SchemaConverter.error("unsupported: allOf over anyOf/oneOf lists with more than " + MAX_CROSS + " combinations", path);
            cross = next;
        }
        ArrayNode a = m.putArray(lists.size() == 1 ? only : "anyOf");
        cross.forEach(a::add);
    }

    /** One schema that is all of these. */
    private static JsonNode all(List<JsonNode> schemas) {
        List<JsonNode> real = schemas.stream().filter(s -> !(s.isBoolean() && s.booleanValue())).distinct().toList();
        if (real.isEmpty()) return BooleanNode.TRUE;
        if (real.size() == 1) return real.get(0);
        ObjectNode o = SchemaConverter.JSON.createObjectNode();
        ArrayNode a = o.putArray("allOf");
        real.forEach(a::add);
        return o;
    }
}
