package dev.shovel.chat;

import java.util.AbstractList;
import java.util.List;

/** Immutable Python tuple: like a list, but repr'd with parentheses and never equal to a list. */
final class PyTuple extends AbstractList<Object> {
    private final Object[] items;

    PyTuple(Object... items) {
        this.items = items;
    }

    static PyTuple of(List<?> items) {
        return new PyTuple(items.toArray());
    }

    @Override
    public Object get(int index) {
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }
}
