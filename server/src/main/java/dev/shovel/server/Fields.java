package dev.shovel.server;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed reads of a request's JSON fields: absent or null gives the default; a wrong type is a 400 naming the field. */
final class Fields {
    private Fields() {}

    static boolean present(JsonNode body, String name) {
        JsonNode n = body.get(name);
        return n != null && !n.isNull();
    }

    static double number(JsonNode body, String name, double dflt) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isNumber()) throw ApiError.badRequest("'" + name + "' must be a number");
        double v = n.asDouble();
        if (!Double.isFinite(v)) throw ApiError.badRequest("'" + name + "' must be a finite number");
        return v;
    }

    static float number(JsonNode body, String name, float dflt) {
        float v = (float) number(body, name, (double) dflt);
        if (!Float.isFinite(v)) throw ApiError.badRequest("'" + name + "' is out of range");
        return v;
    }

    static long integer(JsonNode body, String name, long dflt) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isIntegralNumber() && !(n.isNumber() && n.asDouble() == Math.rint(n.asDouble()))) {
            throw ApiError.badRequest("'" + name + "' must be an integer");
        }
        if (!n.canConvertToLong()) throw ApiError.badRequest("'" + name + "' is out of range");
        return n.asLong();
    }

    static int integer(JsonNode body, String name, int dflt) {
        long v = integer(body, name, (long) dflt);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw ApiError.badRequest("'" + name + "' is out of range");
        return (int) v;
    }

    static boolean bool(JsonNode body, String name, boolean dflt) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isBoolean()) throw ApiError.badRequest("'" + name + "' must be true or false");
        return n.asBoolean();
    }

    static String string(JsonNode body, String name, String dflt) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isTextual()) throw ApiError.badRequest("'" + name + "' must be a string");
        return n.asText();
    }

    static JsonNode object(JsonNode body, String name) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.isObject()) throw ApiError.badRequest("'" + name + "' must be an object");
        return n;
    }

    static void range(String name, double v, double lo, double hi) {
        if (v < lo || v > hi) throw ApiError.badRequest("'" + name + "' must be between " + fmt(lo) + " and " + fmt(hi) + ", got " + fmt(v));
    }

    private static String fmt(double v) { return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v); }
}
