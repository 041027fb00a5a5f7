package dev.shovel.chat;

import dev.shovel.chat.Node.Expr;
import dev.shovel.chat.Node.Stmt;
import dev.shovel.chat.Node.Target;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Walks the syntax tree: statements append to a StringBuilder, expressions evaluate to Python-like values. */
final class Interpreter {
    private static final RuntimeException BREAK = new LoopControl();
    private static final RuntimeException CONTINUE = new LoopControl();
    private static final int MAX_RANGE = TemplateLimits.MAX_RANGE;

    private final Clock clock;
    private final Budget budget = new Budget();

    Interpreter(Clock clock) {
        this.clock = clock;
    }

    String render(List<Stmt> body, Map<String, Object> context) {
        Frame globals = new Frame(null);
        installGlobals(globals);
        Frame root = new Frame(globals);
        context.forEach(root::set);
        StringBuilder out = new StringBuilder();
        try {
            budget.run(() -> {
                exec(body, root, out);
                return null;
            });
        } catch (LoopControl e) {
            throw new TemplateException("break or continue outside a for-loop");
        } catch (StackOverflowError e) {
            // last resort: MAX_DEPTH should stop every recursion first (the fuzz test fails on this cause)
            throw new TemplateException("template recursion too deep", e);
        }
        return out.toString();
    }

