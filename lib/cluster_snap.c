/* cluster_snap.c -- the clusterer's state in a snapshot (lib/snapshot.h):
 * every slot, both LRU lists and the posting lists in their order (they
 * cannot be rebuilt), the id allocator and the merge memory; the loader
 * range-checks every index and time and walks every list before use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_impl.h"
#include "snapshot.h"
#include "text.h"

/* ---- snapshots -------------------------------------------------------------
 * The slot pool is saved slot for slot (candidates, ties and the LRU order
 * all follow slot numbers), with the free list, both LRU lists, the
 * posting lists in their order (a full list's history decides who is in
 * it, so it cannot be rebuilt), the merge memory and the document
 * frequencies.  The id table is rebuilt; per-record scratch starts clean. */

/* 2: the document frequencies are one array of counters (format 1 held
 * text.c's 4-row count-min sketch and is refused); 3: each cluster's
 * representative title (a member title, or a clause of a member's text). */
#define CLUSTER_SNAP_FORMAT 3

/* The format as written: an evaluation build's term salt (text.h) mixed
 * in, so that its snapshots, whose terms match no other build's, are
 * refused elsewhere as another format (and a real build's stay 3). */
static uint32_t snap_format(void)
{
    uint64_t salt = yw_text_salt();
    return salt ? CLUSTER_SNAP_FORMAT ^ (0x80000000u | (uint32_t)(salt * 0x9E3779B97F4A7C15ull >> 33))
                : CLUSTER_SNAP_FORMAT;
}

static void label_save(yw_snap_buf_t *b, const label_t *t, int n)
{
    for (int i = 0; i < n; i++) {
        yw_snap_put_str(b, t[i].s);
        yw_snap_put_f32(b, t[i].n);
    }
}

static void label_load(yw_snap_rd_t *r, label_t *t, int n)
{
    for (int i = 0; i < n; i++) {
        yw_snap_get_str(r, t[i].s, sizeof t[i].s);
        t[i].n = yw_snap_get_f32(r);
    }
}

/* The keys whose value shapes the saved state: a snapshot is refused when
 * the config changed any of them. */
#define SHAPE_KEYS(X) X(top_k) X(index_terms) X(posting_cap) X(max_clusters) \
    X(merge_memory) X(df_width_log2)

void yw_clusterer_save(const yw_clusterer_t *cl, yw_snap_buf_t *b)
{
    yw_snap_put_u32(b, snap_format());
    uint32_t consts[] = { SIG_K, SIG_KEEP, N_ENT, N_PLACE, N_PHRASE, LAB_LEN };
    for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++)
        yw_snap_put_u32(b, consts[i]);
#define PUT(k) yw_snap_put_u32(b, cl->c.k);
    SHAPE_KEYS(PUT)
