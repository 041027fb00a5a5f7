package dev.shovel.chat;

import java.util.List;
import java.util.function.Supplier;

/** One render's use of the {@link TemplateLimits}; the static built-ins reach it through {@link #current()}. */
final class Budget {
    private static final ScopedValue<Budget> CURRENT = ScopedValue.newInstance();

    private long steps;
    private long work;
    private int depth;

    /** Runs body with this budget as {@link #current()}. */
    <T> T run(Supplier<T> body) {
        return ScopedValue.where(CURRENT, this).call(body::get);
    }

    /** The running render's budget; outside a render a fresh one, so only the per-value limits apply. */
    static Budget current() {
        return CURRENT.isBound() ? CURRENT.get() : new Budget();
    }

    void step() {
        if (++steps > TemplateLimits.MAX_STEPS) throw overSteps();
    }

    void steps(long n) {
        steps += n;
        if (steps > TemplateLimits.MAX_STEPS) throw overSteps();
    }

    private static JinjaError overSteps() {
        return new JinjaError("template rendering exceeds " + TemplateLimits.MAX_STEPS + " steps");
    }

    /** One level deeper in rendering recursion; pair with {@link #exit()}. */
    void enter() {
        if (++depth > TemplateLimits.MAX_DEPTH) {
            depth--;
            throw new JinjaError("template recursion exceeds " + TemplateLimits.MAX_DEPTH + " levels");
        }
    }

    void exit() {
        depth--;
    }

    /** Charges n chars of string building against the render's work limit. */
    void work(long n) {
        work += n;
        if (work > TemplateLimits.MAX_WORK_CHARS) {
            throw new JinjaError("template string building exceeds " + TemplateLimits.MAX_WORK_CHARS + " characters");
        }
    }

    /** A string of n chars is about to be built: checks the string limit and charges the work. */
    static void chars(long n) {
        fits(n);
        current().work(n);
    }

    /** Checks that a string of n chars is within the string limit. */
    static void fits(long n) {
        if (n > TemplateLimits.MAX_STRING_CHARS) {
            throw new JinjaError("template string of " + n + " characters exceeds the limit of "
                    + TemplateLimits.MAX_STRING_CHARS);
        }
    }

    /** A string that was just built, checked and charged as {@link #chars(long)}. */
    static String string(String s) {
        chars(s.length());
        return s;
    }

    /** Checks a string under construction (no charge: {@link #string} charges the result). */
    static void building(StringBuilder sb) {
        fits(sb.length());
    }

    /** A list of n items is about to be built: checks the item limit and charges n steps. */
    static void items(long n) {
        fitsItems(n);
        current().steps(n);
    }

    /** Checks that a list of n items is within the item limit. */
    static void fitsItems(long n) {
        if (n > TemplateLimits.MAX_ITEMS) {
            throw new JinjaError("template list of " + n + " items exceeds the limit of " + TemplateLimits.MAX_ITEMS);
        }
    }

    /** Adds x to a list that a built-in is building, within the item limit. */
    static void add(List<Object> list, Object x) {
        fitsItems(list.size() + 1L);
        list.add(x);
    }

    /** Worst-case cost of searching a haystack of n chars for a needle of m chars (Java's search is naive). */
    static void search(long n, long m) {
        current().work(n + (m > 0 && m <= n ? (n - m + 1) * m / 64 : 0));
    }
}
