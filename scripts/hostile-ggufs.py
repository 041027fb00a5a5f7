#!/usr/bin/env python3
"""Writes the hostile GGUF regression files: one small crafted copy of a valid tiny model per attack class
(published loader bugs of llama.cpp, ggml and Ollama) and per loader check, and a MANIFEST.tsv saying what each
must give. Usage: scripts/hostile-ggufs.py BASE.gguf OUT_DIR

BASE is `shovel synth -o base.gguf --dim 16 --layers 2 --heads 2 --kv-heads 1 --ffn 32 --ctx 128 --tied --seed 7
--vocab-from stories260K.gguf` (a 512-token SentencePiece vocabulary, f32 weights, 64 KB).
"""
import copy
import os
import struct
import sys

U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)
FMT = {U8: '<B', I8: '<b', U16: '<H', I16: '<h', U32: '<I', I32: '<i', F32: '<f', BOOL: '<?', U64: '<Q', I64: '<q', F64: '<d'}


class Reader:
    def __init__(self, b):
        self.b, self.pos = b, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.b, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return v

    def raw(self, n):
        v = self.b[self.pos:self.pos + n]
        self.pos += n
        return v

    def value(self, t):
        if t == STR:
            return self.raw(self.take('<Q'))
        if t == ARR:
            et, n = self.take('<I'), self.take('<Q')
            return (et, [self.value(et) for _ in range(n)])
        return self.take(FMT[t])


def parse(b):
    r = Reader(b)
    assert r.raw(4) == b'GGUF'
    g = {'version': r.take('<I')}
    nt, nkv = r.take('<Q'), r.take('<Q')
    g['kv'] = []
    for _ in range(nkv):
        k = r.raw(r.take('<Q'))
        t = r.take('<I')
        g['kv'].append([k.decode(), t, r.value(t)])
    g['tensors'] = []
    for _ in range(nt):
        name = r.raw(r.take('<Q')).decode()
        nd = r.take('<I')
        dims = [r.take('<Q') for _ in range(nd)]
        g['tensors'].append({'name': name, 'dims': dims, 'type': r.take('<I'), 'offset': r.take('<Q')})
    start = (r.pos + 31) // 32 * 32
    g['data'] = b[start:]
    return g


def enc_value(t, v):
    if t == STR:
        return struct.pack('<Q', len(v)) + v
    if t == ARR:
        et, items = v
        return struct.pack('<IQ', et, len(items)) + b''.join(enc_value(et, x) for x in items)
    return struct.pack(FMT[t], v)


def write(g, align=32):
    out = bytearray(b'GGUF' + struct.pack('<IQQ', g['version'], len(g['tensors']), len(g['kv'])))
    for k, t, v in g['kv']:
        kb = k.encode() if isinstance(k, str) else k
        out += struct.pack('<Q', len(kb)) + kb + struct.pack('<I', t) + enc_value(t, v)
    for ti in g['tensors']:
        nb = ti['name'].encode()
        out += struct.pack('<Q', len(nb)) + nb + struct.pack('<I', len(ti['dims']))
        out += b''.join(struct.pack('<q', d) for d in ti['dims'])
        out += struct.pack('<Iq', ti['type'], ti['offset'])
    out += b'\0' * ((-len(out)) % align)
    return bytes(out + g['data'])


def kv(g, key):
    for e in g['kv']:
        if e[0] == key:
            return e
    raise KeyError(key)


def set_kv(g, key, t, v):
    for e in g['kv']:
        if e[0] == key:
            e[1], e[2] = t, v
            return g
    g['kv'].append([key, t, v])
    return g


def del_kv(g, key):
    g['kv'] = [e for e in g['kv'] if e[0] != key]
    return g


def tensor(g, name):
    return next(t for t in g['tensors'] if t['name'] == name)


def patch(b, marker, skip, fmt, value):
    """Overwrites the field `skip` bytes after the first `marker` in the serialized file."""
    b = bytearray(b)
    struct.pack_into(fmt, b, b.index(marker) + len(marker) + skip, value)
    return bytes(b)


