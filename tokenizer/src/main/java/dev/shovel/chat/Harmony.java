package dev.shovel.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * OpenAI's harmony format (gpt-oss): a generated reply split into its messages. The prompt ends with
 * {@code <|start|>assistant}, so a reply reads {@code <|channel|>analysis<|message|>…<|end|><|start|>assistant
 * <|channel|>final<|message|>…}; the end-of-generation token ({@code <|return|>} or {@code <|call|>}) is not part
 * of the text. The gpt-oss template rejects channel tags in a history message's content, so a chat keeps only the
 * final channel's text.
 */
public final class Harmony {
    private static final String START = "<|start|>", CHANNEL = "<|channel|>", MESSAGE = "<|message|>";
    private static final String[] ENDS = {"<|end|>", "<|return|>", "<|call|>"};

    private Harmony() {}

    /** One message: its header (role, recipient, channel, content type), channel name ("" if none) and body. */
    public record Message(String header, String channel, String body) { }

    /** Whether a chat template renders harmony (it writes channel tags). */
    public static boolean isHarmonyTemplate(String templateSource) {
        return templateSource != null && templateSource.contains(CHANNEL) && templateSource.contains(MESSAGE);
    }

    /** The messages of a generated reply, in order; a header cut off before {@code <|message|>} is left out. */
    public static List<Message> parse(String reply) {
        List<Message> out = new ArrayList<>();
        for (String part : reply.split(Pattern.quote(START), -1)) {
            int m = part.indexOf(MESSAGE);
            if (m < 0) continue;
            String header = part.substring(0, m);
            String body = part.substring(m + MESSAGE.length());
            for (String end : ENDS) {
                if (body.endsWith(end)) {
                    body = body.substring(0, body.length() - end.length());
                    break;
                }
            }
            out.add(new Message(header, channelOf(header), body));
        }
        return out;
    }

    /**
     * The text of the reply's last final-channel message; "" when the reply has harmony messages but no final one
     * (only analysis, or a tool call); the reply as is when it has no harmony message at all.
     */
    public static String finalText(String reply) {
        List<Message> ms = parse(reply);
        if (ms.isEmpty() && !reply.contains(CHANNEL)) return reply;
        String text = "";
        for (Message m : ms) if (m.channel().equals("final")) text = m.body();
        return text;
    }

    private static String channelOf(String header) {
        int c = header.indexOf(CHANNEL);
        if (c < 0) return "";
        int from = c + CHANNEL.length(), to = from;
        while (to < header.length() && !Character.isWhitespace(header.charAt(to)) && !header.startsWith("<|", to)) to++;
        return header.substring(from, to);
    }
}
