/* cluster_terms.c -- what the clusterer does with a record's terms as
 * plain arrays, before and besides its clusters: the bottom-k signature
 * and its Jaccard estimate (near-duplicates), the weighing (tf x idf x
 * kind weight), and the record half of a join (the terms a centroid
 * takes in).  Each runs once or more a record, so each has an AVX-512
 * way (AVX2 for the signature) used when the CPU has it, beside the
 * scalar one that gives the same result bit for bit (test_cluster holds
 * them equal); the dispatchers (ywcl_bottom_k, ywcl_weigh,
 * ywcl_join_rest) pick.  The clustering itself is in cluster.c. */
#include <math.h>
#include <string.h>

#include "cluster_impl.h"

#if defined(YWCL_HAVE_AVX2) || defined(YWCL_HAVE_AVX512)
#include <immintrin.h>
#endif

/* The record's bottom-k signature: the SIG_K smallest mix32 of its
 * bigram and word terms, ascending, UINT32_MAX where there are fewer;
 * returns how many there are.  Inserting a value into the sorted array
 * at once, sig'[p] = max(min(sig[p], h), sig[p-1]), needs no branch; with
 * AVX2 it is four instructions, where the insertion loop below it
 * mispredicted ~40 times a record (callgrind).  Both give the same. */
static inline uint32_t sig_count(const uint32_t *sig)
{
    uint32_t n = 0;
    for (uint32_t p = 0; p < SIG_K; p++) n += sig[p] != UINT32_MAX;
    return n;
}

static inline uint32_t sig_hash(uint64_t t)
{
    unsigned kind = YW_TERM_KIND(t);
    return kind == YW_TERM_BIGRAM || kind == YW_TERM_WORD ? mix32(t) : UINT32_MAX;
}

#ifdef YWCL_HAVE_AVX2
__attribute__((target("avx2"))) uint32_t ywcl_bottom_k_avx2(const yw_fterm_t *rv, uint32_t n,
                                                             uint32_t *sig)
{
    const __m256i down = _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6);
    const __m256i zero = _mm256_setzero_si256();
    __m256i s = _mm256_set1_epi32(-1);
    for (uint32_t k = 0; k < n; k++) {
        __m256i h = _mm256_set1_epi32((int)sig_hash(rv[k].term));
        __m256i prev = _mm256_blend_epi32(_mm256_permutevar8x32_epi32(s, down), zero, 1);
        s = _mm256_max_epu32(_mm256_min_epu32(s, h), prev);
    }
    _mm256_storeu_si256((__m256i *)sig, s);
    return sig_count(sig);
}
#endif

uint32_t ywcl_bottom_k_scalar(const yw_fterm_t *rv, uint32_t n, uint32_t *sig)
{
    for (uint32_t p = 0; p < SIG_K; p++) sig[p] = UINT32_MAX;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t h = sig_hash(rv[k].term);
        if (h >= sig[SIG_K - 1]) continue;
        uint32_t p = SIG_K - 1;
        while (p > 0 && sig[p - 1] > h) {
            sig[p] = sig[p - 1];
            p--;
        }
        sig[p] = h;
    }
    return sig_count(sig);
}

#ifdef YWCL_HAVE_AVX512
#define AVX512_SIG __attribute__((target("avx512f,avx512dq,avx512vl")))

/* Elements k.. of a {term, weight} array as two words of four (p, q),
 * the lanes past left zero. */
AVX512_SIG static inline void load8_pairs(const uint64_t *src, uint32_t k, uint32_t left,
                                          __m512i *p, __m512i *q)
{
    *p = _mm512_maskz_loadu_epi64(ywcl_pairs_mask(left, 0), src + 2 * k);
    *q = _mm512_maskz_loadu_epi64(ywcl_pairs_mask(left, 1), src + 2 * k + 8);
}

/* Compare-exchange of each lane with lane perm[i], the lanes in mask
 * keeping the larger. */
