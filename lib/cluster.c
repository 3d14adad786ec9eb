/* cluster.c -- incremental single-pass clustering (see cluster.h).
 *
 * Layout: clusters live in a slot pool (grown by doubling up to
 * max_clusters; a freed slot is reused), with their centroid terms and
 * weights, and the terms they are indexed under, in flat per-slot arrays
 * so one cluster's centroid is one contiguous read.  Three open-addressing
 * tables (linear probing, backward-shift deletion, so no tombstones pile
 * up in a process that runs for months): cluster id -> slot, term ->
 * posting list of slots, and absorbed id -> surviving id for the last
 * merges.  Two LRU lists in update order (one-record clusters, and the
 * rest) make expiry and eviction O(1) per cluster.
 *
 * The record is compared through a small hash of its strongest terms
 * (stamped, so it is never cleared): a candidate's dot product is one
 * lookup per centroid term, and joining merges the two term sets without
 * sorting.
 *
 * Elsewhere: creating, growing and destroying it, and the read-only
 * queries, in cluster_pool.c; the settings in cluster_conf.c, readable labels and titles in
 * cluster_label.c, snapshots in cluster_snap.c, the selection in
 * cluster_select.c, the record's signature, weighing and the record half
 * of a join (plain-array kernels, each with an AVX-512 way) in
 * cluster_terms.c, the tables in otab.c, the private state in
 * cluster_impl.h. */
#include "cluster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#include "cluster_impl.h"

/* ---- small helpers (mix32, slot_of: cluster_impl.h; select_top:
 * cluster_select.c) ---------------------------------------------------- */

/* A weight's bits as an integer (weights are never negative, nor -0). */
static inline uint32_t wbits(float w)
{
    uint32_t b;
    memcpy(&b, &w, sizeof b);
    return b;
}

/* ---- the record hash --------------------------------------------------
 *
 * Which of the loaded terms (the record's, or one centroid's while two
 * centroids are compared) a term is.  Half the lookups miss, so a probe
 * that branches on its answer is mispredicted about as often as not:
 * ~150 times a record when the probes looped (callgrind --branch-sim).
 * A lookup here does not branch on its answer: each term has one home
 * slot in a table of 2^RH_BITS; a slot holds the term's key, its weight,
 * and the load's stamp above the term's index in hsrc (so an index fits 8
 * bits: MAX_TERMS), the answer kept as a mask.  The key is the term's low
 * 32 bits xor the load's own key (stamp x an odd constant, so no two
 * loads between wraps share one): a slot left by an earlier load, even
 * with the same term, does not match.  A dot product compares the key
 * alone and takes the weight beside it, one 8-byte load (an AVX-512
 * gather of eight, where key and term once took two); a different term
 * matches with odds of 2^-32 a lookup and adds a stale weight, about once
 * in 10^7 records.  A lookup that returns the index (a join, a merge) also
 * compares the stamp, so it only ever returns one of this load's terms.
 * (The slot holds the weight itself, not just the index: a lookup is one
 * load, not a load and then another where it points.)  A term whose slot
 * is taken goes to a short overflow
 * list, read (also without a branch on its answer) only while it is not
 * empty: about one record in three has a term there, at ~60 terms in
 * 4,096 slots (the AVX-512 lookups compare the list in registers).  The
 * table was 8,192 slots (128 KiB) until stop 24: at 64 KiB it evicts less
 * of the centroids, posting lists and df lines from the core's caches,
 * ~2% of features + clustering (bench/README.md "Stop 24").  A lookup
 * returns the index or RH_NONE. */
#define RH_NONE MAX_TERMS

static inline uint32_t rh_home(uint64_t k)
{
    return (uint32_t)((k * 0x9E3779B97F4A7C15ull) >> (64 - RH_BITS));
}

/* The key of term k in this load. */
static inline uint32_t rh_key(const yw_clusterer_t *cl, uint64_t k)
{
    return (uint32_t)k ^ cl->hkey;
}

/* The home slot's index and its mask (all ones when it holds term k). */
static inline uint32_t rh_match(const yw_clusterer_t *cl, uint64_t k, uint32_t *m)
{
    const ywcl_rh_slot_t *e = &cl->htab[rh_home(k)];
    uint32_t i = e->tag & 0xFF;
    /* the stamp matches when only the index bits differ */
    *m = 0u - (uint32_t)(((e->tag ^ (cl->stamp << 8)) < 256) & (e->key == rh_key(cl, k)));
    return i;
}

static inline uint32_t rh_find(const yw_clusterer_t *cl, uint64_t k)
{
    uint32_t m, i = rh_match(cl, k, &m);
    uint32_t r = (i & m) | (RH_NONE & ~m);
    if (__builtin_expect(cl->novf != 0, 0)) {
        for (uint32_t j = 0; j < cl->novf; j++) {
            uint32_t o = cl->hovf[j];
            uint32_t mo = 0u - (uint32_t)(cl->hsrc[o].term == k);
            r = (o & mo) | (r & ~mo);
        }
    }
    return r;
}

