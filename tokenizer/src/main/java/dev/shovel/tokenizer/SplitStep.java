package dev.shovel.tokenizer;

/**
 * One pre-tokenizer regex of llama.cpp's unicode_regex_split: it refines a list of segment lengths (in code
 * points) into a finer one, each segment split independently into matches and the gaps between them.
 */
interface SplitStep {
    IntList apply(SplitText text, IntList lengths);
}