AVX512_SIG static inline __m256i cx8(__m256i v, __m256i perm, __mmask8 mask)
{
    __m256i w = _mm256_permutexvar_epi32(perm, v);
    return _mm256_mask_blend_epi32(mask, _mm256_min_epu32(v, w), _mm256_max_epu32(v, w));
}

/* Eight hashes a step, sorted by a bitonic network, then merged with the
 * signature so far keeping the eight smallest (the lower half of a
 * bitonic merge).  The k smallest of a multiset are the k smallest
 * whatever the order they come in, so the result is the AVX2 and scalar
 * ways' (test_signature_ways_agree), without their chain of one insert
 * per term. */
AVX512_SIG uint32_t ywcl_bottom_k_avx512(const yw_fterm_t *rv, uint32_t n, uint32_t *sig)
{
    const __m512i even = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    const __m512i mul = _mm512_set1_epi64((long long)0xff51afd7ed558ccdull);
    const __m512i bigram = _mm512_set1_epi64(YW_TERM_BIGRAM), word = _mm512_set1_epi64(YW_TERM_WORD);
    const __m256i d1 = _mm256_setr_epi32(1, 0, 3, 2, 5, 4, 7, 6);
    const __m256i d2 = _mm256_setr_epi32(2, 3, 0, 1, 6, 7, 4, 5);
    const __m256i d4 = _mm256_setr_epi32(4, 5, 6, 7, 0, 1, 2, 3);
    const __m256i rev = _mm256_setr_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    const __m256i none = _mm256_set1_epi32(-1);
    __m256i s = none;
    const uint64_t *src = (const uint64_t *)(const void *)rv;
    for (uint32_t k = 0; k < n; k += 8) {
        uint32_t left = n - k;
        __m512i p, q;
        load8_pairs(src, k, left, &p, &q);
        __m512i t = _mm512_permutex2var_epi64(p, even, q);
        __m512i kind = _mm512_srli_epi64(t, YW_TERM_KIND_SHIFT);
        __mmask8 bw = _mm512_cmpeq_epi64_mask(kind, bigram) | _mm512_cmpeq_epi64_mask(kind, word);
        /* mix32 (cluster_impl.h); other kinds and missing lanes: UINT32_MAX */
        __m512i x = _mm512_xor_si512(t, _mm512_srli_epi64(t, 33));
        x = _mm512_mullo_epi64(x, mul);
        x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 33));
        __m256i h = _mm256_mask_mov_epi32(none, bw, _mm512_cvtepi64_epi32(x));
        /* sort the eight ascending */
        h = cx8(h, d1, 0x66);
        h = cx8(h, d2, 0x3C);
        h = cx8(h, d1, 0x5A);
        h = cx8(h, d4, 0xF0);
        h = cx8(h, d2, 0xCC);
        h = cx8(h, d1, 0xAA);
        /* the eight smallest of s and h: a bitonic sequence, then sorted */
        s = _mm256_min_epu32(s, _mm256_permutexvar_epi32(rev, h));
        s = cx8(s, d4, 0xF0);
        s = cx8(s, d2, 0xCC);
        s = cx8(s, d1, 0xAA);
    }
    _mm256_storeu_si256((__m256i *)(void *)sig, s);
    return sig_count(sig);
}
#endif

uint32_t ywcl_bottom_k(const yw_fterm_t *rv, uint32_t n, uint32_t *sig)
{
#ifdef YWCL_HAVE_AVX512
    if (ywcl_have_avx512()) return ywcl_bottom_k_avx512(rv, n, sig);
#endif
#ifdef YWCL_HAVE_AVX2
    if (__builtin_cpu_supports("avx2")) return ywcl_bottom_k_avx2(rv, n, sig);
#endif
    return ywcl_bottom_k_scalar(rv, n, sig);
}

