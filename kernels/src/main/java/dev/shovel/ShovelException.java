package dev.shovel;

/**
 * Base of every error Shovel reports to a caller; the CLI prints its message on one line. Messages often quote what a
 * file or request said, so control characters in them are escaped: a hostile value cannot break the line or drive a
 * terminal.
 */
public class ShovelException extends RuntimeException {
    public ShovelException(String message) { super(oneLine(message)); }
    public ShovelException(String message, Throwable cause) { super(oneLine(message), cause); }

    /** {@code s} with line breaks as {@code \n} and other control characters as {@code \}{@code uXXXX}. */
    public static String oneLine(String s) {
        if (s == null) return null;
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0 || c == 0x2028 || c == 0x2029;
            if (control && b == null) b = new StringBuilder(s.length() + 16).append(s, 0, i);
            if (b == null) continue;
            if (!control) b.append(c);
            else if (c == '\n') b.append("\\n");
            else if (c == '\r') b.append("\\r");
            else if (c == '\t') b.append("\\t");
            else b.append(String.format("\\u%04x", (int) c));
        }
        return b == null ? s : b.toString();
    }
}
