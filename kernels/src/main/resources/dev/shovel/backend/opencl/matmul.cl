// Weight kernels: every type decodes "units" of 32 elements of one row (ggml block layouts, as the CPU twins in
// dev.shovel.ggml), and one macro turns a decoder into a GEMM (matvec when nb == 1) and an embedding lookup.

#define MM_WG 64   // work-items per output row
#define MM_NB 8    // batch rows per work-group

typedef __global const uchar* wptr;

inline float f16at(wptr p, int i) { return vload_half(i, (__global const half*) p); }

// F32 and F16 rows may end inside a unit: elements at or past lim read as 0.
inline void deq_f32(wptr row, int u, int lim, float* v) {
    __global const float* f = (__global const float*) row + 32 * u;
    for (int i = 0; i < 32; i++) v[i] = i < lim ? f[i] : 0.0f;
}

inline void deq_f16(wptr row, int u, int lim, float* v) {
    __global const half* f = (__global const half*) row + 32 * u;
    for (int i = 0; i < 32; i++) v[i] = i < lim ? vload_half(i, f) : 0.0f;
}

// Q8_0: 34-byte blocks of 32 = fp16 d, 32 int8.
inline void deq_q8_0(wptr row, int u, int lim, float* v) {
    wptr b = row + 34 * u;
    float d = f16at(b, 0);
    __global const char* q = (__global const char*) (b + 2);
    for (int i = 0; i < 32; i++) v[i] = d * q[i];
}

// Q4_0: 18-byte blocks of 32 = fp16 d, 16 bytes; element j is the low nibble of byte j, j + 16 the high nibble.
inline void deq_q4_0(wptr row, int u, int lim, float* v) {
    wptr b = row + 18 * u;
    float d = f16at(b, 0);
    for (int j = 0; j < 16; j++) {
        int q = b[2 + j];
        v[j] = d * ((q & 0xf) - 8);
        v[j + 16] = d * ((q >> 4) - 8);
    }
}

// Q4_K: 144-byte super-blocks of 256 = fp16 d, fp16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles.
// Unit j of a super-block: bytes 32 (j / 2) .. + 31, low nibbles for even j, high for odd.
inline void deq_q4_k(wptr row, int u, int lim, float* v) {
    wptr b = row + 144 * (u >> 3);
    int j = u & 7;
    float d = f16at(b, 0), dmin = f16at(b, 1);
    wptr s = b + 4;
    int sc, m;
    if (j < 4) {
        sc = s[j] & 63;
        m = s[j + 4] & 63;
    } else {
        sc = (s[j + 4] & 0xf) | ((s[j - 4] >> 6) << 4);
        m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
    float d1 = d * sc, m1 = dmin * m;
    wptr q = b + 16 + 32 * (j >> 1);
    int sh = (j & 1) * 4;
    for (int l = 0; l < 32; l++) v[l] = d1 * ((q[l] >> sh) & 0xf) - m1;
}

// Q6_K: 210-byte super-blocks of 256 = 128 bytes ql, 64 bytes qh, 16 int8 scales, fp16 d. Unit j: half h = j / 4,
// quarter i = j % 4 of it; low 4 bits from ql[64h + 32 (i & 1) + l] (high nibble when i >= 2), 2 high bits from
// qh[32h + l] at bit 2i; scale index 8h + l / 16 + 2i.
inline void deq_q6_k(wptr row, int u, int lim, float* v) {
    wptr b = row + 210 * (u >> 3);
    int j = u & 7, h = j >> 2, i = j & 3;
    float d = f16at(b, 104);
    wptr ql = b + 64 * h + 32 * (i & 1);
    wptr qh = b + 128 + 32 * h;
    __global const char* sc = (__global const char*) (b + 192) + 8 * h + 2 * i;
    int lsh = (i >> 1) * 4, hsh = 2 * i;
    float d0 = d * sc[0], d1 = d * sc[1];
    for (int l = 0; l < 32; l++) {
        int q = ((ql[l] >> lsh) & 0xf) | (((qh[l] >> hsh) & 3) << 4);
        v[l] = (l < 16 ? d0 : d1) * (q - 32);
    }
}

// out[b][r] = row r . x[b] for batch rows b0 .. b0 + MM_NB of the work-group; one work-group per row.
#define MATMUL(T) \
__kernel void matmul_##T(wptr w, ulong wOff, ulong rowBytes, int cols, __global const float* x, int xStride, \
                         __global float* out, int outStride, int nb) { \
    __local float red[MM_WG * MM_NB]; \
    int r = get_group_id(0), lid = get_local_id(0); \
    int b0 = get_group_id(1) * MM_NB, nbt = min(MM_NB, nb - b0); \
    wptr row = w + wOff + (ulong) r * rowBytes; \
    float acc[MM_NB]; \
    for (int b = 0; b < MM_NB; b++) acc[b] = 0.0f; \
    int units = (cols + 31) / 32; \
    float v[32]; \
    for (int u = lid; u < units; u += MM_WG) { \
        int lim = min(32, cols - 32 * u); \
        deq_##T(row, u, lim, v); \
        __global const float* xp = x + (size_t) b0 * xStride + 32 * u; \
        for (int b = 0; b < nbt; b++) { \
            __global const float* xb = xp + (size_t) b * xStride; \
            float s = 0.0f; \
            if (lim == 32) { for (int i = 0; i < 32; i++) s += v[i] * xb[i]; } \
            else { for (int i = 0; i < lim; i++) s += v[i] * xb[i]; } \
            acc[b] += s; \
        } \
    } \
    for (int b = 0; b < MM_NB; b++) red[b * MM_WG + lid] = acc[b]; \
    barrier(CLK_LOCAL_MEM_FENCE); \
    for (int s = MM_WG / 2; s > 0; s >>= 1) { \
        if (lid < s) for (int b = 0; b < MM_NB; b++) red[b * MM_WG + lid] += red[b * MM_WG + lid + s]; \
        barrier(CLK_LOCAL_MEM_FENCE); \
    } \
    if (lid < nbt) out[(size_t) (b0 + lid) * outStride + r] = red[lid * MM_WG]; \
}

// out[i] = row ids[i] of the table; one work-item per unit of one row.
#define GET_ROWS(T) \
__kernel void get_rows_##T(wptr w, ulong wOff, ulong rowBytes, int cols, __global const int* ids, \
                           __global float* out) { \
    int u = get_global_id(0), i = get_global_id(1); \
    int lim = min(32, cols - 32 * u); \
    float v[32]; \
    deq_##T(w + wOff + (ulong) ids[i] * rowBytes, u, lim, v); \
    __global float* o = out + (size_t) i * cols + 32 * u; \
    for (int l = 0; l < lim; l++) o[l] = v[l]; \
}

MATMUL(f32)
MATMUL(f16)
MATMUL(q8_0)
MATMUL(q4_0)
MATMUL(q4_k)
MATMUL(q6_k)
GET_ROWS(f32)
GET_ROWS(f16)
GET_ROWS(q8_0)
GET_ROWS(q4_0)
GET_ROWS(q4_k)
GET_ROWS(q6_k)