static inline float bitsf(uint32_t b)
{
    float w;
    memcpy(&w, &b, sizeof w);
    return w;
}

/* The weight of the loaded term at index r, 0 for RH_NONE. */
static inline float rh_weight(const yw_clusterer_t *cl, uint32_t r)
{
    return bitsf(wbits(cl->hsrc[r & 0xFF].w) & (0u - (uint32_t)(r != RH_NONE)));
}

/* The weight of loaded term k for a dot product, 0 when it is not loaded:
 * the home slot's by its key, then the overflow list's (exact) while it
 * is not empty. */
static inline float rh_weight_home(const yw_clusterer_t *cl, uint64_t k)
{
    const ywcl_rh_slot_t *e = &cl->htab[rh_home(k)];
    uint32_t m = 0u - (uint32_t)(e->key == rh_key(cl, k));
    return bitsf(wbits(e->w) & m);
}

static inline float rh_weight_dot(const yw_clusterer_t *cl, uint64_t k)
{
    float w = rh_weight_home(cl, k);
    for (uint32_t j = 0; j < cl->novf; j++) {
        const yw_fterm_t *o = &cl->hsrc[cl->hovf[j]];
        w = o->term == k ? o->w : w;
    }
    return w;
}

/* Start a load of the terms src[0..n) (n <= MAX_TERMS, terms unique). */
static void rh_load(yw_clusterer_t *cl, const yw_fterm_t *src, uint32_t n)
{
    if (++cl->stamp == 1u << 24) {      /* wrapped: clear once every 2^24 loads */
        memset(cl->htab, 0, sizeof(ywcl_rh_slot_t) << RH_BITS);
        cl->stamp = 1;
    }
    cl->hkey = cl->stamp * 0x9E3779B1u;    /* odd: distinct for distinct stamps */
    cl->hsrc = src;
    cl->novf = 0;
    const uint32_t st = cl->stamp << 8;
    for (uint32_t k = 0; k < n; k++) {
        ywcl_rh_slot_t *p = cl->htab + rh_home(src[k].term);
        if ((p->tag & ~0xFFu) != st)
            *p = (ywcl_rh_slot_t){ rh_key(cl, src[k].term), src[k].w, st | k, 0 };
        else
            cl->hovf[cl->novf++] = (uint8_t)k;
    }
}

static float centroid_norm(const float *w, uint32_t n)
{
    double s[4] = { 0, 0, 0, 0 };
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (uint32_t j = 0; j < 4; j++) s[j] += (double)w[i + j] * w[i + j];
    for (; i < n; i++) s[i & 3] += (double)w[i] * w[i];
    return (float)sqrt((s[0] + s[2]) + (s[1] + s[3]));
}

static double terms_sum_squares(const yw_fterm_t *t, uint32_t n)
{
    double s[4] = { 0, 0, 0, 0 };
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (uint32_t j = 0; j < 4; j++) s[j] += (double)t[i + j].w * t[i + j].w;
    for (; i < n; i++) s[i & 3] += (double)t[i].w * t[i].w;
    return (s[0] + s[2]) + (s[1] + s[3]);
}

/* ---- dot products against the loaded terms ----------------------------
 *
 * A centroid's terms t[0..n) with weights w[] against the loaded terms:
 * eight lanes, lane j summing the products of terms j, j + 8, j + 16, ...
 * in order, then the lanes added in a fixed order.  With AVX-512 the
 * eight look-ups of a step are gathers (the home slots, the terms they
 * name, their weights) and a lane is a vector lane; without it, the same
 * sums one term at a time, so the result is the same bits either way
 * (test_cluster holds them equal).  Float products and sums, never
 * fused: the build is ISO C (no contraction), and the vector code
 * multiplies and adds separately. */
