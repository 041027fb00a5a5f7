package dev.shovel.chat;

import java.util.List;
import java.util.Map;

/** The {@code loop} variable of a for-loop; callable as {@code loop(items)} in recursive loops. */
final class LoopInfo implements JCallable {
    private final List<Object> items;
    private final int depth0;
    private final JCallable recurse;
    int index0;
    private Object lastChanged = Undefined.of("");

    LoopInfo(List<Object> items, int depth0, JCallable recurse) {
        this.items = items;
        this.depth0 = depth0;
        this.recurse = recurse;
    }

    Object attr(String name) {
        int n = items.size();
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (n - index0);
            case "revindex0" -> (long) (n - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == n - 1;
            case "length" -> (long) n;
            case "depth" -> (long) depth0 + 1;
            case "depth0" -> (long) depth0;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : Undefined.of("there is no previous item");
            case "nextitem" -> index0 < n - 1 ? items.get(index0 + 1) : Undefined.of("there is no next item");
            case "cycle" -> (JCallable) (args, kw) -> {
                if (args.isEmpty()) throw new JinjaError("no items for cycling given");
                return args.get(index0 % args.size());
            };
            case "changed" -> (JCallable) (args, kw) -> {
                Object now = List.copyOf(args.stream().map(a -> a == null ? (Object) Undefined.of("") : a).toList());
                if (Py.eq(now, lastChanged)) return false;
                lastChanged = now;
                return true;
            };
            default -> Undefined.attribute(this, name);
        };
    }

    @Override
    public Object call(List<Object> args, Map<String, Object> kwargs) {
        if (recurse == null) {
            throw new JinjaError("The loop must have the 'recursive' marker to be called recursively.");
        }
        return recurse.call(args, kwargs);
    }

    @Override
    public String toString() {
        return "<LoopContext " + (index0 + 1) + "/" + items.size() + ">";
    }
}
