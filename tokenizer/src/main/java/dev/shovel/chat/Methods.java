package dev.shovel.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Python methods of str, dict and list values ({@code content.startswith('x')}, {@code d.items()}, ...). */
final class Methods {
    private Methods() { }

    private static final Set<String> STR = Set.of("startswith", "endswith", "strip", "lstrip", "rstrip", "split",
            "rsplit", "splitlines", "replace", "upper", "lower", "title", "capitalize", "swapcase", "casefold", "find",
            "rfind", "index", "rindex", "count", "format", "join", "isdigit", "isalpha", "isalnum", "isspace", "islower",
            "isupper", "isnumeric", "isdecimal", "center", "ljust", "rjust", "zfill", "removeprefix", "removesuffix",
            "partition", "rpartition", "encode", "expandtabs", "format_map", "isascii", "isidentifier", "isprintable",
            "istitle", "maketrans", "translate");
    /** Every attribute a Python dict has (Jinja2 prefers them over keys on {@code d.name}). */
    private static final Set<String> DICT = Set.of("items", "keys", "values", "get", "copy", "pop", "popitem",
            "setdefault", "update", "clear", "fromkeys");
    private static final Set<String> LIST = Set.of("append", "extend", "pop", "insert", "remove", "index", "count",
            "copy", "clear", "reverse", "sort");
    private static final Set<String> TUPLE = Set.of("index", "count");

    static boolean has(Object self, String name) {
        return switch (self) {
            case String s -> STR.contains(name);
            case Map<?, ?> m -> DICT.contains(name);
            case PyTuple t -> TUPLE.contains(name);
            case List<?> l -> LIST.contains(name);
            case null, default -> false;
        };
    }

