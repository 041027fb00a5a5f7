package dev.shovel.grammar;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Collects GBNF rules for the schema converter: unique names, rules with equal bodies shared, JSON's primitive rules
 * on demand, and the escaping of literals and character classes. {@link #text} prints the rules reachable from root.
 */
final class GbnfWriter {
    private final Map<String, String> bodies = new LinkedHashMap<>();
    private final Map<String, String> byBody = new HashMap<>();
    private final Set<String> names = new HashSet<>();

    /** A fresh rule name built from {@code hint}; define it later with {@link #define}. */
    String reserve(String hint) {
        String base = sanitize(hint);
        String name = base;
        for (int i = 1; names.contains(name); i++) name = base + "-" + i;
        names.add(name);
        return name;
    }

    void define(String name, String body) {
        bodies.put(name, body);
        byBody.putIfAbsent(body, name);
    }

    /** Forgets a reserved name whose definition failed. */
    void release(String name) {
        if (!bodies.containsKey(name)) names.remove(name);
    }

    /** A name for {@code body}: the body itself when it is one name, else a (shared) rule. */
    String rule(String hint, String body) {
        if (isName(body)) return body;
        String known = byBody.get(body);
        if (known != null) return known;
        String name = reserve(hint);
        define(name, body);
        return name;
    }

    /** A primitive rule of JSON ({@code space}, {@code string}, {@code number}, {@code value}, ...), defined on first use. */
    String prim(String which) {
        String key = "\u0000" + which; // primitives are keyed apart from user rules of the same name
        String known = byBody.get(key);
        if (known != null) return known;
        String name = reserve(which);
        byBody.put(key, name);
        bodies.put(name, ""); // placeholder: recursive primitives refer to themselves
        String sp = which.equals("space") ? null : prim("space");
        String body = switch (which) {
            case "space" -> "( \" \" | \"\\n\" [ \\t]{0,20} )?";
            case "char" -> "[^\"\\\\\\x00-\\x1F] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" ( [0-9a-cA-Ce-fE-F] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2} ) )";
            case "string" -> "\"\\\"\" " + prim("char") + "* \"\\\"\"";
            case "number" -> "\"-\"? ( \"0\" | [1-9] [0-9]{0,15} ) ( \".\" [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,2} )?";
            case "integer" -> "\"0\" | \"-\"? [1-9] [0-9]{0,15}";
            case "boolean" -> "\"true\" | \"false\"";
            case "null" -> "\"null\"";
            case "value" -> prim("object") + " | " + prim("array") + " | " + prim("string") + " | " + prim("number") + " | "
                    + prim("boolean") + " | " + prim("null");
            case "object" -> "\"{\" " + sp + " ( " + prim("string") + " " + sp + " \":\" " + sp + " " + prim("value") + " ( " + sp
                    + " \",\" " + sp + " " + prim("string") + " " + sp + " \":\" " + sp + " " + prim("value") + " )* " + sp + " )? \"}\"";
            case "array" -> "\"[\" " + sp + " ( " + prim("value") + " ( " + sp + " \",\" " + sp + " " + prim("value") + " )* " + sp
                    + " )? \"]\"";
            default -> throw new IllegalArgumentException(which);
        };
        bodies.put(name, body);
        return name;
    }

    /** The separator between members or items: a comma with optional blanks around it. */
    String comma() {
        String sp = prim("space");
        return sp + " \",\" " + sp;
    }

    /** The grammar: root first, then every rule root reaches, in definition order. */
    String text() {
        Set<String> reach = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>();
        reach.add("root");
        todo.add("root");
        while (!todo.isEmpty()) {
            for (String ref : references(bodies.get(todo.poll()))) if (reach.add(ref)) todo.add(ref);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("root ::= ").append(bodies.get("root")).append('\n');
        for (Map.Entry<String, String> e : bodies.entrySet()) {
            if (!e.getKey().equals("root") && reach.contains(e.getKey())) sb.append(e.getKey()).append(" ::= ").append(e.getValue()).append('\n');
        }
        return sb.toString();
    }

    /** Rule names a body refers to (outside its literals and classes). */
    static Set<String> references(String body) {
        Set<String> out = new HashSet<>();
        int i = 0, n = body.length();
        while (i < n) {
            char c = body.charAt(i);
            if (c == '"' || c == '[') {
                char close = c == '"' ? '"' : ']';
                i++;
                while (i < n && body.charAt(i) != close) i += body.charAt(i) == '\\' ? 2 : 1;
                i++;
            } else if (c == '{') {
                while (i < n && body.charAt(i) != '}') i++;
            } else if (isNameChar(c)) {
                int s = i;
                while (i < n && isNameChar(body.charAt(i))) i++;
                out.add(body.substring(s, i));
            } else i++;
        }
        return out;
    }

    static boolean isName(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (!isNameChar(s.charAt(i))) return false;
        return true;
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_';
    }

    /** A rule name from any text: letters, digits and single hyphens, at most 48 characters. */
    static String sanitize(String hint) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hint.length() && sb.length() < 48; i++) {
            char c = hint.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') sb.append(c);
            else if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != '-') sb.append('-');
        }
        while (!sb.isEmpty() && sb.charAt(sb.length() - 1) == '-') sb.setLength(sb.length() - 1);
        return sb.isEmpty() ? "r" : sb.toString();
    }

    /** A GBNF string literal matching exactly {@code s}. */
    static String literal(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp == '"' || cp == '\\') sb.append('\\').appendCodePoint(cp);
            else escapeOrRaw(sb, cp);
        });
        return sb.append('"').toString();
    }

    /** A GBNF character class for a set of sorted ranges {@code [lo0, hi0, ...]} (non-empty, no surrogates). */
    static String charClass(int[] set) {
        int[] comp = Ranges.complement(set);
        boolean negate = comp.length < set.length;
        int[] r = negate ? comp : set;
        StringBuilder sb = new StringBuilder(negate ? "[^" : "[");
        for (int i = 0; i < r.length; i += 2) {
            classChar(sb, r[i]);
            if (r[i + 1] > r[i]) {
                if (r[i + 1] > r[i] + 1) sb.append('-');
                classChar(sb, r[i + 1]);
            }
        }
        return sb.append(']').toString();
    }

    private static void classChar(StringBuilder sb, int cp) {
        if ("\\]-^[\"".indexOf(cp) >= 0) sb.append('\\').appendCodePoint(cp);
        else escapeOrRaw(sb, cp);
    }

    private static void escapeOrRaw(StringBuilder sb, int cp) {
        boolean raw = cp >= 0x20 && cp < 0x7F || cp >= 0xA0 && switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
        if (raw) sb.appendCodePoint(cp);
        else if (cp < 0x100) sb.append(String.format("\\x%02X", cp));
        else if (cp < 0x10000) sb.append(String.format("\\u%04X", cp));
        else sb.append(String.format("\\U%08X", cp));
    }
}
