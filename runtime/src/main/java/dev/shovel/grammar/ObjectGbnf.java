package dev.shovel.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Objects: declared properties in the schema's order, each optional one present or not, then extra members when
 * additionalProperties allows them (keys that are none of the declared names). Two rule chains make any subset of
 * the optional properties come out with correct commas: {@code after[i]} (something came before: every member
 * brings its comma) and {@code first[i]} (nothing yet: at least one member, the first without a comma).
 * With no additionalProperties keyword, declared properties leave no room for extras (a sound subset); a schema
 * with neither properties nor required allows any object.
 */
final class ObjectGbnf {
    private record Member(String name, String value, boolean required) {}

    private final SchemaConverter c;

    ObjectGbnf(SchemaConverter c) { this.c = c; }

    String body(JsonNode s, String path, String hint) {
        GbnfWriter out = c.out;
        JsonNode props = s.get("properties"), ap = s.get("additionalProperties");
        if (props != null && !props.isObject()) throw SchemaConverter.error("'properties' must be an object", path);
        if (ap != null && !ap.isObject() && !ap.isBoolean()) throw SchemaConverter.error("'additionalProperties' must be a schema", path);
        Set<String> required = required(s, path);
        Set<String> names = new LinkedHashSet<>();
        List<Member> members = new ArrayList<>();
        if (props != null) {
            for (var e : props.properties()) {
                String name = e.getKey();
                names.add(name);
                boolean req = required.contains(name);
                try {
                    members.add(new Member(name, c.element(e.getValue(), SchemaConverter.child(path + "/properties", name), hint + "-" + name), req));
                } catch (Unsatisfiable u) {
                    if (req) throw u; // an optional property no value fits is simply left out
                }
            }
        }
        boolean closed = ap != null && ap.isBoolean() && !ap.booleanValue();
        for (String name : required) {
            if (!names.add(name)) continue;
            if (closed) throw new Unsatisfiable("required property '" + name + "' is not allowed by additionalProperties: false at " + SchemaConverter.where(path));
            JsonNode vs = ap == null ? BooleanNode.TRUE : ap;
            members.add(new Member(name, c.element(vs, path + "/additionalProperties", hint + "-" + name), true));
        }
        String sp = out.prim("space"), comma = out.comma(), colon = sp + " \":\" " + sp;
        String extra = null; // one extra member
        if (ap == null && props == null && required.isEmpty()) return out.prim("object");
        if (ap != null && !closed) {
            if (names.isEmpty() && ap.isBoolean()) return out.prim("object");
            try {
                String value = c.element(ap, path + "/additionalProperties", hint + "-extra");
                String key = names.isEmpty() ? out.prim("string") : KeyTrie.rule(out, names, hint + "-key");
                extra = key + " " + colon + " " + value;
            } catch (Unsatisfiable u) {
                extra = null; // no extra member can be valid
            }
        }
        int n = members.size();
        String[] after = new String[n + 1], first = new String[n + 1];
        after[n] = extra == null ? "" : out.rule(hint + "-extras", "( " + comma + " " + extra + " )*");
        first[n] = extra == null ? null : out.rule(hint + "-extras-first", join(extra, after[n]));
        boolean anyRequired = false;
        for (int i = n - 1; i >= 0; i--) {
            Member m = members.get(i);
            String kv = GbnfWriter.literal(JsonText.quote(m.name())) + " " + colon + " " + m.value();
            anyRequired |= m.required();
            String own = m.required() ? comma + " " + join(kv, after[i + 1]) : join("( " + comma + " " + kv + " )?", after[i + 1]);
            after[i] = out.rule(hint + "-after-" + m.name(), own);
            String mine = join(kv, after[i + 1]);
            first[i] = out.rule(hint + "-from-" + m.name(), m.required() || first[i + 1] == null ? mine : mine + " | " + first[i + 1]);
        }
        if (first[0] == null) return "\"{\" " + sp + " \"}\"";
        if (anyRequired) return "\"{\" " + sp + " " + first[0] + " " + sp + " \"}\"";
        return "\"{\" " + sp + " ( " + first[0] + " " + sp + " )? \"}\"";
    }

    private static Set<String> required(JsonNode s, String path) {
        Set<String> out = new LinkedHashSet<>();
        JsonNode r = s.get("required");
        if (r == null) return out;
        if (!r.isArray()) throw SchemaConverter.error("'required' must be an array of strings", path);
        for (JsonNode x : r) out.add(SchemaConverter.text(x, "required", path));
        return out;
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + " " + b;
    }
}