static inline float lane_sum(const float *l)
{
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

float ywcl_dot_scalar(const yw_clusterer_t *cl, const uint64_t *t, const float *w, uint32_t n)
{
    float lane[8] = { 0 };
    if (cl->novf) {
        for (uint32_t k = 0; k < n; k++) {
            float p = rh_weight_dot(cl, t[k]) * w[k];
            lane[k & 7] += p;
        }
        return lane_sum(lane);
    }
    uint32_t k = 0;
    for (; k + 8 <= n; k += 8)         /* unrolled: the lanes stay in registers */
        for (uint32_t j = 0; j < 8; j++) {
            float p = rh_weight_home(cl, t[k + j]) * w[k + j];
            lane[j] += p;
        }
    for (; k < n; k++) {
        float p = rh_weight_home(cl, t[k]) * w[k];
        lane[k & 7] += p;
    }
    return lane_sum(lane);
}

#ifdef YWCL_HAVE_AVX512
#include <immintrin.h>

/* The home slots of the eight terms tv: the top RH_BITS of term x golden
 * (rh_home). */
__attribute__((target("avx512f,avx512dq,avx512vl")))
static inline __m512i rh_home8(__m512i tv)
{
    return _mm512_srli_epi64(_mm512_mullo_epi64(tv, _mm512_set1_epi64((long long)0x9E3779B97F4A7C15ull)),
                             64 - RH_BITS);
}

/* The loaded weights of the eight terms tv for a dot product (lanes in
 * live; 0 where a term is not loaded), as rh_weight_dot: the home slot's
 * key and weight in one gather, then the overflow list in registers.
 * With found non-NULL, also which loaded term each is, as rh_find: the
 * stamps gathered too and compared (found: the lanes found; idx: their
 * indexes). */
__attribute__((target("avx512f,avx512dq,avx512vl")))
static inline __m256 rh_look8(const yw_clusterer_t *cl, __m512i tv, __mmask8 live,
                              __mmask8 *found, __m256i *idx)
{
    __m512i h = rh_home8(tv);
    __m512i kw = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), live, _mm512_slli_epi64(h, 1),
                                             (const long long *)(const void *)cl->htab, 8);
    __m256i want = _mm256_xor_si256(_mm512_cvtepi64_epi32(tv), _mm256_set1_epi32((int)cl->hkey));
    __mmask8 m = _mm256_mask_cmpeq_epi32_mask(live, _mm512_cvtepi64_epi32(kw), want);
    if (found) {
        __m256i tag = _mm512_mask_i64gather_epi32(
            _mm256_setzero_si256(), live,
            _mm512_add_epi64(_mm512_slli_epi64(h, 2), _mm512_set1_epi64(2)),
            (const int *)(const void *)cl->htab, 4);
        /* the stamp matches when only the index bits differ */
        m = _mm256_mask_cmplt_epu32_mask(
            m, _mm256_xor_si256(tag, _mm256_set1_epi32((int)(cl->stamp << 8))), _mm256_set1_epi32(256));
        *idx = _mm256_and_si256(tag, _mm256_set1_epi32(0xFF));
    }
    __m256 rw = _mm256_maskz_mov_ps(m, _mm256_castsi256_ps(_mm512_cvtepi64_epi32(_mm512_srli_epi64(kw, 32))));
    for (uint32_t j = 0; j < cl->novf; j++) {
        const yw_fterm_t *ov = &cl->hsrc[cl->hovf[j]];
        __mmask8 mo = _mm512_mask_cmpeq_epu64_mask(live, tv, _mm512_set1_epi64((long long)ov->term));
        rw = _mm256_mask_mov_ps(rw, mo, _mm256_set1_ps(ov->w));
        if (found) *idx = _mm256_mask_mov_epi32(*idx, mo, _mm256_set1_epi32(cl->hovf[j]));
        m |= mo;
    }
    if (found) *found = m;
    return rw;
}

__attribute__((target("avx512f,avx512dq,avx512vl")))
float ywcl_dot_avx512(const yw_clusterer_t *cl, const uint64_t *t, const float *w, uint32_t n)
{
    __m256 acc = _mm256_setzero_ps();
    for (uint32_t k = 0; k < n; k += 8) {
        __mmask8 live = n - k >= 8 ? 0xFF : (__mmask8)((1u << (n - k)) - 1);
        __m256 rw = rh_look8(cl, _mm512_maskz_loadu_epi64(live, t + k), live, NULL, NULL);
        acc = _mm256_add_ps(acc, _mm256_mul_ps(rw, _mm256_maskz_loadu_ps(live, w + k)));
    }
    float lane[8];
    _mm256_storeu_ps(lane, acc);
    return lane_sum(lane);
}
#endif

static float dot_loaded(const yw_clusterer_t *cl, const uint64_t *t, const float *w, uint32_t n)
{
#ifdef YWCL_HAVE_AVX512
    if (ywcl_have_avx512()) return ywcl_dot_avx512(cl, t, w, n);
#endif
    return ywcl_dot_scalar(cl, t, w, n);
}

/* Cosine between the record hash and the centroid of slot s. */
static float centroid_dot(const yw_clusterer_t *cl, uint32_t s)
{
    const clu_t *c = &cl->clu[s];
    if (c->norm <= 0) return 0;
    const uint64_t *t = cl->cterm + (size_t)s * cl->c.top_k;
    const float *w = cl->cw + (size_t)s * cl->c.top_k;
    return dot_loaded(cl, t, w, c->nterms) / c->norm;
}

static double time_damp(const yw_cluster_conf_t *c, int64_t gap_ms)
{
    if (c->time_scale_hours <= 0 || gap_ms <= 0) return 1.0;
    return exp(-(double)gap_ms / (c->time_scale_hours * 3600e3));
}

/* ---- LRU lists -------------------------------------------------------- */

static void lru_unlink(yw_clusterer_t *cl, uint32_t s)
{
    clu_t *c = &cl->clu[s];
    if (c->prev != NIL) cl->clu[c->prev].next = c->next;
    else cl->lru_head[c->list] = c->next;
    if (c->next != NIL) cl->clu[c->next].prev = c->prev;
    else cl->lru_tail[c->list] = c->prev;
    c->prev = c->next = NIL;
}

