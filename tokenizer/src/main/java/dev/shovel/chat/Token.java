package dev.shovel.chat;

/** One lexer token. For STRING the text is already unescaped. */
record Token(Kind kind, String text, int line) {
    enum Kind { DATA, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

    boolean is(Kind k, String s) {
        return kind == k && text.equals(s);
    }

    boolean isOp(String s) {
        return is(Kind.OP, s);
    }

    boolean isName(String s) {
        return is(Kind.NAME, s);
    }

    String describe() {
        return switch (kind) {
            case EOF -> "end of template";
            case VAR_END -> "end of print statement";
            case BLOCK_END -> "end of statement block";
            case DATA -> "template data";
            default -> "'" + text + "'";
        };
    }
}
