package dev.shovel.chat;

import dev.shovel.chat.Node.Expr;
import dev.shovel.chat.Node.Stmt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@code {% macro %}} (or the {@code caller} of a call block): renders its body with bound arguments. */
final class Macro implements JCallable {
    private final String name;
    private final List<String> params;
    private final List<Expr> defaults;
    private final List<Stmt> body;
    private final Frame closure;
    private final Interpreter interpreter;

    Macro(String name, List<String> params, List<Expr> defaults, List<Stmt> body, Frame closure, Interpreter interpreter) {
        this.name = name;
        this.params = params;
        this.defaults = defaults;
        this.body = body;
        this.closure = closure;
        this.interpreter = interpreter;
    }

    @Override
    public Object call(List<Object> args, Map<String, Object> kwargs) {
        Frame f = new Frame(closure);
        Map<String, Object> rest = new LinkedHashMap<>(kwargs);
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            if (i < args.size()) {
                if (rest.containsKey(p)) throw new JinjaError("macro '" + name + "' got multiple values for argument '" + p + "'");
                f.set(p, args.get(i));
            } else if (rest.containsKey(p)) {
                f.set(p, rest.remove(p));
            } else if (defaults.get(i) != null) {
                f.set(p, interpreter.eval(defaults.get(i), f));
            } else {
                f.set(p, Undefined.of("parameter '" + p + "' was not provided"));
            }
        }
        if (rest.containsKey("caller")) f.set("caller", rest.remove("caller"));
        List<Object> extra = args.size() > params.size() ? args.subList(params.size(), args.size()) : List.of();
        f.set("varargs", PyTuple.of(new ArrayList<>(extra)));
        f.set("kwargs", rest);
        StringBuilder out = new StringBuilder();
        interpreter.exec(body, f, out);
        return out.toString();
    }

    @Override
    public String toString() {
        return "<Macro '" + name + "'>";
    }
}