/* The weighing of weigh_record: rv[] = the terms of vt[0..vn) whose kind
 * weight and count are above 0, weighed tf x idf x kind weight; returns
 * how many.  kwt: the weight of each of the 16 kinds; tft: 1 + ln(c) for
 * whole counts c < 16 (c = 15.5 and above read entry 15, then logf). */
uint32_t ywcl_weigh_scalar(const yw_fterm_t *restrict vt, uint32_t vn,
                           const float *restrict ridf, const float *kwt, const float *tft,
                           float idf_min, yw_fterm_t *restrict rv)
{
    uint32_t n = 0;
    for (uint32_t k = 0; k < vn; k++) {
        uint64_t t = vt[k].term;
        unsigned kind = YW_TERM_KIND(t);
        float kw = kwt[kind], cnt = vt[k].w;
        if (kw <= 0 || cnt <= 0) continue;
        float idf = ridf[k];
        if (idf < idf_min) idf = idf_min;
        /* counts are mostly small whole numbers (rule hits may weigh
         * otherwise), whose 1 + logf the table holds (1 at 1): read
         * first, as a branch on "count is 1" was mispredicted 20 times a
         * record */
        uint32_t ci = (uint32_t)(cnt < 15.5f ? cnt : 15.5f);
        float tf = tft[ci];
        if (__builtin_expect((float)ci != cnt, 0)) tf = 1.0f + logf(cnt);
        rv[n].term = t;
        rv[n].w = tf * idf * kw;
        n++;
    }
    return n;
}

#ifdef YWCL_HAVE_AVX512
/* Append to out (qword pairs: {term, weight} elements) from n on the
 * elements of lo (elements 0-3) and hi (4-7) whose bit is set in keep, in
 * order; returns the new n.  Each element's bit goes to both its qwords
 * (pdep), and each half is compressed in a register and stored with a
 * mask. */
__attribute__((target("avx512f,avx512dq,avx512vl,bmi2")))
static inline uint32_t pairs_keep(uint64_t *out, uint32_t n, unsigned keep, __m512i lo, __m512i hi)
{
    unsigned d0 = _pdep_u32(keep & 0xFu, 0x55u) * 3u, d1 = _pdep_u32((keep >> 4) & 0xFu, 0x55u) * 3u;
    unsigned c0 = (unsigned)__builtin_popcount(d0), c1 = (unsigned)__builtin_popcount(d1);
    _mm512_mask_storeu_epi64(out + 2 * n, (__mmask8)((1u << c0) - 1),
                             _mm512_maskz_compress_epi64((__mmask8)d0, lo));
    n += c0 / 2;
    _mm512_mask_storeu_epi64(out + 2 * n, (__mmask8)((1u << c1) - 1),
                             _mm512_maskz_compress_epi64((__mmask8)d1, hi));
    return n + c1 / 2;
}

/* The same, eight terms a step: the kind weights and the tf table are
 * sixteen-entry permutes, the products are taken in the same order (the
 * same bits), and the kept terms are compressed in pairs of qwords.  A
 * count that is not a whole number below 16 is redone with logf. */
