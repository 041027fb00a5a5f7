package dev.shovel.chat;

import dev.shovel.chat.Node.Stmt;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's {@code tokenizer.chat_template} (Jinja2), parsed once and rendered like transformers'
 * {@code apply_chat_template}: trim_blocks and lstrip_blocks on, Jinja2's default Undefined, globals
 * {@code raise_exception}, {@code strftime_now}, {@code range}, {@code namespace}, and {@code tojson} as Python's
 * {@code json.dumps(x, ensure_ascii=False)}.
 *
 * <p>Context values are Java equivalents of JSON: {@link Map} (iteration order is kept), {@link List}, {@link String},
 * {@link Number}, {@link Boolean} and {@code null}.
 */
public final class ChatTemplate {
    private final List<Stmt> body;
    private final Clock clock;

    private ChatTemplate(List<Stmt> body, Clock clock) {
        this.body = body;
        this.clock = clock;
    }

    /** Parses Jinja source; a syntax error or going past a {@link TemplateLimits} limit is a {@link TemplateException}. */
    public static ChatTemplate parse(String source) {
        if (source == null) throw new TemplateException("chat template is missing");
        return new ChatTemplate(Parser.parse(source), Clock.systemDefaultZone());
    }

    /** The same template with {@code strftime_now} reading the given clock (for reproducible dates). */
    public ChatTemplate withClock(Clock clock) {
        return new ChatTemplate(body, clock);
    }

    /**
     * Renders with exactly the given variables; {@code raise_exception(msg)} becomes a TemplateException(msg), and so
     * does any error of the template, including going past one of the {@link TemplateLimits}.
     */
    public String render(Map<String, Object> context) {
        return new Interpreter(clock).render(body, context);
    }

    /**
     * Renders a conversation with the variables transformers passes: {@code messages}, {@code add_generation_prompt},
     * {@code bos_token}, {@code eos_token}, {@code tools}, then every entry of {@code extra} (for example
     * {@code enable_thinking}). Keys whose value is null are left out, so the template sees them as undefined.
     */
    public String apply(List<Map<String, Object>> messages, boolean addGenerationPrompt, String bosToken,
                        String eosToken, List<Map<String, Object>> tools, Map<String, Object> extra) {
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("messages", messages);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        if (bosToken != null) ctx.put("bos_token", bosToken);
        if (eosToken != null) ctx.put("eos_token", eosToken);
        if (tools != null) ctx.put("tools", tools);
        if (extra != null) extra.forEach((k, v) -> {
            if (v != null) ctx.put(k, v);
        });
        return render(ctx);
    }

    /**
     * Template for models whose GGUF has no {@code tokenizer.chat_template}: ChatML, the format llama.cpp falls back
     * to. Each message becomes {@code <|im_start|>role\ncontent<|im_end|>\n}; with {@code add_generation_prompt} it
     * ends with {@code <|im_start|>assistant\n}. No BOS is added.
     */
    public static String fallback() {
        return """
                {%- for message in messages -%}
                {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}
                {%- endfor -%}
                {%- if add_generation_prompt -%}
                {{- '<|im_start|>assistant\\n' -}}
                {%- endif -%}
                """;
    }
}
