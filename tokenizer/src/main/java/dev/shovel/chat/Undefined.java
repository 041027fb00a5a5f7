package dev.shovel.chat;

/**
 * Jinja2's default Undefined: falsy, renders as "", iterates as empty, and fails with its hint when used as a
 * value (attribute access, arithmetic, calls, JSON).
 */
final class Undefined {
    final String hint;

    private Undefined(String hint) {
        this.hint = hint;
    }

    static Undefined name(String name) {
        return new Undefined("'" + name + "' is undefined");
    }

    static Undefined attribute(Object owner, Object attr) {
        String type = owner == null ? "None" : Py.typeName(owner) + " object";
        if (attr instanceof String s) return new Undefined("'" + type + "' has no attribute '" + s + "'");
        return new Undefined(type + " has no element " + PyStr.repr(attr));
    }

    static Undefined of(String hint) {
        return new Undefined(hint);
    }

    JinjaError error() {
        return new JinjaError(hint);
    }

    @Override
    public String toString() {
        return "";
    }
}
