package dev.shovel.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON schema to GBNF: texts each schema must accept and reject, and the schemas it must refuse with a clear message. */
class JsonSchemaGrammarTest {

    /** Schemas are written with ' for " to keep them readable. */
    private static Grammar grammar(String schema) {
        return Grammar.fromJsonSchema(schema.replace('\'', '"'));
    }

    private static void check(String schema, List<String> accept, List<String> reject) {
        Grammar g = grammar(schema);
        for (String s : accept) assertTrue(g.matches(s), () -> "should accept " + s + " under " + schema + "\n" + g.source());
        for (String s : reject) assertFalse(g.matches(s), () -> "should reject " + s + " under " + schema + "\n" + g.source());
    }

    private static void refused(String schema, String message) {
        GrammarException e = assertThrows(GrammarException.class, () -> JsonSchemaGrammar.toGbnf(schema.replace('\'', '"')));
        assertTrue(e.getMessage().contains(message), () -> "message '" + e.getMessage() + "' should contain '" + message + "'");
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    // ---- errors ----

    @Test
    void unsupportedKeywordsAreNamedWithTheirPath() {
        refused("{'type':'object','properties':{'age':{'type':'integer','multipleOf':2}}}", "unsupported keyword 'multipleOf' at #/properties/age");
        refused("{'not':{'type':'string'}}", "unsupported keyword 'not' at #");
        refused("{'type':'array','items':{'if':{},'then':{}}}", "unsupported keyword 'if' at #/items");
        refused("{'type':'array','uniqueItems':true}", "unsupported keyword 'uniqueItems'");
        refused("{'type':'object','patternProperties':{'a':{}}}", "unsupported keyword 'patternProperties'");
        refused("{'type':'object','minProperties':1}", "unsupported keyword 'minProperties'");
        refused("{'type':'object','dependentRequired':{}}", "unsupported keyword 'dependentRequired'");
        refused("{'type':'array','contains':{}}", "unsupported keyword 'contains'");
        refused("{'$defs':{'a':{'type':'number','minimum':1}},'$ref':'#/$defs/a'}", "unsupported keyword 'minimum' on non-integer numbers at #/$defs/a");
        refused("{'minimum':1}", "unsupported keyword 'minimum' on non-integer numbers");
        refused("{'type':'integer','exclusiveMinimum':true,'minimum':1}", "'exclusiveMinimum' as a boolean");
        refused("{'properties':{'a/b~':{'nullable':true}}}", "unsupported keyword 'nullable' at #/properties/a~1b~0");
        refused("{'type':'string','format':'uri'}", "unsupported format 'uri'");
        refused("{'type':'string','pattern':'(a)\\\\1'}", "unsupported pattern");
        refused("{'type':'string','pattern':'(?=a)'}", "unsupported pattern");
        refused("{'type':'array','items':[{}]}", "'items' as an array");
        refused("{'$id':'http://a/','properties':{'x':{'$id':'b','$defs':{}}}}", "unsupported keyword '$id' in a nested schema");
    }

    @Test
    void malformedJsonAndBadRefs() {
        refused("{'type':", "the JSON schema is not valid JSON");
        refused("{'a':1,'a':2}", "the JSON schema is not valid JSON");
        refused("{'type':'object'} x", "the JSON schema is not valid JSON");
        refused("{'$ref':'#/$defs/missing'}", "bad $ref '#/$defs/missing'");
        refused("{'properties':{'x':{'$ref':'#/definitions/y'}}}", "bad $ref '#/definitions/y': nothing there at #/properties/x");
        refused("{'$ref':'http://example.com/s.json'}", "unsupported $ref");
        refused("{'$ref':'#foo'}", "anchors are not supported");
        refused("{'$ref':'#/type','type':'string'}", "not a schema");
        refused("{'type':'strin'}", "bad 'type'");
        refused("{'type':'string','minLength':-1}", "'minLength' must be a non-negative integer");
        refused("[1]", "a schema must be an object or a boolean");
    }

    @Test
    void unsatisfiableSchemas() {
        refused("{'type':'string','minLength':5,'maxLength':3}", "minLength 5 is above maxLength 3");
        refused("{'type':'integer','minimum':5,'maximum':4}", "no integer lies between minimum 5 and maximum 4");
        refused("{'type':'integer','exclusiveMinimum':1,'exclusiveMaximum':2}", "no integer");
        refused("{'type':'array','minItems':3,'maxItems':2}", "no array can have between 3 and 2 items");
        refused("{'type':'array','prefixItems':[{}],'items':false,'minItems':2}", "no array");
        refused("false", "schema 'false' can never be satisfied");
        refused("{'type':'object','properties':{'a':false},'required':['a']}", "schema 'false'");
        refused("{'type':'object','required':['a'],'additionalProperties':false}", "required property 'a' is not allowed");
        refused("{'allOf':[{'type':'string'},{'type':'integer'}]}", "types have nothing in common");
        refused("{'type':'string','format':'date','maxLength':9}", "format 'date' cannot have a length in [0, 9]");
        refused("{'type':'string','format':'uuid','minLength':37}", "format 'uuid'");
        refused("{'type':'string','format':'email','maxLength':5}", "format 'email'");
        refused("{'type':'string','pattern':'^a{3}$','maxLength':2}", "has no match with a length");
        refused("{'enum':[1,2],'type':'string'}", "no value of 'enum'/'const'");
        refused("{'anyOf':[{'type':'string','maxLength':1,'minLength':2},false]}", "no alternative of 'anyOf'");
        refused("{'$defs':{'d':{'$ref':'#/$defs/e'},'e':{'$ref':'#/$defs/d'}},'$ref':'#/$defs/d'}", "only refers to itself");
        refused("{'allOf':[{'$ref':'#'}]}", "only refers to itself");
        refused("{'$defs':{'n':{'type':'object','properties':{'next':{'$ref':'#/$defs/n'}},'required':['next']}},'$ref':'#/$defs/n'}",
                "no finite valid JSON value");
    }

    // ---- accepted and rejected texts ----

    @Test
    void primitives() {
        check("{'type':'string'}", List.of("\"\"", "\"a b\"", "\"\\n\\u00e9\\\"\\\\\\/\"", "\"日本😀\""),
                List.of("\"", "\"\\ud800\"", "\"\\x\"", "\"a\nb\"", "\"\\u12\"", "'a'", "\"a\" "));
        check("{'type':'number'}", List.of("0", "-1", "1.5", "1e10", "-0.25E-3", "1234567890123456"),
                List.of("01", "1.", ".5", "+1", "1e", "12345678901234567", "1.12345678901234567", "1e123", "NaN"));
        check("{'type':'integer'}", List.of("0", "7", "-42", "9999999999999999"), List.of("-0", "007", "1.0", "1e2", "10000000000000000"));
        check("{'type':'boolean'}", List.of("true", "false"), List.of("True", "1", "null"));
        check("{'type':'null'}", List.of("null"), List.of("nul", "\"null\""));
        check("{'type':['string','null']}", List.of("null", "\"x\""), List.of("1"));
        check("{}", List.of("{}", "[1,{\"a\":null}]", "\"s\"", "-1.5", "true"), List.of("", "{", "[1,]"));
    }

    @Test
    void whitespaceIsBounded() {
        check("{'type':'array','items':{'type':'integer'}}", List.of("[]", "[ ]", "[1,2]", "[ 1 , 2 ]", "[\n  1,\n  2\n]"),
                List.of(" []", "[  1]", "[1,,2]", "[1,]", "[\n" + " ".repeat(21) + "1]", "[\t1]"));
    }

    @Test
    void stringLengthsCountCodePoints() {
        check("{'type':'string','minLength':2,'maxLength':3}", List.of("\"ab\"", "\"日本\"", "\"😀😀😀\"", "\"\\n\\\"\"", "\"\\u0041bc\""),
                List.of("\"a\"", "\"abcd\"", "\"😀\""));
    }

    @Test
    void integerRanges() {
        check("{'type':'integer','minimum':-15,'maximum':120}", List.of("-15", "-9", "-1", "0", "9", "10", "99", "100", "120"),
                List.of("-16", "-0", "121", "200", "1000", "-100", "007"));
        check("{'type':'integer','exclusiveMinimum':0,'exclusiveMaximum':10}", List.of("1", "9"), List.of("0", "10"));
        check("{'type':'integer','minimum':2.5,'maximum':7.5}", List.of("3", "7"), List.of("2", "8"));
        check("{'type':'integer','minimum':1000}", List.of("1000", "1001", "99999", "9999999999999999"), List.of("999", "0", "-1000"));
        check("{'type':'integer','maximum':-5}", List.of("-5", "-6", "-100", "-9999999999999999"), List.of("-4", "0", "5"));
        check("{'type':'integer','minimum':123456789012345678901234567890,'maximum':123456789012345678901234567899}",
                List.of("123456789012345678901234567890", "123456789012345678901234567895", "123456789012345678901234567899"),
                List.of("123456789012345678901234567889", "123456789012345678901234567900", "12345678901234567890123456789"));
        check("{'type':'integer','minimum':0,'maximum':0}", List.of("0"), List.of("-0", "1"));
        check("{'type':'integer','minimum':19,'maximum':2031}", List.of("19", "20", "99", "100", "999", "1000", "1999", "2000", "2029", "2030", "2031"),
                List.of("18", "2032", "2040", "2100", "9"));
    }

    @Test
    void integerRangesMatchExactlyTheirMembers() {
        int[][] ranges = {{-25, 25}, {7, 7}, {0, 99}, {1, 100}, {-101, -99}, {5, 1234}, {-1000, -1}, {88, 312}};
        for (int[] r : ranges) {
            Grammar g = grammar("{'type':'integer','minimum':" + r[0] + ",'maximum':" + r[1] + "}");
            for (int v = -1200; v <= 1300; v++) {
                assertEquals(v >= r[0] && v <= r[1], g.matches(Integer.toString(v)), "value " + v + " in [" + r[0] + ", " + r[1] + "]");
            }
        }
    }

    @Test
    void calendarDates() {
        check("{'type':'string','format':'date'}",
                List.of("\"2024-02-29\"", "\"2000-02-29\"", "\"2023-02-28\"", "\"1996-02-29\"", "\"0000-02-29\"", "\"2023-01-31\"", "\"2023-04-30\"",
                        "\"2023-12-31\"", "\"9999-12-31\""),
                List.of("\"2023-02-29\"", "\"1900-02-29\"", "\"2100-02-29\"", "\"2024-02-30\"", "\"2023-04-31\"", "\"2023-13-01\"",
                        "\"2023-00-10\"", "\"2023-01-00\"", "\"2023-1-01\"", "\"23-01-01\""));
    }

    @Test
    void leapYearsOverFourCenturies() {
        Grammar g = grammar("{'type':'string','format':'date'}");
        for (int y = 1600; y < 2401; y++) {
            boolean leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
            assertEquals(leap, g.matches("\"" + y + "-02-29\""), "year " + y);
        }
    }

    @Test
    void timesAndDateTimes() {
        check("{'type':'string','format':'time'}", List.of("\"00:00:00Z\"", "\"23:59:59+01:00\"", "\"12:30:15.123456789-05:30\""),
                List.of("\"24:00:00Z\"", "\"12:60:00Z\"", "\"12:00:60Z\"", "\"12:00:00\"", "\"12:00Z\"", "\"12:00:00.Z\"", "\"12:00:00+1:00\""));
        check("{'type':'string','format':'date-time'}", List.of("\"2024-02-29T23:59:59Z\"", "\"1999-12-31T00:00:00.5+14:00\""),
                List.of("\"2023-02-29T00:00:00Z\"", "\"2024-01-01 00:00:00Z\"", "\"2024-01-01T00:00:00\""));
        check("{'type':'string','format':'time','maxLength':12}", List.of("\"00:00:00Z\"", "\"00:00:00.12Z\""),
                List.of("\"00:00:00.123Z\"", "\"00:00:00+01:00\""));
        check("{'type':'string','format':'time','minLength':15}", List.of("\"00:00:00.12345Z\"", "\"00:00:00.1+01:00\""),
                List.of("\"00:00:00Z\"", "\"00:00:00.1234Z\"", "\"00:00:00+01:00\""));
    }

    @Test
    void uuidsAndEmails() {
        check("{'type':'string','format':'uuid'}", List.of("\"123e4567-e89b-12d3-a456-426614174000\"", "\"ABCDEF01-2345-6789-abcd-ef0123456789\""),
                List.of("\"123e4567e89b12d3a456426614174000\"", "\"123e4567-e89b-12d3-a456-42661417400g\""));
        check("{'type':'string','format':'email'}", List.of("\"a@b.io\"", "\"john.doe+tag@mail-server.example.com\"", "\"x_y-z@a1.co\""),
                List.of("\"a@b\"", "\".a@b.io\"", "\"a.@b.io\"", "\"a..b@c.io\"", "\"a@-b.io\"", "\"a@b-.io\"", "\"a@b.zz\"",
                        "\"" + "a".repeat(65) + "@b.io\"", "\"a@" + "b".repeat(64) + ".io\""));
        Grammar g = grammar("{'type':'string','format':'email','minLength':10,'maxLength':12}");
        assertTrue(g.matches("\"abc@def.io\""));
        assertTrue(g.matches("\"abcd@efg.com\""));
        assertFalse(g.matches("\"ab@cd.io\""));
        assertFalse(g.matches("\"abcdef@gh.com\""));
    }

    @Test
    void optionalPropertiesInAnySubset() {
        String schema = "{'type':'object','properties':{'a':{'type':'integer'},'b':{'type':'integer'},'c':{'type':'integer'},'d':{'type':'integer'}},'required':['b']}";
        check(schema, List.of("{\"b\":1}", "{\"a\":1,\"b\":2}", "{\"b\":1,\"c\":2}", "{\"b\":1,\"d\":2}", "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}",
                        "{ \"a\" : 1 , \"b\" : 2 }", "{\"b\":1,\"c\":2,\"d\":3}"),
                List.of("{}", "{\"a\":1}", "{\"b\":1,\"a\":2}", "{\"b\":1,}", "{,\"b\":1}", "{\"b\":1,\"e\":2}", "{\"b\":1,\"b\":2}", "{\"b\":\"x\"}"));
        check("{'properties':{'a':{'type':'integer'},'b':{'type':'integer'}}}", List.of("{}", "{\"a\":1}", "{\"b\":1}", "{\"a\":1,\"b\":1}"),
                List.of("{\"b\":1,\"a\":1}", "{,}"));
    }

    @Test
    void additionalProperties() {
        String schema = "{'type':'object','properties':{'id':{'type':'integer'},'name':{'type':'string'}},'additionalProperties':{'type':'integer'}}";
        check(schema, List.of("{}", "{\"id\":1}", "{\"x\":1}", "{\"id\":1,\"x\":2,\"idx\":3,\"nam\":4,\"\":5}", "{\"name\":\"n\",\"i\":1}"),
                List.of("{\"n\\u0061me\":1}", "{\"id\":1,\"id\":2}", "{\"x\":1,\"id\":2}", "{\"id\":1,\"name\":1}", "{\"x\":\"s\"}", "{\"name\":\"a\",\"name\":1}"));
        check("{'properties':{'a\\\"b':{}},'additionalProperties':true}", List.of("{\"a\\\"b\":1}", "{\"a\\\"c\":1}", "{\"a\":1}"),
                List.of("{\"x\":1,\"a\\\"b\":1}"));
        Grammar g = grammar("{'properties':{'a\\\"b':{}},'additionalProperties':true}");
        assertFalse(g.matches("{\"a\":1,\"a\\\"b\":2}"), "extras come after the declared properties");
        check("{'type':'object'}", List.of("{}", "{\"k\":[1,{\"z\":null}]}"), List.of("[]"));
        check("{'type':'object','additionalProperties':false}", List.of("{}"), List.of("{\"a\":1}"));
        check("{'type':'object','required':['z']}", List.of("{\"z\":[]}"), List.of("{}", "{\"y\":1}"));
    }

    @Test
    void enumsAndConsts() {
        check("{'enum':['red','grün','青',null,1.5,[1,{'a':true}]]}", List.of("\"red\"", "\"grün\"", "\"青\"", "null", "1.5", "[1,{\"a\":true}]"),
                List.of("\"blue\"", "\"gr\\u00fcn\"", "1", "[1, {\"a\":true}]"));
        check("{'const':'a\\\"b\\\\c\\n'}", List.of("\"a\\\"b\\\\c\\n\""), List.of("\"a\"", "\"a\\\"b\\\\c\\u000a\""));
        check("{'type':'string','enum':['a','bb','ccc',1],'maxLength':2}", List.of("\"a\"", "\"bb\""), List.of("\"ccc\"", "1"));
    }

    @Test
    void arrays() {
        check("{'type':'array','items':{'type':'boolean'},'minItems':1,'maxItems':3}", List.of("[true]", "[true,false,true]"),
                List.of("[]", "[true,true,true,true]", "[1]"));
        check("{'type':'array','prefixItems':[{'type':'integer'},{'type':'string'}],'items':false}", List.of("[1,\"a\"]", "[1]", "[]"),
                List.of("[1,\"a\",2]", "[\"a\",1]", "[1,]"));
        check("{'type':'array','prefixItems':[{'type':'integer'},{'type':'string'}],'minItems':1,'maxItems':3,'items':{'type':'null'}}",
                List.of("[1]", "[1,\"a\"]", "[1,\"a\",null]"), List.of("[]", "[1,null]", "[1,\"a\",null,null]"));
        check("{'type':'array','prefixItems':[{'type':'integer'}],'items':{'type':'string'},'minItems':3}", List.of("[1,\"a\",\"b\"]", "[1,\"a\",\"b\",\"c\"]"),
                List.of("[1,\"a\"]", "[1,2,3]"));
        check("{'type':'array','maxItems':0}", List.of("[]"), List.of("[1]"));
        check("{'type':'array','minItems':2}", List.of("[1,\"x\"]", "[[],{},null]"), List.of("[1]"));
    }

    @Test
    void patterns() {
        check("{'type':'string','pattern':'^[A-Z]{2}-\\\\d{3,4}$'}", List.of("\"AB-123\"", "\"XY-1234\""), List.of("\"ab-123\"", "\"AB-12\"", "\"AB-12345\""));
        check("{'type':'string','pattern':'^(?:a|bc)+x?$'}", List.of("\"a\"", "\"bcax\"", "\"aaa\""), List.of("\"\"", "\"b\"", "\"xx\""));
        check("{'type':'string','pattern':'^\\\"\\\\\\\\.$'}", List.of("\"\\\"\\\\x\""), List.of("\"\\\"\\\\\\n\"", "\"\\\"x\""));
        check("{'type':'string','pattern':'^[^a]$'}", List.of("\"b\"", "\"\\n\"", "\"\\\"\"", "\"\\u0001\"", "\"\\u001f\"", "\"\\u000b\""),
                List.of("\"a\"", "\"\\u0061\"", "\"\\u000a\"", "\"\\u001F\"", "\"\\u0020\""));
        check("{'type':'string','pattern':'ab'}", List.of("\"ab\"", "\"xxab\"", "\"abyy\"", "\"\\nab\\t\""), List.of("\"a\"", "\"ba\""));
        check("{'type':'string','pattern':'^a.c$'}", List.of("\"abc\"", "\"a c\"", "\"a日c\""), List.of("\"a\\nc\"", "\"ac\""));
        check("{'type':'string','pattern':'^(a?)*b$'}", List.of("\"b\"", "\"aab\""), List.of("\"a\""));
        check("{'type':'string','pattern':'^(a|b?c?)+$'}", List.of("\"\"", "\"ab\"", "\"bcca\""), List.of("\"d\""));
        check("{'type':'string','pattern':'^[a-z]+$','minLength':2,'maxLength':4}", List.of("\"ab\"", "\"abcd\""),
                List.of("\"a\"", "\"abcde\"", "\"AB\""));
        check("{'type':'string','pattern':'x','maxLength':3}", List.of("\"x\"", "\"axb\"", "\"xx\""), List.of("\"abcx\"", "\"ab\""));
        check("{'type':'string','pattern':'^[a-c]{0,8}$','minLength':1,'maxLength':10}", List.of("\"a\"", "\"abcabcab\""), List.of("\"\"", "\"abcabcabc\""));
    }

    @Test
    void refsAndRecursion() {
        String tree = "{'$defs':{'node':{'type':'object','properties':{'v':{'type':'integer'},'kids':{'type':'array','items':{'$ref':'#/$defs/node'}}},"
                + "'required':['v']}},'$ref':'#/$defs/node'}";
        check(tree, List.of("{\"v\":1}", "{\"v\":1,\"kids\":[{\"v\":2},{\"v\":3,\"kids\":[{\"v\":4}]}]}"), List.of("{\"kids\":[]}", "{\"v\":1,\"kids\":[{}]}"));
        check("{'type':'object','properties':{'next':{'$ref':'#'},'x':{'type':'null'}}}", List.of("{}", "{\"next\":{\"next\":{}}}", "{\"next\":{\"x\":null}}"),
                List.of("{\"next\":1}"));
        check("{'definitions':{'a~b/c':{'type':'boolean'}},'items':{'$ref':'#/definitions/a~0b~1c'}}", List.of("[true]"), List.of("[1]"));
        check("{'$defs':{'x y':{'const':1}},'$ref':'#/$defs/x%20y'}", List.of("1"), List.of("2"));
    }

    @Test
    void combinators() {
        check("{'oneOf':[{'type':'object','properties':{'kind':{'const':'circle'},'r':{'type':'number'}},'required':['kind','r']},"
                        + "{'type':'object','properties':{'kind':{'const':'square'},'side':{'type':'number'}},'required':['kind','side']}]}",
                List.of("{\"kind\":\"circle\",\"r\":1}", "{\"kind\":\"square\",\"side\":2}"), List.of("{\"kind\":\"circle\",\"side\":1}"));
        check("{'allOf':[{'type':'object','properties':{'a':{'type':'integer'}},'required':['a']},{'properties':{'b':{'type':'string'}},'required':['b']}]}",
                List.of("{\"a\":1,\"b\":\"x\"}"), List.of("{\"a\":1}", "{\"b\":\"x\"}"));
        check("{'allOf':[{'properties':{'a':{'type':'integer'}},'additionalProperties':false},{'properties':{'b':{'type':'string'}}}]}",
                List.of("{}", "{\"a\":1}"), List.of("{\"b\":\"x\"}", "{\"a\":1,\"b\":\"x\"}"));
        check("{'allOf':[{'type':['integer','string']},{'type':['number','null']}],'minimum':3}", List.of("3", "17"), List.of("2", "\"x\"", "null", "3.5"));
        check("{'type':'string','anyOf':[{'maxLength':1},{'format':'date'}]}", List.of("\"a\"", "\"2024-01-01\""), List.of("\"ab\"", "1"));
        check("{'$defs':{'s':{'type':'string'}},'$ref':'#/$defs/s','maxLength':2}", List.of("\"ab\""), List.of("\"abc\""));
    }

    @Test
    void selfReferencesAreDroppedWhereOptional() {
        String defs = "'$defs':{'d':{'$ref':'#/$defs/d'}}";
        check("{" + defs + ",'anyOf':[{'type':'null'},{'$ref':'#/$defs/d'}]}", List.of("null"), List.of("1"));
        check("{" + defs + ",'properties':{'a':{'$ref':'#/$defs/d'},'b':{'type':'null'}}}", List.of("{}", "{\"b\":null}"), List.of("{\"a\":1}"));
    }

    @Test
    void anyJsonObject() {
        Grammar g = Grammar.parse(JsonSchemaGrammar.anyJsonObjectGbnf());
        assertTrue(g.matches("{\"a\": [1, 2.5e-3, {\"b\": null}], \"c\": \"\\u00e9\"}"));
        assertFalse(g.matches("[]"));
        assertFalse(g.matches("{\"a\":}"));
        assertTrue(Grammar.parse(JsonSchemaGrammar.anyJsonGbnf()).matches("[]"));
    }
}
