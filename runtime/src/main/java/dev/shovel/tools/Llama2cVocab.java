package dev.shovel.tools;

import dev.shovel.gguf.GGUFValue;
import dev.shovel.gguf.GGUFValueType;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A llama2.c {@code tokenizer.bin} (int32 max_token_length, then per token: float32 score, int32 length, bytes)
 * turned into the {@code tokenizer.*} keys exactly as llama.cpp's convert-llama2c-to-ggml writes them: ids 0/1/2
 * renamed {@code <unk>}/{@code <s>}/{@code </s>} (types UNKNOWN, CONTROL, CONTROL), empty tokens CONTROL,
 * {@code <0xXX>} tokens BYTE, others NORMAL; spaces become U+2581; scores copied bit for bit.
 */
public final class Llama2cVocab {
    private Llama2cVocab() {}

    // llama_token_type
    public static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, BYTE = 6;
    public static final long NO_TOKEN = 0xFFFFFFFFL;

    /** The tokenizer keys for the first {@code vocabSize} tokens of {@code tokenizerBin}. */
    public static Map<String, GGUFValue> read(Path tokenizerBin, int vocabSize) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(tokenizerBin);
        } catch (NoSuchFileException e) {
            throw new ToolsException("file not found: " + tokenizerBin);
        } catch (IOException e) {
            throw new ToolsException("cannot read " + tokenizerBin + ": " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        String[] tokens = new String[vocabSize];
        float[] scores = new float[vocabSize];
        int[] types = new int[vocabSize];
        var utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        int id = 0;
        try {
            b.getInt(); // max_token_length, unused
            for (; id < vocabSize; id++) {
                scores[id] = b.getFloat();
                int len = b.getInt();
                if (len < 0 || len > b.remaining()) throw new BufferUnderflowException();
                ByteBuffer piece = b.slice(b.position(), len);
                b.position(b.position() + len);
                String text = utf8.decode(piece).toString();
                int type;
                if (id == 0) { text = "<unk>"; type = UNKNOWN; }
                else if (id == 1) { text = "<s>"; type = CONTROL; }
                else if (id == 2) { text = "</s>"; type = CONTROL; }
                else if (text.isEmpty()) type = CONTROL;
                else if (isByteToken(text)) type = BYTE;
                else type = NORMAL;
                tokens[id] = text.replace(' ', '\u2581');
                types[id] = type;
            }
        } catch (BufferUnderflowException e) {
            throw new ToolsException(tokenizerBin + " is truncated or not a llama2.c tokenizer: token " + id
                    + " of " + vocabSize + " cannot be read");
        } catch (CharacterCodingException e) {
            throw new ToolsException(tokenizerBin + ": token " + id + " is not valid UTF-8");
        }
        Map<String, GGUFValue> kv = new LinkedHashMap<>();
        kv.put("tokenizer.ggml.tokens", GGUFValue.array(GGUFValueType.STRING, tokens));
        kv.put("tokenizer.ggml.scores", GGUFValue.array(GGUFValueType.FLOAT32, scores));
        kv.put("tokenizer.ggml.token_type", GGUFValue.array(GGUFValueType.INT32, types));
        kv.put("tokenizer.ggml.model", GGUFValue.string("llama"));
        kv.put("tokenizer.ggml.unknown_token_id", GGUFValue.u32(0));
        kv.put("tokenizer.ggml.bos_token_id", GGUFValue.u32(1));
        kv.put("tokenizer.ggml.eos_token_id", GGUFValue.u32(2));
        kv.put("tokenizer.ggml.seperator_token_id", GGUFValue.u32(NO_TOKEN));
        kv.put("tokenizer.ggml.padding_token_id", GGUFValue.u32(NO_TOKEN));
        return kv;
    }

    /** What llama.cpp's {@code sscanf(text, "<0x%02hhX>", ...) == 1} accepts: "<0x" then a hex digit. */
    static boolean isByteToken(String text) {
        return text.length() > 3 && text.startsWith("<0x") && Character.digit(text.charAt(3), 16) >= 0;
    }
}
