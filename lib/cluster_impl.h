/* cluster_impl.h -- the clusterer's private state, shared by cluster.c
 * (clustering), cluster_label.c (readable labels and titles),
 * cluster_conf.c (settings), cluster_snap.c (saving and loading it),
 * cluster_select.c (the k strongest terms), cluster_terms.c (the
 * record's signature, weighing and a join's record half) and
 * cluster_pool.c (memory and queries),
 * and the small helpers the first two both run per record, inline here so
 * that each file inlines them.  Not part of the library's API: include
 * cluster.h instead. */
#ifndef YW_CLUSTER_IMPL_H
#define YW_CLUSTER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster.h"
#include "df.h"
#include "otab.h"
#include "text.h"

#define NIL UINT32_MAX
#define SIG_K 8            /* bottom-k signature size */
#define SIG_KEEP 4         /* signatures kept per cluster (first + 3 recent) */
#define N_ENT 3
#define N_PLACE 3
#define N_PHRASE 4
#define LAB_LEN 40         /* bytes per label incl. NUL (13 Han characters) */
#define REP_LEN 96         /* the representative title incl. NUL (31 Han characters) */
#define PHRASE_TERMS 12    /* strongest centroid terms that make phrases */
#define MAX_TERMS 256      /* bound on top_k and record_terms (an index fits 8 bits) */
#define RH_BITS 12         /* the record hash: 2^12 slots (64 KiB) */

typedef struct {
    char s[LAB_LEN];
    float n;               /* space-saving count (an upper bound) */
} label_t;

typedef struct {
    uint64_t id;           /* 0: free slot */
    int64_t first_ts, last_ts;
    uint32_t n, ndup, nmerged, nterms;
    float norm;            /* L2 norm of the centroid's kept terms */
    uint32_t prev, next;   /* LRU list */
    uint8_t list;          /* 0: one record, 1: more */
    uint8_t nidx, nsig, since_index;
    uint32_t sig[SIG_KEEP][SIG_K];
    label_t ent[N_ENT], place[N_PLACE], phrase[N_PHRASE];
    char rep[REP_LEN];     /* the member title (or, lacking titles, the clause of a
                            * member's text) that best covers the phrase terms */
    float rep_score;       /* its weight of phrase terms (decays at each offer) */
    uint8_t rep_title;     /* rep is a title (a clause never replaces a title) */
} clu_t;

/* A slot of the record hash (cluster.c): a loaded term's key (its low 32
 * bits xor the load's key), its weight -- the two a dot product reads, in
 * one qword -- and the load's stamp above the term's index among the
 * loaded terms. */
typedef struct {
    uint32_t key;
    float w;
    uint32_t tag;
    uint32_t spare;
} ywcl_rh_slot_t;

/* ---- the clusterer ---------------------------------------------------- */

struct yw_clusterer {
    yw_cluster_conf_t c;
    yw_df_t df;            /* document frequencies (df.h) */

    /* slot pool */
    clu_t *clu;
    uint64_t *cterm;       /* cap * top_k */
    float *cw;             /* cap * top_k */
    uint64_t *cidx;        /* cap * index_terms */
    uint32_t *cstamp, *cpos;
    uint32_t *freel;
    uint32_t cap, nfree, hwm;
    uint32_t lru_head[2], lru_tail[2];
    uint64_t live;

    yw_otab_t ids;            /* id -> slot */
    yw_otab_t post;           /* term -> [n, slot...] */
    yw_otab_t merges;         /* absorbed id -> [into lo, into hi] */
    uint64_t *mring;       /* absorbed ids in merge order, for forgetting */
    uint32_t mring_pos;

    uint64_t next_id;
    int64_t max_ts;
    bool have_ts;

