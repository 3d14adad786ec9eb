/* df.h -- document frequencies: in how many documents each term occurred,
 * and the idf the clusterer weighs a record's terms by.
 *
 * One array of 4 << width_log2 counters (4 MiB at the default 18), one
 * counter per term at a multiplicative hash of it.  A counter also counts
 * the terms that share its cell, so document frequencies over-estimate
 * only and idf errs low for a rare term that shares a cell with a common
 * one (rare at this size); one cell per term is one cache miss per term.
 *
 *   idf(t) = ln((N' + 1) / (df(t) + 1)) + 1,  N' = max(N, n_floor)
 *
 * counted with the document itself.  The floor keeps the first records
 * from being weighted by a tiny, noisy N: until n_floor documents are seen
 * every unseen term has the same, moderately high idf.  One per shard (the
 * clusterer owns it); not thread-safe. */
#ifndef YW_DF_H
#define YW_DF_H

#include <stddef.h>
#include <stdint.h>

#include "fvec.h"

#define YW_DF_LN 4096   /* ln(i) tabulated for counts below this */

typedef struct {
    uint32_t *cells;    /* ncells counters */
    size_t ncells;
    unsigned shift;     /* 64 - log2(ncells) */
    uint32_t n_floor;
    double docs;        /* documents seen */
    float ln[YW_DF_LN];
} yw_df_t;

/* width_log2 in [8, 26], n_floor >= 1.  0, or -1 when out of memory. */
int yw_df_init(yw_df_t *df, unsigned width_log2, uint32_t n_floor);
void yw_df_free(yw_df_t *df);

/* Start fetching the counters of vec's terms (yw_df_observe_idf then
 * finds them on their way). */
void yw_df_prefetch(const yw_df_t *df, const yw_fvec_t *vec);

/* Count one document (vec's terms are unique) and write each term's idf,
 * as counted with this document, to idf[k] for vec->t[k]. */
void yw_df_observe_idf(yw_df_t *df, const yw_fvec_t *vec, float *restrict idf);

static inline size_t yw_df_bytes(const yw_df_t *df) { return df->ncells * sizeof(uint32_t); }

/* Snapshots (snapshot.h): the counters and the document count.  load
 * needs a table of the same size; 0, or -1 with the reason in r->err. */
struct yw_snap_buf;
struct yw_snap_rd;
void yw_df_save(const yw_df_t *df, struct yw_snap_buf *b);
int yw_df_load(yw_df_t *df, struct yw_snap_rd *r);

#endif
