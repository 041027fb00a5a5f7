package dev.shovel.chat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Python semantics of template values (Map, List, String, Number, Boolean, null, plus the interpreter's own types):
 * truthiness, equality, ordering, arithmetic, membership, iteration, attribute and item access, slicing.
 */
final class Py {
    private Py() { }

    static boolean isInt(Object v) {
        return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte || v instanceof BigInteger;
    }

    static boolean isFloat(Object v) {
        return v instanceof Double || v instanceof Float || v instanceof BigDecimal;
    }

    /** int, float or bool: what Python arithmetic accepts. */
    static boolean isNumeric(Object v) {
        return isInt(v) || isFloat(v) || v instanceof Boolean;
    }

    static long toLong(Object v) {
        if (v instanceof Boolean b) return b ? 1 : 0;
        if (v instanceof Number n) return n.longValue();
        if (v instanceof Undefined u) throw u.error();
        throw new JinjaError("'" + typeName(v) + "' object cannot be interpreted as an integer");
    }

    static double toDouble(Object v) {
        if (v instanceof Boolean b) return b ? 1 : 0;
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof Undefined u) throw u.error();
        throw new JinjaError("must be real number, not " + typeName(v));
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case String s -> "str";
            case Boolean b -> "bool";
            case PyTuple t -> "tuple";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case LoopInfo l -> "LoopContext";
            case JCallable c -> "function";
            default -> isInt(v) ? "int" : isFloat(v) ? "float" : v.getClass().getSimpleName();
        };
    }

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case String s -> !s.isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Undefined u -> false;
            default -> isInt(v) ? toLong(v) != 0 : !isFloat(v) || toDouble(v) != 0;
        };
    }

    static boolean eq(Object a, Object b) {
        if (a == b) return true;
        if (!(a instanceof List || a instanceof Map) || !(b instanceof List || b instanceof Map)) return eqFlat(a, b);
        Budget budget = Budget.current();
        budget.enter();
        try {
            return eqFlat(a, b);
        } finally {
            budget.exit();
        }
    }

    private static boolean eqFlat(Object a, Object b) {
        if (a instanceof Undefined || b instanceof Undefined) return a instanceof Undefined && b instanceof Undefined;
        if (a == null || b == null) return false;
        if (isNumeric(a) && isNumeric(b)) {
            if (isFloat(a) || isFloat(b)) return toDouble(a) == toDouble(b);
            return toLong(a) == toLong(b);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if ((a instanceof PyTuple) != (b instanceof PyTuple) || la.size() != lb.size()) return false;
            Budget.current().steps(la.size());
            for (int i = 0; i < la.size(); i++) if (!eq(la.get(i), lb.get(i))) return false;
            return true;
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            if (ma.size() != mb.size()) return false;
            Budget.current().steps(ma.size());
            for (var e : ma.entrySet()) {
                if (!hasKey(mb, e.getKey()) || !eq(e.getValue(), mb.get(e.getKey()))) return false;
            }
            return true;
        }
        if (a instanceof String x && b instanceof String y && x.length() == y.length()) Budget.current().work(x.length());
        return a.equals(b);
    }

    /** Python ordering for {@code <, <=, >, >=}; op names the operator in the TypeError. */
    static int compare(Object a, Object b, String op) {
        if (a instanceof Undefined u) throw u.error();
        if (b instanceof Undefined u) throw u.error();
        if (isNumeric(a) && isNumeric(b)) {
            if (isFloat(a) || isFloat(b)) return Double.compare(toDouble(a), toDouble(b));
            return Long.compare(toLong(a), toLong(b));
        }
        if (a instanceof String x && b instanceof String y) {
            Budget.current().work(Math.min(x.length(), y.length()));
            return compareCodePoints(x, y);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb && (a instanceof PyTuple) == (b instanceof PyTuple)) {
            Budget budget = Budget.current();
            budget.enter();
            try {
                for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
                    budget.step();
                    if (!eq(la.get(i), lb.get(i))) return compare(la.get(i), lb.get(i), op);
                }
            } finally {
                budget.exit();
            }
            return Integer.compare(la.size(), lb.size());
        }
        throw new JinjaError("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    private static int compareCodePoints(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i);
            int b = y.codePointAt(j);
            if (a != b) return Integer.compare(a, b);
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Integer.compare(x.length() - i, y.length() - j);
    }

    static boolean compareOp(String op, Object a, Object b) {
        return switch (op) {
            case "==" -> eq(a, b);
            case "!=" -> !eq(a, b);
            case "<" -> compare(a, b, op) < 0;
            case "<=" -> compare(a, b, op) <= 0;
            case ">" -> compare(a, b, op) > 0;
            case ">=" -> compare(a, b, op) >= 0;
            case "in" -> contains(b, a);
            case "notin" -> !contains(b, a);
            default -> throw new JinjaError("unknown comparison " + op);
        };
    }

    // ---- arithmetic ----

    static Object binary(String op, Object a, Object b) {
        if (op.equals("~")) return concat(PyStr.str(a), PyStr.str(b));
        if (a instanceof Undefined u) throw u.error();
        if (b instanceof Undefined u) throw u.error();
        if (op.equals("%") && a instanceof String fmt) return Format.percent(fmt, b);
        if (isNumeric(a) && isNumeric(b)) return arithmetic(op, a, b);
        switch (op) {
            case "+" -> {
                if (a instanceof String x && b instanceof String y) return concat(x, y);
                if (a instanceof List<?> x && b instanceof List<?> y && (a instanceof PyTuple) == (b instanceof PyTuple)) {
                    Budget.items((long) x.size() + y.size());
                    List<Object> r = new ArrayList<>(x);
                    r.addAll(y);
                    return a instanceof PyTuple ? PyTuple.of(r) : r;
                }
                if (a instanceof String || (a instanceof List && !(a instanceof PyTuple))) {
                    throw new JinjaError("can only concatenate " + typeName(a) + " (not \"" + typeName(b) + "\") to "
                            + typeName(a));
                }
            }
            case "*" -> {
                if (isInt(b) || b instanceof Boolean) return repeat(a, toLong(b), op, b);
                if (isInt(a) || a instanceof Boolean) return repeat(b, toLong(a), op, a);
            }
            default -> { }
        }
        throw new JinjaError("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    static String concat(String x, String y) {
        Budget.chars((long) x.length() + y.length());
        return x + y;
    }

    private static Object repeat(Object seq, long n, String op, Object other) {
        if (seq instanceof String s) {
            if (n <= 0 || s.isEmpty()) return "";
            Budget.chars(n > Integer.MAX_VALUE ? Long.MAX_VALUE : n * s.length());
            return s.repeat((int) n);
        }
        if (seq instanceof List<?> l) {
            if (n > 0 && !l.isEmpty()) Budget.items(n > Integer.MAX_VALUE ? Long.MAX_VALUE : n * l.size());
            List<Object> r = new ArrayList<>();
            for (long i = 0; i < n; i++) r.addAll(l);
            return seq instanceof PyTuple ? PyTuple.of(r) : r;
        }
        throw new JinjaError("unsupported operand type(s) for " + op + ": '" + typeName(seq) + "' and '"
                + typeName(other) + "'");
    }

    private static Object arithmetic(String op, Object a, Object b) {
        boolean ints = !isFloat(a) && !isFloat(b);
        if (ints) {
            long x = toLong(a);
            long y = toLong(b);
            switch (op) {
                case "+": return x + y;
                case "-": return x - y;
                case "*": return x * y;
                case "/":
                    if (y == 0) throw new JinjaError("division by zero");
                    return (double) x / y;
                case "//":
                    if (y == 0) throw new JinjaError("integer division or modulo by zero");
                    return Math.floorDiv(x, y);
                case "%":
                    if (y == 0) throw new JinjaError("integer modulo by zero");
                    return Math.floorMod(x, y);
                case "**":
                    if (y >= 0 && (y < 64 || Math.abs(x) <= 1)) {
                        BigInteger p = BigInteger.valueOf(x).pow(y < 64 ? (int) y : (int) (y & 1)); // |x| <= 1: parity
                        return p.bitLength() < 64 ? (Object) p.longValue() : (Object) p.doubleValue();
                    }
                    return Math.pow(x, y);
                default: break;
            }
        }
        double x = toDouble(a);
        double y = toDouble(b);
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "/" -> {
                if (y == 0) throw new JinjaError("float division by zero");
                yield x / y;
            }
            case "//" -> {
                if (y == 0) throw new JinjaError("float floor division by zero");
                yield Math.floor(x / y);
            }
            case "%" -> {
                if (y == 0) throw new JinjaError("float modulo");
                double r = x % y;
                yield r != 0 && (r < 0) != (y < 0) ? r + y : r;
            }
            case "**" -> Math.pow(x, y);
            default -> throw new JinjaError("unknown operator " + op);
        };
    }

    static Object negate(Object v) {
        if (v instanceof Undefined u) throw u.error();
        if (isFloat(v)) return -toDouble(v);
        if (isInt(v) || v instanceof Boolean) return -toLong(v);
        throw new JinjaError("bad operand type for unary -: '" + typeName(v) + "'");
    }

    // ---- containers ----

    static boolean contains(Object container, Object item) {
        switch (container) {
            case String s -> {
                if (!(item instanceof String x)) {
                    throw new JinjaError("'in <string>' requires string as left operand, not " + typeName(item));
                }
                Budget.search(s.length(), x.length());
                return s.contains(x);
            }
            case List<?> l -> {
                Budget.current().steps(l.size());
                for (Object o : l) if (eq(o, item)) return true;
                return false;
            }
            case Map<?, ?> m -> {
                if (hasKey(m, key(item))) return true;
                Budget.current().steps(m.size());
                for (Object k : m.keySet()) if (eq(k, item)) return true;
                return false;
            }
            case Undefined u -> {
                return false;
            }
            case null, default -> throw new JinjaError("argument of type '" + typeName(container) + "' is not iterable");
        }
    }

    static List<Object> iterate(Object v) {
        return switch (v) {
            case Collection<?> c -> {
                Budget.items(c.size());
                yield new ArrayList<>(c);
            }
            case Map<?, ?> m -> {
                Budget.items(m.size());
                yield new ArrayList<>(m.keySet());
            }
            case String s -> {
                Budget.items(s.length());
                List<Object> r = new ArrayList<>();
                s.codePoints().forEach(c -> r.add(Character.toString(c)));
                yield r;
            }
            case Undefined u -> new ArrayList<>();
            case null, default -> throw new JinjaError("'" + typeName(v) + "' object is not iterable");
        };
    }

    static int len(Object v) {
        return switch (v) {
            case String s -> {
                Budget.current().work(s.length());
                yield PyStr.length(s);
            }
            case Collection<?> c -> c.size();
            case Map<?, ?> m -> m.size();
            case Undefined u -> 0;
            case null, default -> throw new JinjaError("object of type '" + typeName(v) + "' has no len()");
        };
    }

    // ---- access ----

    /** {@code obj.name}: Python attribute first (methods), then item, as Jinja2's getattr. */
    static Object getAttr(Object obj, String name) {
        return switch (obj) {
            case Undefined u -> throw u.error();
            case Namespace ns -> ns.get(name);
            case LoopInfo loop -> loop.attr(name);
            case Map<?, ?> m -> Methods.has(m, name) ? new BoundMethod(m, name)
                    : hasKey(m, name) ? m.get(name) : Undefined.attribute(m, name);
            case null -> Undefined.attribute(null, name);
            default -> Methods.has(obj, name) ? new BoundMethod(obj, name) : Undefined.attribute(obj, name);
        };
    }

    /** {@code obj[key]}: item first, then attribute, as Jinja2's getitem. */
    static Object getItem(Object obj, Object key) {
        switch (obj) {
            case Undefined u -> throw u.error();
            case Map<?, ?> m -> {
                if (hasKey(m, key(key))) return m.get(key);
                if (isInt(key)) {
                    for (var e : m.entrySet()) if (eq(e.getKey(), key)) return e.getValue();
                }
            }
            case List<?> l -> {
                if (isInt(key) || key instanceof Boolean) {
                    long i = toLong(key);
                    if (i < 0) i += l.size();
                    return i >= 0 && i < l.size() ? l.get((int) i) : Undefined.attribute(l, key);
                }
            }
            case String s -> {
                if (isInt(key) || key instanceof Boolean) {
                    int[] cps = PyStr.codePoints(s);
                    long i = toLong(key);
                    if (i < 0) i += cps.length;
                    return i >= 0 && i < cps.length ? Character.toString(cps[(int) i]) : Undefined.attribute(s, key);
                }
            }
            case null, default -> { }
        }
        if (key instanceof String name) return getAttr(obj, name);
        return Undefined.attribute(obj, key);
    }

    /**
     * A dict key, checked to be hashable as in Python (str, number, bool, None, tuples of them, other objects by
     * identity): Java would hash lists and dicts by content, recursively, and forever for one that holds itself.
     */
    static Object key(Object k) {
        if (k instanceof PyTuple t) {
            Budget budget = Budget.current();
            budget.enter();
            try {
                budget.steps(t.size());
                for (Object x : t) key(x);
            } finally {
                budget.exit();
            }
        } else if (k instanceof List<?> || k instanceof Map<?, ?>) {
            throw new JinjaError("unhashable type: '" + typeName(k) + "'");
        }
        return k;
    }

    /** {@code key in m} for any map: the immutable ones (Map.of, as callers may pass) throw on a null key. */
    static boolean hasKey(Map<?, ?> m, Object key) {
        try {
            return m.containsKey(key);
        } catch (NullPointerException e) { // documented: the map permits no null key, so it has none
            return false;
        }
    }

    static Object slice(Object obj, Object start, Object stop, Object step) {
        if (obj instanceof Undefined u) throw u.error();
        long st = step == null ? 1 : index(step);
        if (st == 0) throw new JinjaError("slice step cannot be zero");
        int[] cps = obj instanceof String s ? PyStr.codePoints(s) : null;
        List<?> list = obj instanceof List<?> l ? l : null;
        if (cps == null && list == null) throw new JinjaError("'" + typeName(obj) + "' object is not subscriptable");
        int n = cps != null ? cps.length : list.size();
        long from = bound(start, n, st, st < 0 ? n - 1 : 0);
        long to = bound(stop, n, st, st < 0 ? -1 : n);
        StringBuilder sb = new StringBuilder();
        List<Object> out = new ArrayList<>();
        for (long i = from; st > 0 ? i < to : i > to; i += st) {
            if (cps != null) sb.appendCodePoint(cps[(int) i]);
            else out.add(list.get((int) i));
        }
        if (cps != null) return sb.toString();
        return obj instanceof PyTuple ? PyTuple.of(out) : out;
    }

    private static long bound(Object v, int n, long step, long dflt) {
        if (v == null) return dflt;
        long i = index(v);
        if (i < 0) {
            i += n;
            if (i < 0) i = step < 0 ? -1 : 0;
        } else if (i >= n) {
            i = step < 0 ? n - 1 : n;
        }
        return i;
    }

    private static long index(Object v) {
        if (v instanceof Undefined u) throw u.error();
        if (!isInt(v) && !(v instanceof Boolean)) {
            throw new JinjaError("slice indices must be integers or None or have an __index__ method");
        }
        return toLong(v);
    }
}
