// Activation kernels: norms, RoPE, KV writes, attention and element-wise ops. Every buffer is row-major floats;
// ops cover rows [0, n) of their buffers. Reference: CpuBackend.

#define NORM_WG 64
#define ATT_WG 64
#define ATT_MAXD 8   // head dims per work-item: head_dim <= ATT_WG * ATT_MAXD

inline float sum_local(__local float* red, float v) {
    int lid = get_local_id(0), wg = get_local_size(0);
    red[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = wg / 2; s > 0; s >>= 1) {
        if (lid < s) red[lid] += red[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

inline float max_local(__local float* red, float v) {
    int lid = get_local_id(0), wg = get_local_size(0);
    red[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = wg / 2; s > 0; s >>= 1) {
        if (lid < s) red[lid] = fmax(red[lid], red[lid + s]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// One work-group per group of dim elements; w may be null. out may be x.
__kernel void rmsnorm(__global const float* x, __global const float* w, float eps, int dim, __global float* out) {
    __local float red[NORM_WG];
    int lid = get_local_id(0);
    size_t o = (size_t) get_group_id(0) * dim;
    float ss = 0.0f;
    for (int i = lid; i < dim; i += NORM_WG) ss += x[o + i] * x[o + i];
    ss = sum_local(red, ss);
    float s = 1.0f / sqrt(ss / dim + eps);
    for (int i = lid; i < dim; i += NORM_WG) {
        float y = x[o + i] * s;
        out[o + i] = w ? y * w[i] : y;
    }
}

// One work-group per row; b may be null.
__kernel void layernorm(__global const float* x, __global const float* w, __global const float* b, float eps, int dim,
                        __global float* out) {
    __local float red[NORM_WG];
    int lid = get_local_id(0);
    size_t o = (size_t) get_group_id(0) * dim;
    float sum = 0.0f;
    for (int i = lid; i < dim; i += NORM_WG) sum += x[o + i];
    float mean = sum_local(red, sum) / dim;
    float var = 0.0f;
    for (int i = lid; i < dim; i += NORM_WG) {
        float d = x[o + i] - mean;
        var += d * d;
    }
    float s = 1.0f / sqrt(sum_local(red, var) / dim + eps);
    for (int i = lid; i < dim; i += NORM_WG) {
        float y = (x[o + i] - mean) * s * w[i];
        out[o + i] = b ? y + b[i] : y;
    }
}

// Rotates pair i of head h of row r. freq holds theta_i / pos split in two floats (hi + lo) so the angle is
// pos * hi exactly plus a small remainder, and cos/sin of it keep about double accuracy.
__kernel void rope(__global float* x, int cols, int headDim, int nPair, int neox, __global const int* pos,
                   __global const float* freq) {
    int i = get_global_id(0), h = get_global_id(1), r = get_global_id(2);
    float p = (float) pos[r];
    float hi = p * freq[2 * i];
    float lo = fma(p, freq[2 * i], -hi) + p * freq[2 * i + 1];
    float sh = sin(hi), ch = cos(hi);
    float c = ch - sh * lo, s = sh + ch * lo;
    size_t o = (size_t) r * cols + (size_t) h * headDim;
    size_t i0 = neox ? o + i : o + 2 * i;
    size_t i1 = neox ? o + i + nPair : o + 2 * i + 1;
    float x0 = x[i0], x1 = x[i1];
    x[i0] = x0 * c - x1 * s;
    x[i1] = x0 * s + x1 * c;
}

__kernel void kv_write_f32(__global const float* k, __global const float* v, __global const int* cells, int kDim,
                           int vDim, __global float* K, __global float* V) {
    int i = get_global_id(0), r = get_global_id(1);
    size_t c = cells[r];
    if (i < kDim) K[c * kDim + i] = k[(size_t) r * kDim + i];
    if (i < vDim) V[c * vDim + i] = v[(size_t) r * vDim + i];
}

__kernel void kv_write_f16(__global const float* k, __global const float* v, __global const int* cells, int kDim,
                           int vDim, __global half* K, __global half* V) {
    int i = get_global_id(0), r = get_global_id(1);
    size_t c = cells[r];
    if (i < kDim) vstore_half_rte(k[(size_t) r * kDim + i], c * kDim + i, K);
    if (i < vDim) vstore_half_rte(v[(size_t) r * vDim + i], c * vDim + i, V);
}

inline float kv_f32(__global const float* p, size_t i) { return p[i]; }
inline float kv_f16(__global const half* p, size_t i) { return vload_half(i, p); }
inline float hsum8(float8 v) {
    float4 s4 = v.lo + v.hi;
    float2 s2 = s4.lo + s4.hi;
    return s2.x + s2.y;
}

inline float8 kv8_f32(__global const float* p, size_t i) { return vload8(0, p + i); }
inline float8 kv8_f16(__global const half* p, size_t i) { return vload_half8(0, p + i); }

// 1 / the softmax denominator with a sink logit sk beside the keys (running max m, sum l), times the rescale of the
// values summed relative to m when the sink is the larger (gpt-oss)
inline float sink_factor(float sk, float m, float l) {
    if (sk <= m) return 1.0f / (l + exp(sk - m));
    float corr = m == -INFINITY ? 0.0f : exp(m - sk);
    return corr / (l * corr + 1.0f);
}

// One work-group per (row, head): scores of ATT_WG cells at a time, an online softmax (running max and sum), and
// the weighted sum of values, each work-item owning head dims lid, lid + ATT_WG, ...
#define ATTENTION(T, KV) \
__kernel void attention_##T(__global const float* q, int qCols, __global const KV* K, __global const KV* V, \
                            int kDim, int vDim, __global const int* cellPos, __global const int* cellSeq, int used, \
                            __global const int* rowPos, __global const int* rowSeq, int nHead, int group, int hd, \
                            float scale, int window, float cap, __global float* out, int outCols, \
                            __global const float* sinks, int hasSinks) { \
    __local float qs[ATT_WG * ATT_MAXD]; \
    __local float p[ATT_WG]; \
    __local float red[ATT_WG]; \
    int t = get_group_id(0), lid = get_local_id(0); \
    int r = t / nHead, h = t % nHead, kvh = h / group; \
    for (int i = lid; i < hd; i += ATT_WG) qs[i] = q[(size_t) r * qCols + h * hd + i]; \
    barrier(CLK_LOCAL_MEM_FENCE); \
    int P = rowPos[r], S = rowSeq[r]; \
    float m = -INFINITY, l = 0.0f; \
    float acc[ATT_MAXD]; \
    for (int k = 0; k < ATT_MAXD; k++) acc[k] = 0.0f; \
    for (int c0 = 0; c0 < used; c0 += ATT_WG) { \
        int c = c0 + lid; \
        float s = -INFINITY; \
        if (c < used) { \
            int cp = cellPos[c]; \
            if (cellSeq[c] == S && cp <= P && !(window > 0 && P - cp >= window)) { \
                size_t ko = (size_t) c * kDim + (size_t) kvh * hd; \
                float d = 0.0f; \
                for (int i = 0; i < hd; i++) d += kv_##T(K, ko + i) * qs[i]; \
                s = d * scale; \
                if (cap > 0.0f) s = cap * tanh(s / cap); \
            } \
        } \
        float mn = fmax(m, max_local(red, s)); \
        if (mn == -INFINITY) continue; \
        float e = s == -INFINITY ? 0.0f : exp(s - mn); \
        p[lid] = e; \
        float alpha = m == -INFINITY ? 0.0f : exp(m - mn); \
        l = l * alpha + sum_local(red, e); \
        int nc = min(ATT_WG, used - c0); \
        for (int k = 0; k < ATT_MAXD; k++) { \
            int d = lid + k * ATT_WG; \
            if (d < hd) { \
                float a = acc[k] * alpha; \
                for (int j = 0; j < nc; j++) { \
                    float pj = p[j]; \
                    if (pj != 0.0f) a += pj * kv_##T(V, (size_t) (c0 + j) * vDim + (size_t) kvh * hd + d); \
                } \
                acc[k] = a; \
            } \
        } \
        m = mn; \
        barrier(CLK_LOCAL_MEM_FENCE); \
    } \
    float f = l > 0.0f ? 1.0f / l : 0.0f; \
    if (hasSinks) f = sink_factor(sinks[h], m, l); \
    for (int k = 0; k < ATT_MAXD; k++) { \
        int d = lid + k * ATT_WG; \
        if (d < hd) out[(size_t) r * outCols + h * hd + d] = acc[k] * f; \
    } \
}

// The same attention with one work-item per (row, head) and no barriers, for CPU devices: scores of ATT_CHUNK
// cells at a time, then one rescale of the running sum per chunk.
#define ATT_CHUNK 32
#define ATTENTION_SEQ(T, KV) \
__kernel void attention_seq_##T(__global const float* q, int qCols, __global const KV* K, __global const KV* V, \
                                int kDim, int vDim, __global const int* cellPos, __global const int* cellSeq, \
                                int used, __global const int* rowPos, __global const int* rowSeq, int nHead, int group, \
                                int hd, float scale, int window, float cap, __global float* out, int outCols, \
                                __global const float* sinks, int hasSinks) { \
    int t = get_global_id(0); \
    int r = t / nHead, h = t % nHead, kvh = h / group; \
    __global const float* qp = q + (size_t) r * qCols + h * hd; \
    bool vec = hd % 8 == 0 && (qCols % 8) == 0; \
    float acc[ATT_WG * ATT_MAXD]; \
    float sc[ATT_CHUNK]; \
    for (int i = 0; i < hd; i++) acc[i] = 0.0f; \
    int P = rowPos[r], S = rowSeq[r]; \
    float m = -INFINITY, l = 0.0f; \
    for (int c0 = 0; c0 < used; c0 += ATT_CHUNK) { \
        int nc = min(ATT_CHUNK, used - c0); \
        float cm = -INFINITY; \
        for (int j = 0; j < nc; j++) { \
            int c = c0 + j, cp = cellPos[c]; \
            float s = -INFINITY; \
            if (cellSeq[c] == S && cp <= P && !(window > 0 && P - cp >= window)) { \
                size_t ko = (size_t) c * kDim + (size_t) kvh * hd; \
                float d = 0.0f; \
                if (vec) { \
                    float8 d8 = 0.0f; \
                    for (int i = 0; i < hd; i += 8) d8 += kv8_##T(K, ko + i) * vload8(0, qp + i); \
                    d = hsum8(d8); \
                } else { \
                    for (int i = 0; i < hd; i++) d += kv_##T(K, ko + i) * qp[i]; \
                } \
                s = d * scale; \
                if (cap > 0.0f) s = cap * tanh(s / cap); \
            } \
            sc[j] = s; \
            cm = fmax(cm, s); \
        } \
        if (cm == -INFINITY) continue; \
        float mn = fmax(m, cm); \
        float alpha = m == -INFINITY ? 0.0f : exp(m - mn); \
        if (alpha != 1.0f) { \
            for (int i = 0; i < hd; i++) acc[i] *= alpha; \
            l *= alpha; \
        } \
        for (int j = 0; j < nc; j++) { \
            if (sc[j] == -INFINITY) continue; \
            float p = exp(sc[j] - mn); \
            l += p; \
            size_t vo = (size_t) (c0 + j) * vDim + (size_t) kvh * hd; \
            if (vec) { \
                for (int i = 0; i < hd; i += 8) vstore8(vload8(0, acc + i) + p * kv8_##T(V, vo + i), 0, acc + i); \
            } else { \
                for (int i = 0; i < hd; i++) acc[i] += p * kv_##T(V, vo + i); \
            } \
        } \
        m = mn; \
    } \
    __global float* o = out + (size_t) r * outCols + h * hd; \
    float f = l > 0.0f ? 1.0f / l : 0.0f; \
    if (hasSinks) f = sink_factor(sinks[h], m, l); \
    for (int i = 0; i < hd; i++) o[i] = acc[i] * f; \
}

ATTENTION(f32, float)
ATTENTION(f16, half)
ATTENTION_SEQ(f32, float)
ATTENTION_SEQ(f16, half)

inline float silu(float x) { return x / (1.0f + exp(-x)); }

inline float gelu(float x) {
    const float k = 0.7978845608028654f;
    return 0.5f * x * (1.0f + tanh(k * x * (1.0f + 0.044715f * x * x)));
}

__kernel void glu(__global float* g, __global const float* u, int useGelu) {
    size_t i = get_global_id(0);
    g[i] = (useGelu ? gelu(g[i]) : silu(g[i])) * u[i];
}

__kernel void gelu_inplace(__global float* x) {
    size_t i = get_global_id(0);
    x[i] = gelu(x[i]);
}

__kernel void add_scaled(__global float* x, __global const float* y, float scale) {
    size_t i = get_global_id(0);
    x[i] = scale == 1.0f ? x[i] + y[i] : x[i] + scale * y[i];
}

__kernel void scale_inplace(__global float* x, float scale) {
    size_t i = get_global_id(0);
    x[i] *= scale;
}

__kernel void softcap_inplace(__global float* x, float c) {
    size_t i = get_global_id(0);
    x[i] = c * tanh(x[i] / c);
}

__kernel void add_bias(__global float* x, __global const float* b, int cols, int boff) {
    size_t i = get_global_id(0);
    x[i] += b[boff + i % cols];
}

// dst[i] = src[rows[i]]
__kernel void gather_rows(__global const float* src, __global const int* rows, int cols, __global float* dst) {
    int j = get_global_id(0), i = get_global_id(1);
    dst[(size_t) i * cols + j] = src[(size_t) rows[i] * cols + j];
}
