// Weight kernels. Rows are read in "units" of 32 elements (one ggml block, or a 32-element sub-block of a K-quant
// super-block; layouts as the CPU twins in dev.shovel.ggml). Each type has two decoders: e_T, one element (GPU
// matmul, getRows) and v_T, a whole unit as two float16 (CPU-device matmul); macros make the kernels from them.

#define MM_WG 64   // work-items per output row
#define MM_NB 8    // batch rows per work-group

typedef __global const uchar* wptr;

inline float f16at(wptr p, int i) { return vload_half(i, (__global const half*) p); }

// Element e (0..31) of unit u: the decoders the matmul work-items use, lane e of a unit on work-item e, so
// neighbouring work-items read neighbouring bytes (coalesced on GPUs, vector loads on CPU devices).
inline float e_f32(wptr row, int u, int e) { return ((__global const float*) row)[32 * u + e]; }

inline float e_f16(wptr row, int u, int e) { return vload_half(32 * u + e, (__global const half*) row); }

inline float e_q8_0(wptr row, int u, int e) {
    wptr b = row + 34 * u;
    return f16at(b, 0) * ((__global const char*) (b + 2))[e];
}

inline float e_q4_0(wptr row, int u, int e) {
    wptr b = row + 18 * u;
    int q = b[2 + (e & 15)];
    return f16at(b, 0) * ((e < 16 ? q & 0xf : q >> 4) - 8);
}