    private void installGlobals(Frame g) {
        g.set("range", (JCallable) (args, kw) -> range(args));
        g.set("namespace", (JCallable) (args, kw) -> {
            Namespace ns = new Namespace();
            for (Object a : args) {
                if (!(a instanceof Map<?, ?> m)) throw new JinjaError("namespace() takes a dict or keyword arguments");
                m.forEach((k, v) -> ns.attrs.put(PyStr.str(k), v));
            }
            ns.attrs.putAll(kw);
            return ns;
        });
        g.set("dict", (JCallable) (args, kw) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Object a : args) if (a instanceof Map<?, ?> src) src.forEach((k, v) -> m.put(PyStr.str(k), v));
            m.putAll(kw);
            return m;
        });
        g.set("raise_exception", (JCallable) (args, kw) -> {
            throw new TemplateException(PyStr.str(args.isEmpty() ? kw.get("message") : args.get(0)));
        });
        g.set("strftime_now", (JCallable) (args, kw) ->
                Strftime.format(PyStr.str(args.isEmpty() ? "" : args.get(0)), ZonedDateTime.now(clock)));
        g.set("joiner", (JCallable) (args, kw) -> {
            String sep = args.isEmpty() ? ", " : PyStr.str(args.get(0));
            boolean[] used = {false};
            return (JCallable) (a2, k2) -> {
                if (used[0]) return sep;
                used[0] = true;
                return "";
            };
        });
    }

    private static List<Object> range(List<Object> args) {
        for (Object a : args) if (!Py.isInt(a) && !(a instanceof Boolean)) {
            throw new JinjaError("'" + Py.typeName(a) + "' object cannot be interpreted as an integer");
        }
        long start = 0;
        long stop;
        long step = 1;
        switch (args.size()) {
            case 1 -> stop = Py.toLong(args.get(0));
            case 2, 3 -> {
                start = Py.toLong(args.get(0));
                stop = Py.toLong(args.get(1));
                if (args.size() == 3) step = Py.toLong(args.get(2));
            }
            default -> throw new JinjaError("range expected 1 to 3 arguments, got " + args.size());
        }
        if (step == 0) throw new JinjaError("range() arg 3 must not be zero");
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; ) {
            if (out.size() >= MAX_RANGE) {
                throw new JinjaError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (" + MAX_RANGE + ").");
            }
            out.add(i);
            long next = i + step;
            if ((next > i) != (step > 0)) break; // overflow: past any long stop
            i = next;
        }
        Budget.items(out.size());
        return out;
    }

    // ---- statements ----

    void exec(List<Stmt> body, Frame f, StringBuilder out) {
        for (Stmt s : body) {
            try {
                exec(s, f, out);
            } catch (JinjaError e) {
                throw new TemplateException(e.getMessage(), s.line());
            } catch (ClassCastException | ArithmeticException | IndexOutOfBoundsException e) {
                throw new TemplateException("invalid operation: " + e.getMessage(), s.line(), e);
            }
        }
    }

    private void exec(Stmt s, Frame f, StringBuilder out) {
        budget.step();
        budget.enter();
        try {
            execOne(s, f, out);
        } finally {
            budget.exit();
        }
    }

    /** Appends to the output (or a macro's or captured block's), within the output limit. */
    private void emit(StringBuilder out, String text) {
        if ((long) out.length() + text.length() > TemplateLimits.MAX_STRING_CHARS) {
            throw new JinjaError("template output exceeds " + TemplateLimits.MAX_STRING_CHARS + " characters");
        }
        budget.work(text.length());
        out.append(text);
    }

    private void execOne(Stmt s, Frame f, StringBuilder out) {
        switch (s) {
            case Node.Text t -> emit(out, t.text());
            case Node.Output o -> emit(out, PyStr.str(eval(o.expr(), f)));
            case Node.If i -> {
                for (int k = 0; k < i.conditions().size(); k++) {
                    if (Py.truthy(eval(i.conditions().get(k), f))) {
                        exec(i.bodies().get(k), f, out);
                        return;
                    }
                }
                exec(i.orElse(), f, out);
            }
            case Node.For fo -> forLoop(fo, f, out, eval(fo.iter(), f), 0);
            case Node.Set set -> assign(set.target(), eval(set.value(), f), f);
            case Node.SetBlock sb -> {
                Object value = capture(sb.body(), f);
                if (sb.filter() != null) value = filterBody(sb.filter(), value, f);
                assign(sb.target(), value, f);
            }
            case Node.MacroDef m -> f.set(m.name(), new Macro(m.name(), m.params(), m.defaults(), m.body(), f, this));
            case Node.CallBlock cb -> {
                Macro caller = new Macro("caller", cb.params(), cb.defaults(), cb.body(), f, this);
                emit(out, PyStr.str(call(cb.call(), f, caller)));
            }
            case Node.FilterBlock fb -> emit(out, PyStr.str(filterBody(fb.filter(), capture(fb.body(), f), f)));
            case Node.With w -> {
                Frame inner = new Frame(f);
                for (int k = 0; k < w.targets().size(); k++) assign(w.targets().get(k), eval(w.values().get(k), f), inner);
                exec(w.body(), inner, out);
            }
            case Node.Do d -> eval(d.expr(), f);
            case Node.Break b -> throw BREAK;
            case Node.Continue c -> throw CONTINUE;
        }
    }

    private String capture(List<Stmt> body, Frame f) {
        StringBuilder sb = new StringBuilder();
        exec(body, new Frame(f), sb);
        return sb.toString();
    }

    private Object filterBody(Expr filter, Object body, Frame f) {
        Frame inner = new Frame(f);
        inner.set(Parser.BODY, body);
        return eval(filter, inner);
    }

    private void forLoop(Node.For fo, Frame f, StringBuilder out, Object iterable, int depth) {
        List<Object> items = Py.iterate(iterable);
        if (fo.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                budget.step();
                Frame tf = new Frame(f);
                assign(fo.target(), item, tf);
                if (Py.truthy(eval(fo.filter(), tf))) kept.add(item);
            }
            items = kept;
        }
        if (items.isEmpty()) {
            exec(fo.orElse(), new Frame(f), out);
            return;
        }
        JCallable recurse = !fo.recursive() ? null : (args, kw) -> {
            StringBuilder sb = new StringBuilder();
            forLoop(fo, f, sb, args.isEmpty() ? null : args.get(0), depth + 1);
            return sb.toString();
        };
        LoopInfo loop = new LoopInfo(items, depth, recurse);
        for (int i = 0; i < items.size(); i++) {
            budget.step();
            loop.index0 = i;
            Frame body = new Frame(f);
            assign(fo.target(), items.get(i), body);
            body.set("loop", loop);
            try {
                exec(fo.body(), body, out);
            } catch (LoopControl c) {
                if (c == BREAK) break;
            }
        }
    }

    private void assign(Target t, Object value, Frame f) {
        switch (t) {
            case Node.NameTarget n -> f.set(n.name(), value);
            case Node.AttrTarget a -> {
                if (!(f.lookup(a.object()) instanceof Namespace ns)) {
                    throw new JinjaError("cannot assign attribute on non-namespace object");
                }
                ns.attrs.put(a.attr(), value);
            }
            case Node.TupleTarget tt -> {
                if (value instanceof Undefined u) throw u.error();
                List<Object> items = Py.iterate(value);
                if (items.size() != tt.items().size()) {
                    throw new JinjaError(items.size() < tt.items().size()
                            ? "not enough values to unpack (expected " + tt.items().size() + ", got " + items.size() + ")"
                            : "too many values to unpack (expected " + tt.items().size() + ")");
                }
                for (int i = 0; i < items.size(); i++) assign(tt.items().get(i), items.get(i), f);
            }
        }
    }

    // ---- expressions ----

    Object eval(Expr e, Frame f) {
        budget.step();
        budget.enter();
        try {
            return evalOne(e, f);
        } finally {
            budget.exit();
        }
    }

    private Object evalOne(Expr e, Frame f) {
        return switch (e) {
            case Expr.Const c -> c.value();
            case Expr.Name n -> f.lookup(n.name());
            case Expr.ListLit l -> evalAll(l.items(), f);
            case Expr.TupleLit t -> PyTuple.of(evalAll(t.items(), f));
            case Expr.DictLit d -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) m.put(Py.key(eval(d.keys().get(i), f)), eval(d.values().get(i), f));
                yield m;
            }
            case Expr.GetAttr g -> Py.getAttr(eval(g.object(), f), g.name());
            case Expr.GetItem g -> Py.getItem(eval(g.object(), f), eval(g.key(), f));
            case Expr.Slice s -> Py.slice(eval(s.object(), f), evalOpt(s.start(), f), evalOpt(s.stop(), f), evalOpt(s.step(), f));
            case Expr.Call c -> call(c, f, null);
            case Expr.Filter fl -> Filters.apply(fl.name(), eval(fl.value(), f), evalAll(fl.args(), f), kwargs(fl.kwNames(), fl.kwValues(), f));
            case Expr.Test t -> JinjaTests.test(t.name(), eval(t.value(), f), evalAll(t.args(), f)) != t.negated();
            case Expr.Unary u -> switch (u.op()) {
                case "not" -> !Py.truthy(eval(u.operand(), f));
                case "-" -> Py.negate(eval(u.operand(), f));
                default -> {
                    Object v = eval(u.operand(), f);
                    if (v instanceof Undefined un) throw un.error();
                    if (!Py.isNumeric(v)) throw new JinjaError("bad operand type for unary +: '" + Py.typeName(v) + "'");
                    yield v;
                }
            };
            case Expr.Binary b -> switch (b.op()) {
                case "and" -> {
                    Object l = eval(b.left(), f);
                    yield Py.truthy(l) ? eval(b.right(), f) : l;
                }
                case "or" -> {
                    Object l = eval(b.left(), f);
                    yield Py.truthy(l) ? l : eval(b.right(), f);
                }
                default -> Py.binary(b.op(), eval(b.left(), f), eval(b.right(), f));
            };
            case Expr.Compare c -> {
                Object left = eval(c.first(), f);
                for (int i = 0; i < c.ops().size(); i++) {
                    Object right = eval(c.rest().get(i), f);
                    if (!Py.compareOp(c.ops().get(i), left, right)) yield false;
                    left = right;
                }
                yield true;
            }
            case Expr.Cond c -> Py.truthy(eval(c.test(), f)) ? eval(c.then(), f)
                    : c.orElse() != null ? eval(c.orElse(), f)
                    : Undefined.of("the inline if-expression evaluated to false and no else section was defined.");
        };
    }

    private Object evalOpt(Expr e, Frame f) {
        return e == null ? null : eval(e, f);
    }

    private List<Object> evalAll(List<Expr> exprs, Frame f) {
        List<Object> out = new ArrayList<>(exprs.size());
        for (Expr x : exprs) out.add(eval(x, f));
        return out;
    }

    private Map<String, Object> kwargs(List<String> names, List<Expr> values, Frame f) {
        if (names.isEmpty()) return Map.of();
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) m.put(names.get(i), eval(values.get(i), f));
        return m;
    }

    private Object call(Expr.Call c, Frame f, Macro caller) {
        Object fn = eval(c.callee(), f);
        List<Object> args = evalAll(c.args(), f);
        Map<String, Object> kw = kwargs(c.kwNames(), c.kwValues(), f);
        if (caller != null) {
            kw = new LinkedHashMap<>(kw);
            kw.put("caller", caller);
        }
        if (fn instanceof JCallable callable) return callable.call(args, kw);
        if (fn instanceof Undefined u) throw u.error();
        throw new JinjaError("'" + Py.typeName(fn) + "' object is not callable");
    }

    private static final class LoopControl extends RuntimeException {
        LoopControl() {
            super(null, null, false, false);
        }
    }
}
