/* cluster_pool.c -- the clusterer's memory: creating it, growing its slot
 * pool and per-record buffers, destroying it; and the read-only queries
 * (an id's survivor after merges, one cluster's counts, the totals and
 * bytes held).  The clustering itself is in cluster.c. */
#include "cluster.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_impl.h"

/* ---- create / destroy ------------------------------------------------- */

/* Room for select_top over n terms. 0 or -1. */
int ywcl_sel_grow(yw_clusterer_t *cl, uint32_t n)
{
    if (n <= cl->selcap) return 0;
    uint64_t *k = realloc(cl->skey, 2 * (size_t)n * sizeof(*k));
    if (!k) return -1;
    cl->skey = k;
    uint64_t *t = realloc(cl->stmp, (size_t)n * sizeof(*t));
    if (!t) return -1;
    cl->stmp = t;
    yw_fterm_t *b = realloc(cl->sbuf, (size_t)n * sizeof(*b));
    if (!b) return -1;
    cl->sbuf = b;
    cl->selcap = n;
    return 0;
}

static size_t pool_bytes_per_slot(const yw_cluster_conf_t *c)
{
    return sizeof(clu_t) + c->top_k * (sizeof(uint64_t) + sizeof(float)) +
           c->index_terms * sizeof(uint64_t) + 3 * sizeof(uint32_t);
}

/* Grow the slot pool (doubling, capped at max_clusters). */
int ywcl_pool_grow(yw_clusterer_t *cl)
{
    uint32_t ncap = cl->cap ? cl->cap * 2 : 256;
    if (ncap > cl->c.max_clusters) ncap = cl->c.max_clusters;
    if (ncap <= cl->cap) return -1;
    size_t K = cl->c.top_k, T = cl->c.index_terms;
    void *p;
#define GROW(field, per)                                                    \
    p = realloc(cl->field, (size_t)ncap * (per) * sizeof(*cl->field));      \
    if (!p) return -1;                                                      \
    cl->field = p;
    GROW(clu, 1)
    GROW(cterm, K)
    GROW(cw, K)
    GROW(cidx, T)
    GROW(cstamp, 1)
    GROW(cpos, 1)
    GROW(freel, 1)
#undef GROW
    memset(cl->clu + cl->cap, 0, (size_t)(ncap - cl->cap) * sizeof(clu_t));
    memset(cl->cstamp + cl->cap, 0, (size_t)(ncap - cl->cap) * sizeof(uint32_t));
    cl->cap = ncap;
    return 0;
}

yw_clusterer_t *yw_clusterer_create(const yw_cluster_conf_t *conf,
                                    char *errbuf, size_t errlen)
{
    yw_cluster_conf_t def;
    if (!conf) {
        yw_cluster_conf_default(&def);
        conf = &def;
    }
    if (yw_cluster_conf_check(conf, errbuf, errlen)) return NULL;
    yw_clusterer_t *cl = calloc(1, sizeof(*cl));
    if (!cl) goto enomem;
    cl->c = *conf;
    if (yw_df_init(&cl->df, cl->c.df_width_log2, cl->c.df_n_floor)) goto enomem;
    cl->lru_head[0] = cl->lru_head[1] = cl->lru_tail[0] = cl->lru_tail[1] = NIL;
    cl->next_id = 1;
    for (int i = 1; i < 16; i++) cl->tf_tab[i] = i == 1 ? 1.0f : 1.0f + logf((float)i);
    for (int i = 0; i < 16; i++) cl->kind_tab[i] = i < 8 ? conf->kind_weight[i] : 0;
    if (yw_otab_init(&cl->ids, 1, 10) || yw_otab_init(&cl->post, 1 + conf->posting_cap, 10) ||
        yw_otab_init(&cl->merges, 2, 8))
        goto enomem;
    cl->mring = calloc(conf->merge_memory, sizeof(uint64_t));
    cl->htab = calloc((size_t)1 << RH_BITS, sizeof(ywcl_rh_slot_t));
    cl->hbuf = calloc(MAX_TERMS, sizeof(yw_fterm_t));
    cl->hovf = calloc(MAX_TERMS, 1);
    cl->rused = calloc(MAX_TERMS + 1, sizeof(uint32_t));   /* + the misses' slot */
    cl->cand_cap = conf->query_terms * conf->posting_cap;
    cl->mbuf = calloc((size_t)conf->top_k + conf->record_terms + MAX_TERMS + cl->cand_cap,
                      sizeof(yw_fterm_t));
    cl->cand = calloc(cl->cand_cap, sizeof(uint32_t));
    cl->cscore = calloc(cl->cand_cap, sizeof(float));
    cl->csim = calloc(cl->cand_cap, sizeof(float));
    /* allocated from the start (weigh_record grows them): a record
     * without terms copies zero bytes from rv, which must not be NULL,
     * and a record hash lookup reads rv at any index a stale slot holds
     * (below MAX_TERMS) before it knows the slot is stale */
    cl->rv_cap = MAX_TERMS;
    cl->rv = calloc(cl->rv_cap, sizeof(yw_fterm_t));
    cl->ridf = calloc(cl->rv_cap, sizeof(float));
    if (ywcl_sel_grow(cl, (uint32_t)(conf->top_k + conf->record_terms + MAX_TERMS + cl->cand_cap)))
        goto enomem;
    if (!cl->mring || !cl->htab || !cl->hbuf || !cl->hovf ||
        !cl->rused || !cl->mbuf || !cl->cand || !cl->cscore || !cl->csim ||
        !cl->rv || !cl->ridf)
        goto enomem;
    if (ywcl_pool_grow(cl)) goto enomem;
    return cl;
enomem:
    snprintf(errbuf, errlen, "cluster: out of memory");
    yw_clusterer_destroy(cl);
    return NULL;
}