    /* per-record scratch */
    yw_fterm_t *rv;        /* weighted record terms */
    float *ridf;           /* idf of each record term (rv_cap) */
    uint32_t rv_cap, rn;
    ywcl_rh_slot_t *htab;  /* the loaded terms' hash (cluster.c "record hash") */
    const yw_fterm_t *hsrc;   /* the loaded terms: rv, or hbuf */
    yw_fterm_t *hbuf;      /* a centroid's terms, loaded to compare two centroids */
    uint8_t *hovf;         /* indexes of terms whose home slot was taken */
    uint32_t novf, stamp;
    uint32_t hkey;         /* the load's key: stamp x an odd constant */
    uint32_t *rused;       /* record terms found in the centroid joined */
    yw_fterm_t *mbuf;      /* centroid + record while joining */
    uint32_t *cand;
    float *cscore, *csim;
    uint32_t cand_cap, ncand, cgen;
    uint32_t sig[SIG_K];
    uint32_t nsig;
    float tf_tab[16];      /* 1 + ln(count) for the small whole counts */
    float kind_tab[16];    /* kind weights by the term's 4 kind bits (0 past 7) */
    uint64_t *skey, *stmp; /* select_top's keys (2 selcap) and partition (selcap) */
    yw_fterm_t *sbuf;      /* and its kept terms (selcap) */
    uint32_t selcap;

    yw_cluster_stats_t st;
};

/* ---- helpers shared by cluster.c and cluster_label.c ------------------ */

/* Reorder a[0..n) so that a[0..k) hold the elements with the k largest
 * weights, ties broken by a hash of the term salted with salt
 * (cluster_select.c), in the order they stood; a[k..n) are left
 * undefined.  n <= cl->selcap. */
void ywcl_select_top_salted(yw_clusterer_t *cl, yw_fterm_t *a, uint32_t n, uint32_t k,
                            uint64_t salt);

/* select_top's kept elements written to out[0..min(n, k)) (room for n),
 * a left as it is. */
void ywcl_select_top_into(yw_clusterer_t *cl, const yw_fterm_t *a, uint32_t n, uint32_t k,
                          yw_fterm_t *out);

/* The same, salted with the array's first and last terms. */
static inline void select_top(yw_clusterer_t *cl, yw_fterm_t *a, uint32_t n, uint32_t k)
{
    if (k < n) ywcl_select_top_salted(cl, a, n, k, a[0].term ^ a[n - 1].term);
}

/* The two ways to the same selection, for the test that holds them
 * equal: key holds 2n keys, tmp n, out n terms. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(YW_NO_AVX512)
#define YWCL_HAVE_AVX512 1
/* The AVX-512 paths (the selection, the dot products) run when the CPU
 * has these three; a build with -DYW_NO_AVX512 never runs them. */
static inline bool ywcl_have_avx512(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
}
void ywcl_select_top_avx512(yw_fterm_t *a, uint32_t n, uint32_t k, uint64_t salt,
                            uint64_t *key, uint64_t *tmp, yw_fterm_t *out);
#endif
void ywcl_select_top_scalar(yw_fterm_t *a, uint32_t n, uint32_t k, uint64_t salt,
                            uint64_t *key, uint64_t *tmp, yw_fterm_t *out);

/* Estimated Jaccard of two bottom-k signatures (SIG_K values each,
 * ascending, UINT32_MAX pads): of the SIG_K smallest values of their
 * union, the share found in both (cluster_terms.c). */
double ywcl_sig_jaccard(const uint32_t *a, const uint32_t *b);

static inline uint32_t mix32(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (uint32_t)x;
}

/* The slot of cluster id, or NIL when it is not live. */
static inline uint32_t slot_of(const yw_clusterer_t *cl, uint64_t id)
{
    size_t i = yw_otab_find(&cl->ids, id);
    return i == SIZE_MAX ? NIL : yw_otab_val(&cl->ids, i)[0];
}

/* The record's terms as plain arrays (cluster_terms.c): each a
 * dispatcher to the fastest way the CPU has, and the ways themselves for
 * the tests that hold them equal. */

/* The bottom-k signature of rv[0..n) (SIG_K smallest mix32 of its bigram
 * and word terms, ascending, UINT32_MAX pads); returns how many. */
uint32_t ywcl_bottom_k(const yw_fterm_t *rv, uint32_t n, uint32_t *sig);

/* rv[] = the terms of vt[0..vn) whose kind weight (kwt, by the 4 kind
 * bits) and count are above 0, weighed tf (tft for whole counts below
 * 16, else 1 + logf) x max(idf, idf_min) x kind weight; returns how
 * many. */
uint32_t ywcl_weigh(const yw_fterm_t *vt, uint32_t vn, const float *ridf, const float *kwt,
                    const float *tft, float idf_min, yw_fterm_t *rv);
