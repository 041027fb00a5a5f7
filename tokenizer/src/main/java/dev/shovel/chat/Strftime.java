package dev.shovel.chat;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;

/** C-locale {@code strftime} as glibc does it, including the {@code %-d} no-padding flag. */
final class Strftime {
    private Strftime() { }

    static String format(String fmt, ZonedDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= fmt.length()) {
                sb.append(c);
                continue;
            }
            char d = fmt.charAt(++i);
            boolean noPad = false;
            if ((d == '-') && i + 1 < fmt.length()) {
                noPad = true;
                d = fmt.charAt(++i);
            }
            sb.append(directive(d, t, noPad));
            Budget.building(sb);
        }
        return Budget.string(sb.toString());
    }

    private static String directive(char d, ZonedDateTime t, boolean noPad) {
        return switch (d) {
            case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'd' -> num(t.getDayOfMonth(), 2, noPad);
            case 'e' -> noPad ? Integer.toString(t.getDayOfMonth()) : String.format("%2d", t.getDayOfMonth());
            case 'm' -> num(t.getMonthValue(), 2, noPad);
            case 'y' -> num(t.getYear() % 100, 2, noPad);
            case 'Y' -> Integer.toString(t.getYear());
            case 'H' -> num(t.getHour(), 2, noPad);
            case 'I' -> num(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2, noPad);
            case 'M' -> num(t.getMinute(), 2, noPad);
            case 'S' -> num(t.getSecond(), 2, noPad);
            case 'f' -> num(t.getNano() / 1000, 6, false);
            case 'p' -> t.getHour() < 12 ? "AM" : "PM";
            case 'j' -> num(t.getDayOfYear(), 3, noPad);
            case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
            case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
            case 'U' -> num((t.getDayOfYear() + 6 - t.getDayOfWeek().getValue() % 7) / 7, 2, noPad);
            case 'W' -> num((t.getDayOfYear() + 6 - (t.getDayOfWeek().getValue() + 6) % 7) / 7, 2, noPad);
            case 'z' -> {
                int s = t.getOffset().getTotalSeconds();
                yield (s < 0 ? "-" : "+") + String.format("%02d%02d", Math.abs(s) / 3600, Math.abs(s) / 60 % 60);
            }
            case 'Z' -> t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'c' -> format("%a %b %e %H:%M:%S %Y", t);
            case 'x' -> format("%m/%d/%y", t);
            case 'X', 'T' -> format("%H:%M:%S", t);
            case 'D' -> format("%m/%d/%y", t);
            case 'F' -> format("%Y-%m-%d", t);
            case 'R' -> format("%H:%M", t);
            case 's' -> Long.toString(t.getLong(ChronoField.INSTANT_SECONDS));
            case 'n' -> "\n";
            case 't' -> "\t";
            case '%' -> "%";
            default -> "%" + d;
        };
    }

    private static String num(int v, int width, boolean noPad) {
        String s = Integer.toString(v);
        return noPad || s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
