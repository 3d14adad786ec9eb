/* bench_lsh.c -- cheap single-pass clusterers: how fast, and how good.
 *
 *   bench_lsh [--input RECORDS.jsonl] [--records N] [--topics N]
 *             [--max-bytes B] [--rules DIR | --no-rules] [--rounds R]
 *             [--variant NAME[,NAME...]] [--param KEY=VALUE ...]
 *             [--assignments OUT.jsonl] [--list]
 *
 * Records: contract-v1 JSON lines (--input; decoded with lib/record.c,
 * kept in file order, which must be event-time order; text and reply cut
 * to --max-bytes at a character boundary, default 300, 0 = no cut), or N
 * generated ~300-byte records (bench_pipeline's generator: topic phrases
 * over 3,000 CJK characters, Zipf-like topics, one record a second).
 * Features (yw_features_extract) are computed once, untimed; then each
 * selected variant clusters them --rounds times (default 3) from a fresh
 * state, timed in thread CPU time, reported at the median.
 *
 * The clusterers are single pass, in record order, with bounded state (a
 * few fixed-size tables; nothing scans all clusters) and the same small
 * building blocks:
 *   df     streaming document frequencies: one 16-bit counter per hashed
 *          term (as lib/df.c, but 2^19 cells = 1 MiB), all halved, with
 *          the document count, every 2^16 documents; a term is
 *          "common" when df > dfcut * max(N, 1000);
 *   ring   clusters by id in a ring of 2^16 slots (id, size, last event
 *          time, absorbed-into): an id whose slot was reused is gone, one
 *          quiet for more than expiry_h hours (default 168) is expired;
 *   table  a direct-mapped hash table of 2^bits entries {32-bit tag,
 *          cluster id, count} (12 bytes; bits=17: 1.5 MiB): key -> a
 *          cluster, overwritten on collision.
 * Terms used: bigrams, words, entities and places (not number classes or
 * rule categories, which name kinds of issue, not issues).
 *
 *   lsh    one-permutation MinHash: each kept term's 64-bit mix goes to
 *          one of K bins (top bits), each bin keeps its minimum; empty
 *          bins borrow the next non-empty bin's value (rotation
 *          densification).  K/r bands of r rows are hashed into the
 *          table; the record joins the live cluster with most band hits
 *          if it has >= hits of them, else starts a cluster; its bands
 *          then point to its cluster.  dfcut > 0 drops common terms
 *          before hashing (costs a df update per term).
 *   vote   posting "lists" of length one over informative terms: the
 *          table maps a term to the last cluster it was seen in.  Each
 *          of the record's chosen terms votes for that cluster with its
 *          idf, ln((N'+1)/(df+1)) + 1; the record joins the top cluster
 *          when its votes reach theta of the record's total and come
 *          from >= votes terms, else starts a cluster; its terms then
 *          point to its cluster.  Terms are chosen by pick=rare (df of
 *          every term, the m of lowest df not above dfcut; an entity's
 *          df ranks at a third, as the main clusterer weighs entities
 *          up) or pick=sample (the m terms of smallest hash, a consistent
 *          sample; df is then kept for those only, so it counts the
 *          records where the term was sampled).  m = 0: up to 64 terms.
 *          skipnew=1: a term seen for the first time (df 1) cannot vote
 *          and is left out of the total.  merge > 0: when the runner-up
 *          cluster's votes also reach merge of the total, the smaller of
 *          the two is absorbed (followed through the ring's into, at most
 *          4 steps).
 *   own    vote, with an owner count per term: the table entry keeps
 *          the cluster holding the term and how many of its records had
 *          it (Misra-Gries: another cluster's record decrements it and
 *          takes the term over at 0; an expired owner loses it), and a
 *          vote weighs idf x (count / cluster size): roughly the
 *          record's dot product with the cluster's term profile,
 *          restricted to the terms the cluster owns, so a large diffuse
 *          cluster does not win on terms few of its records had.
 *
 * Variants are named settings of these (--list prints them); --param
 * KEY=VALUE overrides a setting in every selected variant (keys: K r hits
 * dfcut m pick theta votes merge bits expiry_h skipnew), for sweeps.
 *
 * --assignments OUT.jsonl: one {"id","cluster"} line per record, in
 * order, with the record's final cluster (merges followed), as `ywctl
 * backtest --assignments` writes them, for `bench/quality`.  With several
 * variants, OUT must contain "{}", replaced by each variant's name.
 *
 * Instructions: callgrind with --toggle-collect=pass_lsh (or pass_vote),
 * --variant NAME --rounds 1; divide by the records printed. */
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "featurize.h"
#include "jsonw.h"
#include "record.h"
#include "rules.h"