uint32_t ywcl_weigh_scalar(const yw_fterm_t *restrict vt, uint32_t vn,
                           const float *restrict ridf, const float *kwt, const float *tft,
                           float idf_min, yw_fterm_t *restrict rv);
#ifdef YWCL_HAVE_AVX512
uint32_t ywcl_weigh_avx512(const yw_fterm_t *restrict vt, uint32_t vn,
                           const float *restrict ridf, const float *kwt, const float *tft,
                           float idf_min, yw_fterm_t *restrict rv);
#endif

/* The record's bottom-k signature of rv[0..n) (cluster_terms.c): three ways
 * to the same result, the AVX-512 or else the AVX2 one used when the CPU
 * has it.  Here for the test that holds them equal. */
#if defined(__x86_64__) && defined(__GNUC__) && SIG_K == 8
#define YWCL_HAVE_AVX2 1
uint32_t ywcl_bottom_k_avx2(const yw_fterm_t *rv, uint32_t n, uint32_t *sig);
#endif
uint32_t ywcl_bottom_k_scalar(const yw_fterm_t *rv, uint32_t n, uint32_t *sig);

/* The centroid half of a join (cluster.c centroid_join): two ways, the
 * same bits. */
float ywcl_join_scalar(const yw_clusterer_t *cl, const uint64_t *t, const float *w, uint32_t nt,
                       float d, uint32_t *used, yw_fterm_t *out);
typedef struct {
    uint64_t first, last;   /* the first and last record terms not in the centroid */
    bool any;               /* whether first is set (or the centroid had terms) */
} ywcl_join_ends_t;
/* The record half of a join (cluster_terms.c): append to out[n..) the
 * terms of rv not marked in used[] and weighing at least least; note the
 * first and last unmarked in e; returns the new n. */
uint32_t ywcl_join_rest(const yw_fterm_t *rv, uint32_t rn, const uint32_t *used, float least,
                        yw_fterm_t *out, uint32_t n, ywcl_join_ends_t *e);
uint32_t ywcl_join_rest_scalar(const yw_fterm_t *rv, uint32_t rn, const uint32_t *used,
                               float least, yw_fterm_t *out, uint32_t n, ywcl_join_ends_t *e);
#ifdef YWCL_HAVE_AVX512
uint32_t ywcl_join_rest_avx512(const yw_fterm_t *rv, uint32_t rn, const uint32_t *used,
                               float least, yw_fterm_t *out, uint32_t n, ywcl_join_ends_t *e);
float ywcl_join_avx512(const yw_clusterer_t *cl, const uint64_t *t, const float *w, uint32_t nt,
                       float d, uint32_t *used, yw_fterm_t *out);
uint32_t ywcl_bottom_k_avx512(const yw_fterm_t *rv, uint32_t n, uint32_t *sig);

/* Eight {term, weight} elements are two 512-bit words of four: the
 * qword mask of word half (0 or 1) when left elements remain. */
static inline uint8_t ywcl_pairs_mask(uint32_t left, unsigned half)
{
    uint32_t in = left > 4 * half ? left - 4 * half : 0;     /* elements in this word */
    return (uint8_t)(in >= 4 ? 0xFF : (1u << (2 * in)) - 1);
}
#endif

/* The dot product of the loaded terms with t[0..n), w[] (cluster.c): two
 * ways to the same bits, the AVX-512 one used when the CPU has it. */
#ifdef YWCL_HAVE_AVX512
float ywcl_dot_avx512(const yw_clusterer_t *cl, const uint64_t *t, const float *w, uint32_t n);
#endif
float ywcl_dot_scalar(const yw_clusterer_t *cl, const uint64_t *t, const float *w, uint32_t n);

/* Grow the slot pool (cluster_pool.c). 0 or -1. */
int ywcl_pool_grow(yw_clusterer_t *cl);
/* Grow the per-record selection buffers to n terms (cluster_pool.c). 0 or -1. */
int ywcl_sel_grow(yw_clusterer_t *cl, uint32_t n);

/* Count record rec's entity, place and phrase labels into slot s
 * (cluster_label.c; rec may be NULL). */
void ywcl_labels_add(yw_clusterer_t *cl, uint32_t s, const yw_features_t *f,
                     const yw_record_t *rec);
/* Fold absorbed cluster cb's labels into ca's (cluster_label.c). */
void ywcl_labels_merge(clu_t *ca, const clu_t *cb);

#endif
