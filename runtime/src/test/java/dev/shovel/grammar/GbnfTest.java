package dev.shovel.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** GBNF parsing and matching: sentences accepted, others refused, malformed grammars named by line and column. */
class GbnfTest {

    private static void check(String gbnf, List<String> accept, List<String> reject) {
        Grammar g = Grammar.parse(gbnf);
        for (String s : accept) assertTrue(g.matches(s), () -> "should accept '" + s + "' with\n" + gbnf);
        for (String s : reject) assertFalse(g.matches(s), () -> "should reject '" + s + "' with\n" + gbnf);
    }

    @Test
    void literalsAlternationAndGroups() {
        check("root ::= \"ab\" (\"c\" | \"de\") | \"x\"", List.of("abc", "abde", "x"), List.of("", "ab", "abd", "abcx", "xx", "y"));
    }

    @Test
    void repetitions() {
        check("root ::= \"a\"* \"b\"+ \"c\"?", List.of("b", "ab", "aaabbb", "bc", "aabbc"), List.of("", "a", "c", "bcc", "ba"));
        check("root ::= [0-9]{3}", List.of("123", "000"), List.of("12", "1234", "12a"));
        check("root ::= [0-9]{2,}", List.of("12", "123456"), List.of("1", ""));
        check("root ::= [0-9]{1,3} \".\"", List.of("1.", "12.", "123."), List.of(".", "1234."));
        check("root ::= \"ab\"{2}", List.of("abab"), List.of("ab", "aba", "ababab"));
        check("root ::= (\"x\" [yz]){0,2}", List.of("", "xy", "xyxz"), List.of("x", "xyxyxy"));
        check("root ::= [a]{ 2 , 3 }", List.of("aa", "aaa"), List.of("a", "aaaa"));
    }

    @Test
    void characterClasses() {
        check("root ::= [a-cx]+", List.of("abcx", "x"), List.of("d", "abd"));
        check("root ::= [^\"\\\\]*", List.of("", "hello é", "日本"), List.of("a\"", "\\"));
        check("root ::= [\\]\\-^]", List.of("]", "-", "^"), List.of("a"));
        check("root ::= [\\x41-\\x43] [\\u00e9] [\\U0001F600]", List.of("Aé😀", "Cé😀"), List.of("Dé😀", "Ae😀"));
        check("root ::= . .", List.of("ab", "é日", "😀x"), List.of("a", "abc"));
    }

    @Test
    void multiByteCharactersAndEscapes() {
        check("root ::= \"é\" | \"日本\" | \"\\n\\t\\\"\"", List.of("é", "日本", "\n\t\""), List.of("e", "日", "日本語"));
        Grammar g = Grammar.parse("root ::= \"日本\"");
        assertTrue(g.matchesPrefix("日"));
        assertFalse(g.matchesPrefix("本"));
    }

    @Test
    void recursionAndComments() {
        String gbnf = """
                # balanced parentheses
                root ::= item*   # any number
                item ::= "(" root ")"
                   | "x"
                """;
        check(gbnf, List.of("", "x", "()", "(x(x))x", "((()))"), List.of("(", "())", ")("));
    }

    @Test
    void multiLineRules() {
        String gbnf = """
                root ::=
                  "{" ws (
                    pair
                    ("," ws pair)*
                  )? "}"
                pair ::= [a-z]+ ":" ws [0-9]+
                ws ::= [ ]?
                """;
        check(gbnf, List.of("{}", "{ a:1}", "{a: 12, bc:3}"), List.of("{", "{a:}", "{a:1,}"));
    }

    @Test
    void jsonGrammar() {
        String json = """
                root   ::= value
                value  ::= object | array | string | number | ("true" | "false" | "null") ws
                object ::= "{" ws ( string ":" ws value ("," ws string ":" ws value)* )? "}" ws
                array  ::= "[" ws ( value ("," ws value)* )? "]" ws
                string ::= "\\"" ( [^"\\\\\\x7F\\x00-\\x1F] | "\\\\" (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4}) )* "\\"" ws
                number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9]{1,3})? ws
                ws ::= | " " | "\\n" [ \\t]{0,20}
                """;
        check(json, List.of("{\"a\": [1, 2.5, -3e10, \"x\\u00e9\"], \"b\": {\"c\": null}}", "true", "\"日本\""),
                List.of("{\"a\" 1}", "[1,]", "\"a", "{'a': 1}", "01x"));
    }

    @Test
    void errorsNameLineAndColumn() {
        assertError("root ::= \"a\"\nfoo ::= bar", "line 2, column 9: rule 'bar' is not defined");
        assertError("root ::= \"abc", "line 1, column 10: unterminated string literal");
        assertError("root ::= [a-", "line 1, column 10: unterminated character class");
        assertError("root ::= ( \"a\"", "line 1, column 10: unbalanced '('");
        assertError("root ::= \"a\" )", "line 1, column 14: unexpected ')'");
        assertError("root ::= *", "line 1, column 10: '*' has nothing to repeat");
        assertError("root ::= \"a\"{3,2}", "line 1, column 10: repetition {3,2} has its maximum below its minimum");
        assertError("root ::= \"\\q\"", "line 1, column 11: unknown escape '\\q'");
        assertError("root \"a\"", "line 1, column 6: expected '::=' after rule name 'root'");
        assertError("foo ::= \"a\"", "the grammar has no 'root' rule");
        assertError("root ::= \"a\"\nroot ::= \"b\"", "line 2, column 1: rule 'root' is defined twice");
        assertError("root ::= [z-a]", "line 1, column 10: character range U+007A-U+0061 is reversed");
    }

    @Test
    void leftRecursionAndEndlessRulesAreRefused() {
        assertError("root ::= root \"a\" | \"b\"", "line 1, column 1: rule 'root' is left-recursive (root -> root)");
        assertError("root ::= a\na ::= b \"x\"\nb ::= \"c\"? a | \"z\"", "left-recursive");
        assertError("root ::= (\"a\"?)*", "left-recursive");
        assertError("root ::= \"x\" next\nnext ::= \"y\" root", "can never end");
        assertError("root ::= \"a\" | b\nb ::= \"b\" b", "line 2, column 1: rule 'b' can never end");
        assertError("root ::= [^\\x00-\\U0010FFFF]", "can never end");
    }

    @Test
    void hugeRepetitionsAreRefused() {
        assertError("root ::= \"a\"{2000000}", "too large");
        assertError("root ::= (\"a\"{1000}){1000}{1000}", "two repetition operators");
    }

    @Test
    void ambiguityIsBounded() {
        // every split of a run of a's is a different parse: the stacks are deduplicated, so this stays small
        Grammar g = Grammar.parse("root ::= (\"a\" | \"aa\")*");
        assertTrue(g.matches("a".repeat(5000)));
    }

    private static void assertError(String gbnf, String fragment) {
        GrammarException e = assertThrows(GrammarException.class, () -> Grammar.parse(gbnf));
        assertTrue(e.getMessage().contains(fragment), () -> "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        assertEquals(-1, e.getMessage().indexOf('\n'));
    }
}