inline float e_q4_k(wptr row, int u, int e) {
    wptr b = row + 144 * (u >> 3);
    int j = u & 7;
    wptr s = b + 4;
    int sc, m;
    if (j < 4) {
        sc = s[j] & 63;
        m = s[j + 4] & 63;
    } else {
        sc = (s[j + 4] & 0xf) | ((s[j - 4] >> 6) << 4);
        m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
    int q = (b[16 + 32 * (j >> 1) + e] >> ((j & 1) * 4)) & 0xf;
    return f16at(b, 0) * sc * q - f16at(b, 1) * m;
}

inline float e_q6_k(wptr row, int u, int e) {
    wptr b = row + 210 * (u >> 3);
    int j = u & 7, h = j >> 2, i = j & 3;
    int lo = (b[64 * h + 32 * (i & 1) + e] >> ((i >> 1) * 4)) & 0xf;
    int hi = (b[128 + 32 * h + e] >> (2 * i)) & 3;
    float sc = ((__global const char*) (b + 192))[8 * h + 2 * i + (e >> 4)];
    return f16at(b, 104) * sc * ((lo | hi << 4) - 32);
}

inline float e_bf16(wptr row, int u, int e) {
    return as_float(((uint) ((__global const ushort*) row)[32 * u + e]) << 16);
}

inline uint u32at(wptr p) { return p[0] | (uint) p[1] << 8 | (uint) p[2] << 16 | (uint) p[3] << 24; }

// Q4_1: 20-byte blocks = fp16 d, fp16 m, 16 bytes of nibbles as Q4_0; x = q * d + m.
inline float e_q4_1(wptr row, int u, int e) {
    wptr b = row + 20 * u;
    int q = b[4 + (e & 15)];
    return (e < 16 ? q & 0xf : q >> 4) * f16at(b, 0) + f16at(b, 1);
}

// Q5_0: 22-byte blocks = fp16 d, 32-bit qh (bit e = 5th bit of element e), 16 bytes of nibbles; x = (q - 16) * d.
inline float e_q5_0(wptr row, int u, int e) {
    wptr b = row + 22 * u;
    int q = b[6 + (e & 15)];
    q = (e < 16 ? q & 0xf : q >> 4) | ((u32at(b + 2) >> e) & 1) << 4;
    return (q - 16) * f16at(b, 0);
}

// Q5_1: 24-byte blocks = fp16 d, fp16 m, 32-bit qh, 16 bytes of nibbles; x = q * d + m.
inline float e_q5_1(wptr row, int u, int e) {
    wptr b = row + 24 * u;
    int q = b[8 + (e & 15)];
    q = (e < 16 ? q & 0xf : q >> 4) | ((u32at(b + 4) >> e) & 1) << 4;
    return q * f16at(b, 0) + f16at(b, 1);
}

// Q5_K: 176-byte super-blocks = fp16 d, fp16 dmin, 12 bytes of scales/mins (as Q4_K), 32 bytes qh, 128 bytes of
// nibbles (as Q4_K); unit j takes bit j of qh[e] as its 5th bit.
inline int k4_scale(wptr s, int j) { return j < 4 ? s[j] & 63 : (s[j + 4] & 0xf) | ((s[j - 4] >> 6) << 4); }
inline int k4_min(wptr s, int j) { return j < 4 ? s[j + 4] & 63 : (s[j + 4] >> 4) | ((s[j] >> 6) << 4); }

inline float e_q5_k(wptr row, int u, int e) {
    wptr b = row + 176 * (u >> 3);
    int j = u & 7;
    int q = ((b[48 + 32 * (j >> 1) + e] >> ((j & 1) * 4)) & 0xf) | ((b[16 + e] >> j) & 1) << 4;
    return f16at(b, 0) * k4_scale(b + 4, j) * q - f16at(b, 1) * k4_min(b + 4, j);
}

// out[b][r] = row r . x[b] for batch rows b0 .. b0 + MM_NB of the work-group; one work-group of 32 (or 64) work-items
// per row, work-item l taking element l % 32 of units l / 32, l / 32 + size / 32, ...
#define MATMUL(T) \
__kernel void matmul_##T(wptr w, ulong wOff, ulong rowBytes, int cols, __global const float* x, int xStride, \
                         __global float* out, int outStride, int nb) { \
    __local float red[MM_WG * MM_NB]; \
    int r = get_group_id(0), lid = get_local_id(0), wg = get_local_size(0); \
    int e = lid & 31, step = wg >> 5; \
    int b0 = get_group_id(1) * MM_NB, nbt = min(MM_NB, nb - b0); \
    wptr row = w + wOff + (ulong) r * rowBytes; \
    float acc[MM_NB]; \
    for (int b = 0; b < MM_NB; b++) acc[b] = 0.0f; \
    int units = (cols + 31) / 32; \
    for (int u = lid >> 5; u < units; u += step) { \
        int c = 32 * u + e; \
        if (c < cols) { \
            float v = e_##T(row, u, e); \
            __global const float* xp = x + (size_t) b0 * xStride + c; \
            for (int b = 0; b < nbt; b++) acc[b] += v * xp[(size_t) b * xStride]; \
        } \
    } \
    for (int b = 0; b < MM_NB; b++) red[b * MM_WG + lid] = acc[b]; \
    barrier(CLK_LOCAL_MEM_FENCE); \
    for (int s = wg / 2; s > 0; s >>= 1) { \
        if (lid < s) for (int b = 0; b < nbt; b++) red[b * MM_WG + lid] += red[b * MM_WG + lid + s]; \
        barrier(CLK_LOCAL_MEM_FENCE); \
    } \
    if (lid < nbt) out[(size_t) (b0 + lid) * outStride + r] = red[lid * MM_WG]; \
}

// Unit u as two float16 (elements 0-15, 16-31): the decoders of the row-per-work-item matmul, in vector types
// so CPU devices get SIMD within a work-item.
inline void v_f32(wptr row, int u, float16* a, float16* b) {
    __global const float* f = (__global const float*) row + 32 * u;
    *a = vload16(0, f);
    *b = vload16(1, f);
}

inline void v_f16(wptr row, int u, float16* a, float16* b) {
    __global const half* f = (__global const half*) row + 32 * u;
    *a = vload_half16(0, f);
    *b = vload_half16(1, f);
}

inline void v_q8_0(wptr row, int u, float16* a, float16* b) {
    wptr p = row + 34 * u;
    float d = f16at(p, 0);
    __global const char* q = (__global const char*) (p + 2);
    *a = d * convert_float16(vload16(0, q));
    *b = d * convert_float16(vload16(1, q));
}

inline void v_q4_0(wptr row, int u, float16* a, float16* b) {
    wptr p = row + 18 * u;
    float d = f16at(p, 0);
    int16 q = convert_int16(vload16(0, p + 2));
    *a = d * convert_float16((q & 0xf) - 8);
    *b = d * convert_float16((q >> 4) - 8);
}

