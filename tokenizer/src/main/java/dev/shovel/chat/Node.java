package dev.shovel.chat;

import java.util.List;

/** Template syntax tree: statements carry their line for error messages. */
sealed interface Node {

    sealed interface Stmt extends Node {
        int line();
    }

    record Text(String text, int line) implements Stmt { }
    record Output(Expr expr, int line) implements Stmt { }
    record If(List<Expr> conditions, List<List<Stmt>> bodies, List<Stmt> orElse, int line) implements Stmt { }
    record For(Target target, Expr iter, Expr filter, boolean recursive, List<Stmt> body, List<Stmt> orElse, int line)
            implements Stmt { }
    record Set(Target target, Expr value, int line) implements Stmt { }
    record SetBlock(Target target, Expr filter, List<Stmt> body, int line) implements Stmt { }
    record MacroDef(String name, List<String> params, List<Expr> defaults, List<Stmt> body, int line) implements Stmt { }
    record CallBlock(Expr.Call call, List<String> params, List<Expr> defaults, List<Stmt> body, int line) implements Stmt { }
    /** {@code {% filter f %}}: the filter chain is applied to {@link Expr.Name} "" holding the body's text. */
    record FilterBlock(Expr filter, List<Stmt> body, int line) implements Stmt { }
    record With(List<Target> targets, List<Expr> values, List<Stmt> body, int line) implements Stmt { }
    record Do(Expr expr, int line) implements Stmt { }
    record Break(int line) implements Stmt { }
    record Continue(int line) implements Stmt { }

    /** Assignment target: a name, {@code ns.attr}, or a tuple of names. */
    sealed interface Target extends Node { }
    record NameTarget(String name) implements Target { }
    record AttrTarget(String object, String attr) implements Target { }
    record TupleTarget(List<Target> items) implements Target { }

    sealed interface Expr extends Node {
        record Const(Object value) implements Expr { }
        record Name(String name) implements Expr { }
        record ListLit(List<Expr> items) implements Expr { }
        record TupleLit(List<Expr> items) implements Expr { }
        record DictLit(List<Expr> keys, List<Expr> values) implements Expr { }
        record GetAttr(Expr object, String name) implements Expr { }
        record GetItem(Expr object, Expr key) implements Expr { }
        record Slice(Expr object, Expr start, Expr stop, Expr step) implements Expr { }
        record Call(Expr callee, List<Expr> args, List<String> kwNames, List<Expr> kwValues) implements Expr { }
        record Filter(Expr value, String name, List<Expr> args, List<String> kwNames, List<Expr> kwValues)
                implements Expr { }
        record Test(Expr value, String name, List<Expr> args, boolean negated) implements Expr { }
        record Unary(String op, Expr operand) implements Expr { }
        record Binary(String op, Expr left, Expr right) implements Expr { }
        record Compare(Expr first, List<String> ops, List<Expr> rest) implements Expr { }
        record Cond(Expr test, Expr then, Expr orElse) implements Expr { }
    }
}
