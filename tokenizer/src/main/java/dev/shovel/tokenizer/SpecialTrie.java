package dev.shovel.tokenizer;

import java.util.Arrays;
import java.util.BitSet;
import java.util.TreeMap;

/** Character trie of the special tokens' texts, to find in one pass which of them occur in a text at all. */
final class SpecialTrie {
    private static final class Node {
        char[] keys = new char[0];
        Node[] kids = new Node[0];
        int id = -1;
        TreeMap<Character, Node> building = new TreeMap<>();

        Node child(char c) {
            int i = Arrays.binarySearch(keys, c);
            return i >= 0 ? kids[i] : null;
        }

        void freeze() {
            keys = new char[building.size()];
            kids = new Node[building.size()];
            int i = 0;
            for (var e : building.entrySet()) {
                keys[i] = e.getKey();
                kids[i++] = e.getValue();
                e.getValue().freeze();
            }
            building = null;
        }
    }

    private final Node root = new Node();
    private final boolean[] first = new boolean[Character.MAX_VALUE + 1];

    SpecialTrie(String[] text, int[] ids) {
        for (int id : ids) {
            Node n = root;
            for (char c : text[id].toCharArray()) n = n.building.computeIfAbsent(c, k -> new Node());
            n.id = id;
            if (!text[id].isEmpty()) first[text[id].charAt(0)] = true;
        }
        root.freeze();
    }

    /** The ids of the special tokens whose text occurs somewhere in s. */
    BitSet occurring(String s) {
        BitSet found = new BitSet();
        if (root.keys.length == 0) return found;
        for (int i = 0; i < s.length(); i++) {
            if (!first[s.charAt(i)]) continue;
            Node n = root;
            for (int j = i; j < s.length(); j++) {
                n = n.child(s.charAt(j));
                if (n == null) break;
                if (n.id >= 0) found.set(n.id);
            }
        }
        return found;
    }
}