#include "gen/items.h"

/* ---- precomputed features: every record's terms, flat ------------------- */

static uint64_t *terms;       /* all records' terms, record after record */
static size_t *term_at;       /* record i: terms[term_at[i] .. term_at[i+1]) */
static int64_t *tss;          /* event times */

static void precompute(yw_featurizer_t *fz)
{
    yw_features_t f;
    yw_features_init(&f);
    size_t cap = nitems * 16 + 16, n = 0;
    terms = malloc(cap * sizeof(*terms));
    term_at = malloc((nitems + 1) * sizeof(*term_at));
    tss = malloc(nitems * sizeof(*tss));
    for (size_t i = 0; i < nitems; i++) {
        yw_record_t r = item_record(i);
        term_at[i] = n;
        tss[i] = items[i].ts_ms;
        if (yw_features_extract(fz, &r, &f)) continue;
        if (n + f.vec.n > cap) {
            while (n + f.vec.n > cap) cap *= 2;
            terms = realloc(terms, cap * sizeof(*terms));
        }
        for (uint32_t k = 0; k < f.vec.n; k++) {
            yw_term_kind_t kind = YW_TERM_KIND(f.vec.t[k].term);
            if (kind == YW_TERM_BIGRAM || kind == YW_TERM_WORD || kind == YW_TERM_ENTITY ||
                kind == YW_TERM_PLACE)
                terms[n++] = f.vec.t[k].term;
        }
    }
    term_at[nitems] = n;
    yw_features_free(&f);
}

/* ---- variants ------------------------------------------------------------ */

enum { A_LSH, A_VOTE, A_OWN };
enum { PICK_RARE, PICK_SAMPLE };

typedef struct {
    const char *name;
    int algo;
    uint32_t K, r, hits;          /* lsh: bins, rows per band, min band hits */
    uint32_t m, pick, votes;      /* vote: terms looked up, how chosen, min voters */
    double theta, merge;          /* vote: join / absorb at this share of the votes */
    double dfcut;                 /* drop terms with df > dfcut * N' (0: off) */
    uint32_t bits;                /* table: 2^bits entries */
    double expiry_h;              /* a cluster quiet this long is gone */
    uint32_t skipnew;             /* vote: first-seen terms not in the total */
} variant_t;

