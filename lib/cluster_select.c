/* cluster_select.c -- the k strongest of a term array (cluster_impl.h
 * select_top), run five times a clustered record: its strongest terms,
 * its query terms, the candidates to score, a centroid's terms after a
 * join, the terms a cluster is indexed under (and the label's phrase
 * terms).
 *
 * Every element gets a distinct 64-bit key: its weight's bits (weights
 * are never negative, so the bits order as the floats do) above a
 * tie-break, above its index.  The tie-break is a hash of the term
 * salted with the array's first and last terms: equal weights are common
 * (a count of 1 at the idf floor), and a fixed preference among them
 * (the lowest term, say) made every record of templated background text
 * keep the same template terms, share index terms and merge into large
 * clusters (8983911: seed 2's false orange+ alerts went from 3 to 25).
 * Salted, each record prefers its own pseudo-random subset of its tied
 * terms, and the same record always the same one.
 *
 * The selection finds the k-th largest key, then keeps the elements whose
 * keys are at least that, in the order they stand.  So what is kept, and
 * its order, are defined by the keys alone, not by how the k-th key was
 * found: a caller may leave out elements that cannot be among the k
 * (centroid_join does), and the AVX-512 and scalar ways agree by
 * construction (test_cluster holds them equal).
 *
 * The k-th key is found by a quickselect over a copy of the keys whose
 * partition is stable and does not branch on the keys: each pass writes
 * every key to both sides and advances one side by the comparison's
 * answer.  With AVX-512 a pass takes eight keys a step (compressed in a
 * register and stored with a mask: a compress-store to memory is
 * microcoded and slow on AMD's Zen 4); without it, one.  The pivot is
 * the median of the window's first, middle and last keys, and a window
 * of at most FIN_MAX keys is finished by counting each key's rank.  The
 * Hoare quickselect this replaces branched on every comparison and was
 * mispredicted ~170 times a record (bench/README.md, stop 15).  With
 * AVX-512, a selection of at most FIN_MAX of at least 16 (most of them)
 * skips the partitions: see keep_top_avx512. */
#include <string.h>

#include "cluster_impl.h"

#define FIN_MAX 16    /* a window this small is finished by counting ranks */

/* The key of a[i] (see above): ib index bits, 32 - ib tie-break bits. */
static inline uint64_t sel_key(const yw_fterm_t *a, uint32_t i, uint64_t salt, unsigned ib)
{
    uint32_t w;
    memcpy(&w, &a[i].w, sizeof w);
    uint64_t tie = ((a[i].term ^ salt) * 0x9E3779B97F4A7C15ull) >> (32 + ib);
    return (uint64_t)w << 32 | tie << ib | i;
}

/* Stable partition of key[lo..hi) without its pivot key p: the keys above
 * p to key[lo..), the keys below to tmp[0..); returns how many are above.
 * key[] is written only at or behind the position being read. */
static uint32_t part_scalar(uint64_t *key, uint64_t *tmp, uint32_t lo, uint32_t hi, uint64_t p)
{
    uint32_t j = lo, m = 0;
    for (uint32_t i = lo; i < hi; i++) {
        uint64_t x = key[i];
        key[j] = x;
        tmp[m] = x;
        j += x > p;
        m += x < p;
    }
    return j - lo;
}

/* The r-th largest (r >= 1) of the w <= FIN_MAX distinct keys key[0..w):
 * the one with r - 1 keys above it. */
static uint64_t finish_scalar(const uint64_t *key, uint32_t w, uint32_t r)
{
    uint64_t found = 0;
    for (uint32_t i = 0; i < w; i++) {
        uint32_t above = 0;
        for (uint32_t m = 0; m < w; m++) above += key[m] > key[i];
        found = above == r - 1 ? key[i] : found;
    }
    return found;
}

/* out = the elements of a[0..n) whose keys are at least t, in order.
 * (One way for every CPU: eight keys a step measured no faster.) */
static void keep_scalar(const yw_fterm_t *a, uint32_t n, const uint64_t *key, uint64_t t,
                        yw_fterm_t *out)
{
    uint32_t j = 0;
    for (uint32_t i = 0; i < n; i++) {
        out[j] = a[i];
        j += key[i] >= t;
    }
}

static void keys_scalar(const yw_fterm_t *a, uint32_t n, uint64_t salt, unsigned ib, uint64_t *key)
{
    for (uint32_t i = 0; i < n; i++) key[i] = sel_key(a, i, salt, ib);
}

