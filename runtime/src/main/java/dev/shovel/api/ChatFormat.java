package dev.shovel.api;

import dev.shovel.chat.ChatTemplate;
import dev.shovel.chat.Harmony;
import dev.shovel.chat.TemplateException;
import dev.shovel.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a conversation becomes tokens, as llama.cpp does it: the model's {@code tokenizer.chat_template} (or a given
 * one; ChatML when the model has none or it cannot be parsed) renders the messages, and the text is tokenized with
 * special tokens parsed. Immutable and thread-safe.
 */
public final class ChatFormat {
    private final Tokenizer tok;
    private final ChatTemplate template;
    private final String note;
    private final boolean harmony;

    /**
     * @param templateSource Jinja source to use instead of the model's template; null = the model's, or ChatML
     *                       ({@link ChatTemplate#fallback()}) when the model has none or it cannot be parsed
     */
    public ChatFormat(Tokenizer tok, String templateSource) {
        this.tok = tok;
        String n = null;
        ChatTemplate t;
        boolean h = false;
        if (templateSource != null) {
            t = ChatTemplate.parse(templateSource);
            h = Harmony.isHarmonyTemplate(templateSource);
        } else if (tok.chatTemplate().isEmpty()) {
            t = ChatTemplate.parse(ChatTemplate.fallback());
            n = "the model has no chat template; using ChatML";
        } else {
            try {
                t = ChatTemplate.parse(tok.chatTemplate().get());
                h = Harmony.isHarmonyTemplate(tok.chatTemplate().get());
            } catch (TemplateException e) {
                t = ChatTemplate.parse(ChatTemplate.fallback());
                n = "the model's chat template cannot be parsed (" + e.getMessage() + "); using ChatML";
            }
        }
        this.template = t;
        this.note = n;
        this.harmony = h;
    }

    /** Why the ChatML fallback is in use; empty when the model's (or the given) template is. */
    public Optional<String> note() { return Optional.ofNullable(note); }

    /** The conversation as the template renders it, with the model's BOS/EOS texts and the extra variables. */
    public String render(List<ChatMessage> conversation, boolean addGenerationPrompt, Map<String, Object> variables) {
        List<Map<String, Object>> msgs = new ArrayList<>(conversation.size());
        for (ChatMessage m : conversation) msgs.add(m.toTemplateValue());
        return template.apply(msgs, addGenerationPrompt, tokenText(tok.bos()), tokenText(tok.eos()), null, variables);
    }

    /**
     * Tokens of a rendered conversation: special tokens parsed, and a BOS when the model asks for one and the
     * rendering does not already start with its text (llama.cpp's rule). Never an EOS.
     */
    public int[] tokenize(String rendered) {
        int bos = tok.bos();
        boolean addBos = tok.addBos() && bos >= 0 && !rendered.startsWith(tok.tokenText(bos));
        int[] body = tok.encode(rendered, false, true);
        if (!addBos) return body;
        int[] out = new int[body.length + 1];
        out[0] = bos;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** The prompt tokens that ask the model for the assistant's next message. */
    public int[] prompt(List<ChatMessage> conversation, Map<String, Object> variables) {
        return tokenize(render(conversation, true, variables));
    }

    /**
     * The assistant message a generated reply becomes in the history. With a harmony template (gpt-oss) that is the
     * final channel's text only: the template drops earlier analysis anyway and rejects channel tags in content.
     */
    public ChatMessage assistantMessage(String generated) {
        return ChatMessage.assistant(harmony ? Harmony.finalText(generated) : generated);
    }

    private String tokenText(int id) {
        return id >= 0 && id < tok.vocabSize() ? tok.tokenText(id) : "";
    }
}
