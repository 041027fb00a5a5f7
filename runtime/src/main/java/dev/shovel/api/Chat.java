package dev.shovel.api;

import dev.shovel.ShovelException;
import dev.shovel.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A conversation with a model, as llama.cpp's chat does it: every turn renders the whole conversation with the
 * model's {@code tokenizer.chat_template} (ChatML when it has none), tokenizes it with special tokens parsed, and
 * generates until an end-of-generation token. The session's KV cache keeps the longest common token prefix, so a
 * turn only evaluates what differs from the previous one. Used by one thread at a time.
 *
 * <pre>{@code
 * Chat chat = new Chat(session, GenerationOptions.defaults()).system("You are terse.");
 * String reply = chat.send("Hello!", System.out::print);
 * }</pre>
 */
public final class Chat {
    private final Session session;
    private final ChatFormat format;
    private final List<ChatMessage> messages = new ArrayList<>();
    private final Map<String, Object> variables = new LinkedHashMap<>();
    private GenerationOptions options;
    private ChatTurn last;

    public Chat(Session session) { this(session, GenerationOptions.defaults()); }

    public Chat(Session session, GenerationOptions options) { this(session, options, null); }

    /**
     * @param templateSource Jinja source to use instead of the model's template; null = the model's, or ChatML
     *                       ({@link ChatTemplate#fallback()}) when the model has none or it cannot be parsed
     */
    public Chat(Session session, GenerationOptions options, String templateSource) {
        this.session = session;
        this.format = new ChatFormat(session.model().tokenizer(), templateSource);
        this.options = options == null ? GenerationOptions.defaults() : options;
    }

    /** Why the ChatML fallback is in use; empty when the model's (or the given) template is. */
    public Optional<String> templateNote() { return format.note(); }

    public Session session() { return session; }

    public GenerationOptions options() { return options; }

    public Chat options(GenerationOptions o) {
        options = o == null ? GenerationOptions.defaults() : o;
        return this;
    }

    /** Sets the system message (replacing an earlier one); null or blank removes it. */
    public Chat system(String text) {
        if (!messages.isEmpty() && messages.get(0).role().equals("system")) messages.remove(0);
        if (text != null && !text.isBlank()) messages.add(0, ChatMessage.system(text));
        return this;
    }

    /** An extra template variable, e.g. {@code enable_thinking = false}; null removes it. */
    public Chat variable(String name, Object value) {
        if (value == null) variables.remove(name);
        else variables.put(name, value);
        return this;
    }

    /** The conversation so far. */
    public List<ChatMessage> messages() { return List.copyOf(messages); }

    /** Forgets every message but the system message (the cache is reused as far as it still matches). */
    public void reset() {
        messages.removeIf(m -> !m.role().equals("system"));
        last = null;
    }

    /** Statistics of the last reply, if any. */
    public Optional<ChatTurn> lastTurn() { return Optional.ofNullable(last); }

    /** Asks a running reply to stop after the current token (any thread). */
    public void cancel() { session.cancel(); }

    /** Adds a user message, generates the reply (streamed to {@code onText}), adds it and returns its text. */
    public String send(String userText, Consumer<String> onText) {
        List<ChatMessage> next = new ArrayList<>(messages);
        next.add(ChatMessage.user(userText));
        return reply(next, onText).reply();
    }

    /**
     * Makes {@code conversation} the conversation, generates the assistant's reply to it and appends that. The cache
     * still serves whatever prefix the new rendering shares with the tokens it holds.
     */
    public ChatTurn reply(List<ChatMessage> conversation, Consumer<String> onText) {
        if (conversation.isEmpty()) throw new ShovelException("the conversation has no messages");
        int[] ids = tokenize(render(conversation, true));
        GenerationResult r = session.generate(ids, options, onText);
        messages.clear();
        messages.addAll(conversation);
        messages.add(format.assistantMessage(r.text()));
        last = new ChatTurn(r.text(), r.stopReason(), ids.length, session.reusedTokens(), r.generatedTokens(),
                r.promptNanos(), r.genNanos());
        return last;
    }

    /** The conversation as the template renders it, with the model's BOS/EOS texts. */
    public String render(List<ChatMessage> conversation, boolean addGenerationPrompt) {
        return format.render(conversation, addGenerationPrompt, variables);
    }

    /**
     * Tokens of a rendered conversation: special tokens parsed, and a BOS when the model asks for one and the
     * rendering does not already start with its text (llama.cpp's rule). Never an EOS.
     */
    public int[] tokenize(String rendered) { return format.tokenize(rendered); }
}
