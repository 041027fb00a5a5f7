package dev.shovel.chat;

import java.util.List;
import java.util.Map;

/** A template-callable value: global functions, macros, bound methods, {@code loop.cycle}. */
@FunctionalInterface
interface JCallable {
    Object call(List<Object> args, Map<String, Object> kwargs);
}