inline void v_q4_k(wptr row, int u, float16* a, float16* b) {
    wptr p = row + 144 * (u >> 3);
    int j = u & 7;
    wptr s = p + 4;
    int sc, m;
    if (j < 4) {
        sc = s[j] & 63;
        m = s[j + 4] & 63;
    } else {
        sc = (s[j + 4] & 0xf) | ((s[j - 4] >> 6) << 4);
        m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
    float d1 = f16at(p, 0) * sc, m1 = f16at(p, 1) * m;
    wptr q = p + 16 + 32 * (j >> 1);
    int sh = (j & 1) * 4;
    *a = d1 * convert_float16((convert_int16(vload16(0, q)) >> sh) & 0xf) - m1;
    *b = d1 * convert_float16((convert_int16(vload16(1, q)) >> sh) & 0xf) - m1;
}

inline void v_q6_k(wptr row, int u, float16* a, float16* b) {
    wptr p = row + 210 * (u >> 3);
    int j = u & 7, h = j >> 2, i = j & 3;
    wptr ql = p + 64 * h + 32 * (i & 1), qh = p + 128 + 32 * h;
    __global const char* sc = (__global const char*) (p + 192) + 8 * h + 2 * i;
    int lsh = (i >> 1) * 4, hsh = 2 * i;
    float d = f16at(p, 104);
    int16 q0 = ((convert_int16(vload16(0, ql)) >> lsh) & 0xf) | (((convert_int16(vload16(0, qh)) >> hsh) & 3) << 4);
    int16 q1 = ((convert_int16(vload16(1, ql)) >> lsh) & 0xf) | (((convert_int16(vload16(1, qh)) >> hsh) & 3) << 4);
    *a = (d * sc[0]) * convert_float16(q0 - 32);
    *b = (d * sc[1]) * convert_float16(q1 - 32);
}

inline void v_bf16(wptr row, int u, float16* a, float16* b) {
    __global const ushort* f = (__global const ushort*) row + 32 * u;
    *a = as_float16(convert_uint16(vload16(0, f)) << 16);
    *b = as_float16(convert_uint16(vload16(1, f)) << 16);
}

inline void v_q4_1(wptr row, int u, float16* a, float16* b) {
    wptr p = row + 20 * u;
    float d = f16at(p, 0), m = f16at(p, 1);
    int16 q = convert_int16(vload16(0, p + 4));
    *a = convert_float16(q & 0xf) * d + m;
    *b = convert_float16(q >> 4) * d + m;
}

#define LANES16 (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

inline void v_q5_0(wptr row, int u, float16* a, float16* b) {
    wptr p = row + 22 * u;
    float d = f16at(p, 0);
    uint qh = u32at(p + 2);
    int16 q = convert_int16(vload16(0, p + 6));
    int16 h0 = convert_int16(((uint16) qh >> convert_uint16(LANES16)) & 1) << 4;
    int16 h1 = convert_int16(((uint16) qh >> convert_uint16(LANES16 + 16)) & 1) << 4;
    *a = convert_float16(((q & 0xf) | h0) - 16) * d;
    *b = convert_float16(((q >> 4) | h1) - 16) * d;
}

inline void v_q5_1(wptr row, int u, float16* a, float16* b) {
    wptr p = row + 24 * u;
    float d = f16at(p, 0), m = f16at(p, 1);
    uint qh = u32at(p + 4);
    int16 q = convert_int16(vload16(0, p + 8));
    int16 h0 = convert_int16(((uint16) qh >> convert_uint16(LANES16)) & 1) << 4;
    int16 h1 = convert_int16(((uint16) qh >> convert_uint16(LANES16 + 16)) & 1) << 4;
    *a = convert_float16((q & 0xf) | h0) * d + m;
    *b = convert_float16((q >> 4) | h1) * d + m;
}

inline void v_q5_k(wptr row, int u, float16* a, float16* b) {
    wptr p = row + 176 * (u >> 3);
    int j = u & 7;
    float d1 = f16at(p, 0) * k4_scale(p + 4, j), m1 = f16at(p, 1) * k4_min(p + 4, j);
    wptr q = p + 48 + 32 * (j >> 1);
    int sh = (j & 1) * 4;
    int16 q0 = ((convert_int16(vload16(0, q)) >> sh) & 0xf) | (((convert_int16(vload16(0, p + 16)) >> j) & 1) << 4);
    int16 q1 = ((convert_int16(vload16(1, q)) >> sh) & 0xf) | (((convert_int16(vload16(1, p + 16)) >> j) & 1) << 4);
    *a = d1 * convert_float16(q0) - m1;
    *b = d1 * convert_float16(q1) - m1;
}

inline float hsum16(float16 v) {
    float8 s8 = v.lo + v.hi;
    float4 s4 = s8.lo + s8.hi;
    float2 s2 = s4.lo + s4.hi;
    return s2.x + s2.y;
}

// The same product with one work-item per (row, batch tile) and no reduction, vectorized within the work-item: for
// CPU devices, where a work-group runs as a loop over its work-items. A partial last unit (F32/F16) goes scalar.
#define MATMUL_ROWS(T) \
__kernel void matmul_rows_##T(wptr w, ulong wOff, ulong rowBytes, int cols, __global const float* x, int xStride, \
                              __global float* out, int outStride, int nb) { \
    int r = get_global_id(0); \
    int b0 = get_global_id(1) * MM_NB, nbt = min(MM_NB, nb - b0); \
    wptr row = w + wOff + (ulong) r * rowBytes; \
    float16 acc[MM_NB]; \
    for (int b = 0; b < MM_NB; b++) acc[b] = 0.0f; \
    int full = cols / 32; \
    for (int u = 0; u < full; u++) { \
        float16 va, vb; \
        v_##T(row, u, &va, &vb); \
        __global const float* xp = x + (size_t) b0 * xStride + 32 * u; \
        for (int b = 0; b < nbt; b++) { \
            __global const float* xb = xp + (size_t) b * xStride; \
            acc[b] += va * vload16(0, xb) + vb * vload16(1, xb); \
        } \
    } \
    for (int b = 0; b < nbt; b++) { \
        float s = hsum16(acc[b]); \
        __global const float* xb = x + (size_t) (b0 + b) * xStride; \
        for (int c = 32 * full; c < cols; c++) s += e_##T(row, c / 32, c % 32) * xb[c]; \
        out[(size_t) (b0 + b) * outStride + r] = s; \
    } \
}

