package dev.shovel.grammar;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * String formats as GBNF, exact enough for a validator that asserts formats: {@code date} (real calendar dates,
 * Feb 29 in leap years only), {@code time} and {@code date-time} (RFC 3339, seconds 00-59, up to 9 fraction digits),
 * {@code uuid}, and a conservative {@code email} subset. minLength/maxLength narrow what is generated.
 */
final class JsonFormats {
    static final List<String> NAMES = List.of("date", "time", "date-time", "uuid", "email");
    /** Top-level domains an email may end in: well-known ones, so strict validators (IANA lists) agree. */
    static final List<String> TLDS = List.of("com", "org", "net", "edu", "gov", "dev", "app", "biz", "info", "io", "ai", "co",
            "de", "uk", "fr", "jp", "nl", "ca", "au", "us", "eu", "ch", "se", "es", "it");
    private static final String ALNUM = "[a-zA-Z0-9]";

    private JsonFormats() {}

    /** The body of a rule for a JSON string (quotes included) in this format, its length in [min, max] (max < 0: open). */
    static String string(GbnfWriter out, String format, int min, int max, String where) {
        long hi = max < 0 ? Long.MAX_VALUE : max;
        String inner = switch (format) {
            case "date" -> fixed(date(out), 10, min, hi, format, where);
            case "uuid" -> fixed(out.rule("uuid", "[0-9a-fA-F]{8} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{12}"),
                    36, min, hi, format, where);
            case "time" -> time(out, 0, min, hi, format, where);
            case "date-time" -> date(out) + " \"T\" " + time(out, 11, min, hi, format, where);
            case "email" -> email(out, min, hi, where);
            default -> throw new GrammarException("unsupported format '" + format + "' at " + where
                    + " (supported: " + String.join(", ", NAMES) + ")");
        };
        return "\"\\\"\" " + inner + " \"\\\"\"";
    }

    private static String fixed(String rule, int len, int min, long max, String format, String where) {
        if (len < min || len > max) throw lengths(format, min, max, where);
        return rule;
    }

    private static Unsatisfiable lengths(String format, int min, long max, String where) {
        return new Unsatisfiable("format '" + format + "' cannot have a length in [" + min + ", "
                + (max == Long.MAX_VALUE ? "inf" : max) + "] at " + where);
    }

    private static String date(GbnfWriter out) {
        String year = out.rule("year", "[0-9]{4}");
        String leap = out.rule("leap-year", "[0-9] [0-9] ( [02468] [48] | [13579] [26] | [2468] \"0\" ) | ( [02468] [048] | [13579] [26] ) \"00\"");
        String monthDay = out.rule("month-day", "( \"0\" [13578] | \"1\" [02] ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"3\" [01] )"
                + " | ( \"0\" [469] | \"11\" ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"30\" )"
                + " | \"02-\" ( \"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8] )");
        return out.rule("date", year + " \"-\" " + monthDay + " | " + leap + " \"-02-29\"");
    }