static variant_t variants[] = {
    /* name           algo    K   r hits  m  pick         votes theta merge dfcut bits expiry skipnew */
    { "lsh16r1",      A_LSH, 16, 1, 2,    0, 0,           0, 0,    0, 0,    17, 168, 0 },
    { "lsh32r2-df",   A_LSH, 32, 2, 2,    0, 0,           0, 0,    0, 0.02, 17, 168, 0 },
    { "lsh32r4-df",   A_LSH, 32, 4, 1,    0, 0,           0, 0,    0, 0.02, 17, 168, 0 },
    { "lsh16r2-df",   A_LSH, 16, 2, 2,    0, 0,           0, 0,    0, 0.05, 17, 168, 0 },
    { "vote-rare16",  A_VOTE, 0, 0, 0,   16, PICK_RARE,   3, 0.15, 0, 0.05, 17, 168, 0 },
    { "own-rare32",   A_OWN,  0, 0, 0,   32, PICK_RARE,   1, 0.01, 0, 0.1,  17, 168, 1 },
    { "own-rare16",   A_OWN,  0, 0, 0,   16, PICK_RARE,   1, 0.01, 0, 0.05, 17, 168, 1 },
    { "own-samp32",   A_OWN,  0, 0, 0,   32, PICK_SAMPLE, 1, 0.01, 0, 0.1,  17, 168, 1 },
    { "own-rare16-2", A_OWN,  0, 0, 0,   16, PICK_RARE,   2, 0.05, 0, 0.05, 17, 168, 1 },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

static int set_param(variant_t *v, const char *key, const char *val)
{
    double x = strtod(val, NULL);
    if (!strcmp(key, "K")) v->K = (uint32_t)x;
    else if (!strcmp(key, "r")) v->r = (uint32_t)x;
    else if (!strcmp(key, "hits")) v->hits = (uint32_t)x;
    else if (!strcmp(key, "m")) v->m = (uint32_t)x;
    else if (!strcmp(key, "pick")) v->pick = !strcmp(val, "sample") ? PICK_SAMPLE : PICK_RARE;
    else if (!strcmp(key, "votes")) v->votes = (uint32_t)x;
    else if (!strcmp(key, "theta")) v->theta = x;
    else if (!strcmp(key, "merge")) v->merge = x;
    else if (!strcmp(key, "dfcut")) v->dfcut = x;
    else if (!strcmp(key, "bits")) v->bits = (uint32_t)x;
    else if (!strcmp(key, "expiry_h")) v->expiry_h = x;
    else if (!strcmp(key, "skipnew")) v->skipnew = (uint32_t)x;
    else return -1;
    return 0;
}

static int check_variant(const variant_t *v)
{
    if (v->bits < 10 || v->bits > 26) return -1;
    if (v->algo == A_LSH)
        return v->K < 2 || v->K > 256 || (v->K & (v->K - 1)) || !v->r || v->r > v->K ||
                       !v->hits
                   ? -1
                   : 0;
    return v->m > 64 ? -1 : 0;
}

static void print_variant(FILE *fp, const variant_t *v)
{
    if (v->algo == A_LSH)
        fprintf(fp, "K=%u r=%u hits=%u dfcut=%g bits=%u", v->K, v->r, v->hits, v->dfcut,
                v->bits);
    else
        fprintf(fp, "m=%u pick=%s votes=%u theta=%g merge=%g dfcut=%g skipnew=%u bits=%u",
                v->m, v->pick == PICK_SAMPLE ? "sample" : "rare", v->votes, v->theta,
                v->merge, v->dfcut, v->skipnew, v->bits);
}

/* ---- shared state: df counters, the cluster ring, the table ------------- */

#define DF_BITS 19
#define DF_HALVE (1u << 16)
#define DF_FLOOR 1000
#define RING_BITS 16
#define LN_TAB 4096

typedef struct {
    uint32_t id, size, into;      /* into: 0, or the cluster that absorbed it */
    int64_t last_ts;
} ring_t;

typedef struct {
    uint32_t tag, cid, cnt;       /* cnt: own only */
} entry_t;

typedef struct {
    const variant_t *v;
    uint16_t *df;
    uint32_t docs;
    ring_t *ring;
    entry_t *tab;
    uint32_t tmask;
    uint32_t next_id;
    int64_t expiry_ms;
    float ln[LN_TAB];
    /* out */
    uint32_t *assign;             /* by record: the cluster it joined */
    uint32_t (*merges)[2];        /* (absorbed, into), in order */
    size_t nmerges, merges_cap;
} state_t;

static void state_init(state_t *s, const variant_t *v)
{
    memset(s, 0, sizeof(*s));
    s->v = v;
    s->df = calloc((size_t)1 << DF_BITS, sizeof(uint16_t));
    s->ring = calloc((size_t)1 << RING_BITS, sizeof(ring_t));
    s->tab = calloc((size_t)1 << v->bits, sizeof(entry_t));
    s->tmask = (1u << v->bits) - 1;
    s->next_id = 1;
    s->expiry_ms = (int64_t)(v->expiry_h * 3600e3);
    s->assign = malloc(nitems * sizeof(uint32_t));
    if (!s->df || !s->ring || !s->tab || !s->assign) {
        fprintf(stderr, "bench_lsh: out of memory\n");
        exit(1);
    }
    /* touch every page now: a long-running clusterer's tables are
     * mapped, and page faults are not what the pass should time */
    memset(s->df, 0, ((size_t)1 << DF_BITS) * sizeof(uint16_t));
    memset(s->ring, 0, ((size_t)1 << RING_BITS) * sizeof(ring_t));
    memset(s->tab, 0, ((size_t)1 << v->bits) * sizeof(entry_t));
    memset(s->assign, 0, nitems * sizeof(uint32_t));
    s->ln[0] = 0;
    for (int i = 1; i < LN_TAB; i++) s->ln[i] = logf((float)i);
}

static void state_free(state_t *s)
{
    free(s->df);
    free(s->ring);
    free(s->tab);
    free(s->assign);
    free(s->merges);
}

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ull;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dull;
    x ^= x >> 33;
    return x;
}

