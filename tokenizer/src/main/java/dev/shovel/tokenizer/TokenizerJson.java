package dev.shovel.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A Hugging Face tokenizer.json read with a streaming parser: model.vocab and model.merges (hundreds of
 * thousands of entries) go straight into plain collections, everything else into a small JSON tree.
 */
final class TokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    final ObjectNode root;            // without model.vocab / model.merges
    final Map<Integer, String> vocab = new HashMap<>();
    final List<String> merges = new ArrayList<>();
    boolean hasMerges;

    private TokenizerJson(ObjectNode root) { this.root = root; }

    static TokenizerJson read(Path p) {
        try (InputStream in = open(p)) {
            return read(in, p.toString());
        } catch (NoSuchFileException e) {
            throw new TokenizerException("file not found: " + p);
        } catch (IOException e) {
            throw new TokenizerException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** A tokenizer.json from a stream (p names it in messages). */
    static TokenizerJson read(InputStream in, String p) {
        try (JsonParser jp = new JsonFactory().setCodec(JSON).createParser(in)) {
            TokenizerJson t = new TokenizerJson(JSON.createObjectNode());
            expect(jp.nextToken(), JsonToken.START_OBJECT, p);
            while (jp.nextToken() == JsonToken.FIELD_NAME) {
                String field = jp.currentName();
                jp.nextToken();
                if (field.equals("model") && jp.currentToken() == JsonToken.START_OBJECT) {
                    t.root.set("model", t.readModel(jp, p));
                } else {
                    t.root.set(field, jp.readValueAsTree());
                }
            }
            return t;
        } catch (IOException e) {
            throw new TokenizerException("cannot read " + p + ": " + oneLine(e.getMessage()), e);
        }
    }

    /** Jackson's messages add the source location on further lines. */
    static String oneLine(String m) {
        if (m == null) return "";
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private ObjectNode readModel(JsonParser jp, String p) throws IOException {
        ObjectNode model = JSON.createObjectNode();
        while (jp.nextToken() == JsonToken.FIELD_NAME) {
            String field = jp.currentName();
            JsonToken tok = jp.nextToken();
            if (field.equals("vocab") && tok == JsonToken.START_OBJECT) {
                while (jp.nextToken() == JsonToken.FIELD_NAME) {
                    String piece = jp.currentName();
                    expect(jp.nextToken(), JsonToken.VALUE_NUMBER_INT, p);
                    long id = jp.getLongValue();
                    if (id < 0 || id >= TokenizerLimits.MAX_TOKENS) {
                        throw new TokenizerException(p + ": model.vocab id " + id + " is outside [0, "
                            + TokenizerLimits.MAX_TOKENS + ") (the token limit)");
                    }
                    vocab.put((int) id, piece);
                }
                model.put("vocab", true);
            } else if (field.equals("merges") && tok == JsonToken.START_ARRAY) {
                hasMerges = true;
                while ((tok = jp.nextToken()) != JsonToken.END_ARRAY) {
                    if (merges.size() >= TokenizerLimits.MAX_MERGES) {
                        throw new TokenizerException(p + ": model.merges has more than the limit of "
                            + TokenizerLimits.MAX_MERGES + " entries");
                    }
                    if (tok == JsonToken.VALUE_STRING) {
                        merges.add(jp.getText());
                    } else if (tok == JsonToken.START_ARRAY) {
                        expect(jp.nextToken(), JsonToken.VALUE_STRING, p);
                        String a = jp.getText();
                        expect(jp.nextToken(), JsonToken.VALUE_STRING, p);
                        String b = jp.getText();
                        expect(jp.nextToken(), JsonToken.END_ARRAY, p);
                        merges.add(a + " " + b);
                    } else {
                        throw new TokenizerException(p + ": model.merges[" + merges.size() + "] is " + tok
                            + ", expected a string or a pair of strings");
                    }
                }
            } else {
                model.set(field, jp.readValueAsTree());
            }
        }
        return model;
    }

    private static void expect(JsonToken got, JsonToken want, String p) {
        if (got != want) throw new TokenizerException(p + ": malformed tokenizer.json (expected " + want + ", found " + got + ")");
    }

    /** A small JSON file, or null if it does not exist. */
    static JsonNode readOptional(Path p) {
        try (InputStream in = open(p)) {
            return JSON.readTree(in);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new TokenizerException("cannot read " + p + ": " + oneLine(e.getMessage()), e);
        }
    }

    /** A small JSON document from text (null for null text). */
    static JsonNode parse(String json, String p) {
        if (json == null) return null;
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new TokenizerException("cannot read " + p + ": " + oneLine(e.getMessage()), e);
        }
    }

    private static InputStream open(Path p) throws IOException {
        InputStream in = Files.newInputStream(p);
        return p.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }
}