static void lru_append(yw_clusterer_t *cl, uint32_t s, uint8_t list)
{
    clu_t *c = &cl->clu[s];
    c->list = list;
    c->next = NIL;
    c->prev = cl->lru_tail[list];
    if (c->prev != NIL) cl->clu[c->prev].next = s;
    else cl->lru_head[list] = s;
    cl->lru_tail[list] = s;
}

/* ---- inverted index --------------------------------------------------- */

static void post_remove(yw_clusterer_t *cl, uint64_t term, uint32_t s)
{
    size_t i = yw_otab_find(&cl->post, term);
    if (i == SIZE_MAX) return;
    uint32_t *v = yw_otab_val(&cl->post, i);
    for (uint32_t k = 0; k < v[0]; k++) {
        if (v[1 + k] != s) continue;
        v[1 + k] = v[v[0]];
        if (--v[0] == 0) yw_otab_delete(&cl->post, i);
        return;
    }
}

/* List slot s under term.  A full list drops its smallest cluster if s is
 * bigger: established issues stay findable under common terms while
 * one-record clusters come and go.  Returns -1 on ENOMEM. */
static int post_add(yw_clusterer_t *cl, uint64_t term, uint32_t s)
{
    size_t i = yw_otab_find(&cl->post, term);
    if (i == SIZE_MAX) {
        i = yw_otab_insert(&cl->post, term);
        if (i == SIZE_MAX) return -1;
    }
    uint32_t *v = yw_otab_val(&cl->post, i);
    uint32_t min = 0;
    for (uint32_t k = 0; k < v[0]; k++) {
        if (v[1 + k] == s) return 0;
        if (cl->clu[v[1 + k]].n < cl->clu[v[1 + min]].n) min = k;
    }
    if (v[0] < cl->c.posting_cap) {
        v[1 + v[0]++] = s;
    } else if (cl->clu[v[1 + min]].n <= cl->clu[s].n) {
        /* the smallest (oldest among equals: lowest index after appends)
         * makes room */
        v[1 + min] = s;
    }
    return 0;
}

/* Index slot s under its index_terms strongest centroid terms, unlisting
 * the terms that dropped out. */
static int reindex(yw_clusterer_t *cl, uint32_t s)
{
    clu_t *c = &cl->clu[s];
    uint32_t T = cl->c.index_terms, n = c->nterms;
    yw_fterm_t top[MAX_TERMS];
    const uint64_t *t = cl->cterm + (size_t)s * cl->c.top_k;
    const float *w = cl->cw + (size_t)s * cl->c.top_k;
    for (uint32_t k = 0; k < n; k++) top[k] = (yw_fterm_t){ t[k], w[k] };
    select_top(cl, top, n, T);
    if (n > T) n = T;
    uint64_t *idx = cl->cidx + (size_t)s * T;
    for (uint32_t k = 0; k < c->nidx; k++) {
        int keep = 0;
        for (uint32_t m = 0; m < n && !keep; m++) keep = top[m].term == idx[k];
        if (!keep) post_remove(cl, idx[k], s);
    }
    int rc = 0;
    for (uint32_t m = 0; m < n; m++) {
        int had = 0;
        for (uint32_t k = 0; k < c->nidx && !had; k++) had = top[m].term == idx[k];
        if (!had && post_add(cl, top[m].term, s)) rc = -1;
    }
    for (uint32_t m = 0; m < n; m++) idx[m] = top[m].term;
    c->nidx = (uint8_t)n;
    c->since_index = 0;
    return rc;
}

/* ---- slots ------------------------------------------------------------ */

static void slot_free(yw_clusterer_t *cl, uint32_t s)
{
    clu_t *c = &cl->clu[s];
    const uint64_t *idx = cl->cidx + (size_t)s * cl->c.index_terms;
    for (uint32_t k = 0; k < c->nidx; k++) post_remove(cl, idx[k], s);
    size_t i = yw_otab_find(&cl->ids, c->id);
    if (i != SIZE_MAX) yw_otab_delete(&cl->ids, i);
    lru_unlink(cl, s);
    memset(c, 0, sizeof(*c));
    cl->freel[cl->nfree++] = s;
    cl->live--;
}

static uint32_t slot_alloc(yw_clusterer_t *cl)
{
    if (cl->nfree) return cl->freel[--cl->nfree];
    if (cl->hwm == cl->cap && ywcl_pool_grow(cl)) return NIL;
    return cl->hwm++;
}

/* ---- expiry ----------------------------------------------------------- */

size_t yw_cluster_expire(yw_clusterer_t *cl, int64_t watermark_ms)
{
    size_t n = 0;
    for (int l = 0; l < 2; l++) {
        double h = l == 0 ? cl->c.singleton_expiry_hours : cl->c.expiry_hours;
        int64_t ttl = (int64_t)(h * 3600e3);
        while (cl->lru_head[l] != NIL &&
               cl->clu[cl->lru_head[l]].last_ts + ttl < watermark_ms) {
            slot_free(cl, cl->lru_head[l]);
            n++;
        }
    }
    cl->st.expired += n;
    return n;
}

/* ---- the record ------------------------------------------------------- */

/* Weight the record's terms, keep the strongest, normalise, and take its
 * bottom-k signature (yw_cluster_add then loads the record hash). */