/* Count a document in df; every DF_HALVE documents all counters halve,
 * so the counts stay in 16 bits and follow the recent stream. */
static inline void df_doc(state_t *s)
{
    if (++s->docs < DF_HALVE) return;
    for (size_t i = 0; i < (size_t)1 << DF_BITS; i++) s->df[i] >>= 1;
    s->docs >>= 1;
}

/* Count term h (a mix64) in the current document; returns its df
 * including this document. */
static inline uint32_t df_observe(state_t *s, uint64_t h)
{
    uint16_t *c = s->df + (h >> (64 - DF_BITS));
    *c += *c != UINT16_MAX;
    return *c;
}

/* The live cluster holding id's records now (absorptions followed), or 0
 * when it is gone (slot reused) or quiet for longer than the expiry. */
static inline uint32_t live(const state_t *s, uint32_t id, int64_t ts)
{
    for (int step = 0; id && step < 4; step++) {
        const ring_t *c = &s->ring[id & ((1u << RING_BITS) - 1)];
        if (c->id != id) return 0;
        if (!c->into) return ts - c->last_ts <= s->expiry_ms ? id : 0;
        id = c->into;
    }
    return 0;
}

static inline uint32_t new_cluster(state_t *s)
{
    uint32_t id = s->next_id++;
    if (!id) id = s->next_id++;           /* 2^32 wrap: 0 means none */
    ring_t *c = &s->ring[id & ((1u << RING_BITS) - 1)];
    *c = (ring_t){ .id = id };
    return id;
}

static inline void touch(state_t *s, uint32_t id, int64_t ts)
{
    ring_t *c = &s->ring[id & ((1u << RING_BITS) - 1)];
    c->size++;
    if (ts > c->last_ts) c->last_ts = ts;
}

/* ---- lsh ------------------------------------------------------------------ */

__attribute__((noinline)) static void pass_lsh(state_t *s)
{
    const variant_t *v = s->v;
    const uint32_t K = v->K, r = v->r, nb = K / r;
    unsigned kbits = 0;
    while ((1u << kbits) < K) kbits++;
    uint32_t bins[256], hcid[256], hn[256];
    for (size_t i = 0; i < nitems; i++) {
        const int64_t ts = tss[i];
        df_doc(s);
        const uint32_t nfloor = s->docs < DF_FLOOR ? DF_FLOOR : s->docs;
        const uint32_t cut = v->dfcut > 0 ? (uint32_t)(v->dfcut * nfloor) : UINT32_MAX;
        for (uint32_t b = 0; b < K; b++) bins[b] = UINT32_MAX;
        uint32_t kept = 0;
        for (size_t k = term_at[i]; k < term_at[i + 1]; k++) {
            uint64_t h = mix64(terms[k]);
            if (v->dfcut > 0 && df_observe(s, h) > cut) continue;
            uint32_t b = (uint32_t)(h >> (64 - kbits)), x = (uint32_t)h;
            if (x < bins[b]) bins[b] = x;
            kept++;
        }
        if (!kept) {
            uint32_t id = new_cluster(s);
            touch(s, id, ts);
            s->assign[i] = id;
            continue;
        }
        /* rotation densification: an empty bin takes the value of the
         * next non-empty bin (circularly), salted by the distance, so
         * equal term sets give equal sketches; one backward sweep */
        uint32_t j0 = 0;
        while (bins[j0] == UINT32_MAX) j0++;
        uint32_t nx = bins[j0], d = 0;
        for (uint32_t step = 1; step < K; step++) {
            uint32_t b = (j0 + K - step) & (K - 1);
            if (bins[b] != UINT32_MAX) {
                nx = bins[b];
                d = 0;
            } else {
                bins[b] = nx + ++d * 0x9E3779B9u;
            }
        }
        /* bands: look up, count hits per live cluster */
        uint32_t nh = 0, tags[256], slots[256];
        for (uint32_t b = 0; b < nb; b++) {
            uint64_t key = (uint64_t)b * 0x9E3779B97F4A7C15ull;
            for (uint32_t j = 0; j < r; j++) key = mix64(key ^ bins[b * r + j]);
            tags[b] = (uint32_t)(key >> 32);
            slots[b] = (uint32_t)key & s->tmask;
            entry_t *e = &s->tab[slots[b]];
            if (e->tag != tags[b] || !e->cid) continue;
            uint32_t c = live(s, e->cid, ts);
            if (!c) continue;
            uint32_t q = 0;
            while (q < nh && hcid[q] != c) q++;
            if (q == nh) {
                hcid[nh] = c;
                hn[nh++] = 0;
            }
            hn[q]++;
        }
        uint32_t best = 0, bestn = 0;
        for (uint32_t q = 0; q < nh; q++)
            if (hn[q] > bestn) {
                bestn = hn[q];
                best = hcid[q];
            }
        uint32_t id = bestn >= v->hits ? best : new_cluster(s);
        touch(s, id, ts);
        s->assign[i] = id;
        /* the bands now point to this record's cluster */
        for (uint32_t b = 0; b < nb; b++) s->tab[slots[b]] = (entry_t){ tags[b], id, 1 };
    }
}

