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
 * The selection is a quickselect over the keys whose partition is
 * stable and does not branch on the keys: each pass writes every key to
 * both sides and advances one side by the comparison's answer.  With
 * AVX-512 a pass takes eight keys a step (compress-store); without it,
 * one.  Both leave the same keys in the same order, so a run's output
 * does not depend on the CPU (test_cluster holds them equal).  The
 * Hoare quickselect this replaces branched on every comparison and was
 * mispredicted ~170 times a record (bench/README.md, stop 15). */
#include <string.h>

#include "cluster_impl.h"

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

AVX512 static uint32_t part_avx512(uint64_t *key, uint64_t *tmp, uint32_t lo, uint32_t hi,
                                   uint64_t p)
{
    const __m512i pv = _mm512_set1_epi64((long long)p);
    uint32_t j = lo, m = 0, i = lo;
    for (; i + 8 <= hi; i += 8) {
        __m512i x = _mm512_loadu_si512(key + i);
        __mmask8 gt = _mm512_cmpgt_epu64_mask(x, pv);
        __mmask8 lt = _mm512_cmplt_epu64_mask(x, pv);
        uint32_t ng = (uint32_t)__builtin_popcount(gt), nl = (uint32_t)__builtin_popcount(lt);
        _mm512_mask_storeu_epi64(key + j, (__mmask8)((1u << ng) - 1),
                                 _mm512_maskz_compress_epi64(gt, x));
        _mm512_mask_storeu_epi64(tmp + m, (__mmask8)((1u << nl) - 1),
                                 _mm512_maskz_compress_epi64(lt, x));
        j += ng;
        m += nl;
    }
    if (i < hi) {
        __mmask8 live = (__mmask8)((1u << (hi - i)) - 1);
        __m512i x = _mm512_maskz_loadu_epi64(live, key + i);
        __mmask8 gt = _mm512_mask_cmpgt_epu64_mask(live, x, pv);
        __mmask8 lt = _mm512_mask_cmplt_epu64_mask(live, x, pv);
        uint32_t ng = (uint32_t)__builtin_popcount(gt), nl = (uint32_t)__builtin_popcount(lt);
        _mm512_mask_storeu_epi64(key + j, (__mmask8)((1u << ng) - 1),
                                 _mm512_maskz_compress_epi64(gt, x));
        _mm512_mask_storeu_epi64(tmp + m, (__mmask8)((1u << nl) - 1),
                                 _mm512_maskz_compress_epi64(lt, x));
        j += ng;
    }
    return j - lo;
}

#endif

typedef void (*keys_fn)(const yw_fterm_t *, uint32_t, uint64_t, unsigned, uint64_t *);
typedef uint32_t (*part_fn)(uint64_t *, uint64_t *, uint32_t, uint32_t, uint64_t);

static void select_keys(yw_fterm_t *a, uint32_t n, uint32_t k, uint64_t *key, uint64_t *tmp,
                        yw_fterm_t *out, keys_fn keys, part_fn part)
{
    /* index bits: 12, or as many as n needs (n < 2^31: a record's terms) */
    unsigned ib = 12;
    while (ib < 31 && (n - 1) >> ib) ib++;
    keys(a, n, a[0].term ^ a[n - 1].term, ib, key);
    uint32_t lo = 0, hi = n;
    /* key[0..lo) are kept; the k-th largest is in key[lo..hi) */
    while (hi - lo > 1) {
        uint64_t p = key[lo + (hi - lo) / 2];
        uint32_t gt = lo + part(key, tmp, lo, hi, p);
        key[gt] = p;
        memcpy(key + gt + 1, tmp, (size_t)(hi - gt - 1) * sizeof *key);
        if (k <= gt) hi = gt;
        else if (k == gt + 1) break;
        else lo = gt + 1;
    }
    const uint64_t imask = ((uint64_t)1 << ib) - 1;
    for (uint32_t i = 0; i < k; i++) out[i] = a[key[i] & imask];
    memcpy(a, out, (size_t)k * sizeof *a);
}

void ywcl_select_top_scalar(yw_fterm_t *a, uint32_t n, uint32_t k, uint64_t *key,
                            uint64_t *tmp, yw_fterm_t *out)
{
    if (k == 0 || k >= n) return;
    select_keys(a, n, k, key, tmp, out, keys_scalar, part_scalar);
}

#ifdef YWCL_HAVE_AVX512
void ywcl_select_top_avx512(yw_fterm_t *a, uint32_t n, uint32_t k, uint64_t *key,
                            uint64_t *tmp, yw_fterm_t *out)
{
    if (k == 0 || k >= n) return;
    select_keys(a, n, k, key, tmp, out, keys_avx512, part_avx512);
}
#endif

void ywcl_select_top(yw_clusterer_t *cl, yw_fterm_t *a, uint32_t n, uint32_t k)
{
    if (k == 0 || k >= n) return;
#ifdef YWCL_HAVE_AVX512
    if (ywcl_have_avx512()) {
        select_keys(a, n, k, cl->skey, cl->stmp, cl->sbuf, keys_avx512, part_avx512);
        return;
    }
#endif
    select_keys(a, n, k, cl->skey, cl->stmp, cl->sbuf, keys_scalar, part_scalar);
}
