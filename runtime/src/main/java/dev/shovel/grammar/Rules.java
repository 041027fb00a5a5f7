package dev.shovel.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parsed rules: each rule is a list of alternatives, each a sequence of element codes. A code {@code >= 0} is a
 * character set (an index into {@link #sets}); a negative code {@code -(r + 1)} refers to rule {@code r}.
 */
final class Rules {
    private final List<String> names = new ArrayList<>();
    private final List<List<int[]>> alts = new ArrayList<>();
    private final List<Integer> where = new ArrayList<>(); // source offset of the definition, -1 while undefined
    private final List<Integer> parent = new ArrayList<>(); // the user rule a helper rule belongs to
    private final List<int[]> sets = new ArrayList<>();
    private final Map<String, Integer> setIds = new HashMap<>();
    int root = -1;

    static int ref(int rule) { return -(rule + 1); }

    static boolean isRef(int code) { return code < 0; }

    static int rule(int code) { return -code - 1; }

    int add(String name) {
        names.add(name);
        alts.add(List.of());
        where.add(-1);
        parent.add(names.size() - 1);
        return names.size() - 1;
    }

    /** A new helper rule for a group or repetition inside {@code owner}. */
    int helper(int owner) {
        int id = add(names.get(owner) + "-" + names.size());
        where.set(id, where.get(owner));
        parent.set(id, parent.get(owner));
        return id;
    }

    int helper(int owner, List<int[]> alternatives) {
        int id = helper(owner);
        setAlts(id, alternatives);
        return id;
    }

    void define(int id, int at) { where.set(id, at); }

    boolean defined(int id) { return where.get(id) >= 0; }

    void setAlts(int id, List<int[]> a) { alts.set(id, List.copyOf(a)); }

    /** The id of a character set given as sorted ranges, shared with equal sets. */
    int set(int[] ranges) {
        return setIds.computeIfAbsent(Arrays.toString(ranges), k -> {
            sets.add(ranges);
            return sets.size() - 1;
        });
    }

    int size() { return names.size(); }

    String name(int id) { return names.get(id); }

    /** The name of the rule the user wrote ({@code id} itself, or the rule a helper was made for). */
    String userName(int id) { return names.get(parent.get(id)); }

    int where(int id) { return where.get(id); }

    List<int[]> alts(int id) { return alts.get(id); }

    int[] charSet(int id) { return sets.get(id); }

    int setCount() { return sets.size(); }
}