def main(base_path, out):
    base = open(base_path, 'rb').read()
    g0 = parse(base)
    cases = []
    scope = ['all']  # 'all': every command meets the problem; 'model': tokenize (the vocabulary alone) may run

    def case(name, expect, fragments, attack, g=None, data=None, only=None):
        b = data if data is not None else write(g)
        with open(os.path.join(out, name + '.gguf'), 'wb') as f:
            f.write(b)
        cases.append((name + '.gguf', expect, only or scope[0], '|'.join(fragments), attack))

    def m():
        return copy.deepcopy(g0)

    case('base', 'ok', [], 'the valid model the others are made from', g0)

    # published attacks
    g = m(); tensor(g, 'blk.0.attn_q.weight')['dims'] = [16, 1 << 62]
    case('dims-overflow', 'error', ['blk.0.attn_q.weight', '[16, 4611686018427387904]', '2^63'],
         'llama.cpp PR #18674: tensor dims x stride overflow', g)
    g = m(); tensor(g, 'blk.0.attn_q.weight')['dims'] = [1 << 40, 1 << 21]
    case('bytes-overflow', 'error', ['blk.0.attn_q.weight', '2^63 bytes'], 'dims whose byte size, not element count, overflows', g)
    case('string-length-huge', 'error', ['general.architecture', 'length of 1099511627776', 'limit'],
         'llama.cpp issue #19003: unbounded string length', data=patch(base, b'general.architecture', 4, '<Q', 1 << 40))
    case('string-length-eof', 'error', ['truncated'], 'a string that runs past the end of the file',
         data=patch(base, b'general.architecture', 4, '<Q', 1 << 20))
    g = m(); kv(g, 'tokenizer.ggml.tokens')[2] = (I32, list(range(512)))
    case('array-type-tokens', 'error', ['tokenizer.ggml.tokens'], 'llama.cpp PR #26690: array element type not checked before a cast', g)
    g = m(); kv(g, 'tokenizer.ggml.scores')[2] = (STR, [b'x'] * 512)
    case('array-type-scores', 'error', ['tokenizer.ggml.scores'], 'PR #26690: scores as strings', g)
    g = m(); set_kv(g, 'general.alignment', U32, 1 << 31)
    case('alignment-huge', 'error', ['general.alignment', '2147483648'], 'ggml PR #1516: unbounded general.alignment', g)
    g = m(); set_kv(g, 'general.alignment', U32, 0)
    case('alignment-zero', 'error', ['general.alignment', ' 0 '], 'general.alignment 0 (division by zero)', g)
    g = m(); kv(g, 'tokenizer.ggml.tokens')[2][1][3] = b'<0x-1>'
    case('byte-token-negative', 'any', [], 'llama.cpp PR #25969 / CVE-2025-49847 class: a <0x-1> byte token', g)
    g = m(); kv(g, 'tokenizer.ggml.tokens')[2][1][4] = b'<0x1FF>'
    case('byte-token-wide', 'any', [], 'a byte token over 0xFF', g)
    g = m(); set_kv(g, 'llama.block_count', U32, 1 << 30)
    case('block-count-huge', 'error', ['llama.block_count', '1073741824', '4096'],
         'block_count 2^30 (grew a per-layer list until the heap was gone)', g, only='model')
    case('tensor-count-huge', 'error', ['tensor count', 'limit'], 'ollama #17042 class: a tiny file that claims huge counts',
         data=base[:8] + struct.pack('<Q', 1 << 60) + base[16:])
    case('kv-count-huge', 'error', ['metadata entry count', 'limit'], 'a header that claims 2^60 metadata entries',
         data=base[:16] + struct.pack('<Q', 1 << 60) + base[24:])
    case('kv-count-eof', 'error', ['truncated'], 'a metadata count within the limit but past the end of the file',
         data=base[:16] + struct.pack('<Q', 60000) + base[24:])
    case('array-count-huge', 'error', ['tokenizer.ggml.scores', 'limit'], 'an array that claims 2^40 elements',
         data=patch(base, b'tokenizer.ggml.scores', 8, '<Q', 1 << 40))
    case('array-count-eof', 'error', ['tokenizer.ggml.scores', 'truncated'], 'an array longer than the rest of the file',
         data=patch(base, b'tokenizer.ggml.scores', 8, '<Q', 1 << 22))

    # the format's other counts, sizes and offsets
    g = m(); set_kv(g, 'x.nested', ARR, (ARR, [(ARR, [(ARR, [(ARR, [(ARR, [(U8, [1])])])])])]))
    case('array-nesting', 'error', ['x.nested', 'deeper'], 'arrays nested in arrays', g)
    g = m(); tensor(g, 'blk.0.attn_q.weight')['type'] = 99
    case('tensor-type-unknown', 'error', ['blk.0.attn_q.weight', '99'], 'an unknown ggml type id', g)
    g = m(); tensor(g, 'blk.0.attn_q.weight')['dims'] = [16, 0]
    case('dims-zero', 'error', ['blk.0.attn_q.weight', 'positive'], 'a zero dimension', g)
    g = m(); tensor(g, 'blk.0.attn_q.weight')['dims'] = [16, -16]
    case('dims-negative', 'error', ['blk.0.attn_q.weight', 'positive'], 'a negative dimension', g)
    g = m(); tensor(g, 'blk.0.attn_q.weight')['dims'] = [16, 4, 2, 1, 1]
    case('dims-five', 'error', ['blk.0.attn_q.weight', '5 dimensions'], 'more than GGML_MAX_DIMS dimensions', g)
    g = m(); t = tensor(g, 'blk.0.attn_q.weight'); t['type'] = 8  # q8_0: 32-element blocks
    case('row-not-blocks', 'error', ['blk.0.attn_q.weight', 'multiple of 32'], 'a quantized row that is not whole blocks', g)
    g = m(); tensor(g, 'blk.1.ffn_down.weight')['offset'] += 1
    case('offset-misaligned', 'error', ['blk.1.ffn_down.weight', 'aligned'], 'a tensor offset off the alignment', g)
    g = m(); tensor(g, 'blk.1.ffn_down.weight')['offset'] = (1 << 63) - 32
    case('offset-huge', 'error', ['blk.1.ffn_down.weight', 'truncated'], 'a tensor offset near 2^63 (offset + size overflows)', g)
    g = m(); tensor(g, 'blk.1.ffn_down.weight')['offset'] = -32
    case('offset-negative', 'error', ['blk.1.ffn_down.weight', 'negative offset -32'], 'a negative tensor offset', g)
    case('truncated-data', 'error', ['truncated'], 'the file cut short in the tensor data', data=base[:-1000])
    case('truncated-header', 'error', ['truncated'], 'the file cut short in the metadata', data=base[:3000])
    g = m(); g['kv'].append(['general.name', STR, b'again'])
    case('duplicate-key', 'error', ['duplicate metadata key general.name'], 'a metadata key given twice', g)
    g = m(); g['tensors'].append(dict(tensor(g, 'blk.0.attn_q.weight')))
    case('duplicate-tensor', 'error', ['duplicate tensor blk.0.attn_q.weight'], 'a tensor given twice', g)
    g = m(); tensor(g, 'blk.0.attn_q.weight')['name'] = 'blk.0.' + 'x' * 300
    case('tensor-name-long', 'error', ['name of tensor', 'limit of 255'], 'a tensor name over 255 bytes', g)
    g = m(); set_kv(g, 'general.architecture', U32, 7)
    case('key-type-wrong', 'error', ['general.architecture'], 'a string key stored as an integer', g)
    case('value-type-unknown', 'error', ['llama.block_count', 'unknown value type 99'], 'an unknown metadata value type',
         data=patch(base, b'llama.block_count', 0, '<I', 99))

    # the hyper-parameters, as a set
    scope[0] = 'model'
    g = m(); set_kv(g, 'llama.block_count', U32, 3)
    case('block-count-more', 'error', ['llama.block_count = 3', 'no tensors of block 2'], 'block_count above the blocks present', g)
    g = m(); set_kv(g, 'llama.block_count', U32, 1)
    case('block-count-less', 'error', ['llama.block_count = 1', 'blk.1.'], 'tensors beyond block_count', g)
    g = m(); set_kv(g, 'llama.block_count', U32, 0)
    case('block-count-zero', 'error', ['llama.block_count = 0'], 'no blocks', g)
    g = m(); set_kv(g, 'llama.embedding_length', U64, 1 << 40)
    case('embd-huge', 'error', ['llama.embedding_length = 1099511627776'], 'an embedding width over the int range', g)
    g = m(); set_kv(g, 'llama.attention.head_count', U32, 0)
    case('heads-zero', 'error', ['llama.attention.head_count = 0'], 'no attention heads', g)
    g = m(); set_kv(g, 'llama.attention.head_count', U32, 3)
    case('heads-not-dividing', 'error', ['head_count', '3'], 'a head count that divides neither the width nor the KV heads', g)
    g = m(); set_kv(g, 'llama.attention.head_count_kv', U32, 4)
    case('kv-heads-more', 'error', ['llama.attention.head_count_kv = 4'], 'more KV heads than heads', g)
    g = m(); set_kv(g, 'llama.attention.head_count_kv', I32, -1)
    case('kv-heads-negative', 'error', ['llama.attention.head_count_kv = -1'], 'a negative KV head count', g)
    g = m(); set_kv(g, 'llama.feed_forward_length', U32, 0)
    case('ffn-zero', 'error', ['llama.feed_forward_length = 0'], 'no feed-forward width', g)
    g = m(); set_kv(g, 'llama.context_length', U32, 0xFFFFFFFF)
    case('context-huge', 'error', ['llama.context_length = 4294967295'], 'a 2^32 context', g)
    g = m(); set_kv(g, 'llama.rope.dimension_count', U32, 7)
    case('rope-dims-odd', 'error', ['llama.rope.dimension_count = 7', 'even'], 'an odd number of rotary dimensions', g)
    g = m(); set_kv(g, 'llama.rope.freq_base', F32, float('nan'))
    case('rope-base-nan', 'error', ['llama.rope.freq_base', 'NaN'], 'a NaN RoPE base', g)
    g = m(); set_kv(g, 'llama.expert_count', U32, 1 << 20); set_kv(g, 'llama.expert_used_count', U32, 2)
    case('experts-huge', 'error', ['llama.expert_count = 1048576'], 'a million experts', g)
    g = m(); set_kv(g, 'general.architecture', STR, b'evil')
    case('arch-unknown', 'error', ['evil'], 'an architecture Shovel does not know', g)
    g = m(); g['tensors'] = [t for t in g['tensors'] if t['name'] != 'blk.1.attn_q.weight']
    case('tensor-missing', 'error', ['blk.1.attn_q.weight'], 'a weight the forward pass needs is absent', g)
    g = m(); tensor(g, 'blk.1.attn_q.weight')['dims'] = [8, 32]
    case('tensor-shape-wrong', 'error', ['blk.1.attn_q.weight', '[8, 32]', 'expected [16, 16]'], 'a weight of the wrong shape', g)
    g = m(); tensor(g, 'token_embd.weight')['dims'] = [16, 256]
    case('vocab-vs-embd', 'error', ['512 tokens', '256 rows'], 'fewer embedding rows than tokens', g)

    # the vocabulary
    scope[0] = 'all'
    g = m(); kv(g, 'tokenizer.ggml.scores')[2][1].pop()
    case('scores-short', 'error', ['tokenizer.ggml.scores'], 'scores and tokens of different lengths', g)
    g = m(); kv(g, 'tokenizer.ggml.token_type')[2][1].append(1)
    case('token-types-long', 'error', ['tokenizer.ggml.token_type'], 'token types and tokens of different lengths', g)
    g = m(); set_kv(g, 'tokenizer.ggml.bos_token_id', U32, 100000)
    case('bos-out-of-range', 'warning', ['bos', '100000'], 'a special-token id outside the vocabulary (ignored, as llama.cpp)', g)
    g = m(); set_kv(g, 'tokenizer.ggml.eos_token_id', I32, -7)
    case('eos-negative', 'warning', ['eos', '-7'], 'a negative special-token id (ignored)', g)
    g = m(); set_kv(g, 'tokenizer.ggml.model', STR, b'evil')
    case('tokenizer-unknown', 'error', ['evil'], 'an unknown tokenizer model', g)
    g = m(); kv(g, 'tokenizer.ggml.tokens')[2] = (STR, [])
    case('vocab-empty', 'error', ['tokenizer.ggml.tokens'], 'an empty vocabulary', g)

    # chat templates: the model runs; `chat` and `serve` answer a turn with the template's one-line error
    for name, text, fragment, attack in [
        ('template-repeat', "{{ 'a' * 10**12 }}", 'exceeds the limit', "string repetition ('a' * 10**12)"),
        ('template-range', '{% for i in range(10**12) %}x{% endfor %}', 'Range too big', 'range(10**12)'),
        ('template-recursion', '{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}', 'recursion exceeds', 'a macro that calls itself'),
        ('template-doubling', "{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
         "{{ ns.s }}", 'exceeds the limit', 'a string doubled in a loop')]:
        g = m(); set_kv(g, 'tokenizer.chat_template', STR, text.encode())
        case(name, 'ok', [fragment], 'chat template: ' + attack, g)

    with open(os.path.join(out, 'MANIFEST.tsv'), 'w') as f:
        f.write('# file\texpect (error: non-zero exit and one line with every fragment; warning: runs, and warns with them;'
                ' ok: runs; any: either, cleanly)\tscope (all: every command; model: not tokenize)\tfragments\tattack\n')
        for c in cases:
            f.write('\t'.join(c) + '\n')
    print(f'wrote {len(cases)} files to {out}')