__attribute__((target("avx512f,avx512dq,avx512vl,bmi2")))
uint32_t ywcl_weigh_avx512(const yw_fterm_t *restrict vt, uint32_t vn,
                           const float *restrict ridf, const float *kwt, const float *tft,
                           float idf_min, yw_fterm_t *restrict rv)
{
    const __m512i even = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    const __m512i odd = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
    const __m512i lo_pairs = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
    const __m512i hi_pairs = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
    const __m256 kw_lo = _mm256_loadu_ps(kwt), kw_hi = _mm256_loadu_ps(kwt + 8);
    const __m256 tf_lo = _mm256_loadu_ps(tft), tf_hi = _mm256_loadu_ps(tft + 8);
    const __m256 vmin = _mm256_set1_ps(idf_min), vcap = _mm256_set1_ps(15.5f);
    const __m256 zero = _mm256_setzero_ps();
    const uint64_t *src = (const uint64_t *)(const void *)vt;
    uint64_t *out = (uint64_t *)(void *)rv;
    uint32_t n = 0;
    for (uint32_t k = 0; k < vn; k += 8) {
        uint32_t left = vn - k;
        __mmask8 live = left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
        /* two qwords an element: the term, then the count (low half) */
        __m512i p, q;
        load8_pairs(src, k, left, &p, &q);
        __m512i t = _mm512_permutex2var_epi64(p, even, q);
        __m256 cnt = _mm256_castsi256_ps(_mm512_cvtepi64_epi32(_mm512_permutex2var_epi64(p, odd, q)));
        __m256i kind = _mm512_cvtepi64_epi32(_mm512_srli_epi64(t, YW_TERM_KIND_SHIFT));
        __m256 kw = _mm256_permutex2var_ps(kw_lo, kind, kw_hi);
        __mmask8 keep = _mm256_mask_cmp_ps_mask(live, kw, zero, _CMP_GT_OQ) &
                        _mm256_cmp_ps_mask(cnt, zero, _CMP_GT_OQ);
        __m256 idf = _mm256_max_ps(_mm256_maskz_loadu_ps(live, ridf + k), vmin);
        __m256i ci = _mm256_cvttps_epi32(_mm256_min_ps(cnt, vcap));
        __m256 tf = _mm256_permutex2var_ps(tf_lo, ci, tf_hi);
        __mmask8 odd_count = keep & _mm256_cmp_ps_mask(_mm256_cvtepi32_ps(ci), cnt, _CMP_NEQ_UQ);
        if (__builtin_expect(odd_count != 0, 0)) {
            float tv[8], cv[8];
            _mm256_storeu_ps(tv, tf);
            _mm256_storeu_ps(cv, cnt);
            for (unsigned m = odd_count; m; m &= m - 1) {
                unsigned j = (unsigned)__builtin_ctz(m);
                tv[j] = 1.0f + logf(cv[j]);
            }
            tf = _mm256_loadu_ps(tv);
        }
        __m256 w = _mm256_mul_ps(_mm256_mul_ps(tf, idf), kw);
        __m512i wq = _mm512_cvtepu32_epi64(_mm256_castps_si256(w));
        n = pairs_keep(out, n, keep, _mm512_permutex2var_epi64(t, lo_pairs, wq),
                       _mm512_permutex2var_epi64(t, hi_pairs, wq));
    }
    return n;
}
#endif

uint32_t ywcl_weigh(const yw_fterm_t *vt, uint32_t vn, const float *ridf, const float *kwt,
                    const float *tft, float idf_min, yw_fterm_t *rv)
{
#ifdef YWCL_HAVE_AVX512
    if (ywcl_have_avx512()) return ywcl_weigh_avx512(vt, vn, ridf, kwt, tft, idf_min, rv);
#endif
    return ywcl_weigh_scalar(vt, vn, ridf, kwt, tft, idf_min, rv);
}

/* Estimated Jaccard of two bottom-k signatures (sorted, UINT32_MAX pads):
 * of the k smallest values of the union, the share found in both.
 *
 * It is run against every kept signature of the cluster a record joins
 * (up to SIG_KEEP).  A merge of the two arrays is a chain of SIG_K
 * dependent steps; this counts instead, with no step waiting on another:
 * a value of a in b is common; the union's values below a[i] are i,
 * plus the b values below it, less the common values below it (counted
 * in both); a common value counts when that rank is below SIG_K.  The
 * union holds la + lb - common values.  For signatures without a repeated
 * value (two of a record's terms with one 32-bit hash: about one record
 * in a few million) this is what the merge counted; test_cluster holds
 * the two equal. */