#ifdef YWCL_HAVE_AVX512
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))

/* Eight keys a step: two loads hold four terms each (term, weight and
 * its padding), the terms and the weights are picked out, and the key is
 * built as sel_key builds it (the shift drops the padding). */
AVX512 static void keys_avx512(const yw_fterm_t *a, uint32_t n, uint64_t salt, unsigned ib,
                               uint64_t *key)
{
    const __m512i even = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    const __m512i odd = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
    const __m512i vs = _mm512_set1_epi64((long long)salt);
    const __m512i vc = _mm512_set1_epi64((long long)0x9E3779B97F4A7C15ull);
    const __m128i tie_shift = _mm_cvtsi32_si128((int)(32 + ib));
    const __m128i idx_shift = _mm_cvtsi32_si128((int)ib);
    __m512i vi = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    const __m512i v8 = _mm512_set1_epi64(8);
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m512i p = _mm512_loadu_si512(a + i), q = _mm512_loadu_si512(a + i + 4);
        __m512i t = _mm512_permutex2var_epi64(p, even, q);
        __m512i w = _mm512_slli_epi64(_mm512_permutex2var_epi64(p, odd, q), 32);
        __m512i h = _mm512_mullo_epi64(_mm512_xor_si512(t, vs), vc);
        h = _mm512_sll_epi64(_mm512_srl_epi64(h, tie_shift), idx_shift);
        _mm512_storeu_si512(key + i, _mm512_or_si512(_mm512_or_si512(w, h), vi));
        vi = _mm512_add_epi64(vi, v8);
    }
    for (; i < n; i++) key[i] = sel_key(a, i, salt, ib);
}

/* The lanes of a step of eight with left elements to go. */
static inline __mmask8 lanes_left(uint32_t left)
{
    return left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
}

AVX512 static uint32_t part_avx512(uint64_t *key, uint64_t *tmp, uint32_t lo, uint32_t hi,
                                   uint64_t p)
{
    const __m512i pv = _mm512_set1_epi64((long long)p);
    uint32_t j = lo, m = 0;
    for (uint32_t i = lo; i < hi; i += 8) {
        __mmask8 live = lanes_left(hi - i);
        __m512i x = _mm512_maskz_loadu_epi64(live, key + i);
        __mmask8 gt = _mm512_mask_cmpgt_epu64_mask(live, x, pv);
        __mmask8 lt = _mm512_mask_cmplt_epu64_mask(live, x, pv);
        uint32_t ng = (uint32_t)__builtin_popcount(gt), nl = (uint32_t)__builtin_popcount(lt);
        _mm512_mask_storeu_epi64(key + j, (__mmask8)((1u << ng) - 1),
                                 _mm512_maskz_compress_epi64(gt, x));
        _mm512_mask_storeu_epi64(tmp + m, (__mmask8)((1u << nl) - 1),
                                 _mm512_maskz_compress_epi64(lt, x));
        j += ng;
        m += nl;
    }
    return j - lo;
}

AVX512 static uint64_t finish_avx512(const uint64_t *key, uint32_t w, uint32_t r)
{
    __mmask8 l0 = (__mmask8)(w >= 8 ? 0xFF : (1u << w) - 1);
    __mmask8 l1 = (__mmask8)(w >= 16 ? 0xFF : w > 8 ? (1u << (w - 8)) - 1 : 0);
    __m512i v0 = _mm512_maskz_loadu_epi64(l0, key), v1 = _mm512_maskz_loadu_epi64(l1, key + 8);
    __m512i c0 = _mm512_setzero_si512(), c1 = _mm512_setzero_si512();
    const __m512i one = _mm512_set1_epi64(1);
    for (uint32_t m = 0; m < w; m++) {
        __m512i b = _mm512_set1_epi64((long long)key[m]);
        c0 = _mm512_mask_add_epi64(c0, _mm512_cmpgt_epu64_mask(b, v0), c0, one);
        c1 = _mm512_mask_add_epi64(c1, _mm512_cmpgt_epu64_mask(b, v1), c1, one);
    }
    const __m512i vr = _mm512_set1_epi64((long long)r - 1);
    __mmask8 k0 = _mm512_mask_cmpeq_epu64_mask(l0, c0, vr);
    __mmask8 k1 = _mm512_mask_cmpeq_epu64_mask(l1, c1, vr);
    /* exactly one of the live lanes */
    return k0 ? key[__builtin_ctz(k0)] : key[8 + __builtin_ctz(k1)];
}

