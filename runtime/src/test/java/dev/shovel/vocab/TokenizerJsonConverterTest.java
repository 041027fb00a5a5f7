package dev.shovel.vocab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shovel.chat.ChatFixtures;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFValue;
import dev.shovel.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tokenizer.json → GGUF tokenizer.* keys, checked against the JSON files and llama.cpp's qwen2 tokenizer vectors. */
class TokenizerJsonConverterTest {

    @Test
    void qwen3KeysFollowConvertHfToGguf() throws Exception {
        JsonNode config = new ObjectMapper().readTree(ChatFixtures.qwen3Dir().resolve("tokenizer_config.json").toFile());
        try (GGUFFile f = GGUFFile.open(ChatFixtures.qwen3VocabGguf())) {
            assertTrue(f.tensors().isEmpty(), "vocab-only: no tensors");
            assertEquals("gpt2", f.getString("tokenizer.ggml.model", null));
            assertEquals("qwen2", f.getString("tokenizer.ggml.pre", null));
            String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
            int[] types = f.getIntArray("tokenizer.ggml.token_type");
            // 151643 regular tokens + 26 added ones (ids 151643..151668)
            assertEquals(151669, tokens.length);
            assertEquals(tokens.length, types.length);
            assertEquals("!", tokens[0]);
            assertEquals(1, types[0], "normal");
            assertEquals("<|endoftext|>", tokens[151643]);
            assertEquals(3, types[151643], "special added token -> control");
            assertEquals(3, types[151659], "<|fim_prefix|> is not special but looks special -> control");
            assertEquals("<think>", tokens[151667]);
            assertEquals(4, types[151667], "non-special added token -> user defined");
            String[] merges = f.getStringArray("tokenizer.ggml.merges");
            assertEquals(151387, merges.length);
            assertEquals("\u0120 \u0120", merges[0]);
            assertEquals("i n", merges[2]);
            assertEquals(151645L, f.getLong("tokenizer.ggml.eos_token_id"), "eos_token <|im_end|>");
            assertEquals(151643L, f.getLong("tokenizer.ggml.padding_token_id"), "pad_token <|endoftext|>");
            assertFalse(f.has("tokenizer.ggml.bos_token_id"), "bos_token is null and there is no config.json");
            assertFalse(f.getBool("tokenizer.ggml.add_bos_token", true));
            assertEquals(config.get("chat_template").asText(), f.getString("tokenizer.chat_template", null));
        }
    }

    @Test
    void convertedQwen3VocabPassesLlamaCppQwen2Vectors() {
        Tokenizer t;
        try (GGUFFile f = GGUFFile.open(ChatFixtures.qwen3VocabGguf())) {
            t = Tokenizer.fromGGUF(f);
        }
        List<String> in = ChatFixtures.vectorInputs("ggml-vocab-qwen2.gguf");
        List<int[]> out = ChatFixtures.vectorOutputs("ggml-vocab-qwen2.gguf");
        assertEquals(46, in.size());
        assertEquals(in.size(), out.size());
        for (int i = 0; i < in.size(); i++) {
            assertArrayEquals(out.get(i), t.encode(in.get(i), false, false), "text #" + i + ": [" + in.get(i) + "]");
        }
        assertTrue(t.isEog(151645), "<|im_end|> ends generation");
        assertArrayEquals(new int[] {151644, 872, 198}, t.encode("<|im_start|>user\n", true, true));
    }

    /** A hand-made byte-level BPE with array-form merges, config.json ids and a TemplateProcessing post-processor. */
    @Test
    void smallTokenizerWithConfigJsonAndJinjaFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"added_tokens": [{"id": 5, "content": "<s>", "special": true},
                                  {"id": 6, "content": "</s>", "special": true},
                                  {"id": 7, "content": "[tool]", "special": false}],
                 "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
                 "post_processor": {"type": "TemplateProcessing",
                    "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]},
                 "decoder": {"type": "ByteLevel"},
                 "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "\\u0120": 3, "\\u0120ab": 4},
                           "merges": [["a", "b"], ["\\u0120", "ab"]]}}
                """);
        Files.writeString(dir.resolve("config.json"), "{\"bos_token_id\": 5, \"eos_token_id\": 6, \"vocab_size\": 10}");
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}");
        Map<String, GGUFValue> kv = TokenizerJsonConverter.tokenizerKeys(dir.resolve("tokenizer.json"), null);
        assertEquals("gpt-2", kv.get("tokenizer.ggml.pre").value());
        String[] tokens = (String[]) kv.get("tokenizer.ggml.tokens").value();
        assertArrayEquals(new String[] {"a", "b", "ab", "\u0120", "\u0120ab", "<s>", "</s>", "[tool]", "[PAD8]", "[PAD9]"}, tokens);
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 3, 3, 4, 5, 5}, (int[]) kv.get("tokenizer.ggml.token_type").value());
        assertArrayEquals(new String[] {"a b", "\u0120 ab"}, (String[]) kv.get("tokenizer.ggml.merges").value());
        assertEquals(5L, kv.get("tokenizer.ggml.bos_token_id").value());
        assertEquals(6L, kv.get("tokenizer.ggml.eos_token_id").value());
        assertEquals(true, kv.get("tokenizer.ggml.add_bos_token").value(), "post-processor starts with <s>");
        assertEquals(false, kv.get("tokenizer.ggml.add_eos_token").value());
        assertEquals("{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}", kv.get("tokenizer.chat_template").value());
        assertNull(kv.get("tokenizer.ggml.padding_token_id"));
        assertEquals("qwen2", TokenizerJsonConverter.tokenizerKeys(dir, "qwen2").get("tokenizer.ggml.pre").value(),
                "a directory works, and a given pre wins");
    }

    @Test
    void unsupportedInputsAreOneLineErrors(@TempDir Path dir) throws Exception {
        Path wp = dir.resolve("wordpiece.json");
        Files.writeString(wp, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}}}");
        VocabException e = assertThrows(VocabException.class, () -> TokenizerJsonConverter.tokenizerKeys(wp, null));
        assertTrue(e.getMessage().contains("WordPiece") && !e.getMessage().contains("\n"), e.getMessage());

        Path odd = dir.resolve("odd.json");
        Files.writeString(odd, """
                {"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\\\w+"}},
                   {"type": "ByteLevel", "use_regex": false}]},
                 "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}
                """);
        e = assertThrows(VocabException.class, () -> TokenizerJsonConverter.tokenizerKeys(odd, null));
        assertTrue(e.getMessage().contains("pre-tokenizer"), e.getMessage());

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"model\": ");
        e = assertThrows(VocabException.class, () -> TokenizerJsonConverter.tokenizerKeys(bad, null));
        assertTrue(e.getMessage().contains("not valid JSON") && !e.getMessage().contains("\n"), e.getMessage());
    }
}
