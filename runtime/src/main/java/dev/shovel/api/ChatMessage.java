package dev.shovel.api;

import dev.shovel.ShovelException;
import java.util.LinkedHashMap;
import java.util.Map;

/** One message of a conversation: a role ("system", "user", "assistant", "tool", …) and its text. */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        if (role == null || role.isBlank()) throw new ShovelException("a chat message needs a role");
        if (content == null) content = "";
    }

    public static ChatMessage system(String content) { return new ChatMessage("system", content); }
    public static ChatMessage user(String content) { return new ChatMessage("user", content); }
    public static ChatMessage assistant(String content) { return new ChatMessage("assistant", content); }

    /** The message as a chat template sees it: {@code {"role": …, "content": …}}. */
    public Map<String, Object> toTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }
}
