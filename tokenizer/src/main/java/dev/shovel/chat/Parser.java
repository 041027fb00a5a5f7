package dev.shovel.chat;

import dev.shovel.chat.Node.Expr;
import dev.shovel.chat.Node.Stmt;
import dev.shovel.chat.Node.Target;
import dev.shovel.chat.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Recursive-descent parser following Jinja2's grammar and operator precedence. */
final class Parser {
    /** Placeholder name that filter blocks and {@code {% set x | f %}} bind to the captured body text. */
    static final String BODY = "\u0000body";

    private final List<Token> toks;
    private int i;
    /** Nesting of the syntax tree being built: recursion plus left-deep operator chains (see {@link #nest}). */
    private int depth;

    private Parser(List<Token> toks) {
        this.toks = toks;
    }

    static List<Stmt> parse(String source) {
        if (source.length() > TemplateLimits.MAX_SOURCE_CHARS) {
            throw new TemplateException("chat template of " + source.length() + " characters exceeds the limit of "
                    + TemplateLimits.MAX_SOURCE_CHARS);
        }
        return new Parser(Lexer.lex(source)).body(Set.of(), null);
    }

    // ---- statements ----

    /** One level deeper; callers restore {@code depth} when done (a syntax error ends the parse anyway). */
    private void nest() {
        if (++depth > TemplateLimits.MAX_NESTING) {
            throw fail("template nesting exceeds " + TemplateLimits.MAX_NESTING + " levels", peek());
        }
    }

