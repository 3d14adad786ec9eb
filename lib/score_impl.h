/* score_impl.h -- the scorer's private state, shared by score.c (the
 * scorer: clusters, evaluation, levels), score_signals.c (the signals and
 * the alert's cluster part), score_sketch.c (a cluster's people and
 * places), score_person.c (person-level escalation) and score_snap.c
 * (saving and loading it).  Not part of the library's API: include
 * score.h instead. */
#ifndef YW_SCORE_IMPL_H
#define YW_SCORE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "score.h"
#include "window.h"

#define EXACT_PEOPLE 16     /* complainants kept exactly per cluster */
#define LC_BITS 1024        /* linear-counting bitmap beyond that */
#define PLACE_SLOTS 8       /* Misra-Gries counters for places */
#define NONE_T INT64_MIN
#define NO_CLUSTER UINT32_MAX   /* person_t.cidx of a person whose cluster was forgotten */
#define NEVER INT64_MAX

/* Decayed sums per cluster.  D_SHFLOOR is the self-harm weight that holds
 * the level floor: D_SELFHARM minus what came from persons already alerted
 * at the floor's level (their person alert carries it). */
enum { D_REC, D_PEOPLE, D_REPEAT, D_ESC, D_EMO, D_DOMAIN, D_OUTCOME, D_DEFL,
       D_SELFHARM, D_SPREAD, D_SHFLOOR, D_WIDE, D_COUNT };

/* person flags, per (person, cluster) */
#define PF_DEFL 1u        /* deflected or unresolved at least once */
#define PF_ESC 2u
#define PF_SELFHARM 4u

/* ---- state -------------------------------------------------------------- */

typedef struct {
    uint64_t key;           /* first 8 bytes of the person HMAC */
    uint16_t n;             /* records by this person in the cluster */
    uint16_t maxrc;         /* largest repeat_count they reported */
    uint8_t ndefl;          /* of which deflected / unresolved */
    uint8_t nans;           /* of which answered (a reply or an outcome) */
    uint8_t nrefused;       /* of which the reply hit a deflection rule */
    uint8_t flags;          /* PF_* */
    float emo_first;        /* emotion weight of the first contact */
} pent_t;

typedef struct {
    uint64_t h;
    uint32_t count;
} place_t;

/* Allocated on a cluster's second record. */
typedef struct {
    pent_t people[EXACT_PEOPLE];
    int npeople;
    uint64_t *lc;           /* LC_BITS bits once people overflow; else NULL */
    place_t places[PLACE_SLOTS];
    int nplaces;
} ext_t;

typedef struct {
    char id[48];
    uint64_t h;
    uint32_t gen;           /* bumped when the slot is freed */
    uint8_t live, level, has_p0, has_place0;
    yw_window_t win;
    int64_t first_seen, last_seen;        /* event ms (UTC) */
    int64_t last_eval, last_rise;         /* NONE_T when never */
    int64_t below_since;                  /* score below the fall line since; NONE_T */
    int64_t due, heap_due;                /* next evaluation; NEVER */
    double score;
    double dec[D_COUNT];                  /* decayed sums, as of dec_t */
    int64_t dec_t;
    int64_t base_day;                     /* last day folded into ewma */
    double ewma, ewmvar;                  /* own daily-count baseline */
    int64_t repeat_total;                 /* lifetime repeat contacts */
    uint32_t place_records;               /* records that named a place */
    uint32_t person_head;                 /* person list (idx + 1) */
    pent_t p0;                            /* the first record's person ... */
    uint64_t place0;                      /* ... and place, until ext */
    ext_t *ext;
} cluster_t;

typedef struct {
    uint64_t person;
    uint32_t cidx;
    uint8_t used, level, flags;
    uint32_t contacts, maxrc, defl;
    uint32_t answered;                    /* contacts with a reply or an outcome */
    uint32_t home, home_gen;              /* cluster (slot, generation) of their latest
                                             answered contact; NO_CLUSTER if none */
    uint32_t refused;                     /* replies that hit a deflection rule */
    float emo_first, emo_peak;           /* emotion of the first contact; the highest since */
    int64_t first_ts, last_ts;
    uint32_t lru_prev, lru_next;          /* idx + 1; head = most recent */
    uint32_t cl_prev, cl_next;            /* the cluster's list */
} person_t;

/* open addressing, linear probing; v = index + 1, 0 = empty */
typedef struct {
    uint64_t *h;
    uint32_t *v;
    size_t mask, n;
} imap_t;

typedef struct {
    int64_t due;
    uint32_t idx, gen;
} hent_t;

struct yw_scorer {
    yw_score_conf_t conf;
    int64_t tz_ms;
    double hl_ms;

    cluster_t *cl;
    uint32_t ncl, cap_cl, free_cl;        /* free list through .due (as idx+1) */
    imap_t cmap;