#undef PUT
    yw_df_save(&cl->df, b);
    yw_snap_put_u64(b, cl->next_id);
    yw_snap_put_i64(b, cl->max_ts);
    yw_snap_put_u8(b, cl->have_ts);
    yw_snap_put_u64(b, cl->live);
    yw_snap_put_u32(b, cl->mring_pos);
    uint64_t st[] = { cl->st.created, cl->st.merged, cl->st.expired, cl->st.evicted,
                      cl->st.records, cl->st.near_dups };
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
        yw_snap_put_u64(b, st[i]);
    for (int l = 0; l < 2; l++) {
        yw_snap_put_u32(b, cl->lru_head[l]);
        yw_snap_put_u32(b, cl->lru_tail[l]);
    }

    yw_snap_put_u32(b, cl->hwm);
    yw_snap_put_u32(b, cl->nfree);
    for (uint32_t i = 0; i < cl->nfree; i++)
        yw_snap_put_u32(b, cl->freel[i]);
    uint32_t K = cl->c.top_k, T = cl->c.index_terms;
    for (uint32_t s = 0; s < cl->hwm; s++) {
        const clu_t *c = &cl->clu[s];
        yw_snap_put_u64(b, c->id);
        if (!c->id)
            continue;
        yw_snap_put_i64(b, c->first_ts);
        yw_snap_put_i64(b, c->last_ts);
        yw_snap_put_u32(b, c->n);
        yw_snap_put_u32(b, c->ndup);
        yw_snap_put_u32(b, c->nmerged);
        yw_snap_put_f32(b, c->norm);
        yw_snap_put_u32(b, c->prev);
        yw_snap_put_u32(b, c->next);
        yw_snap_put_u8(b, c->list);
        yw_snap_put_u8(b, c->since_index);
        yw_snap_put_u8(b, c->nsig);
        for (uint32_t k = 0; k < c->nsig && k < SIG_KEEP; k++)
            for (int j = 0; j < SIG_K; j++)
                yw_snap_put_u32(b, c->sig[k][j]);
        label_save(b, c->ent, N_ENT);
        label_save(b, c->place, N_PLACE);
        label_save(b, c->phrase, N_PHRASE);
        yw_snap_put_str(b, c->rep);
        yw_snap_put_f32(b, c->rep_score);
        yw_snap_put_u8(b, c->rep_title);
        yw_snap_put_u32(b, c->nterms);
        for (uint32_t k = 0; k < c->nterms; k++) {
            yw_snap_put_u64(b, cl->cterm[(size_t)s * K + k]);
            yw_snap_put_f32(b, cl->cw[(size_t)s * K + k]);
        }
        yw_snap_put_u8(b, c->nidx);
        for (uint32_t k = 0; k < c->nidx; k++)
            yw_snap_put_u64(b, cl->cidx[(size_t)s * T + k]);
    }

    yw_snap_put_u64(b, cl->post.used);
    for (size_t i = 0; i < yw_otab_cap(&cl->post); i++) {
        if (!cl->post.keys[i])
            continue;
        const uint32_t *v = yw_otab_val(&cl->post, i);
        yw_snap_put_u64(b, cl->post.keys[i]);
        yw_snap_put_u32(b, v[0]);
        for (uint32_t k = 0; k < v[0]; k++)
            yw_snap_put_u32(b, v[1 + k]);
    }
    yw_snap_put_u64(b, cl->merges.used);
    for (size_t i = 0; i < yw_otab_cap(&cl->merges); i++) {
        if (!cl->merges.keys[i])
            continue;
        const uint32_t *v = yw_otab_val(&cl->merges, i);
        yw_snap_put_u64(b, cl->merges.keys[i]);
        yw_snap_put_u32(b, v[0]);
        yw_snap_put_u32(b, v[1]);
    }
    uint64_t nring = 0;
    for (uint32_t i = 0; i < cl->c.merge_memory; i++)
        nring += cl->mring[i] != 0;
    yw_snap_put_u64(b, nring);
    for (uint32_t i = 0; i < cl->c.merge_memory; i++)
        if (cl->mring[i]) {
            yw_snap_put_u32(b, i);
            yw_snap_put_u64(b, cl->mring[i]);
        }
}

int yw_clusterer_load(yw_clusterer_t *cl, yw_snap_rd_t *r)
{
    static char why[160];
    if (cl->live || cl->hwm) {
        yw_snap_fail(r, "clusterer: load into a clusterer that is not empty");
        return -1;
    }
    if (yw_snap_get_u32(r) != snap_format())
        yw_snap_fail(r, "clusterer: other format");
    uint32_t consts[] = { SIG_K, SIG_KEEP, N_ENT, N_PLACE, N_PHRASE, LAB_LEN };
    for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++)
        if (yw_snap_get_u32(r) != consts[i])
            yw_snap_fail(r, "clusterer: built with other constants");
#define CHECK_KEY(k)                                                          \
    {                                                                         \
        uint32_t v = yw_snap_get_u32(r);                                      \
        if (!r->err && v != cl->c.k) {                                        \
            snprintf(why, sizeof why, "cluster." #k " changed (snapshot %u, config %u)", \
                     v, cl->c.k);                                             \
            yw_snap_fail(r, why);                                             \
        }                                                                     \
    }
    SHAPE_KEYS(CHECK_KEY)
