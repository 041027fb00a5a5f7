package dev.shovel.grammar;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * A JSON string, quotes included, whose value is none of the given names: a rule per trie node. While the text
 * read so far spells a prefix of a name, a character continuing some name (written in its canonical form) moves
 * down the trie, any other raw character or short escape leaves it (then anything may follow), and the closing quote
 * is allowed only where no name ends. Backslash-u escapes are not offered inside the trie (a sound subset: such an
 * escape could spell a name's character).
 */
final class KeyTrie {
    private static final String SHORT_ESCAPES = "\"\\/bfnrt";
    private static final String SHORT_DECODED = "\"\\/\b\f\n\r\t";

    private final TreeMap<Integer, KeyTrie> children = new TreeMap<>();
    private boolean terminal;

    private KeyTrie() {}

    /** The rule name of a key string that is none of {@code names}. */
    static String rule(GbnfWriter out, Collection<String> names, String hint) {
        KeyTrie root = new KeyTrie();
        for (String n : names) {
            KeyTrie t = root;
            for (int cp : n.codePoints().toArray()) t = t.children.computeIfAbsent(cp, k -> new KeyTrie());
            t.terminal = true;
        }
        String free = out.rule("key-rest", out.prim("char") + "* \"\\\"\"");
        return out.rule(hint, "\"\\\"\" " + root.emit(out, hint, free));
    }

    private String emit(GbnfWriter out, String hint, String free) {
        List<String> alts = new ArrayList<>();
        int[] kids = new int[0];
        for (var e : children.entrySet()) {
            kids = Ranges.union(kids, Ranges.single(e.getKey()));
            alts.add(GbnfWriter.literal(JsonText.escape(e.getKey())) + " " + e.getValue().emit(out, hint, free));
        }
        int[] raw = Ranges.minus(Ranges.ALL, Ranges.union(JsonText.MUST_ESCAPE, kids));
        alts.add(GbnfWriter.charClass(raw) + " " + free);
        StringBuilder esc = new StringBuilder();
        for (int i = 0; i < SHORT_ESCAPES.length(); i++) {
            if (!Ranges.contains(kids, SHORT_DECODED.charAt(i))) esc.append(SHORT_ESCAPES.charAt(i));
        }
        if (!esc.isEmpty()) alts.add("\"\\\\\" " + GbnfWriter.charClass(Ranges.normalize(esc.chars().flatMap(c -> java.util.stream.IntStream.of(c, c)).toArray())) + " " + free);
        if (!terminal) alts.add("\"\\\"\"");
        return out.rule(hint + "-k", String.join(" | ", alts));
    }
}