static int weigh_record(yw_clusterer_t *cl, const yw_features_t *f)
{
    const yw_fvec_t *v = &f->vec;
    if (v->n > cl->rv_cap) {
        uint32_t ncap = v->n + v->n / 2 + 16;
        yw_fterm_t *p = realloc(cl->rv, ncap * sizeof(*p));
        if (!p) return -1;
        cl->rv = p;
        float *q = realloc(cl->ridf, ncap * sizeof(*q));
        if (!q) return -1;
        cl->ridf = q;
        cl->rv_cap = ncap;
        if (ywcl_sel_grow(cl, ncap)) return -1;
    }
    /* The df counters are ~60 cache misses: start them, and take the
     * signature (which needs no weights) while they come.  It is the
     * weighed terms' signature when weighing keeps every term (a kind
     * weight or a count of 0 drops one: then it is taken again). */
    yw_df_prefetch(&cl->df, v);
    cl->nsig = ywcl_bottom_k(v->t, v->n, cl->sig);
    /* count the document and read every term's idf in one pass */
    yw_df_observe_idf(&cl->df, v, cl->ridf);
    uint32_t n = ywcl_weigh(v->t, v->n, cl->ridf, cl->kind_tab, cl->tf_tab, (float)cl->c.idf_min,
                             cl->rv);
    if (n != v->n) cl->nsig = ywcl_bottom_k(cl->rv, n, cl->sig);
    select_top(cl, cl->rv, n, cl->c.record_terms);
    if (n > cl->c.record_terms) n = cl->c.record_terms;
    double ss = terms_sum_squares(cl->rv, n);
    float inv = ss > 0 ? (float)(1.0 / sqrt(ss)) : 0;
    for (uint32_t k = 0; k < n; k++) cl->rv[k].w *= inv;
    cl->rn = n;
    return 0;
}

static bool is_near_dup(const yw_clusterer_t *cl, uint32_t s)
{
    if (cl->nsig < 3) return false;     /* too short to call a copy */
    const clu_t *c = &cl->clu[s];
    for (uint32_t k = 0; k < c->nsig; k++)
        if (ywcl_sig_jaccard(cl->sig, c->sig[k]) >= cl->c.dup_jaccard) return true;
    return false;
}

static void keep_sig(yw_clusterer_t *cl, uint32_t s)
{
    clu_t *c = &cl->clu[s];
    if (cl->nsig < 3) return;
    /* slot 0 keeps the first member for good (a campaign's template);
     * the rest rotate through recent members */
    uint32_t k = c->nsig < SIG_KEEP ? c->nsig++ : 1 + (c->n % (SIG_KEEP - 1));
    memcpy(c->sig[k], cl->sig, sizeof(cl->sig));
}

/* Keep the top_k strongest of mbuf[0..n) as slot s's centroid, ties
 * broken with salt (select_top's, unless a caller left terms out). */
static void centroid_store_salted(yw_clusterer_t *cl, uint32_t s, uint32_t n, uint64_t salt)
{
    uint32_t K = cl->c.top_k;
    ywcl_select_top_salted(cl, cl->mbuf, n, K, salt);
    if (n > K) n = K;
    uint64_t *t = cl->cterm + (size_t)s * K;
    float *w = cl->cw + (size_t)s * K;
    for (uint32_t k = 0; k < n; k++) {
        t[k] = cl->mbuf[k].term;
        w[k] = cl->mbuf[k].w;
    }
    cl->clu[s].nterms = n;
    cl->clu[s].norm = centroid_norm(w, n);
}

static void centroid_store(yw_clusterer_t *cl, uint32_t s, uint32_t n)
{
    centroid_store_salted(cl, s, n, n ? cl->mbuf[0].term ^ cl->mbuf[n - 1].term : 0);
}

static double decay_factor(const yw_cluster_conf_t *c, int64_t dt_ms)
{
    if (c->half_life_hours <= 0 || dt_ms <= 0) return 1.0;
    return exp2(-(double)dt_ms / (c->half_life_hours * 3600e3));
}

/* The centroid half of a join: out[k] = {t[k], w[k] x d + the loaded
 * record's weight of t[k]} for k < nt, and used[i] = 1 for each record
 * term i found; returns the least of the sums (INFINITY when nt is 0). */
float ywcl_join_scalar(const yw_clusterer_t *cl, const uint64_t *t, const float *w, uint32_t nt,
                       float d, uint32_t *used, yw_fterm_t *out)
{
    float least = INFINITY;
    for (uint32_t k = 0; k < nt; k++) {
        uint32_t i = rh_find(cl, t[k]);
        used[i] = 1;                    /* a miss marks the spare slot */
        float u = w[k] * d + rh_weight(cl, i);
        out[k] = (yw_fterm_t){ t[k], u };
        least = u < least ? u : least;
    }
    return least;
}

#ifdef YWCL_HAVE_AVX512
/* The same eight terms a step: the lookups as ywcl_dot_avx512's, the
 * sums in the same order (a product, then a sum: the same bits), the
 * found records' marks scattered, the pairs written as select_top reads
 * them. */