#undef CHECK_KEY
    if (r->err || yw_df_load(&cl->df, r) != 0)
        return -1;
    cl->next_id = yw_snap_get_u64(r);
    cl->max_ts = yw_snap_get_time(r);
    cl->have_ts = yw_snap_get_u8(r) != 0;
    uint64_t live = yw_snap_get_u64(r);
    cl->mring_pos = yw_snap_get_u32(r);
    uint64_t *st[] = { &cl->st.created, &cl->st.merged, &cl->st.expired, &cl->st.evicted,
                       &cl->st.records, &cl->st.near_dups };
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
        *st[i] = yw_snap_get_u64(r);
    for (int l = 0; l < 2; l++) {
        cl->lru_head[l] = yw_snap_get_u32(r);
        cl->lru_tail[l] = yw_snap_get_u32(r);
    }
    uint32_t hwm = yw_snap_get_u32(r);
    uint32_t nfree = yw_snap_get_u32(r);
    if (r->err)
        return -1;
    if (hwm > cl->c.max_clusters || nfree > hwm || cl->mring_pos >= cl->c.merge_memory ||
        live > hwm) {
        yw_snap_fail(r, "clusterer: counts out of range");
        return -1;
    }
    while (cl->cap < hwm)
        if (ywcl_pool_grow(cl)) {
            yw_snap_fail(r, "out of memory");
            return -1;
        }
    cl->hwm = hwm;
    for (uint32_t i = 0; i < nfree; i++) {
        cl->freel[i] = yw_snap_get_u32(r);
        if (cl->freel[i] >= hwm)
            yw_snap_fail(r, "clusterer: free slot out of range");
    }
    cl->nfree = r->err ? 0 : nfree;
    uint32_t K = cl->c.top_k, T = cl->c.index_terms;
    uint64_t nlive = 0;
    for (uint32_t s = 0; s < hwm && !r->err; s++) {
        clu_t *c = &cl->clu[s];
        memset(c, 0, sizeof *c);
        c->id = yw_snap_get_u64(r);
        if (!c->id)
            continue;
        c->first_ts = yw_snap_get_time(r);
        c->last_ts = yw_snap_get_time(r);
        c->n = yw_snap_get_u32(r);
        c->ndup = yw_snap_get_u32(r);
        c->nmerged = yw_snap_get_u32(r);
        c->norm = yw_snap_get_f32(r);
        c->prev = yw_snap_get_u32(r);
        c->next = yw_snap_get_u32(r);
        c->list = yw_snap_get_u8(r);
        c->since_index = yw_snap_get_u8(r);
        c->nsig = yw_snap_get_u8(r);
        if (c->list > 1 || c->nsig > SIG_KEEP || (c->prev != NIL && c->prev >= hwm) ||
            (c->next != NIL && c->next >= hwm) || c->id >= cl->next_id) {
            yw_snap_fail(r, "clusterer: slot out of range");
            break;
        }
        for (uint32_t k = 0; k < c->nsig; k++)
            for (int j = 0; j < SIG_K; j++)
                c->sig[k][j] = yw_snap_get_u32(r);
        label_load(r, c->ent, N_ENT);
        label_load(r, c->place, N_PLACE);
        label_load(r, c->phrase, N_PHRASE);
        yw_snap_get_str(r, c->rep, sizeof c->rep);
        c->rep_score = yw_snap_get_f32(r);
        c->rep_title = yw_snap_get_u8(r);
        c->nterms = yw_snap_get_u32(r);
        if (c->nterms > K) {
            yw_snap_fail(r, "clusterer: too many centroid terms");
            break;
        }
        for (uint32_t k = 0; k < c->nterms; k++) {
            cl->cterm[(size_t)s * K + k] = yw_snap_get_u64(r);
            cl->cw[(size_t)s * K + k] = yw_snap_get_f32(r);
        }
        c->nidx = yw_snap_get_u8(r);
        if (c->nidx > T) {
            yw_snap_fail(r, "clusterer: too many index terms");
            break;
        }
        for (uint32_t k = 0; k < c->nidx; k++)
            cl->cidx[(size_t)s * T + k] = yw_snap_get_u64(r);
        if (r->err)
            break;
        if (yw_otab_find(&cl->ids, c->id) != SIZE_MAX) {
            yw_snap_fail(r, "clusterer: duplicate cluster id");
            break;
        }
        size_t i = yw_otab_insert(&cl->ids, c->id);
        if (i == SIZE_MAX) {
            yw_snap_fail(r, "out of memory");
            break;
        }
        yw_otab_val(&cl->ids, i)[0] = s;
        nlive++;
    }
    if (r->err)
        return -1;
    if (nlive != live) {
        yw_snap_fail(r, "clusterer: live count disagrees with the slots");
        return -1;
    }
    cl->live = live;
    for (uint32_t i = 0; i < cl->nfree; i++)
        if (cl->clu[cl->freel[i]].id) {
            yw_snap_fail(r, "clusterer: a free slot is in use");
            return -1;
        }
    /* both LRU lists must hold every live slot exactly once, in order */
    uint64_t listed = 0;
    for (uint8_t l = 0; l < 2; l++) {
        uint32_t prev = NIL, steps = 0;
        for (uint32_t s = cl->lru_head[l]; s != NIL; s = cl->clu[s].next) {
            if (s >= hwm || !cl->clu[s].id || cl->clu[s].list != l ||
                cl->clu[s].prev != prev || ++steps > hwm) {
                yw_snap_fail(r, "clusterer: inconsistent LRU list");
                return -1;
            }
            prev = s;
        }
        if (prev != cl->lru_tail[l]) {
            yw_snap_fail(r, "clusterer: inconsistent LRU list");
            return -1;
        }
        listed += steps;
    }
    if (listed != live) {
        yw_snap_fail(r, "clusterer: a cluster is in no LRU list");
        return -1;
    }

    uint64_t npost = yw_snap_get_count(r, (uint64_t)hwm * T, 12);
    for (uint64_t p = 0; p < npost && !r->err; p++) {
        uint64_t term = yw_snap_get_u64(r);
        uint32_t n = yw_snap_get_u32(r);
        if (!term || n == 0 || n > cl->c.posting_cap || yw_otab_find(&cl->post, term) != SIZE_MAX) {
            yw_snap_fail(r, "clusterer: bad posting list");
            break;
        }
        size_t i = yw_otab_insert(&cl->post, term);
        if (i == SIZE_MAX) {
            yw_snap_fail(r, "out of memory");
            break;
        }
        uint32_t *v = yw_otab_val(&cl->post, i);
        v[0] = n;
        for (uint32_t k = 0; k < n; k++) {
            v[1 + k] = yw_snap_get_u32(r);
            if (v[1 + k] >= hwm || !cl->clu[v[1 + k]].id)
                yw_snap_fail(r, "clusterer: posting of a missing cluster");
        }
    }
    uint64_t nmerge = yw_snap_get_count(r, cl->c.merge_memory, 16);
    for (uint64_t m = 0; m < nmerge && !r->err; m++) {
        uint64_t gone = yw_snap_get_u64(r);
        uint32_t lo = yw_snap_get_u32(r), hi = yw_snap_get_u32(r);
        if (!gone || yw_otab_find(&cl->merges, gone) != SIZE_MAX) {
            yw_snap_fail(r, "clusterer: bad merge entry");
            break;
        }
        size_t i = yw_otab_insert(&cl->merges, gone);
        if (i == SIZE_MAX) {
            yw_snap_fail(r, "out of memory");
            break;
        }
        yw_otab_val(&cl->merges, i)[0] = lo;
        yw_otab_val(&cl->merges, i)[1] = hi;
    }
    uint64_t nring = yw_snap_get_count(r, cl->c.merge_memory, 12);
    for (uint64_t m = 0; m < nring && !r->err; m++) {
        uint32_t pos = yw_snap_get_u32(r);
        uint64_t id = yw_snap_get_u64(r);
        if (pos >= cl->c.merge_memory)
            yw_snap_fail(r, "clusterer: merge ring position out of range");
        else
            cl->mring[pos] = id;
    }
    yw_snap_expect_end(r);
    return r->err ? -1 : 0;
}
