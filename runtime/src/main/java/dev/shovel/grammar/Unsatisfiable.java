package dev.shovel.grammar;

/** A schema (or one alternative of it) that no JSON value satisfies; anyOf drops such alternatives. */
final class Unsatisfiable extends GrammarException {
    Unsatisfiable(String message) { super(message); }
}
