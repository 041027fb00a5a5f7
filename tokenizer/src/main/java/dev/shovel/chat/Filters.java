package dev.shovel.chat;

import dev.shovel.chat.Methods.Args;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Jinja2's built-in filters ({@code value | name(args)}), with transformers' {@code tojson}. */
final class Filters {
    private Filters() { }

    static Object apply(String name, Object v, List<Object> args, Map<String, Object> kwargs) {
        Args a = new Args(name, args, kwargs);
        if (v instanceof String s) Budget.current().work(s.length());
        switch (name) {
            case "trim" -> {
                return PyStr.strip(PyStr.str(v), a.optStr(0, "chars"));
            }
            case "length", "count" -> {
                return (long) Py.len(v);
            }
            case "tojson" -> {
                return Json.dumps(v, jsonOptions(a));
            }
            case "string" -> {
                return PyStr.str(v);
            }
            case "lower" -> {
                return Budget.string(PyStr.str(v).toLowerCase(Locale.ROOT));
            }
            case "upper" -> {
                return Budget.string(PyStr.str(v).toUpperCase(Locale.ROOT));
            }
            case "title" -> {
                return Budget.string(title(PyStr.str(v)));
            }
            case "capitalize" -> {
                return Budget.string(Methods.capitalize(PyStr.str(v)));
            }
            case "replace" -> {
                Object count = a.get(2, "count", null);
                return Methods.replace(PyStr.str(v), PyStr.str(a.get(0, "old", null)), PyStr.str(a.get(1, "new", null)),
                        count == null ? -1 : Py.toLong(count));
            }
            case "join" -> {
                String sep = PyStr.str(a.get(0, "d", ""));
                List<Object> items = Py.iterate(v);
                Object attr = a.get(1, "attribute", null);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) sb.append(sep);
                    String x = PyStr.str(attr == null ? items.get(i) : attribute(items.get(i), attr));
                    Budget.fits((long) sb.length() + x.length());
                    sb.append(x);
                }
                return Budget.string(sb.toString());
            }
            case "first" -> {
                List<Object> items = Py.iterate(v);
                return items.isEmpty() ? Undefined.of("No first item, sequence was empty.") : items.get(0);
            }
            case "last" -> {
                List<Object> items = Py.iterate(v);
                return items.isEmpty() ? Undefined.of("No last item, sequence was empty.") : items.getLast();
            }
            case "default", "d" -> {
                boolean bool = Py.truthy(a.get(1, "boolean", false));
                return v instanceof Undefined || (bool && !Py.truthy(v)) ? a.get(0, "default_value", "") : v;
            }
            case "list" -> {
                return Py.iterate(v);
            }
            case "items" -> {
                if (v instanceof Undefined) return new ArrayList<>();
                if (!(v instanceof Map<?, ?> m)) throw new JinjaError("Can only get item pairs from a mapping.");
                return items(m);
            }
            case "dictsort" -> {
                if (!(v instanceof Map<?, ?> m)) throw new JinjaError("You can only sort by either \"key\" or \"value\"");
                boolean cs = Py.truthy(a.get(0, "case_sensitive", false));
                Object by = a.get(1, "by", "key");
                int pos = "key".equals(by) ? 0 : "value".equals(by) ? 1 : -1;
                if (pos < 0) throw new JinjaError("You can only sort by either \"key\" or \"value\"");
                List<Object> items = items(m);
                sort(items, x -> sortKey(((List<?>) x).get(pos), cs), Py.truthy(a.get(2, "reverse", false)));
                return items;
            }
            case "sort" -> {
                boolean cs = Py.truthy(a.get(1, "case_sensitive", false));
                Object attr = a.get(2, "attribute", null);
                List<Object> items = Py.iterate(v);
                sort(items, x -> sortKey(attr == null ? x : attribute(x, attr), cs), Py.truthy(a.get(0, "reverse", false)));
                return items;
            }
            case "select", "reject", "selectattr", "rejectattr" -> {
                return select(name, v, args, kwargs);
            }
            case "map" -> {
                return map(v, args, kwargs);
            }
            case "reverse" -> {
                if (v instanceof String s) return new StringBuilder(s).reverse().toString();
                List<Object> items = Py.iterate(v);
                Collections.reverse(items);
                return items;
            }
            case "int" -> {
                return toInt(v, a.get(0, "default", 0L), (int) Py.toLong(a.get(1, "base", 10L)));
            }
            case "float" -> {
                return toFloat(v, a.get(0, "default", 0.0));
            }
            case "safe", "escape", "e", "forceescape" -> {
                return name.equals("safe") ? v : Budget.string(escape(PyStr.str(v)));
            }
            case "abs" -> {
                if (Py.isFloat(v)) return Math.abs(Py.toDouble(v));
                if (Py.isInt(v) || v instanceof Boolean) return Math.abs(Py.toLong(v));
                throw new JinjaError("bad operand type for abs(): '" + Py.typeName(v) + "'");
            }
            case "round" -> {
                return round(v, (int) Py.toLong(a.get(0, "precision", 0L)), PyStr.str(a.get(1, "method", "common")));
            }
            case "unique" -> {
                boolean cs = Py.truthy(a.get(0, "case_sensitive", false));
                Object attr = a.get(1, "attribute", null);
                List<Object> out = new ArrayList<>();
                List<Object> seen = new ArrayList<>();
                for (Object x : Py.iterate(v)) {
                    Object key = sortKey(attr == null ? x : attribute(x, attr), cs);
                    Budget.current().steps(seen.size());
                    if (seen.stream().noneMatch(k -> Py.eq(k, key))) {
                        seen.add(key);
                        out.add(x);
                    }
                }
                return out;
            }
            case "batch" -> {
                int size = (int) Py.toLong(a.get(0, "linecount", 1L));
                if (size <= 0) throw new JinjaError("batch size must be positive");
                Object fill = a.get(1, "fill_with", null);
                List<Object> out = new ArrayList<>();
                List<Object> cur = new ArrayList<>();
                for (Object x : Py.iterate(v)) {
                    cur.add(x);
                    if (cur.size() == size) {
                        out.add(cur);
                        cur = new ArrayList<>();
                    }
                }
                if (!cur.isEmpty()) {
                    if (fill != null) Budget.items(size);
                    if (fill != null) while (cur.size() < size) cur.add(fill);
                    out.add(cur);
                }
                return out;
            }
            case "sum" -> {
                Object attr = a.get(0, "attribute", null);
                Object acc = a.get(1, "start", 0L);
                for (Object x : Py.iterate(v)) acc = Py.binary("+", acc, attr == null ? x : attribute(x, attr));
                return acc;
            }
            case "min", "max" -> {
                boolean cs = Py.truthy(a.get(0, "case_sensitive", false));
                Object attr = a.get(1, "attribute", null);
                Object best = null;
                Object bestKey = null;
                for (Object x : Py.iterate(v)) {
                    Object key = sortKey(attr == null ? x : attribute(x, attr), cs);
                    int c = bestKey == null ? 0 : Py.compare(key, bestKey, "<");
                    if (best == null || (name.equals("min") ? c < 0 : c > 0)) {
                        best = x;
                        bestKey = key;
                    }
                }
                return best == null ? Undefined.of("No aggregated item, sequence was empty.") : best;
            }
            case "indent" -> {
                return indent(PyStr.str(v), a.get(0, "width", 4L), Py.truthy(a.get(1, "first", false)),
                        Py.truthy(a.get(2, "blank", false)));
            }
            case "format" -> {
                if (!args.isEmpty() && !kwargs.isEmpty()) throw new JinjaError("can't handle positional and keyword arguments at the same time");
                return Format.percent(PyStr.str(v), kwargs.isEmpty() ? PyTuple.of(args) : new LinkedHashMap<>(kwargs));
            }
            case "attr" -> {
                String attr = PyStr.str(a.get(0, "name", null));
                if (v instanceof Map<?, ?> m && !Methods.has(m, attr)) return Undefined.attribute(m, attr);
                return Py.getAttr(v, attr);
            }
            case "wordcount" -> {
                return (long) Methods.split(PyStr.str(v), null, -1).size();
            }
            case "center" -> {
                return Methods.call(PyStr.str(v), "center", List.of(a.get(0, "width", 80L)), Map.of());
            }
            case "pprint" -> {
                return PyStr.repr(v);
            }
            default -> throw new JinjaError("No filter named '" + name + "'.");
        }
    }

    /** transformers' signature: tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False). */
    private static Json.Options jsonOptions(Args a) {
        if (a.args().size() > 1) throw new JinjaError("tojson() takes indent as its only positional argument");
        Object indent = a.get(0, "indent", null);
        String pad = indent == null ? null : indent instanceof String s ? s : spaces(Py.toLong(indent));
        String itemSep = pad == null ? ", " : ",";
        String keySep = ": ";
        Object seps = a.kwargs().get("separators");
        if (seps != null) {
            if (!(seps instanceof List<?> l) || l.size() != 2) throw new JinjaError("separators must be a pair of strings");
            itemSep = PyStr.str(l.get(0));
            keySep = PyStr.str(l.get(1));
        }
        return new Json.Options(pad, itemSep, keySep, Py.truthy(a.kwargs().get("sort_keys")),
                Py.truthy(a.kwargs().get("ensure_ascii")));
    }

    private static String spaces(long n) {
        Budget.chars(Math.max(0, n));
        return " ".repeat((int) Math.max(0, n));
    }

    private static List<Object> items(Map<?, ?> m) {
        List<Object> out = new ArrayList<>();
        for (var e : m.entrySet()) out.add(new PyTuple(e.getKey(), e.getValue()));
        return out;
    }

    /** Jinja2's attribute getter for filters: dotted path, integer parts index lists. */
    static Object attribute(Object item, Object attr) {
        return attribute(item, attr, null);
    }

    /** As Jinja2's make_attrgetter: a non-null default replaces an undefined result after each part. */
    static Object attribute(Object item, Object attr, Object dflt) {
        if (!(attr instanceof String path)) {
            Object v = Py.getItem(item, attr);
            return dflt != null && v instanceof Undefined ? dflt : v;
        }
        Object cur = item;
        for (String part : path.split("\\.", -1)) {
            Object key = !part.isEmpty() && part.length() < 19 && part.chars().allMatch(c -> c >= '0' && c <= '9')
                    ? (Object) Long.parseLong(part) : part;
            cur = Py.getItem(cur, key);
            if (dflt != null && cur instanceof Undefined) cur = dflt;
        }
        return cur;
    }

    private static Object sortKey(Object v, boolean caseSensitive) {
        return !caseSensitive && v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    private static void sort(List<Object> items, java.util.function.UnaryOperator<Object> key, boolean reverse) {
        Comparator<Object> c = (x, y) -> Py.compare(key.apply(x), key.apply(y), "<");
        try {
            items.sort(reverse ? c.reversed() : c);
        } catch (IllegalArgumentException e) { // TimSort saw an inconsistent order (ints vs floats beyond 2^53)
            throw new JinjaError("sort: the values have no consistent order");
        }
    }

    /** Like Jinja2's generators, select/reject/map yield nothing for a falsy input (none, undefined, empty). */
    private static List<Object> select(String name, Object v, List<Object> args, Map<String, Object> kwargs) {
        if (!Py.truthy(v)) return new ArrayList<>();
        boolean byAttr = name.endsWith("attr");
        boolean keep = name.startsWith("select");
        int t = byAttr ? 1 : 0;
        Object attr = byAttr ? (args.isEmpty() ? null : args.get(0)) : null;
        if (byAttr && attr == null) throw new JinjaError("Missing parameter for attribute name");
        String test = args.size() > t ? PyStr.str(args.get(t)) : null;
        List<Object> testArgs = args.size() > t + 1 ? args.subList(t + 1, args.size()) : List.of();
        List<Object> out = new ArrayList<>();
        for (Object item : Py.iterate(v)) {
            Object x = byAttr ? attribute(item, attr) : item;
            boolean pass = test == null ? Py.truthy(x) : JinjaTests.test(test, x, testArgs);
            if (pass == keep) out.add(item);
        }
        return out;
    }

    private static List<Object> map(Object v, List<Object> args, Map<String, Object> kwargs) {
        List<Object> out = new ArrayList<>();
        if (!Py.truthy(v)) return out;
        if (args.isEmpty() && kwargs.containsKey("attribute")) {
            Object attr = kwargs.get("attribute");
            Object dflt = kwargs.get("default");
            for (Object item : Py.iterate(v)) out.add(attribute(item, attr, dflt));
            return out;
        }
        if (args.isEmpty()) throw new JinjaError("map requires a filter argument");
        String filter = PyStr.str(args.get(0));
        List<Object> rest = args.subList(1, args.size());
        for (Object item : Py.iterate(v)) out.add(apply(filter, item, rest, kwargs));
        return out;
    }

    static Double parseFloat(String s) {
        String t = PyStr.strip(s, null);
        if (!isFloat(t)) return null;
        t = t.replace("_", "").toLowerCase(Locale.ROOT);
        if (t.endsWith("inf") || t.endsWith("infinity")) return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (t.endsWith("nan")) return Double.NaN;
        return Double.parseDouble(t);
    }

    /** Python's float() syntax: sign, digits with single underscores between, optional point and exponent, or inf/nan. */
    private static boolean isFloat(String t) {
        int i = t.startsWith("+") || t.startsWith("-") ? 1 : 0;
        String word = t.substring(i).toLowerCase(Locale.ROOT);
        if (word.equals("inf") || word.equals("infinity") || word.equals("nan")) return true;
        int mantissaEnd = word.indexOf('e') >= 0 ? word.indexOf('e') : word.length();
        String mantissa = word.substring(0, mantissaEnd);
        int dot = mantissa.indexOf('.');
        String whole = dot < 0 ? mantissa : mantissa.substring(0, dot);
        String frac = dot < 0 ? "" : mantissa.substring(dot + 1);
        if (!(digits(whole) || whole.isEmpty()) || !(digits(frac) || frac.isEmpty()) || whole.isEmpty() && frac.isEmpty()) {
            return false;
        }
        if (mantissaEnd == word.length()) return true;
        String exp = word.substring(mantissaEnd + 1);
        if (exp.startsWith("+") || exp.startsWith("-")) exp = exp.substring(1);
        return digits(exp);
    }

    /** One or more ASCII digits, single underscores between them. */
    private static boolean digits(String s) {
        if (s.isEmpty() || s.startsWith("_") || s.endsWith("_") || s.contains("__")) return false;
        return s.chars().allMatch(c -> c == '_' || c >= '0' && c <= '9');
    }

    private static Object toInt(Object v, Object dflt, int base) {
        if (v instanceof String s) {
            String t = PyStr.strip(s, null).replace("_", "");
            if (base == 16 && t.toLowerCase(Locale.ROOT).startsWith("0x")) t = t.substring(2);
            try {
                return Long.parseLong(t, base);
            } catch (NumberFormatException e) {
                Double d = parseFloat(s);
                return d == null || d.isNaN() || d.isInfinite() ? dflt : (Object) (long) (double) d;
            }
        }
        if (Py.isInt(v) || v instanceof Boolean) return Py.toLong(v);
        if (Py.isFloat(v)) {
            double d = Py.toDouble(v);
            return Double.isNaN(d) || Double.isInfinite(d) ? dflt : (Object) (long) d;
        }
        return dflt;
    }

    private static Object toFloat(Object v, Object dflt) {
        if (v instanceof String s) {
            Double d = parseFloat(s);
            return d == null ? dflt : d;
        }
        if (Py.isNumeric(v)) return Py.toDouble(v);
        return dflt;
    }

    private static Object round(Object v, int precision, String method) {
        if (!Py.isNumeric(v)) throw new JinjaError("type " + Py.typeName(v) + " doesn't define __round__ method");
        switch (method) {
            case "common" -> {
                if (!Py.isFloat(v)) return Py.toLong(v);
                double d = Py.toDouble(v);
                if (Double.isNaN(d) || Double.isInfinite(d) || precision > 400) return d; // a double has < 400 digits
                if (precision < -400) return d < 0 ? -0.0 : 0.0;
                return new BigDecimal(d).setScale(precision, RoundingMode.HALF_EVEN).doubleValue();
            }
            case "ceil", "floor" -> {
                double scale = Math.pow(10, precision);
                double x = Py.toDouble(v) * scale;
                return (method.equals("ceil") ? Math.ceil(x) : Math.floor(x)) / scale;
            }
            default -> throw new JinjaError("method must be common, ceil or floor");
        }
    }

    /** Jinja2's {@code title} filter: upper-cases the first letter after start, whitespace, {@code -([{<}. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder();
        boolean start = true;
        for (int c : PyStr.codePoints(s)) {
            boolean sep = c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || PyStr.isSpace(c);
            String ch = Character.toString(c);
            sb.append(sep ? ch : start ? ch.toUpperCase(Locale.ROOT) : ch.toLowerCase(Locale.ROOT));
            start = sep;
        }
        return sb.toString();
    }

    private static String indent(String s, Object width, boolean first, boolean blank) {
        String pad = width instanceof String w ? w : spaces(Py.toLong(width));
        @SuppressWarnings("unchecked")
        List<Object> lines = (List<Object>) Methods.call(s + "\n", "splitlines", List.of(), Map.of());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = (String) lines.get(i);
            Budget.fits((long) sb.length() + pad.length() + line.length() + 1);
            if (i > 0) sb.append('\n');
            if (i > 0 && (blank || !line.isEmpty())) sb.append(pad);
            sb.append(line);
        }
        return Budget.string(first ? pad + sb : sb.toString());
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;").replace("'", "&#39;");
    }
}