    static Object call(Object self, String name, List<Object> args, Map<String, Object> kwargs) {
        try {
            return switch (self) {
                case String s -> str(s, name, new Args(name, args, kwargs));
                case Map<?, ?> m -> dict(castMap(m), name, new Args(name, args, kwargs));
                case List<?> l -> list(castList(l), name, new Args(name, args, kwargs));
                case null, default -> throw new JinjaError("'" + Py.typeName(self) + "' object has no attribute '" + name + "'");
            };
        } catch (UnsupportedOperationException e) {
            throw new JinjaError("cannot modify an immutable " + Py.typeName(self) + " with ." + name + "()");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> castMap(Map<?, ?> m) {
        return (Map<Object, Object>) m;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(List<?> l) {
        return (List<Object>) l;
    }

    private static Object str(String s, String name, Args a) {
        Budget.current().work(s.length());
        switch (name) {
            case "startswith", "endswith" -> {
                Object p = a.get(0, "prefix", null);
                String sub = a.has(1) ? (String) Py.slice(s, a.get(1, "start", null), a.get(2, "end", null), null) : s;
                for (Object o : p instanceof List<?> l ? l : java.util.Collections.singletonList(p)) {
                    if (!(o instanceof String x)) throw new JinjaError(name + " first arg must be str or a tuple of str");
                    if (name.equals("startswith") ? sub.startsWith(x) : sub.endsWith(x)) return true;
                }
                return false;
            }
            case "strip" -> {
                return PyStr.strip(s, a.optStr(0, "chars"));
            }
            case "lstrip" -> {
                return PyStr.lstrip(s, a.optStr(0, "chars"));
            }
            case "rstrip" -> {
                return PyStr.rstrip(s, a.optStr(0, "chars"));
            }
            case "split", "rsplit" -> {
                String sep = a.optStr(0, "sep");
                long max = Py.toLong(a.get(1, "maxsplit", -1L));
                return name.equals("split") ? split(s, sep, max) : rsplit(s, sep, max);
            }
            case "splitlines" -> {
                List<Object> out = new ArrayList<>();
                boolean keep = Py.truthy(a.get(0, "keepends", false));
                int start = 0;
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e
                            || c == 0x85 || c == 0x2028 || c == 0x2029) {
                        int end = i;
                        if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') i++;
                        Budget.add(out, s.substring(start, keep ? i + 1 : end));
                        start = i + 1;
                    }
                }
                if (start < s.length()) out.add(s.substring(start));
                return out;
            }
            case "replace" -> {
                return replace(s, a.str(0, "old"), a.str(1, "new"), Py.toLong(a.get(2, "count", -1L)));
            }
            case "upper" -> {
                return s.toUpperCase(Locale.ROOT);
            }
            case "lower", "casefold" -> {
                return s.toLowerCase(Locale.ROOT);
            }
            case "title" -> {
                return title(s);
            }
            case "capitalize" -> {
                return capitalize(s);
            }
            case "swapcase" -> {
                StringBuilder sb = new StringBuilder();
                s.codePoints().forEach(c -> sb.append(Character.isUpperCase(c)
                        ? Character.toString(c).toLowerCase(Locale.ROOT) : Character.toString(c).toUpperCase(Locale.ROOT)));
                return sb.toString();
            }
            case "find", "rfind", "index", "rindex" -> {
                String sub = a.str(0, "sub");
                Budget.search(s.length(), sub.length());
                int at = name.startsWith("r") ? s.lastIndexOf(sub)
                        : s.indexOf(sub);
                if (at < 0 && name.contains("index")) throw new JinjaError("substring not found");
                return at < 0 ? -1L : (long) s.codePointCount(0, at);
            }
            case "count" -> {
                String sub = a.str(0, "sub");
                if (sub.isEmpty()) return (long) PyStr.length(s) + 1;
                Budget.search(s.length(), sub.length());
                long n = 0;
                for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) n++;
                return n;
            }
            case "format" -> {
                return Format.format(s, a.args, a.kwargs);
            }
            case "join" -> {
                StringBuilder sb = new StringBuilder();
                List<Object> items = Py.iterate(a.get(0, "iterable", null));
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) sb.append(s);
                    Budget.building(sb);
                    if (!(items.get(i) instanceof String x)) {
                        throw new JinjaError("sequence item " + i + ": expected str instance, " + Py.typeName(items.get(i))
                                + " found");
                    }
                    Budget.fits((long) sb.length() + x.length());
                    sb.append(x);
                }
                return Budget.string(sb.toString());
            }
            case "isdigit", "isnumeric", "isdecimal" -> {
                return !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            }
            case "isalpha" -> {
                return !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            }
            case "isalnum" -> {
                return !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            }
            case "isspace" -> {
                return !s.isEmpty() && s.codePoints().allMatch(PyStr::isSpace);
            }
            case "islower" -> {
                return s.codePoints().anyMatch(Character::isLowerCase) && s.codePoints().noneMatch(Character::isUpperCase);
            }
            case "isupper" -> {
                return s.codePoints().anyMatch(Character::isUpperCase) && s.codePoints().noneMatch(Character::isLowerCase);
            }
            case "center", "ljust", "rjust" -> {
                long width = Py.toLong(a.get(0, "width", 0L));
                String fill = a.has(1) ? a.str(1, "fillchar") : " ";
                if (PyStr.length(fill) != 1) throw new JinjaError("The fill character must be exactly one character long");
                int n = PyStr.length(s);
                if (width <= n) return s;
                Budget.fits(width);
                Budget.chars((width - n) * fill.length() + s.length());
                int total = (int) (width - n);
                int left = name.equals("ljust") ? 0 : name.equals("rjust") ? total : total / 2 + (int) (total & width & 1);
                return fill.repeat(left) + s + fill.repeat(total - left);
            }
            case "zfill" -> {
                long width = Py.toLong(a.get(0, "width", 0L));
                int n = PyStr.length(s);
                if (width <= n) return s;
                Budget.fits(width);
                Budget.chars(width - n + s.length());
                int signLen = !s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+') ? 1 : 0;
                return s.substring(0, signLen) + "0".repeat((int) (width - n)) + s.substring(signLen);
            }
            case "removeprefix" -> {
                String p = a.str(0, "prefix");
                return s.startsWith(p) ? s.substring(p.length()) : s;
            }
            case "removesuffix" -> {
                String p = a.str(0, "suffix");
                return !p.isEmpty() && s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s;
            }
            case "partition", "rpartition" -> {
                String sep = a.str(0, "sep");
                if (sep.isEmpty()) throw new JinjaError("empty separator");
                Budget.search(s.length(), sep.length());
                int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (at < 0) return name.equals("partition") ? new PyTuple(s, "", "") : new PyTuple("", "", s);
                return new PyTuple(s.substring(0, at), sep, s.substring(at + sep.length()));
            }
            default -> throw new JinjaError("str." + name + "() is not supported");
        }
    }

    static List<Object> split(String s, String sep, long max) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && PyStr.isSpace(s.charAt(i))) i++;
                if (i >= n) break;
                if (max >= 0 && out.size() == max) {
                    out.add(s.substring(i));
                    break;
                }
                int j = i;
                while (j < n && !PyStr.isSpace(s.charAt(j))) j++;
                Budget.add(out, s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) throw new JinjaError("empty separator");
        Budget.search(s.length(), sep.length());
        int start = 0;
        for (int at = s.indexOf(sep); at >= 0 && (max < 0 || out.size() < max); at = s.indexOf(sep, start)) {
            Budget.add(out, s.substring(start, at));
            start = at + sep.length();
        }
        out.add(s.substring(start));
        return out;
    }

    private static List<Object> rsplit(String s, String sep, long max) {
        if (max < 0) return split(s, sep, max);
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int j = s.length();
            while (true) {
                while (j > 0 && PyStr.isSpace(s.charAt(j - 1))) j--;
                if (j <= 0) break;
                if (out.size() == max) {
                    out.add(0, s.substring(0, j));
                    break;
                }
                int i = j;
                while (i > 0 && !PyStr.isSpace(s.charAt(i - 1))) i--;
                Budget.fitsItems(out.size() + 1L);
                out.add(0, s.substring(i, j));
                j = i;
            }
            return out;
        }
        if (sep.isEmpty()) throw new JinjaError("empty separator");
        Budget.search(s.length(), sep.length());
        int end = s.length();
        for (int at = s.lastIndexOf(sep, end - sep.length()); at >= 0 && out.size() < max;
             at = s.lastIndexOf(sep, end - sep.length())) {
            Budget.fitsItems(out.size() + 1L);
            out.add(0, s.substring(at + sep.length(), end));
            end = at;
        }
        out.add(0, s.substring(0, end));
        return out;
    }

    static String replace(String s, String old, String rep, long count) {
        if (count < 0) count = Long.MAX_VALUE;
        StringBuilder sb = new StringBuilder();
        if (old.isEmpty()) {
            Budget.chars(s.length() + Math.min(count, PyStr.length(s) + 1L) * rep.length());
            int[] cps = PyStr.codePoints(s);
            long n = 0;
            for (int c : cps) {
                if (n++ < count) sb.append(rep);
                sb.appendCodePoint(c);
            }
            if (n < count) sb.append(rep);
            return Budget.string(sb.toString());
        }
        Budget.search(s.length(), old.length());
        if (count == Long.MAX_VALUE) {
            long hits = 0;
            if (rep.length() > old.length()) {
                for (int at = s.indexOf(old); at >= 0; at = s.indexOf(old, at + old.length())) hits++;
            }
            Budget.chars(s.length() + hits * (rep.length() - old.length()));
            return s.replace(old, rep);
        }
        int start = 0;
        long n = 0;
        for (int at = s.indexOf(old); at >= 0 && n < count; at = s.indexOf(old, start), n++) {
            Budget.fits((long) sb.length() + (at - start) + rep.length());
            sb.append(s, start, at).append(rep);
            start = at + old.length();
        }
        return Budget.string(sb.append(s.substring(start)).toString());
    }

    /** Python {@code str.title}: a cased letter after an uncased character starts a word. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder();
        boolean prevCased = false;
        for (int c : PyStr.codePoints(s)) {
            boolean cased = Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
            if (cased) sb.append(prevCased ? Character.toString(c).toLowerCase(Locale.ROOT) : titleCase(c));
            else sb.appendCodePoint(c);
            prevCased = cased;
        }
        return sb.toString();
    }

    static String capitalize(String s) {
        if (s.isEmpty()) return s;
        int first = s.codePointAt(0);
        return titleCase(first) + s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT);
    }

    private static String titleCase(int c) {
        int t = Character.toTitleCase(c);
        return t != c || Character.isTitleCase(c) ? Character.toString(t) : Character.toString(c).toUpperCase(Locale.ROOT);
    }

    private static Object dict(Map<Object, Object> m, String name, Args a) {
        switch (name) {
            case "items" -> {
                List<Object> out = new ArrayList<>();
                for (var e : m.entrySet()) out.add(new PyTuple(e.getKey(), e.getValue()));
                return out;
            }
            case "keys" -> {
                return new ArrayList<>(m.keySet());
            }
            case "values" -> {
                return new ArrayList<>(m.values());
            }
            case "get" -> {
                Object key = a.get(0, "key", null);
                return Py.hasKey(m, Py.key(key)) ? m.get(key) : a.get(1, "default", null);
            }
            case "copy" -> {
                return new java.util.LinkedHashMap<>(m);
            }
            case "pop" -> {
                Object key = a.get(0, "key", null);
                if (Py.hasKey(m, Py.key(key))) return m.remove(key);
                if (a.has(1)) return a.get(1, "default", null);
                throw new JinjaError("KeyError: " + PyStr.repr(key));
            }
            case "setdefault" -> {
                Object key = a.get(0, "key", null);
                if (!Py.hasKey(m, Py.key(key))) m.put(key, a.get(1, "default", null));
                return m.get(key);
            }
            case "update" -> {
                if (a.has(0)) {
                    if (!(a.get(0, "other", null) instanceof Map<?, ?> other)) throw new JinjaError("update() needs a dict");
                    m.putAll(other);
                }
                m.putAll(a.kwargs);
                return null;
            }
            case "clear" -> {
                m.clear();
                return null;
            }
            default -> throw new JinjaError("dict." + name + "() is not supported");
        }
    }

    private static Object list(List<Object> l, String name, Args a) {
        switch (name) {
            case "append" -> {
                Budget.add(l, a.get(0, "object", null));
                return null;
            }
            case "extend" -> {
                List<Object> more = Py.iterate(a.get(0, "iterable", null));
                Budget.fitsItems((long) l.size() + more.size());
                l.addAll(more);
                return null;
            }
            case "insert" -> {
                long i = Py.toLong(a.get(0, "index", 0L));
                if (i < 0) i = Math.max(0, i + l.size());
                Budget.fitsItems(l.size() + 1L);
                l.add((int) Math.min(i, l.size()), a.get(1, "object", null));
                return null;
            }
            case "pop" -> {
                if (l.isEmpty()) throw new JinjaError("pop from empty list");
                long i = Py.toLong(a.get(0, "index", -1L));
                if (i < 0) i += l.size();
                if (i < 0 || i >= l.size()) throw new JinjaError("pop index out of range");
                return l.remove((int) i);
            }
            case "remove", "index", "count" -> {
                Object x = a.get(0, "value", null);
                long n = 0;
                for (int i = 0; i < l.size(); i++) {
                    if (!Py.eq(l.get(i), x)) continue;
                    if (name.equals("remove")) {
                        l.remove(i);
                        return null;
                    }
                    if (name.equals("index")) return (long) i;
                    n++;
                }
                if (name.equals("count")) return n;
                throw new JinjaError(name.equals("index") ? PyStr.repr(x) + " is not in list" : "list.remove(x): x not in list");
            }
            case "copy" -> {
                return new ArrayList<>(l);
            }
            case "clear" -> {
                l.clear();
                return null;
            }
            case "reverse" -> {
                java.util.Collections.reverse(l);
                return null;
            }
            default -> throw new JinjaError("list." + name + "() is not supported");
        }
    }

    /** Positional-or-keyword argument access for built-in methods and filters. */
    record Args(String function, List<Object> args, Map<String, Object> kwargs) {
        boolean has(int i) {
            return i < args.size();
        }

        Object get(int i, String name, Object dflt) {
            if (i < args.size()) return args.get(i);
            return kwargs.containsKey(name) ? kwargs.get(name) : dflt;
        }

        String str(int i, String name) {
            Object v = get(i, name, null);
            if (!(v instanceof String s)) throw new JinjaError(function + "() argument '" + name + "' must be str, not "
                    + Py.typeName(v));
            return s;
        }

        String optStr(int i, String name) {
            Object v = get(i, name, null);
            return v == null ? null : str(i, name);
        }
    }
}