__attribute__((target("avx512f,avx512dq,avx512vl")))
float ywcl_join_avx512(const yw_clusterer_t *cl, const uint64_t *t, const float *w, uint32_t nt,
                       float d, uint32_t *used, yw_fterm_t *out)
{
    const __m512i lo_pairs = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
    const __m512i hi_pairs = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
    const __m256 vd = _mm256_set1_ps(d);
    const __m256i one = _mm256_set1_epi32(1);
    uint64_t *o = (uint64_t *)(void *)out;
    __m256 least = _mm256_set1_ps(INFINITY);
    for (uint32_t k = 0; k < nt; k += 8) {
        uint32_t left = nt - k;
        __mmask8 live = left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1), m;
        __m512i tv = _mm512_maskz_loadu_epi64(live, t + k);
        __m256i idx;
        __m256 rw = rh_look8(cl, tv, live, &m, &idx);
        _mm256_mask_i32scatter_epi32(used, m, idx, one, 4);
        __m256 u = _mm256_add_ps(_mm256_mul_ps(_mm256_maskz_loadu_ps(live, w + k), vd), rw);
        least = _mm256_mask_min_ps(least, live, least, u);
        __m512i uq = _mm512_cvtepu32_epi64(_mm256_castps_si256(u));
        _mm512_mask_storeu_epi64(o + 2 * k, ywcl_pairs_mask(left, 0),
                                 _mm512_permutex2var_epi64(tv, lo_pairs, uq));
        _mm512_mask_storeu_epi64(o + 2 * k + 8, ywcl_pairs_mask(left, 1),
                                 _mm512_permutex2var_epi64(tv, hi_pairs, uq));
    }
    return _mm512_mask_reduce_min_ps(0xFF, _mm512_castps256_ps512(least));
}
#endif

/* Add the (hashed) record to slot s's centroid: its terms, summed into
 * the centroid's, then the record's other terms, and the strongest
 * top_k of that kept.  A full centroid's top_k terms all weigh at least
 * the least of them after the sum, so a record term below that cannot be
 * kept: it is left out before the selection (about half of them), with
 * the selection salted as if it were there -- the same terms are kept,
 * in the same order (cluster_select.c). */
static void centroid_join(yw_clusterer_t *cl, uint32_t s, int64_t ts)
{
    clu_t *c = &cl->clu[s];
    uint32_t K = cl->c.top_k, n = c->nterms;
    float d = (float)decay_factor(&cl->c, ts - c->last_ts);
    const uint64_t *t = cl->cterm + (size_t)s * K;
    const float *w = cl->cw + (size_t)s * K;
    memset(cl->rused, 0, cl->rn * sizeof(uint32_t));
    float least;
#ifdef YWCL_HAVE_AVX512
    if (ywcl_have_avx512())
        least = ywcl_join_avx512(cl, t, w, n, d, cl->rused, cl->mbuf);
    else
#endif
        least = ywcl_join_scalar(cl, t, w, n, d, cl->rused, cl->mbuf);
    if (n < K) least = 0;               /* not full: every term may stay */
    /* the salt of the array with every record term: its first and last */
    ywcl_join_ends_t e = { n ? cl->mbuf[0].term : 0, n ? cl->mbuf[n - 1].term : 0, n != 0 };
    n = ywcl_join_rest(cl->rv, cl->rn, cl->rused, least, cl->mbuf, n, &e);
    centroid_store_salted(cl, s, n, e.first ^ e.last);
}

static uint32_t cluster_new(yw_clusterer_t *cl, const yw_features_t *f,
                            const yw_record_t *rec, int64_t ts, uint32_t *nexp)
{
    if (cl->live >= cl->c.max_clusters) {
        /* full: the least recently updated one-record cluster goes first */
        uint32_t victim = cl->lru_head[0] != NIL ? cl->lru_head[0] : cl->lru_head[1];
        if (victim != NIL) {
            slot_free(cl, victim);
            cl->st.evicted++;
            (*nexp)++;
        }
    }
    uint32_t s = slot_alloc(cl);
    if (s == NIL) return NIL;
    uint64_t id = cl->next_id;
    size_t i = yw_otab_insert(&cl->ids, id);
    if (i == SIZE_MAX) {
        cl->freel[cl->nfree++] = s;
        return NIL;
    }
    cl->next_id++;
    yw_otab_val(&cl->ids, i)[0] = s;
    clu_t *c = &cl->clu[s];
    memset(c, 0, sizeof(*c));
    c->id = id;
    c->first_ts = c->last_ts = ts;
    c->n = 1;
    c->prev = c->next = NIL;
    memcpy(cl->mbuf, cl->rv, cl->rn * sizeof(yw_fterm_t));
    centroid_store(cl, s, cl->rn);
    lru_append(cl, s, 0);
    cl->live++;
    cl->st.created++;
    keep_sig(cl, s);
    reindex(cl, s);
    ywcl_labels_add(cl, s, f, rec);
    return s;
}

