package dev.shovel.chat;

import java.util.HashMap;
import java.util.Map;

/** A variable scope. Loop iterations, macros, {@code with} and captured blocks get a child frame. */
final class Frame {
    final Frame parent;
    private final Map<String, Object> vars = new HashMap<>();

    Frame(Frame parent) {
        this.parent = parent;
    }

    Object lookup(String name) {
        for (Frame f = this; f != null; f = f.parent) {
            Object v = f.vars.get(name);
            if (v != null || f.vars.containsKey(name)) return v;
        }
        return Undefined.name(name);
    }

    void set(String name, Object value) {
        vars.put(name, value);
    }
}
