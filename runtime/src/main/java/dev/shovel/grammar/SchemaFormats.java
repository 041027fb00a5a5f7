package dev.shovel.grammar;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * GBNF for the string formats of JSON Schema, the content between the quotes: {@code date} (real calendar dates:
 * month lengths, February 29 only in leap years), {@code time} and {@code date-time} (RFC 3339, with a time offset),
 * {@code uuid}, {@code email} (a conservative subset: letters and digits, a domain with a real top-level domain, as
 * strict validators check it). With {@code minLength}/{@code maxLength} only the lengths inside the bounds are made.
 */
final class SchemaFormats {
    private SchemaFormats() {}

    /** Helper rules the format expressions refer to. */
    static final Map<String, String> RULES = Map.ofEntries(
            Map.entry("fmt-year", "[1-9] [0-9]{3}"),
            Map.entry("fmt-leap-year", "[0-9] [0-9] (\"0\" [48] | [2468] [048] | [13579] [26]) | (\"0\" [48] | [2468] [048] | [13579] [26]) \"00\""),
            Map.entry("fmt-date", "fmt-year \"-\" ((\"01\" | \"03\" | \"05\" | \"07\" | \"08\" | \"10\" | \"12\") \"-\" fmt-day31"
                    + " | (\"04\" | \"06\" | \"09\" | \"11\") \"-\" fmt-day30 | \"02-\" fmt-day28) | fmt-leap-year \"-02-29\""),
            Map.entry("fmt-day28", "\"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8]"),
            Map.entry("fmt-day30", "fmt-day28 | \"29\" | \"30\""),
            Map.entry("fmt-day31", "fmt-day30 | \"31\""),
            Map.entry("fmt-hms", "([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9] \":\" [0-5] [0-9]"),
            // within +-18:00, as java.time has it; -00:00 ("offset unknown") is refused by strict date-time parsers
            Map.entry("fmt-offset", "\"+\" ((\"0\" [0-9] | \"1\" [0-7]) \":\" [0-5] [0-9] | \"18:00\")"
                    + " | \"-\" ((\"0\" [1-9] | \"1\" [0-7]) \":\" [0-5] [0-9] | \"00:\" ([1-5] [0-9] | \"0\" [1-9]) | \"18:00\")"),
            Map.entry("fmt-hex", "[0-9a-f]"),
            Map.entry("fmt-uuid", "fmt-hex{8} \"-\" fmt-hex{4} \"-\" fmt-hex{4} \"-\" fmt-hex{4} \"-\" fmt-hex{12}"),
            Map.entry("fmt-tld2", "\"io\" | \"co\" | \"de\" | \"uk\" | \"fr\" | \"jp\" | \"us\" | \"nl\""),
            Map.entry("fmt-tld3", "\"com\" | \"org\" | \"net\" | \"dev\" | \"edu\" | \"app\""),
            Map.entry("fmt-tld4", "\"info\""),
            Map.entry("fmt-alnum", "[a-z0-9]"),
            Map.entry("fmt-email", "fmt-alnum{1,15} ([._+-] fmt-alnum{1,15}){0,3} \"@\" fmt-alnum{1,20} (\"-\" fmt-alnum{1,20})? \".\" (fmt-tld2 | fmt-tld3 | fmt-tld4)"));

    static boolean known(String format) {
        return switch (format) {
            case "date", "time", "date-time", "uuid", "email" -> true;
            default -> false;
        };
    }

    /** The expression for {@code format} with lengths in {@code [min, max]} (max < 0: no bound), or an error naming the path. */
    static String expr(String format, int min, int max, String path) {
        int hi = max < 0 ? Integer.MAX_VALUE : max;
        String e = switch (format) {
            case "date" -> 10 >= min && 10 <= hi ? "fmt-date" : null;
            case "uuid" -> 36 >= min && 36 <= hi ? "fmt-uuid" : null;
            case "time" -> times(min, hi, 0);
            case "date-time" -> {
                String t = times(min, hi, 11);
                yield t == null ? null : "fmt-date \"T\" " + t;
            }
            case "email" -> min <= 6 && max < 0 ? "fmt-email" : emails(min, hi);
            default -> throw new GrammarException("unsupported format '" + format + "' at " + path);
        };
        if (e == null) throw new GrammarException("no '" + format + "' string has a length between " + min + " and " + (max < 0 ? "any" : max) + " at " + path);
        return e;
    }

    /** Times whose length plus {@code extra} is in [min, max]: HH:MM:SS, an optional fraction of 1-9 digits, Z or an offset. */
    private static String times(int min, int max, int extra) {
        List<String> alts = new ArrayList<>();
        for (int tz : new int[] {1, 6}) {
            String zone = tz == 1 ? "\"Z\"" : "fmt-offset";
            int base = extra + 8 + tz;
            if (base >= min && base <= max) alts.add("fmt-hms " + zone);
            int lo = Math.max(1, min - base - 1), hi = Math.min(9, max - base - 1);
            if (lo <= hi) alts.add("fmt-hms \".\" [0-9]{" + lo + "," + hi + "} " + zone);
        }
        return alts.isEmpty() ? null : "(" + String.join(" | ", alts) + ")";
    }

    /** Emails of lengths in [min, max]: local@label.tld of letters and digits, one alternative per local-part length. */
    private static String emails(int min, int max) {
        List<String> alts = new ArrayList<>();
        for (int t = 2; t <= 4; t++) {
            for (int local = 1; local <= 64; local++) {
                int lo = Math.max(1, min - local - 2 - t), hi = Math.min(63, max == Integer.MAX_VALUE ? 63 : max - local - 2 - t);
                if (lo <= hi) alts.add("fmt-alnum{" + local + "} \"@\" fmt-alnum{" + lo + "," + hi + "} \".\" fmt-tld" + t);
            }
        }
        return alts.isEmpty() ? null : "(" + String.join(" | ", alts) + ")";
    }
}