/* Absorb slot b into slot a (a survives).  Both centroids are brought to
 * the later of their times before they are summed. */
static void cluster_merge(yw_clusterer_t *cl, uint32_t a, uint32_t b)
{
    clu_t *ca = &cl->clu[a], *cb = &cl->clu[b];
    uint32_t K = cl->c.top_k, n = 0;
    int64_t t = ca->last_ts > cb->last_ts ? ca->last_ts : cb->last_ts;
    float da = (float)decay_factor(&cl->c, t - ca->last_ts);
    float db = (float)decay_factor(&cl->c, t - cb->last_ts);
    const uint64_t *tb = cl->cterm + (size_t)b * K;
    const float *wb = cl->cw + (size_t)b * K;
    for (uint32_t k = 0; k < cb->nterms; k++) cl->hbuf[k] = (yw_fterm_t){ tb[k], wb[k] * db };
    rh_load(cl, cl->hbuf, cb->nterms);
    uint8_t used[MAX_TERMS + 1] = { 0 };
    const uint64_t *ta = cl->cterm + (size_t)a * K;
    const float *wa = cl->cw + (size_t)a * K;
    for (uint32_t k = 0; k < ca->nterms; k++) {
        uint32_t i = rh_find(cl, ta[k]);
        used[i] = 1;
        cl->mbuf[n++] = (yw_fterm_t){ ta[k], wa[k] * da + rh_weight(cl, i) };
    }
    for (uint32_t k = 0; k < cb->nterms; k++)
        if (!used[k]) cl->mbuf[n++] = cl->hbuf[k];
    centroid_store(cl, a, n);

    ca->n += cb->n;
    ca->ndup += cb->ndup;
    ca->nmerged += 1 + cb->nmerged;
    if (cb->first_ts < ca->first_ts) ca->first_ts = cb->first_ts;
    ca->last_ts = t;
    ywcl_labels_merge(ca, cb);
    for (uint32_t k = 0; k < cb->nsig && ca->nsig < SIG_KEEP; k++)
        memcpy(ca->sig[ca->nsig++], cb->sig[k], sizeof(cb->sig[k]));

    /* remember absorbed -> survivor; forget the oldest beyond merge_memory */
    uint64_t gone = cb->id, into = ca->id;
    uint64_t old = cl->mring[cl->mring_pos];
    if (old) {
        size_t i = yw_otab_find(&cl->merges, old);
        if (i != SIZE_MAX) yw_otab_delete(&cl->merges, i);
    }
    size_t i = yw_otab_insert(&cl->merges, gone);
    if (i != SIZE_MAX) {
        yw_otab_val(&cl->merges, i)[0] = (uint32_t)into;
        yw_otab_val(&cl->merges, i)[1] = (uint32_t)(into >> 32);
        cl->mring[cl->mring_pos] = gone;
    } else {
        cl->mring[cl->mring_pos] = 0;
    }
    cl->mring_pos = (cl->mring_pos + 1) % cl->c.merge_memory;

    slot_free(cl, b);
    lru_unlink(cl, a);
    lru_append(cl, a, 1);
    reindex(cl, a);
    cl->st.merged++;
}

/* Cosine of two centroids (loads a's into the record hash). */
static float centroid_cos(yw_clusterer_t *cl, uint32_t a, uint32_t b)
{
    uint32_t K = cl->c.top_k;
    const clu_t *ca = &cl->clu[a], *cb = &cl->clu[b];
    if (ca->norm <= 0 || cb->norm <= 0) return 0;
    const uint64_t *ta = cl->cterm + (size_t)a * K;
    const float *wa = cl->cw + (size_t)a * K;
    for (uint32_t k = 0; k < ca->nterms; k++) cl->hbuf[k] = (yw_fterm_t){ ta[k], wa[k] };
    rh_load(cl, cl->hbuf, ca->nterms);
    const uint64_t *tb = cl->cterm + (size_t)b * K;
    const float *wb = cl->cw + (size_t)b * K;
    return dot_loaded(cl, tb, wb, cb->nterms) / (ca->norm * cb->norm);
}