/* ---- vote ----------------------------------------------------------------- */

typedef struct {
    uint64_t h;
    float w;                      /* idf x kind weight */
    uint32_t df;                  /* with this record */
} pick_t;

/* Reorder a[0..n) so that a[0..m) hold its m smallest values
 * (quickselect, Hoare partition around the middle element, which leaves
 * both sides non-empty). */
static void select_small(uint64_t *a, size_t n, size_t m)
{
    size_t lo = 0, hi = n;                  /* the boundary m is in [lo, hi] */
    while (m > lo && m < hi && hi - lo > 1) {
        uint64_t piv = a[lo + (hi - lo - 1) / 2];
        size_t i = lo, j = hi - 1;
        for (;;) {
            while (a[i] < piv) i++;
            while (a[j] > piv) j--;
            if (i >= j) break;
            uint64_t x = a[i];
            a[i++] = a[j];
            a[j--] = x;
        }
        /* a[lo..j] <= piv <= a[j+1..hi) */
        if (m <= j + 1) hi = j + 1;
        else lo = j + 1;
    }
}

static inline float idf(const state_t *s, float base, uint32_t df)
{
    return base - (df + 1 < LN_TAB ? s->ln[df + 1] : logf((float)df + 1.0f));
}

static void add_merge(state_t *s, uint32_t absorbed, uint32_t into)
{
    if (s->nmerges == s->merges_cap) {
        s->merges_cap = s->merges_cap ? s->merges_cap * 2 : 1024;
        s->merges = realloc(s->merges, s->merges_cap * sizeof(*s->merges));
    }
    s->merges[s->nmerges][0] = absorbed;
    s->merges[s->nmerges++][1] = into;
}