// out[i] = row ids[i] of the table; one work-item per element.
#define GET_ROWS(T) \
__kernel void get_rows_##T(wptr w, ulong wOff, ulong rowBytes, int cols, __global const int* ids, \
                           __global float* out) { \
    int c = get_global_id(0), i = get_global_id(1); \
    out[(size_t) i * cols + c] = e_##T(w + wOff + (ulong) ids[i] * rowBytes, c / 32, c % 32); \
}

MATMUL(f32)
MATMUL(f16)
MATMUL(q8_0)
MATMUL(q4_0)
MATMUL(q4_k)
MATMUL(q6_k)
MATMUL(bf16)
MATMUL(q4_1)
MATMUL(q5_0)
MATMUL(q5_1)
MATMUL(q5_k)
MATMUL_ROWS(f32)
MATMUL_ROWS(f16)
MATMUL_ROWS(q8_0)
MATMUL_ROWS(q4_0)
MATMUL_ROWS(q4_k)
MATMUL_ROWS(q6_k)
MATMUL_ROWS(bf16)
MATMUL_ROWS(q4_1)
MATMUL_ROWS(q5_0)
MATMUL_ROWS(q5_1)
MATMUL_ROWS(q5_k)
GET_ROWS(f32)
GET_ROWS(f16)
GET_ROWS(q8_0)
GET_ROWS(q4_0)
GET_ROWS(q4_k)
GET_ROWS(q6_k)
GET_ROWS(bf16)
GET_ROWS(q4_1)
GET_ROWS(q5_0)
GET_ROWS(q5_1)
GET_ROWS(q5_k)