    private List<Stmt> body(Set<String> ends, String open) {
        int d = depth;
        nest();
        List<Stmt> out = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.kind()) {
                case DATA -> {
                    next();
                    out.add(new Node.Text(t.text(), t.line()));
                }
                case VAR_BEGIN -> {
                    next();
                    Expr e = tuple(true);
                    expect(Kind.VAR_END);
                    out.add(new Node.Output(e, t.line()));
                }
                case BLOCK_BEGIN -> {
                    Token name = peek(1);
                    if (name.kind() == Kind.NAME && ends.contains(name.text())) {
                        depth = d;
                        return out;
                    }
                    next();
                    out.add(statement());
                    depth = d + 1;
                }
                case EOF -> {
                    if (open != null) {
                        throw fail("Unexpected end of template. Jinja was looking for the following tags: "
                                + String.join(" or ", ends.stream().sorted().map(s -> "'" + s + "'").toList())
                                + ". The innermost block that needs to be closed is '" + open + "'.", t);
                    }
                    depth = d;
                    return out;
                }
                default -> throw fail("unexpected " + t.describe(), t);
            }
        }
    }

    /** Consumes {@code {% name} where name is one of the end tags body() stopped at. */
    private String endTag() {
        expect(Kind.BLOCK_BEGIN);
        return next().text();
    }

    private Stmt statement() {
        Token t = expect(Kind.NAME);
        int line = t.line();
        return switch (t.text()) {
            case "if" -> ifStmt(line);
            case "for" -> forStmt(line);
            case "set" -> setStmt(line);
            case "macro" -> macro(line);
            case "call" -> callBlock(line);
            case "filter" -> filterBlock(line);
            case "with" -> with(line);
            case "generation" -> {
                expect(Kind.BLOCK_END);
                List<Stmt> body = block("endgeneration", "generation");
                yield new Node.With(List.of(), List.of(), body, line);
            }
            case "do" -> {
                Expr e = tuple(true);
                expect(Kind.BLOCK_END);
                yield new Node.Do(e, line);
            }
            case "break" -> {
                expect(Kind.BLOCK_END);
                yield new Node.Break(line);
            }
            case "continue" -> {
                expect(Kind.BLOCK_END);
                yield new Node.Continue(line);
            }
            default -> throw fail("Encountered unknown tag '" + t.text() + "'.", t);
        };
    }

    /** Body up to {@code {% end %}}, consuming the end tag. */
    private List<Stmt> block(String end, String open) {
        List<Stmt> body = body(Set.of(end), open);
        endTag();
        expect(Kind.BLOCK_END);
        return body;
    }

    private Stmt ifStmt(int line) {
        List<Expr> conds = new ArrayList<>();
        List<List<Stmt>> bodies = new ArrayList<>();
        List<Stmt> orElse = List.of();
        conds.add(tuple(true));
        expect(Kind.BLOCK_END);
        Set<String> ends = Set.of("elif", "else", "endif");
        while (true) {
            bodies.add(body(ends, "if"));
            String tag = endTag();
            if (tag.equals("elif")) {
                conds.add(tuple(true));
                expect(Kind.BLOCK_END);
            } else if (tag.equals("else")) {
                expect(Kind.BLOCK_END);
                orElse = block("endif", "if");
                break;
            } else {
                expect(Kind.BLOCK_END);
                break;
            }
        }
        return new Node.If(conds, bodies, orElse, line);
    }

    private Stmt forStmt(int line) {
        Target target = target(false);
        expectName("in");
        Expr iter = tuple(false);
        Expr filter = skipName("if") ? expression() : null;
        boolean recursive = skipName("recursive");
        expect(Kind.BLOCK_END);
        List<Stmt> body = body(Set.of("endfor", "else"), "for");
        List<Stmt> orElse = List.of();
        if (endTag().equals("else")) {
            expect(Kind.BLOCK_END);
            orElse = block("endfor", "for");
        } else {
            expect(Kind.BLOCK_END);
        }
        return new Node.For(target, iter, filter, recursive, body, orElse, line);
    }

    private Stmt setStmt(int line) {
        Target target = target(true);
        if (skipOp("=")) {
            Expr value = tuple(true);
            expect(Kind.BLOCK_END);
            return new Node.Set(target, value, line);
        }
        Expr filter = peek().isOp("|") ? filterExpr(new Expr.Name(BODY)) : null;
        expect(Kind.BLOCK_END);
        return new Node.SetBlock(target, filter, block("endset", "set"), line);
    }

    private Stmt macro(int line) {
        String name = expect(Kind.NAME).text();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        params(params, defaults);
        expect(Kind.BLOCK_END);
        return new Node.MacroDef(name, params, defaults, block("endmacro", "macro"), line);
    }

    private Stmt callBlock(int line) {
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (peek().isOp("(")) params(params, defaults);
        Expr call = expression();
        if (!(call instanceof Expr.Call c)) throw fail("expected call", peek());
        expect(Kind.BLOCK_END);
        return new Node.CallBlock(c, params, defaults, block("endcall", "call"), line);
    }

    private void params(List<String> params, List<Expr> defaults) {
        expectOp("(");
        while (!skipOp(")")) {
            if (!params.isEmpty()) expectOp(",");
            if (skipOp(")")) break;
            params.add(expect(Kind.NAME).text());
            defaults.add(skipOp("=") ? expression() : null);
        }
    }

    private Stmt filterBlock(int line) {
        Expr filter = filter(new Expr.Name(BODY));
        filter = filterExpr(filter);
        expect(Kind.BLOCK_END);
        return new Node.FilterBlock(filter, block("endfilter", "filter"), line);
    }

    private Stmt with(int line) {
        List<Target> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (peek().kind() != Kind.BLOCK_END) {
            if (!targets.isEmpty()) expectOp(",");
            targets.add(target(false));
            expectOp("=");
            values.add(expression());
        }
        expect(Kind.BLOCK_END);
        return new Node.With(targets, values, block("endwith", "with"), line);
    }

    private Target target(boolean withNamespace) {
        List<Target> items = new ArrayList<>();
        do {
            if (peek().kind() != Kind.NAME) break;
            items.add(singleTarget(withNamespace));
        } while (skipOp(","));
        if (items.isEmpty()) throw fail("expected an assignment target, got " + peek().describe(), peek());
        return items.size() == 1 && !toks.get(i - 1).isOp(",") ? items.get(0) : new Node.TupleTarget(items);
    }

    private Target singleTarget(boolean withNamespace) {
        Token t = expect(Kind.NAME);
        if (withNamespace && peek().isOp(".") && peek(1).kind() == Kind.NAME) {
            next();
            return new Node.AttrTarget(t.text(), next().text());
        }
        if (Set.of("true", "false", "none", "True", "False", "None").contains(t.text())) {
            throw fail("Can't assign to special constant '" + t.text() + "'", t);
        }
        return new Node.NameTarget(t.text());
    }

    // ---- expressions ----

    /** Expression or bare tuple {@code a, b}; without condexpr the {@code if} ends it (for-loop filters). */
    private Expr tuple(boolean condexpr) {
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) expectOp(",");
            if (tupleEnd()) break;
            items.add(condexpr ? expression() : or());
            if (peek().isOp(",")) isTuple = true;
            else break;
        }
        if (!isTuple) {
            if (items.isEmpty()) throw fail("Expected an expression, got " + peek().describe(), peek());
            return items.get(0);
        }
        return new Expr.TupleLit(items);
    }

    private boolean tupleEnd() {
        Token t = peek();
        return t.kind() == Kind.VAR_END || t.kind() == Kind.BLOCK_END || t.isOp(")")
                || t.isName("if") || t.isName("recursive");
    }

    private Expr expression() {
        int d = depth;
        nest();
        Expr e = or();
        while (skipName("if")) {
            nest();
            Expr test = or();
            Expr orElse = skipName("else") ? expression() : null;
            e = new Expr.Cond(test, e, orElse);
        }
        depth = d;
        return e;
    }

    private Expr or() {
        int d = depth;
        Expr e = and();
        while (skipName("or")) {
            nest();
            e = new Expr.Binary("or", e, and());
        }
        depth = d;
        return e;
    }

    private Expr and() {
        int d = depth;
        Expr e = not();
        while (skipName("and")) {
            nest();
            e = new Expr.Binary("and", e, not());
        }
        depth = d;
        return e;
    }

    private Expr not() {
        if (!skipName("not")) return compare();
        int d = depth;
        nest();
        Expr e = new Expr.Unary("not", not());
        depth = d;
        return e;
    }

    private static final Set<String> CMP = Set.of("==", "!=", "<", ">", "<=", ">=");

    private Expr compare() {
        Expr first = math1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.kind() == Kind.OP && CMP.contains(t.text())) {
                next();
                ops.add(t.text());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && peek(1).isName("in")) {
                next();
                next();
                ops.add("notin");
            } else {
                break;
            }
            rest.add(math1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(first, ops, rest);
    }

    private Expr math1() {
        int d = depth;
        Expr e = concat();
        while (peek().isOp("+") || peek().isOp("-")) {
            nest();
            e = new Expr.Binary(next().text(), e, concat());
        }
        depth = d;
        return e;
    }

    private Expr concat() {
        int d = depth;
        Expr e = math2();
        while (skipOp("~")) {
            nest();
            e = new Expr.Binary("~", e, math2());
        }
        depth = d;
        return e;
    }

    private Expr math2() {
        int d = depth;
        Expr e = pow();
        while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
            nest();
            e = new Expr.Binary(next().text(), e, pow());
        }
        depth = d;
        return e;
    }

    private Expr pow() {
        int d = depth;
        Expr e = unary(true);
        while (skipOp("**")) {
            nest();
            e = new Expr.Binary("**", e, unary(true));
        }
        depth = d;
        return e;
    }

    private Expr unary(boolean withFilter) {
        int d = depth;
        nest();
        Expr e;
        if (skipOp("-")) e = new Expr.Unary("-", unary(false));
        else if (skipOp("+")) e = new Expr.Unary("+", unary(false));
        else e = primary();
        e = postfix(e);
        e = withFilter ? filterExpr(e) : e;
        depth = d;
        return e;
    }

    private Expr primary() {
        Token t = next();
        switch (t.kind()) {
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Const(Boolean.TRUE);
                    case "false", "False" -> new Expr.Const(Boolean.FALSE);
                    case "none", "None" -> new Expr.Const(null);
                    default -> new Expr.Name(t.text());
                };
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder(t.text());
                while (peek().kind() == Kind.STRING) sb.append(next().text());
                return new Expr.Const(sb.toString());
            }
            case INT -> {
                try {
                    return new Expr.Const(Long.parseLong(t.text()));
                } catch (NumberFormatException e) {
                    return new Expr.Const(Double.parseDouble(t.text()));
                }
            }
            case FLOAT -> {
                return new Expr.Const(Double.parseDouble(t.text()));
            }
            case OP -> {
                switch (t.text()) {
                    case "(" -> {
                        if (skipOp(")")) return new Expr.TupleLit(List.of());
                        Expr e = tuple(true);
                        expectOp(")");
                        return e;
                    }
                    case "[" -> {
                        List<Expr> items = new ArrayList<>();
                        while (!skipOp("]")) {
                            if (!items.isEmpty()) expectOp(",");
                            if (skipOp("]")) break;
                            items.add(expression());
                        }
                        return new Expr.ListLit(items);
                    }
                    case "{" -> {
                        List<Expr> keys = new ArrayList<>();
                        List<Expr> values = new ArrayList<>();
                        while (!skipOp("}")) {
                            if (!keys.isEmpty()) expectOp(",");
                            if (skipOp("}")) break;
                            keys.add(expression());
                            expectOp(":");
                            values.add(expression());
                        }
                        return new Expr.DictLit(keys, values);
                    }
                    default -> { }
                }
            }
            default -> { }
        }
        throw fail("unexpected " + t.describe(), t);
    }

    /** Leaves depth raised by the chain's length: the caller ({@link #unary}) restores it. */
    private Expr postfix(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOp(".") || t.isOp("[") || t.isOp("(")) nest();
            if (t.isOp(".")) {
                next();
                Token name = next();
                if (name.kind() == Kind.NAME) e = new Expr.GetAttr(e, name.text());
                else if (name.kind() == Kind.INT && name.text().length() < 19) {
                    e = new Expr.GetItem(e, new Expr.Const(Long.parseLong(name.text())));
                } else {
                    throw fail("expected name or number after '.'", name);
                }
            } else if (t.isOp("[")) {
                next();
                e = subscript(e);
                expectOp("]");
            } else if (t.isOp("(")) {
                e = call(e);
            } else {
                return e;
            }
        }
    }

    private Expr subscript(Expr e) {
        Expr start = null;
        if (!peek().isOp(":")) {
            start = expression();
            if (!peek().isOp(":")) return new Expr.GetItem(e, start);
        }
        next();
        Expr stop = peek().isOp(":") || peek().isOp("]") ? null : expression();
        Expr step = null;
        if (skipOp(":") && !peek().isOp("]")) step = expression();
        return new Expr.Slice(e, start, stop, step);
    }

    /** Leaves depth raised by the chain's length: the caller restores it. */
    private Expr filterExpr(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOp("|") || t.isName("is") || t.isOp("(")) nest();
            if (t.isOp("|")) {
                next();
                e = filter(e);
            } else if (t.isName("is")) {
                next();
                e = test(e);
            } else if (t.isOp("(")) {
                e = call(e);
            } else {
                return e;
            }
        }
    }

    private Expr filter(Expr value) {
        String name = dottedName();
        List<Expr> args = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        List<Expr> kwValues = new ArrayList<>();
        if (peek().isOp("(")) callArgs(args, kwNames, kwValues);
        return new Expr.Filter(value, name, args, kwNames, kwValues);
    }

    private Expr test(Expr value) {
        boolean negated = skipName("not");
        String name = dottedName();
        List<Expr> args = new ArrayList<>();
        Token t = peek();
        if (t.isOp("(")) {
            List<String> kwNames = new ArrayList<>();
            callArgs(args, kwNames, new ArrayList<>());
            if (!kwNames.isEmpty()) throw fail("keyword arguments to tests are not supported", t);
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INT || t.kind() == Kind.FLOAT
                || t.isOp("[") || t.isOp("{")) && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) throw fail("You cannot chain multiple tests with is", t);
            args.add(postfix(primary()));
        }
        return new Expr.Test(value, name, args, negated);
    }

    private Expr call(Expr callee) {
        List<Expr> args = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        List<Expr> kwValues = new ArrayList<>();
        callArgs(args, kwNames, kwValues);
        return new Expr.Call(callee, args, kwNames, kwValues);
    }

    private void callArgs(List<Expr> args, List<String> kwNames, List<Expr> kwValues) {
        expectOp("(");
        boolean first = true;
        while (!skipOp(")")) {
            if (!first) {
                expectOp(",");
                if (skipOp(")")) break;
            }
            first = false;
            Token t = peek();
            if (t.isOp("*") || t.isOp("**")) throw fail("*args and **kwargs in calls are not supported", t);
            if (t.kind() == Kind.NAME && peek(1).isOp("=")) {
                next();
                next();
                kwNames.add(t.text());
                kwValues.add(expression());
            } else {
                if (!kwNames.isEmpty()) throw fail("positional argument follows keyword argument", t);
                args.add(expression());
            }
        }
    }

    private String dottedName() {
        StringBuilder sb = new StringBuilder(expect(Kind.NAME).text());
        while (peek().isOp(".") && peek(1).kind() == Kind.NAME) {
            next();
            sb.append('.').append(next().text());
        }
        return sb.toString();
    }

    // ---- token helpers ----

    private Token peek() {
        return toks.get(i);
    }

    private Token peek(int k) {
        return toks.get(Math.min(i + k, toks.size() - 1));
    }

    private Token next() {
        Token t = toks.get(i);
        if (t.kind() != Kind.EOF) i++;
        return t;
    }

    private Token expect(Kind kind) {
        Token t = peek();
        if (t.kind() != kind) throw fail("expected " + kind.name().toLowerCase().replace('_', ' ') + ", got " + t.describe(), t);
        return next();
    }

    private void expectOp(String op) {
        Token t = peek();
        if (!t.isOp(op)) throw fail("expected '" + op + "', got " + t.describe(), t);
        next();
    }

    private void expectName(String name) {
        Token t = peek();
        if (!t.isName(name)) throw fail("expected '" + name + "', got " + t.describe(), t);
        next();
    }

    private boolean skipOp(String op) {
        if (!peek().isOp(op)) return false;
        next();
        return true;
    }

    private boolean skipName(String name) {
        if (!peek().isName(name)) return false;
        next();
        return true;
    }

    private static TemplateException fail(String message, Token t) {
        return new TemplateException("syntax error: " + message, t.line());
    }
}