#endif

typedef uint64_t (*fin_fn)(const uint64_t *, uint32_t, uint32_t);
typedef void (*keys_fn)(const yw_fterm_t *, uint32_t, uint64_t, unsigned, uint64_t *);
typedef uint32_t (*part_fn)(uint64_t *, uint64_t *, uint32_t, uint32_t, uint64_t);
typedef void (*keep_fn)(const yw_fterm_t *, uint32_t, uint32_t, unsigned, const uint64_t *,
                        uint64_t *, uint64_t *, yw_fterm_t *);

/* The k-th largest (1 <= k <= n) of the distinct keys key[0..n), which
 * it reorders; tmp holds n keys. */
static uint64_t kth_key(uint64_t *key, uint64_t *tmp, uint32_t n, uint32_t k, part_fn part,
                        fin_fn fin)
{
    uint32_t lo = 0, hi = n;
    /* key[0..lo) are above the k-th, key[hi..n) below; it is in key[lo..hi) */
    for (;;) {
        if (hi - lo <= FIN_MAX) return fin(key + lo, hi - lo, k - lo);
        uint64_t x = key[lo], y = key[lo + (hi - lo) / 2], z = key[hi - 1];
        uint64_t mn = x < y ? x : y, mx = x < y ? y : x;
        uint64_t p = mx < z ? mx : z;
        p = p > mn ? p : mn;
        uint32_t gt = lo + part(key, tmp, lo, hi, p);
        if (k <= gt) {
            hi = gt;                /* among the keys above: the rest can go */
        } else if (k == gt + 1) {
            return p;
        } else {
            memcpy(key + gt + 1, tmp, (size_t)(hi - gt - 1) * sizeof *key);
            lo = gt + 1;
        }
    }
}

/* The kept elements of a[0..n) (their keys in key[0..n)) to out, work
 * and tmp n keys each: the quickselect above over a copy of the keys. */
static void keep_by_quickselect(const yw_fterm_t *a, uint32_t n, uint32_t k, const uint64_t *key,
                                uint64_t *work, uint64_t *tmp, part_fn part, fin_fn fin,
                                yw_fterm_t *out)
{
    memcpy(work, key, (size_t)n * sizeof *key);
    keep_scalar(a, n, key, kth_key(work, tmp, n, k, part, fin), out);
}

/* The same one key a step (a keep_fn: ib unused). */
static void keep_top_scalar(const yw_fterm_t *a, uint32_t n, uint32_t k, unsigned ib,
                            const uint64_t *key, uint64_t *work, uint64_t *tmp, yw_fterm_t *out)
{
    (void)ib;
    keep_by_quickselect(a, n, k, key, work, tmp, part_scalar, finish_scalar, out);
}

#ifdef YWCL_HAVE_AVX512
/* The same with AVX-512.  Most selections want a few of many (a record's
 * 10 query terms of ~60, a cluster's 8 index terms of 48), and for
 * k <= FIN_MAX <= n there is a shorter way than partitioning: the
 * largest two keys of each of the eight lanes' columns are sixteen
 * distinct keys, so their k-th largest, t, has at least k keys at or
 * above it, and the k-th of all keys is among the keys >= t.  Those are
 * usually few more than k (a column rarely holds three of the largest
 * k): gathered in input order, their k-th is found by counting ranks and
 * the kept elements are read through the keys' index bits (ib of them),
 * without a pass over all n.  More than FIN_MAX of them (rare) go to the
 * quickselect. */
