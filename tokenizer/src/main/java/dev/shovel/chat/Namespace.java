package dev.shovel.chat;

import java.util.LinkedHashMap;
import java.util.Map;

/** Result of {@code namespace(...)}: the one object whose attributes {@code {% set ns.x = ... %}} may assign. */
final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();

    Object get(String name) {
        return attrs.containsKey(name) ? attrs.get(name) : Undefined.attribute(this, name);
    }

    @Override
    public String toString() {
        return "<Namespace " + PyStr.repr(attrs) + ">";
    }
}
