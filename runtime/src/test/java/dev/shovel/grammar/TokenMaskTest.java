package dev.shovel.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.chat.ChatFixtures;
import dev.shovel.tokenizer.Tokenizer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The token masks over Qwen3's 151k-token byte-level vocabulary: the trie walk allows exactly the tokens that
 * advancing over each token's bytes alone allows, and, for a regular grammar, exactly the tokens after which
 * {@link java.util.regex} still finds a match possible. Tokens straddle grammar symbols ({@code ": "}) and split
 * UTF-8 characters.
 */
class TokenMaskTest {
    static Tokenizer tok;

    static final String JSON = """
            root   ::= object
            value  ::= object | array | string | number | ("true" | "false" | "null") ws
            object ::= "{" ws ( string ":" ws value ("," ws string ":" ws value)* )? "}" ws
            array  ::= "[" ws ( value ("," ws value)* )? "]" ws
            string ::= "\\"" ( [^"\\\\\\x7F\\x00-\\x1F] | "\\\\" (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4}) )* "\\"" ws
            number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})? ws
            ws ::= | " " | "\\n" [ \\t]{0,20}
            """;

    @BeforeAll
    static void vocab() { tok = Tokenizer.fromHuggingFace(ChatFixtures.qwen3Dir().resolve("tokenizer.json")); }

    /** Token ids the constraint leaves finite. */
    static boolean[] allowed(Constraint c) {
        float[] logits = new float[tok.vocabSize()];
        c.apply(logits, 0, logits.length, -1);
        boolean[] a = new boolean[logits.length];
        for (int i = 0; i < a.length; i++) a[i] = logits[i] == 0f;
        return a;
    }

    @Test
    void trieWalkEqualsTokenByTokenAdvance() {
        Grammar g = Grammar.parse(JSON);
        String[] prefixes = {"", "{", "{\"na", "{\"a\": [1, 2", "{\"k\": \"日", "{\"k\": tr", "{\"k\": -0.5e", "{\"a\":{}}"};
        for (String p : prefixes) {
            Constraint c = Constraint.of(g, tok);
            assertTrue(c.acceptBytes(p.getBytes(StandardCharsets.UTF_8)), p);
            boolean[] a = allowed(c);
            int count = 0;
            for (int t = 0; t < a.length; t++) {
                assertEquals(c.allows(t), a[t], "token " + t + " '" + tok.tokenText(t) + "' after '" + p + "'");
                if (a[t]) count++;
            }
            assertTrue(count > 0, p);
        }
        // a split character: the first two bytes of 日 (E6 97 A5) leave only tokens that start with A5
        Constraint c = Constraint.of(g, tok);
        assertTrue(c.acceptBytes(new byte[] {'{', '"', (byte) 0xE6, (byte) 0x97}));
        boolean[] a = allowed(c);
        for (int t = 0; t < a.length; t++) {
            byte[] b = tok.tokenBytes(t, false);
            boolean expect = b.length > 0 && (b[0] & 0xFF) >= 0x80 && (b[0] & 0xFF) <= 0xBF && c.allows(t);
            assertEquals(expect, a[t], "token " + t);
        }
    }

    @Test
    void masksAgreeWithJavaRegexOnARegularGrammar() {
        Grammar g = Grammar.parse("root ::= \"{\\\"name\\\": \\\"\" [a-zé日本]{1,8} \"\\\", \\\"n\\\": \" (\"0\" | [1-9] [0-9]{0,2}) \"}\"");
        Pattern re = Pattern.compile("\\{\"name\": \"[a-zé日本]{1,8}\", \"n\": (0|[1-9][0-9]{0,2})\\}");
        String[] prefixes = {"", "{\"", "{\"name\": \"", "{\"name\": \"ab", "{\"name\": \"日本é", "{\"name\": \"abcdefgh", "{\"name\": \"x\", \"n\": 1"};
        int checked = 0;
        for (String p : prefixes) {
            assertTrue(g.matchesPrefix(p), p);
            Constraint c = Constraint.of(g, tok);
            assertTrue(c.acceptBytes(p.getBytes(StandardCharsets.UTF_8)));
            boolean[] a = allowed(c);
            for (int t = 0; t < a.length; t++) {
                String piece = utf8(tok.tokenBytes(t, false));
                if (piece == null || piece.isEmpty()) continue; // partial characters: covered above
                Matcher m = re.matcher(p + piece);
                boolean possible = m.matches() || m.hitEnd();
                assertEquals(possible, a[t], "token '" + piece + "' after '" + p + "'");
                checked++;
            }
        }
        assertTrue(checked > 100_000);
    }

    @Test
    void completeSentencesAllowOnlyEndOfGeneration() {
        Grammar g = Grammar.parse("root ::= \"yes\" | \"no\"");
        Constraint c = Constraint.of(g, tok);
        assertTrue(c.acceptBytes("yes".getBytes(StandardCharsets.UTF_8)));
        assertTrue(c.complete() && c.finished());
        boolean[] a = allowed(c);
        for (int t = 0; t < a.length; t++) assertEquals(tok.isEog(t), a[t], "token " + t);
    }

    @Test
    void theBudgetPrefersClosingTokens() {
        Grammar g = Grammar.parse(JSON);
        Constraint c = Constraint.of(g, tok);
        assertTrue(c.acceptBytes("{\"a\": [\"xy".getBytes(StandardCharsets.UTF_8)));
        float[] logits = new float[tok.vocabSize()];
        c.apply(logits, 0, logits.length, 2); // 3 bytes to go, 2 tokens left: only tokens that end the sentence soonest
        int allowed = 0;
        for (int t = 0; t < logits.length; t++) {
            if (logits[t] != 0f) continue;
            String piece = utf8(tok.tokenBytes(t, false));
            assertTrue(piece != null && g.matches("{\"a\": [\"xy" + piece), "allowed '" + piece + "'"); // Qwen3 has a "]} token
            allowed++;
        }
        assertTrue(allowed > 0);
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
