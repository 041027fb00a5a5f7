package dev.shovel.chat;

import java.util.List;
import java.util.Map;

/** A Python method looked up on a str, list or dict value, e.g. {@code content.startswith}. */
record BoundMethod(Object self, String name) implements JCallable {
    @Override
    public Object call(List<Object> args, Map<String, Object> kwargs) {
        return Methods.call(self, name, args, kwargs);
    }
}
