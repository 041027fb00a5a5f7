package dev.shovel.chat;

import java.util.List;
import java.util.Map;

/** Jinja2's built-in tests ({@code value is name(args)}). */
final class JinjaTests {
    private JinjaTests() { }

    static boolean test(String name, Object v, List<Object> args) {
        Object arg = args.isEmpty() ? null : args.get(0);
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> Py.isNumeric(v);
            case "integer" -> Py.isInt(v);
            case "float" -> Py.isFloat(v);
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "mapping" -> v instanceof Map;
            case "iterable", "sequence" -> v instanceof String || v instanceof List || v instanceof Map || v instanceof Undefined;
            case "callable" -> v instanceof JCallable;
            case "odd" -> Py.truthy(Py.compareOp("==", Py.binary("%", number(v), 2L), 1L));
            case "even" -> Py.truthy(Py.compareOp("==", Py.binary("%", number(v), 2L), 0L));
            case "divisibleby" -> Py.eq(Py.binary("%", number(v), number(arg)), 0L);
            case "in" -> Py.contains(arg, v);
            case "eq", "equalto", "==" -> Py.eq(v, arg);
            case "ne", "!=" -> !Py.eq(v, arg);
            case "lt", "lessthan", "<" -> Py.compareOp("<", v, arg);
            case "le", "<=" -> Py.compareOp("<=", v, arg);
            case "gt", "greaterthan", ">" -> Py.compareOp(">", v, arg);
            case "ge", ">=" -> Py.compareOp(">=", v, arg);
            case "sameas" -> v == arg || (v instanceof Boolean && v.equals(arg));
            case "lower" -> {
                String s = PyStr.str(v);
                yield s.codePoints().anyMatch(Character::isLowerCase) && s.codePoints().noneMatch(Character::isUpperCase);
            }
            case "upper" -> {
                String s = PyStr.str(v);
                yield s.codePoints().anyMatch(Character::isUpperCase) && s.codePoints().noneMatch(Character::isLowerCase);
            }
            case "escaped" -> false;
            default -> throw new JinjaError("No test named '" + name + "'.");
        };
    }

    private static Object number(Object v) {
        if (v instanceof Undefined u) throw u.error();
        if (!Py.isNumeric(v)) throw new JinjaError("unsupported operand type(s) for %: '" + Py.typeName(v) + "' and 'int'");
        return v;
    }
}