    /** HH:MM:SS, fraction, offset; {@code before} characters precede it in the string (the date and 'T'). */
    private static String time(GbnfWriter out, int before, int min, long max, String format, String where) {
        String hms = out.rule("hms", "( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] \":\" [0-5] [0-9]");
        String[] offsets = {"\"Z\"", out.rule("offset", // within +-17:59; -00:00 ("offset unknown") is refused by strict date-time parsers
                "\"+\" ( \"0\" [0-9] | \"1\" [0-7] ) \":\" [0-5] [0-9] | \"-\" ( ( \"0\" [1-9] | \"1\" [0-7] ) \":\" [0-5] [0-9] | \"00:\" ( [1-5] [0-9] | \"0\" [1-9] ) )")};
        int[] offsetLen = {1, 6};
        Map<String, List<String>> byFraction = new LinkedHashMap<>();
        for (int o = 0; o < 2; o++) {
            long base = before + 8 + offsetLen[o];
            boolean bare = base >= min && base <= max;
            long fa = Math.max(1, min - base - 1), fb = Math.min(9, max - base - 1);
            String frac = fa > fb ? null : "\".\" [0-9]{" + fa + (fa == fb ? "" : "," + fb) + "}";
            if (frac == null && !bare) continue;
            String part = frac == null ? "" : bare ? "( " + frac + " )? " : frac + " ";
            byFraction.computeIfAbsent(part, k -> new ArrayList<>()).add(offsets[o]);
        }
        if (byFraction.isEmpty()) throw lengths(format, min, max, where);
        List<String> alts = new ArrayList<>();
        byFraction.forEach((frac, offs) -> alts.add(frac + (offs.size() == 1 ? offs.get(0) : "( " + String.join(" | ", offs) + " )")));
        return hms + " " + (alts.size() == 1 ? alts.get(0) : "( " + String.join(" | ", alts) + " )");
    }

    /**
     * local@sld.tld. The local part: letters and digits, single '.', '_', '+' or '-' between them, 1-64 characters;
     * the domain: labels of letters and digits with single '.' or '-' between (at most 63 characters, so every label
     * fits), then a known TLD. A length range is split into independent ranges for the parts (a sound subset).
     */
    private static String email(GbnfWriter out, int min, long max, String where) {
        Map<String, List<String>> byParts = new LinkedHashMap<>();
        Map<String, String> memo = new HashMap<>();
        for (int tau = 2; tau <= 4; tau++) {
            final int t = tau;
            List<String> tlds = TLDS.stream().filter(s -> s.length() == t).toList();
            long bp = Math.min(max - 2 - tau, 127), ap = Math.max(min - 2 - tau, 2);
            if (bp < 2 || ap > bp) continue;
            int lb = (int) Math.max(1, Math.min(64, Math.round(bp * 64.0 / 127)));
            int sb = (int) Math.min(63, bp - lb);
            if (sb < 1) { sb = 1; lb = (int) bp - 1; }
            int la = (int) Math.min(lb, Math.max(Math.max(1, ap - sb), ap * lb / (lb + sb)));
            int sa = (int) Math.max(1, ap - la);
            if (la + sb < ap || sa > sb) continue;
            String local = out.rule("email-local", ALNUM + " " + run(out, memo, "email-local", "[._+-]", la - 1, lb - 1));
            String sld = out.rule("email-domain", ALNUM + " " + run(out, memo, "email-domain", "[.-]", sa - 1, sb - 1));
            String key = local.trim() + " \"@\" " + sld.trim() + " \".\" ";
            for (String s : tlds) byParts.computeIfAbsent(key, k -> new ArrayList<>()).add(GbnfWriter.literal(s));
        }
        if (byParts.isEmpty()) throw lengths("email", min, max, where);
        List<String> alts = new ArrayList<>();
        byParts.forEach((parts, tlds) -> alts.add(parts + "( " + String.join(" | ", tlds) + " )"));
        return alts.size() == 1 ? alts.get(0) : "( " + String.join(" | ", alts) + " )";
    }

    /** After a letter or digit: between x and y more characters, separators single and never last. "" when y is 0. */
    private static String run(GbnfWriter out, Map<String, String> memo, String hint, String sep, int x, int y) {
        x = Math.max(x, 0);
        if (y <= 0) return "";
        String key = hint + x + "," + y;
        String known = memo.get(key);
        if (known != null) return known;
        String one = (ALNUM + " " + run(out, memo, hint, sep, x - 1, y - 1)).trim();
        String body = one;
        if (y >= 2) body += " | " + (sep + " " + ALNUM + " " + run(out, memo, hint, sep, x - 2, y - 2)).trim();
        if (x == 0) body = "( " + body + " )?";
        String name = out.rule(hint + "-" + x + "-" + y, body);
        memo.put(key, name);
        return name;
    }
}