AVX512 static void keep_top_avx512(const yw_fterm_t *a, uint32_t n, uint32_t k, unsigned ib,
                                   const uint64_t *key, uint64_t *work, uint64_t *tmp,
                                   yw_fterm_t *out)
{
    if (k > FIN_MAX || n < 2 * 8) {
        keep_by_quickselect(a, n, k, key, work, tmp, part_avx512, finish_avx512, out);
        return;
    }
    /* each lane's largest two (n >= 16: every lane holds two keys, and
     * the zeros a short last step loads never displace them) */
    __m512i hi1 = _mm512_setzero_si512(), hi2 = _mm512_setzero_si512();
    for (uint32_t i = 0; i < n; i += 8) {
        __mmask8 live = lanes_left(n - i);
        __m512i x = _mm512_maskz_loadu_epi64(live, key + i);
        hi2 = _mm512_max_epu64(hi2, _mm512_min_epu64(hi1, x));
        hi1 = _mm512_max_epu64(hi1, x);
    }
    _mm512_storeu_si512(work, hi1);
    _mm512_storeu_si512(work + 8, hi2);
    const __m512i tv = _mm512_set1_epi64((long long)finish_avx512(work, 2 * 8, k));
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i += 8) {
        __mmask8 live = lanes_left(n - i);
        __m512i x = _mm512_maskz_loadu_epi64(live, key + i);
        __mmask8 ge = _mm512_mask_cmpge_epu64_mask(live, x, tv);
        uint32_t ng = (uint32_t)__builtin_popcount(ge);
        _mm512_mask_storeu_epi64(work + m, (__mmask8)((1u << ng) - 1),
                                 _mm512_maskz_compress_epi64(ge, x));
        m += ng;
    }
    if (m > FIN_MAX) {
        keep_scalar(a, n, key, kth_key(work, tmp, m, k, part_avx512, finish_avx512), out);
        return;
    }
    const uint64_t kth = finish_avx512(work, m, k), imask = ((uint64_t)1 << ib) - 1;
    uint32_t j = 0;
    for (uint32_t i = 0; i < m; i++) {
        out[j] = a[work[i] & imask];
        j += work[i] >= kth;
    }
}
#endif

/* The kept elements to out (n terms), a left as it is; key holds 2n keys. */
static void select_keys_into(const yw_fterm_t *a, uint32_t n, uint32_t k, uint64_t salt,
                             uint64_t *key, uint64_t *tmp, yw_fterm_t *out, keys_fn keys,
                             keep_fn keep)
{
    /* index bits: 12, or as many as n needs (n < 2^31: a record's terms) */
    unsigned ib = 12;
    while (ib < 31 && (n - 1) >> ib) ib++;
    keys(a, n, salt, ib, key);
    keep(a, n, k, ib, key, key + n, tmp, out);
}

/* The kept elements to a[0..k); key holds 2n keys, out n terms. */
static void select_keys(yw_fterm_t *a, uint32_t n, uint32_t k, uint64_t salt, uint64_t *key,
                        uint64_t *tmp, yw_fterm_t *out, keys_fn keys, keep_fn keep)
{
    select_keys_into(a, n, k, salt, key, tmp, out, keys, keep);
    memcpy(a, out, (size_t)k * sizeof *a);
}

void ywcl_select_top_scalar(yw_fterm_t *a, uint32_t n, uint32_t k, uint64_t salt,
                            uint64_t *key, uint64_t *tmp, yw_fterm_t *out)
{
    if (k == 0 || k >= n) return;
    select_keys(a, n, k, salt, key, tmp, out, keys_scalar, keep_top_scalar);
}

#ifdef YWCL_HAVE_AVX512
void ywcl_select_top_avx512(yw_fterm_t *a, uint32_t n, uint32_t k, uint64_t salt,
                            uint64_t *key, uint64_t *tmp, yw_fterm_t *out)
{
    if (k == 0 || k >= n) return;
    select_keys(a, n, k, salt, key, tmp, out, keys_avx512, keep_top_avx512);
}
#endif

/* The clusterer's selection (0 < k < n): the way the CPU has, into out,
 * with the clusterer's key buffers. */
static void select_into(yw_clusterer_t *cl, const yw_fterm_t *a, uint32_t n, uint32_t k,
                        uint64_t salt, yw_fterm_t *out)
{
#ifdef YWCL_HAVE_AVX512
    if (ywcl_have_avx512()) {
        select_keys_into(a, n, k, salt, cl->skey, cl->stmp, out, keys_avx512, keep_top_avx512);
        return;
    }
#endif
    select_keys_into(a, n, k, salt, cl->skey, cl->stmp, out, keys_scalar, keep_top_scalar);
}

void ywcl_select_top_salted(yw_clusterer_t *cl, yw_fterm_t *a, uint32_t n, uint32_t k,
                            uint64_t salt)
{
    if (k == 0 || k >= n) return;
    select_into(cl, a, n, k, salt, cl->sbuf);
    memcpy(a, cl->sbuf, (size_t)k * sizeof *a);
}

void ywcl_select_top_into(yw_clusterer_t *cl, const yw_fterm_t *a, uint32_t n, uint32_t k,
                          yw_fterm_t *out)
{
    if (k >= n) {
        memcpy(out, a, (size_t)n * sizeof *a);
        return;
    }
    if (k == 0) return;
    select_into(cl, a, n, k, a[0].term ^ a[n - 1].term, out);
}