int yw_cluster_add(yw_clusterer_t *cl, const yw_features_t *f,
                   const yw_record_t *rec, int64_t ts, yw_cluster_assign_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!cl->have_ts || ts > cl->max_ts) {
        cl->max_ts = ts;
        cl->have_ts = true;
    }
    out->nexpired = (uint32_t)yw_cluster_expire(cl, cl->max_ts);
    if (weigh_record(cl, f)) return -1;     /* also counts it in the df sketch */

    /* candidates: clusters listed under the record's strongest terms */
    uint32_t Q = cl->c.query_terms < cl->rn ? cl->c.query_terms : cl->rn;
    yw_fterm_t *qv = cl->mbuf;    /* not in place: the record hash indexes rv */
    ywcl_select_top_into(cl, cl->rv, cl->rn, Q, qv);
    if (++cl->cgen == 0) {
        memset(cl->cstamp, 0, cl->cap * sizeof(uint32_t));
        cl->cgen = 1;
    }
    /* the query terms' home slots and their lists' first lines first
     * (68 bytes a slot: rarely in the near caches): the lookups then
     * overlap their misses */
    for (uint32_t q = 0; q < Q; q++) {
        size_t h = yw_otab_home(&cl->post, qv[q].term);
        __builtin_prefetch(cl->post.keys + h);
        __builtin_prefetch(cl->post.vals + h * cl->post.stride);
    }
    /* the record hash loaded while they come (the dot products read it) */
    rh_load(cl, cl->rv, cl->rn);
    const uint32_t gen = cl->cgen;
    uint32_t *restrict cstamp = cl->cstamp, *restrict cpos = cl->cpos;
    uint32_t *restrict cand = cl->cand, nc = 0;
    float *restrict cscore = cl->cscore;
    for (uint32_t q = 0; q < Q; q++) {
        size_t i = yw_otab_find(&cl->post, qv[q].term);
        if (i == SIZE_MAX) continue;
        const uint32_t *v = yw_otab_val(&cl->post, i);
        const float w = qv[q].w;
        for (uint32_t k = 0; k < v[0]; k++) {
            /* a cluster seen before adds to its score, a new one is
             * appended with this weight: no branch on which */
            uint32_t s = v[1 + k];
            uint32_t seen = 0u - (uint32_t)(cstamp[s] == gen);    /* all ones if seen */
            uint32_t at = (cpos[s] & seen) | (nc & ~seen);
            cscore[at] = bitsf(wbits(cscore[at]) & seen) + w;
            cand[at] = s;
            cpos[s] = at;
            cstamp[s] = gen;
            nc += seen + 1;                                        /* +1 unless seen */
        }
    }
    cl->ncand = nc;
    /* score exactly only the max_candidates sharing the most weight
     * (a selection over (slot, shared weight) pairs) */
    uint32_t M = cl->ncand < cl->c.max_candidates ? cl->ncand : cl->c.max_candidates;
    if (cl->ncand > M) {
        yw_fterm_t *pairs = cl->mbuf;
        for (uint32_t k = 0; k < cl->ncand; k++)
            pairs[k] = (yw_fterm_t){ cl->cand[k], cl->cscore[k] };
        select_top(cl, pairs, cl->ncand, M);
        for (uint32_t k = 0; k < M; k++) cl->cand[k] = (uint32_t)pairs[k].term;
    }
    uint32_t best = NIL;
    float best_sim = 0;
    for (uint32_t m = 0; m < M; m++) {
        uint32_t s = cl->cand[m];
        /* the time damping (an exp) is at most 1: a cosine below the
         * threshold stays below it, and such a candidate is neither
         * joined nor merged, so it is left undamped */
        float sim = centroid_dot(cl, s);
        if ((double)sim >= cl->c.threshold)
            sim *= (float)time_damp(&cl->c, ts - cl->clu[s].last_ts);
        cl->csim[m] = sim;
        if (sim > best_sim) {
            best_sim = sim;
            best = s;
        }
    }
    out->candidates = M;

    uint32_t s;
    if (best != NIL && best_sim >= cl->c.threshold) {
        s = best;
        clu_t *c = &cl->clu[s];
        bool dup = is_near_dup(cl, s);
        if (!dup) centroid_join(cl, s, ts);
        c->n++;
        if (dup) {
            c->ndup++;
            cl->st.near_dups++;
        } else {
            keep_sig(cl, s);
        }
        if (ts > c->last_ts) c->last_ts = ts;
        if (ts < c->first_ts) c->first_ts = ts;
        lru_unlink(cl, s);
        lru_append(cl, s, 1);
        if (!dup && (c->n <= 4 || ++c->since_index >= 4)) reindex(cl, s);
        ywcl_labels_add(cl, s, f, rec);
        out->similarity = best_sim;
        out->near_dup = dup;

        /* clusters that converge: another candidate also above threshold
         * whose centroid now points the same way is absorbed */
        if (!dup) {
            for (uint32_t m = 0; m < M && out->nmerges < YW_CLUSTER_MAX_MERGES; m++) {
                uint32_t o = cl->cand[m];
                if (o == s || cl->csim[m] < cl->c.threshold || !cl->clu[o].id) continue;
                if (centroid_cos(cl, s, o) < cl->c.merge_threshold) continue;
                uint32_t keep = s, gone = o;
                if (cl->clu[o].n > cl->clu[s].n ||
                    (cl->clu[o].n == cl->clu[s].n && cl->clu[o].id < cl->clu[s].id)) {
                    keep = o;
                    gone = s;
                }
                out->merges[out->nmerges].absorbed = cl->clu[gone].id;
                out->merges[out->nmerges].into = cl->clu[keep].id;
                out->nmerges++;
                cluster_merge(cl, keep, gone);
                s = keep;
            }
        }
    } else {
        s = cluster_new(cl, f, rec, ts, &out->nexpired);
        if (s == NIL) return -1;
        out->is_new = true;
        out->similarity = 1;
    }
    out->cluster = cl->clu[s].id;
    out->size = cl->clu[s].n;
    cl->st.records++;
    return 0;
}