def tiny(base_path, out_path):
    """A 1-layer model of width 4 with BASE's first 16 tokens (about 1.5 KB): a seed for the fuzz harnesses."""
    g = parse(open(base_path, 'rb').read())
    n, e = 16, 4
    for key, v in [('llama.embedding_length', e), ('llama.block_count', 1), ('llama.feed_forward_length', e),
                   ('llama.attention.head_count', 1), ('llama.attention.head_count_kv', 1),
                   ('llama.rope.dimension_count', e), ('llama.context_length', 16), ('llama.vocab_size', n)]:
        set_kv(g, key, U32, v)
    for key in ('tokenizer.ggml.tokens', 'tokenizer.ggml.scores', 'tokenizer.ggml.token_type'):
        et, items = kv(g, key)[2]
        kv(g, key)[2] = (et, items[:n])
    data, tensors = bytearray(), []
    for t in g['tensors']:
        if t['name'].startswith('blk.') and not t['name'].startswith('blk.0.'):
            continue
        dims = [e] if len(t['dims']) == 1 else [e, n if t['name'] == 'token_embd.weight' else e]
        count = dims[0] * (dims[1] if len(dims) > 1 else 1)
        tensors.append({'name': t['name'], 'dims': dims, 'type': 0, 'offset': len(data)})
        data += struct.pack('<%df' % count, *[((i * 37) % 11 - 5) / 10 for i in range(count)])
        data += b'\0' * ((-len(data)) % 32)
    g['tensors'], g['data'] = tensors, bytes(data)
    open(out_path, 'wb').write(write(g))


if __name__ == '__main__':
    if sys.argv[1] == '--tiny':
        tiny(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1], sys.argv[2])