__attribute__((noinline)) static void pass_vote(state_t *s)
{
    const variant_t *v = s->v;
    const uint32_t m = v->m ? v->m : 64;
    const bool own = v->algo == A_OWN, skip_new = v->skipnew;
    size_t maxn = 1;
    for (size_t i = 0; i < nitems; i++)
        if (term_at[i + 1] - term_at[i] > maxn) maxn = term_at[i + 1] - term_at[i];
    uint64_t *key = malloc(maxn * sizeof(*key)), *hs = malloc(maxn * sizeof(*hs));
    uint32_t *dfs = malloc(maxn * sizeof(*dfs));
    pick_t pk[64];
    uint32_t vcid[64];
    float vw[64];
    uint32_t vn[64];
    for (size_t i = 0; i < nitems; i++) {
        const int64_t ts = tss[i];
        df_doc(s);
        const uint32_t nfloor = s->docs < DF_FLOOR ? DF_FLOOR : s->docs;
        const uint32_t cut = v->dfcut > 0 ? (uint32_t)(v->dfcut * nfloor) : UINT32_MAX;
        const float base = logf((float)nfloor + 1.0f) + 1.0f;
        const size_t t0 = term_at[i], tn = term_at[i + 1] - t0;
        uint32_t n = 0;
        if (v->pick == PICK_SAMPLE) {
            /* the m terms of smallest hash; df only for those */
            for (size_t k = 0; k < tn; k++) key[k] = mix64(terms[t0 + k]);
            size_t ns = tn < m ? tn : m;
            select_small(key, tn, ns);
            for (size_t k = 0; k < ns; k++) {
                uint32_t df = df_observe(s, key[k]);
                if (df > cut) continue;
                /* (the kind is lost in the mix: all kinds weigh alike) */
                pk[n++] = (pick_t){ key[k], idf(s, base, df), df };
            }
        } else {
            /* every term's df; keep the m rarest (an entity's df counts
             * a third: the main clusterer weighs entities 2.5x) */
            for (size_t k = 0; k < tn; k++) {
                uint64_t t = terms[t0 + k], h = mix64(t);
                uint32_t df = df_observe(s, h);
                if (df > cut) continue;
                hs[n] = h;
                dfs[n] = df;
                uint64_t rank = YW_TERM_KIND(t) == YW_TERM_ENTITY ? df / 3 : df;
                key[n] = rank << 32 | n;
                n++;
            }
            size_t ns = n < m ? n : m;
            select_small(key, n, ns);
            for (size_t k = 0; k < ns; k++) {
                uint32_t j = (uint32_t)key[k];
                pk[k] = (pick_t){ hs[j], idf(s, base, dfs[j]), dfs[j] };
            }
            n = (uint32_t)ns;
        }
        /* votes: each term for the live cluster it last pointed to */
        float total = 0;
        uint32_t nv = 0;
        for (uint32_t k = 0; k < n; k++) {
            /* a term seen for the first time cannot vote: it does not
             * count against the record either */
            if (pk[k].df > 1 || !skip_new) total += pk[k].w;
            entry_t *e = &s->tab[(uint32_t)pk[k].h & s->tmask];
            if (e->tag != (uint32_t)(pk[k].h >> 32) || !e->cid) continue;
            uint32_t c = live(s, e->cid, ts);
            if (!c) continue;
            float w = pk[k].w;
            if (own) {
                /* the term's share of the cluster's records */
                uint32_t sz = s->ring[c & ((1u << RING_BITS) - 1)].size;
                if (e->cnt < sz) w *= (float)e->cnt / (float)sz;
            }
            uint32_t q = 0;
            while (q < nv && vcid[q] != c) q++;
            if (q == nv) {
                vcid[nv] = c;
                vw[nv] = 0;
                vn[nv++] = 0;
            }
            vw[q] += w;
            vn[q]++;
        }
        uint32_t b1 = UINT32_MAX, b2 = UINT32_MAX;
        for (uint32_t q = 0; q < nv; q++) {
            if (b1 == UINT32_MAX || vw[q] > vw[b1]) {
                b2 = b1;
                b1 = q;
            } else if (b2 == UINT32_MAX || vw[q] > vw[b2]) {
                b2 = q;
            }
        }
        uint32_t id;
        if (b1 != UINT32_MAX && vn[b1] >= v->votes && vw[b1] >= v->theta * total) {
            id = vcid[b1];
            if (v->merge > 0 && b2 != UINT32_MAX && vn[b2] >= v->votes &&
                vw[b2] >= v->merge * total) {
                /* the smaller cluster goes into the larger */
                uint32_t a = vcid[b2];
                ring_t *ca = &s->ring[a & ((1u << RING_BITS) - 1)],
                       *ci = &s->ring[id & ((1u << RING_BITS) - 1)];
                if (ca->size > ci->size) {
                    uint32_t t = a;
                    a = id;
                    id = t;
                    ring_t *tc = ca;
                    ca = ci;
                    ci = tc;
                }
                ca->into = id;
                ci->size += ca->size;
                add_merge(s, a, id);
            }
        } else {
            id = new_cluster(s);
        }
        touch(s, id, ts);
        s->assign[i] = id;
        for (uint32_t k = 0; k < n; k++) {
            entry_t *e = &s->tab[(uint32_t)pk[k].h & s->tmask];
            uint32_t tag = (uint32_t)(pk[k].h >> 32);
            if (!own) {
                *e = (entry_t){ tag, id, 1 };
            } else if (e->tag != tag || !e->cnt || !live(s, e->cid, ts)) {
                *e = (entry_t){ tag, id, 1 };
            } else if (live(s, e->cid, ts) == id) {
                e->cid = id;          /* (it may have been absorbed into id) */
                e->cnt++;
            } else if (--e->cnt == 0) {
                *e = (entry_t){ tag, id, 1 };
            }
        }
    }
    free(key);
    free(hs);
    free(dfs);
}