double ywcl_sig_jaccard(const uint32_t *a, const uint32_t *b)
{
    uint32_t lt[SIG_K], eq[SIG_K], la = 0, lb = 0;
    for (uint32_t i = 0; i < SIG_K; i++) {
        uint32_t below = 0, in = 0;
        for (uint32_t j = 0; j < SIG_K; j++) {
            below += b[j] < a[i];
            in |= b[j] == a[i];
        }
        lt[i] = below;
        eq[i] = in & (a[i] != UINT32_MAX);
        la += a[i] != UINT32_MAX;
        lb += b[i] != UINT32_MAX;
    }
    uint32_t common = 0, both = 0;
    for (uint32_t i = 0; i < SIG_K; i++) {
        both += eq[i] & (i + lt[i] - common < SIG_K);
        common += eq[i];
    }
    uint32_t uni = la + lb - common;
    if (uni > SIG_K) uni = SIG_K;
    return uni ? (double)both / uni : 0;
}

/* The record half of a join: append to out[n..) the record terms rv[k]
 * not marked in used[] whose weight is at least least, and note the
 * first and last terms not marked (the selection's salt is taken from the
 * array they would make with every such term).  Returns the new n. */
uint32_t ywcl_join_rest_scalar(const yw_fterm_t *rv, uint32_t rn, const uint32_t *used,
                               float least, yw_fterm_t *out, uint32_t n, ywcl_join_ends_t *e)
{
    for (uint32_t k = 0; k < rn; k++) {
        const yw_fterm_t r = rv[k];
        bool in = !used[k];
        e->first = !e->any && in ? r.term : e->first;
        e->any |= in;
        e->last = in ? r.term : e->last;
        out[n] = r;
        n += in & (r.w >= least);
    }
    return n;
}

#ifdef YWCL_HAVE_AVX512
/* The same eight terms a step, the kept pairs compressed as they stand. */
__attribute__((target("avx512f,avx512dq,avx512vl,bmi2")))
uint32_t ywcl_join_rest_avx512(const yw_fterm_t *rv, uint32_t rn, const uint32_t *used,
                               float least, yw_fterm_t *out, uint32_t n, ywcl_join_ends_t *e)
{
    const __m512i even = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    const __m512i odd = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
    const __m256 vl = _mm256_set1_ps(least);
    const uint64_t *src = (const uint64_t *)(const void *)rv;
    uint64_t *o = (uint64_t *)(void *)out;
    for (uint32_t k = 0; k < rn; k += 8) {
        uint32_t left = rn - k;
        __mmask8 live = left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
        __m256i u = _mm256_maskz_loadu_epi32(live, used + k);
        unsigned in = _mm256_mask_cmpeq_epi32_mask(live, u, _mm256_setzero_si256());
        __m512i p, q;
        load8_pairs(src, k, left, &p, &q);
        __m256 wv = _mm256_castsi256_ps(_mm512_cvtepi64_epi32(_mm512_permutex2var_epi64(p, odd, q)));
        unsigned pass = in & _mm256_cmp_ps_mask(wv, vl, _CMP_GE_OQ);
        if (in) {
            uint64_t tv[8];
            _mm512_storeu_si512(tv, _mm512_permutex2var_epi64(p, even, q));
            if (!e->any) e->first = tv[__builtin_ctz(in)];
            e->any = true;
            e->last = tv[31 - __builtin_clz(in)];
        }
        n = pairs_keep(o, n, pass, p, q);
    }
    return n;
}
#endif

uint32_t ywcl_join_rest(const yw_fterm_t *rv, uint32_t rn, const uint32_t *used, float least,
                        yw_fterm_t *out, uint32_t n, ywcl_join_ends_t *e)
{
#ifdef YWCL_HAVE_AVX512
    if (ywcl_have_avx512()) return ywcl_join_rest_avx512(rv, rn, used, least, out, n, e);
#endif
    return ywcl_join_rest_scalar(rv, rn, used, least, out, n, e);
}