void yw_clusterer_destroy(yw_clusterer_t *cl)
{
    if (!cl) return;
    yw_df_free(&cl->df);
    free(cl->clu);
    free(cl->cterm);
    free(cl->cw);
    free(cl->cidx);
    free(cl->cstamp);
    free(cl->cpos);
    free(cl->freel);
    yw_otab_free(&cl->ids);
    yw_otab_free(&cl->post);
    yw_otab_free(&cl->merges);
    free(cl->mring);
    free(cl->rv);
    free(cl->ridf);
    free(cl->htab);
    free(cl->hbuf);
    free(cl->hovf);
    free(cl->rused);
    free(cl->mbuf);
    free(cl->cand);
    free(cl->cscore);
    free(cl->csim);
    free(cl->skey);
    free(cl->stmp);
    free(cl->sbuf);
    free(cl);
}

/* ---- queries ---------------------------------------------------------- */

uint64_t yw_cluster_resolve(const yw_clusterer_t *cl, uint64_t id)
{
    /* a chain is at most as long as the merges remembered; bound it anyway */
    for (int hop = 0; hop < 1024; hop++) {
        size_t i = yw_otab_find(&cl->merges, id);
        if (i == SIZE_MAX) return id;
        const uint32_t *v = yw_otab_val(&cl->merges, i);
        id = (uint64_t)v[0] | ((uint64_t)v[1] << 32);
    }
    return id;
}

char *yw_cluster_id_format(uint64_t id, char *buf, size_t len)
{
    snprintf(buf, len, "c-%06llu", (unsigned long long)id);
    return buf;
}

bool yw_cluster_alive(const yw_clusterer_t *cl, uint64_t id)
{
    return slot_of(cl, id) != NIL;
}

int yw_cluster_info(const yw_clusterer_t *cl, uint64_t id, yw_cluster_info_t *out)
{
    uint32_t s = slot_of(cl, id);
    if (s == NIL) return -1;
    const clu_t *c = &cl->clu[s];
    out->id = id;
    out->records = c->n;
    out->near_dups = c->ndup;
    out->merged = c->nmerged;
    out->first_ts = c->first_ts;
    out->last_ts = c->last_ts;
    return 0;
}

void yw_cluster_stats(const yw_clusterer_t *cl, yw_cluster_stats_t *out)
{
    *out = cl->st;
    out->live = cl->live;
    out->index_terms = cl->post.used;
    out->df_bytes = yw_df_bytes(&cl->df);
    out->memory_bytes = sizeof(*cl) + yw_df_bytes(&cl->df) +
                        (size_t)cl->cap * pool_bytes_per_slot(&cl->c) +
                        yw_otab_bytes(&cl->ids) + yw_otab_bytes(&cl->post) + yw_otab_bytes(&cl->merges) +
                        cl->c.merge_memory * sizeof(uint64_t) +
                        (size_t)cl->rv_cap * (sizeof(yw_fterm_t) + sizeof(float)) +
                        (sizeof(ywcl_rh_slot_t) << RH_BITS) + MAX_TERMS * sizeof(yw_fterm_t) +
                        2 * MAX_TERMS + 1 +
                        ((size_t)cl->c.top_k + cl->c.record_terms + MAX_TERMS + cl->cand_cap) *
                            sizeof(yw_fterm_t) +
                        (size_t)cl->cand_cap * 3 * sizeof(uint32_t) +
                        (size_t)cl->selcap * (3 * sizeof(uint64_t) + sizeof(yw_fterm_t));
}