/* ---- output ---------------------------------------------------------------- */

/* Final cluster of every record: merges followed (union-find over ids). */
static uint32_t *final_clusters(const state_t *s)
{
    uint32_t *parent = malloc((size_t)s->next_id * sizeof(uint32_t));
    for (uint32_t i = 0; i < s->next_id; i++) parent[i] = i;
    for (size_t k = 0; k < s->nmerges; k++) parent[s->merges[k][0]] = s->merges[k][1];
    uint32_t *fin = malloc(nitems * sizeof(uint32_t));
    for (size_t i = 0; i < nitems; i++) {
        uint32_t c = s->assign[i];
        while (parent[c] != c) c = parent[c];
        fin[i] = c;
    }
    free(parent);
    return fin;
}

static int write_assignments(const char *path, const uint32_t *fin)
{
    FILE *fp = fopen(path, "w");
    if (!fp) {
        perror(path);
        return -1;
    }
    yw_jsonw_t w;
    yw_jsonw_init(&w);
    char idbuf[32];
    for (size_t i = 0; i < nitems; i++) {
        yw_jsonw_reset(&w);
        yw_jsonw_obj_begin(&w);
        yw_jsonw_kv_str(&w, "id", items[i].id);
        yw_jsonw_kv_str(&w, "cluster", yw_cluster_id_format(fin[i], idbuf, sizeof(idbuf)));
        yw_jsonw_obj_end(&w);
        size_t len;
        const char *s = yw_jsonw_peek(&w, &len);
        if (s) {
            fwrite(s, 1, len, fp);
            fputc('\n', fp);
        }
    }
    yw_jsonw_free(&w);
    return fclose(fp);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* clusters, and clusters of 2+ records, among fin[0..nitems) */
static void count_clusters(const uint32_t *fin, size_t *nc, size_t *nc2)
{
    uint32_t *c = malloc(nitems * sizeof(uint32_t));
    memcpy(c, fin, nitems * sizeof(uint32_t));
    qsort(c, nitems, sizeof(uint32_t), cmp_u32);
    *nc = *nc2 = 0;
    for (size_t i = 0; i < nitems;) {
        size_t j = i;
        while (j < nitems && c[j] == c[i]) j++;
        (*nc)++;
        *nc2 += j - i > 1;
        i = j;
    }
    free(c);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        ITEMS_OPTIONS,
        { "variant", required_argument, NULL, 'v' },
        { "param", required_argument, NULL, 'p' },
        { "assignments", required_argument, NULL, 'a' },
        { "list", no_argument, NULL, 'l' },
        { NULL, 0, NULL, 0 },
    };
    items_args_t args = items_args(3);
    bool selected[NVARIANTS] = { 0 }, any = false;
    const char *apath = NULL;
    char *params[32];
    int nparams = 0;
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (items_arg(&args, o, optarg))
            continue;
        switch (o) {
        case 'a': apath = optarg; break;
        case 'p':
            if (nparams < 32) params[nparams++] = optarg;
            break;
        case 'v':
            for (char *tok = strtok(optarg, ","); tok; tok = strtok(NULL, ",")) {
                size_t k = 0;
                while (k < NVARIANTS && strcmp(variants[k].name, tok)) k++;
                if (k == NVARIANTS) {
                    fprintf(stderr, "bench_lsh: unknown variant %s (--list)\n", tok);
                    return 2;
                }
                selected[k] = any = true;
            }
            break;
        case 'l':
            for (size_t k = 0; k < NVARIANTS; k++) {
                printf("%-13s %s  ", variants[k].name,
                       variants[k].algo == A_LSH ? "lsh " : variants[k].algo == A_OWN ? "own " : "vote");
                print_variant(stdout, &variants[k]);
                putchar('\n');
            }
            return 0;
        default:
            fprintf(stderr, "usage: bench_lsh [--input RECORDS.jsonl] [--records N] "
                            "[--topics N] [--max-bytes B] [--rules DIR | --no-rules] "
                            "[--rounds R] [--variant NAME,...] [--param KEY=VALUE] "
                            "[--assignments OUT.jsonl] [--list]\n");
            return 2;
        }
    }
    size_t nsel = 0;
    for (size_t k = 0; k < NVARIANTS; k++) {
        if (any && !selected[k]) continue;
        selected[k] = true;
        nsel++;
        for (int p = 0; p < nparams; p++) {
            char key[32];
            const char *eq = strchr(params[p], '=');
            if (!eq || eq - params[p] >= (long)sizeof(key)) {
                fprintf(stderr, "bench_lsh: --param KEY=VALUE, not %s\n", params[p]);
                return 2;
            }
            memcpy(key, params[p], (size_t)(eq - params[p]));
            key[eq - params[p]] = '\0';
            if (set_param(&variants[k], key, eq + 1)) {
                fprintf(stderr, "bench_lsh: unknown --param key %s\n", key);
                return 2;
            }
        }
        if (check_variant(&variants[k])) {
            fprintf(stderr, "bench_lsh: %s: settings out of range: ", variants[k].name);
            print_variant(stderr, &variants[k]);
            fputc('\n', stderr);
            return 2;
        }
    }
    if (apath && nsel > 1 && !strstr(apath, "{}")) {
        fprintf(stderr, "bench_lsh: --assignments with several variants needs {} in the "
                        "path\n");
        return 2;
    }
    items_get("bench_lsh", &args);
    yw_rules_t *rules;
    yw_featurizer_t *fz = items_featurizer("bench_lsh", args.rules_dir, &rules);
    precompute(fz);
    printf("records %zu (%s), %.1f terms a record (bigrams, words, entities, places)\n",
           nitems, args.input ? args.input : "generated", (double)term_at[nitems] / (double)nitems);
    printf("%-13s %10s %8s %9s %9s  %s   (thread CPU, median of %d rounds)\n", "variant",
           "rec/s", "us/rec", "clusters", "with 2+", "settings", args.rounds);

    double *t = malloc((size_t)args.rounds * sizeof(double));
    for (size_t k = 0; k < NVARIANTS; k++) {
        if (!selected[k]) continue;
        const variant_t *v = &variants[k];
        state_t s;
        for (int r = 0; r < args.rounds; r++) {
            if (r) state_free(&s);
            state_init(&s, v);
            double a = cpu_s();
            if (v->algo == A_LSH) pass_lsh(&s);
            else pass_vote(&s);
            t[r] = cpu_s() - a;
        }
        qsort(t, (size_t)args.rounds, sizeof(double), cmp_dbl);
        double med = t[args.rounds / 2];
        uint32_t *fin = final_clusters(&s);
        size_t nc, nc2;
        count_clusters(fin, &nc, &nc2);
        printf("%-13s %10.0f %8.3f %9zu %9zu  ", v->name, (double)nitems / med,
               med / (double)nitems * 1e6, nc, nc2);
        print_variant(stdout, v);
        if (s.nmerges) printf(" (%zu merges)", s.nmerges);
        putchar('\n');
        if (apath) {
            char path[1024];
            const char *br = strstr(apath, "{}");
            if (br)
                snprintf(path, sizeof(path), "%.*s%s%s", (int)(br - apath), apath, v->name,
                         br + 2);
            else
                snprintf(path, sizeof(path), "%s", apath);
            if (write_assignments(path, fin)) return 1;
        }
        free(fin);
        state_free(&s);
    }
    free(t);

    items_free();
    free(terms);
    free(term_at);
    free(tss);
    yw_featurizer_destroy(fz);
    yw_rules_destroy(rules);
    return 0;
}
