/* df.c -- document frequencies and idf (see df.h). */
#include "df.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "snapshot.h"

#define YW_DF_BATCH 256

/* The counters, zeroed, in 2 MiB pages where the kernel gives them (its
 * transparent huge pages in madvise mode, as Debian ships it): a record
 * reads ~60 counters at random across the table, and in 4 KiB pages
 * each is a TLB miss as well as a cache miss. */
static uint32_t *table_alloc(size_t bytes)
{
    const size_t huge = (size_t)2 << 20;
    if (bytes < huge) return calloc(1, bytes);
    void *p = aligned_alloc(huge, (bytes + huge - 1) / huge * huge);
    if (!p) return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
    memset(p, 0, bytes);
    return p;
}

int yw_df_init(yw_df_t *df, unsigned width_log2, uint32_t n_floor)
{
    memset(df, 0, sizeof *df);
    unsigned bits = width_log2 + 2;
    df->ncells = (size_t)1 << bits;
    df->shift = 64 - bits;
    df->n_floor = n_floor ? n_floor : 1;
    df->cells = table_alloc(df->ncells * sizeof(uint32_t));
    if (!df->cells)
        return -1;
    /* ln(i) for small counts: most document frequencies are small */
    df->ln[0] = -HUGE_VALF;
    for (int i = 1; i < YW_DF_LN; i++)
        df->ln[i] = (float)log((double)i);
    return 0;
}

void yw_df_free(yw_df_t *df)
{
    free(df->cells);
    df->cells = NULL;
}

/* The counter of term in a table of 2^(64 - shift) counters. */
static inline uint32_t *cell_of(uint32_t *cells, unsigned shift, uint64_t term)
{
    return cells + ((term * 0x9E3779B97F4A7C15ull) >> shift);
}

void yw_df_prefetch(const yw_df_t *df, const yw_fvec_t *vec)
{
    for (uint32_t k = 0; k < vec->n; k++)
        __builtin_prefetch(cell_of(df->cells, df->shift, vec->t[k].term), 1);
}

void yw_df_observe_idf(yw_df_t *df, const yw_fvec_t *vec, float *restrict idf)
{
    double docs = df->docs + 1;
    double n = docs < df->n_floor ? df->n_floor : docs;
    const float base = (float)(log(n + 1.0) + 1.0);
    /* counts above n clamp to n (n < 2^32 while docs fit a counter) */
    const uint32_t ncap = n >= 4294967295.0 ? UINT32_MAX : (uint32_t)n;
    const float ln_cap1 = (float)log((double)ncap + 1.0);
    /* below both the table's end and the cap, ln(m + 1) is in the table */
    const uint32_t tab_lim = ncap < YW_DF_LN - 1 ? ncap : YW_DF_LN - 1;
    /* locals: the counter stores could otherwise alias vec and idf */
    uint32_t *restrict cells = df->cells;
    const float *restrict ln = df->ln;
    const unsigned shift = df->shift;
    const yw_fterm_t *restrict vt = vec->t;
    const uint32_t vn = vec->n;
    /* The cells first, each fetched as it is found, then the updates,
     * which find them on their way.  The caller has usually asked for
     * them already (yw_df_prefetch): asking again is not wasted, as a
     * core holds only a few dozen misses in flight and drops prefetches
     * beyond that (without this pass features + clustering took ~5%
     * longer, stop 16). */
    uint32_t *cp[YW_DF_BATCH];
    for (uint32_t k0 = 0; k0 < vn; k0 += YW_DF_BATCH) {
        uint32_t kn = vn - k0 < YW_DF_BATCH ? vn - k0 : YW_DF_BATCH;
        for (uint32_t k = 0; k < kn; k++) {
            cp[k] = cell_of(cells, shift, vt[k0 + k].term);
            __builtin_prefetch(cp[k], 1);
        }
        for (uint32_t k = k0; k < k0 + kn; k++) {
            uint32_t *c = cp[k - k0];
            uint32_t m = *c;
            m += m != UINT32_MAX;            /* saturated: stays */
            *c = m;
            float lc;
            if (m < tab_lim)
                lc = ln[m + 1];
            else
                lc = m < ncap ? logf((float)m + 1.0f) : ln_cap1;
            idf[k] = base - lc;
        }
    }
    df->docs = docs;
}

void yw_df_save(const yw_df_t *df, yw_snap_buf_t *b)
{
    yw_snap_put_u64(b, df->ncells);
    yw_snap_put_f64(b, df->docs);
    for (size_t i = 0; i < df->ncells; i++)
        yw_snap_put_u32(b, df->cells[i]);
}

int yw_df_load(yw_df_t *df, yw_snap_rd_t *r)
{
    if (yw_snap_get_u64(r) != df->ncells && !r->err)
        yw_snap_fail(r, "document frequencies: other size (cluster.df_width_log2 changed?)");
    double docs = yw_snap_get_f64(r);
    if (r->err)
        return -1;
    if (!(docs >= 0 && docs < 1e15) || r->len - r->pos < df->ncells * sizeof(uint32_t)) {
        yw_snap_fail(r, "document frequencies: bad count or section ends early");
        return -1;
    }
    for (size_t i = 0; i < df->ncells; i++)
        df->cells[i] = yw_snap_get_u32(r);
    df->docs = docs;
    return 0;
}