    hent_t *heap;
    size_t nheap, cap_heap;

    person_t *pp;
    uint32_t npp, cap_pp, free_pp, lru_head, lru_tail, live_pp;
    imap_t pmap;

    int64_t max_t, wm;                    /* max event time, watermark */
    int64_t first_day;                    /* local day of the first record */
    int64_t g_day;                        /* global baseline: current day */
    double g_sum, g_sumsq, g_n, g_mean, g_var;

    yw_score_view_fn view;
    void *view_opaque;
    FILE *trace;                          /* yw_scorer_set_trace; NULL when off */

    yw_score_stats_t st;
    size_t n_ext, n_lc, n_rings;
    yw_alert_t scratch;
};

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* A person's contacts as one cluster counts them. */
static inline int contacts_of(const pent_t *p)
{
    return p->n > p->maxrc ? p->n : p->maxrc;
}

/* One record's contact by its person, as the cluster's people set and the
 * person state count it (yw_score_observe fills it once). */
typedef struct {
    uint64_t key;           /* first 8 bytes of the person HMAC */
    int rc;                 /* repeat_count, at least 1 */
    unsigned flags;         /* PF_* */
    bool defl;              /* deflected: a deflection rule or unresolved */
    bool answered;          /* a reply or an outcome (see yw_score_observe) */
    bool refused;           /* the reply hit a deflection rule */
    float emo;              /* emotion rule weight */
} contact_t;

/* Helpers score.c owns and the other score*.c files need. */
uint64_t ywsc_hash_str(const char *s, size_t n);
int ywsc_imap_put(imap_t *m, uint64_t h, uint32_t idx);
void ywsc_imap_del(imap_t *m, uint64_t h, uint32_t idx);

/* A cluster's people and places (score_sketch.c). */
int ywsc_ensure_ext(yw_scorer_t *s, cluster_t *c);      /* 0, or -1: out of memory */
bool ywsc_lc_set(uint64_t *lc, uint64_t key);           /* true if the bit was clear */
int64_t ywsc_people_count(const cluster_t *c);
pent_t *ywsc_people_add(yw_scorer_t *s, cluster_t *c, const contact_t *ct,
                        bool *is_new, int *repeat_delta);
void ywsc_places_add(cluster_t *c, uint64_t h, uint32_t count);
uint32_t ywsc_places_top(const cluster_t *c);
uint64_t ywsc_place_key(const yw_record_t *r);
void ywsc_merge_people(yw_scorer_t *s, cluster_t *into, const pent_t *p);

/* Decayed sums, baselines, the signals and the alert's cluster part
 * (score_signals.c).  An eval_t is one evaluation of a cluster. */
typedef struct {
    double val[YW_SIG_COUNT], pts[YW_SIG_COUNT];
    double score;
    int floor;
    int64_t n7, x24, recent, prev;
    int64_t week[3];                  /* trend: the weeks that scored, newest first */
    int trend_back;                   /* ... ending this many days ago */
    int64_t people;                   /* filled only when an alert is built */
    int64_t by7[YW_SRC_COUNT];
    int nsrc;
    double base_own, base_glob, z_own, z_glob, p;
    double focus;                     /* multiplier of the size signals */
    double rate[YW_SIG_COUNT];        /* language signals: sum per record */
    bool own_used, growth_young;
    uint32_t place_records;
} eval_t;

void ywsc_dec_add(const yw_scorer_t *s, cluster_t *c, int64_t t,
                  const double v[D_COUNT]);
void ywsc_global_roll(yw_scorer_t *s, int64_t day);
void ywsc_compute(yw_scorer_t *s, cluster_t *c, int64_t t, eval_t *e);
void ywsc_fill_cluster(yw_scorer_t *s, const cluster_t *c, eval_t *e,
                       int64_t t, const yw_alert_t *view, yw_alert_t *a);
void ywsc_copy_view(yw_alert_t *a, const yw_alert_t *view);

/* Person-level escalation (score_person.c). */
uint64_t ywsc_person_hash(uint64_t person, uint32_t cidx);
int64_t ywsc_person_find(const yw_scorer_t *s, uint64_t person);   /* index or -1 */
/* Move person pi into cluster cidx's list (from their current one, if any). */
void ywsc_person_move(yw_scorer_t *s, uint32_t pi, uint32_t cidx);
/* One contact by a person (pi from ywsc_person_find, or -1): track them
 * once they have two contacts; raise a person alert when they escalate. */
void ywsc_person_observe(yw_scorer_t *s, uint32_t cidx, const pent_t *pe, int64_t pi,
                         const contact_t *ct, const yw_record_t *rec,
                         const yw_alert_t *view, yw_score_emit_fn emit, void *opaque);

#endif
