/* stage.c -- the shard: features -> cluster -> score, and the per-cluster
 * drill-down kept for analysts.  See stage.h.
 *
 * Ids: the clusterer's 64-bit ids in their text form ("c-000123") are the
 * cluster ids everywhere downstream (scorer, Redis, backtest output).
 *
 * Forgetting: merges are reported by yw_cluster_add and handled at once;
 * clusters that expire or are evicted inside the clusterer are found by an
 * incremental sweep over the shard's own cluster table (two entries per
 * record), so no state outlives its cluster for long and nothing scans all
 * clusters at once. */
#include "stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "featurize.h"
#include "jsonw.h"
#include "log.h"
#include "rules.h"
#include "score.h"
#include "snapshot.h"

#define SAMPLES 3               /* recent sample records kept per cluster */
#define SAMPLE_TEXT 240         /* bytes of masked text per sample */
#define TIMELINE_DAYS 30        /* days in the drill-down timeline */
#define SWEEP_PER_RECORD 2

typedef struct {
    char id[48];
    int8_t source;
    int64_t ts;
    char text[SAMPLE_TEXT];
} sample_t;

typedef struct {
    uint64_t cid;
    sample_t samples[SAMPLES];  /* ring, newest at next-1 */
    uint8_t nsamples, next;
    uint8_t dirty;              /* listed in the shard's dirty list */
} entry_t;

struct yw_shard {
    int tz;
    yw_rules_t *rules;
    bool own_rules;          /* compiled here or reloaded, not the config's */
    uint64_t *rule_hits;     /* records that hit each rule (by rule id) */
    size_t nrule_hits;
    yw_featurizer_t *fz;
    yw_features_t feat[YW_SHARD_BATCH];   /* a batch's features (yw_shard_apply_batch) */
    yw_clusterer_t *cl;
    yw_scorer_t *sc;
    entry_t *ents;
    size_t nents, cents;
    uint32_t *index;            /* open addressing: entry index + 1; 0 = empty */
    size_t mask;
    size_t sweep;
    yw_jsonw_t jw;
    const yw_stage_out_t *out;  /* during yw_shard_apply(_batch) */
    uint64_t *dirty;            /* clusters whose summary changed since the last flush */
    size_t ndirty, cdirty;
    char idbuf[32];
    yw_shard_stats_t st;
};

static const char *const COMP = "stage";

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static uint64_t parse_id(const char *s)
{
    if (s[0] != 'c' || s[1] != '-')
        return 0;
    return strtoull(s + 2, NULL, 10);
}

/* ---- the cluster table --------------------------------------------------- */

static int64_t ent_find(const yw_shard_t *s, uint64_t cid)
{
    for (size_t i = mix(cid) & s->mask; s->index[i]; i = (i + 1) & s->mask)
        if (s->ents[s->index[i] - 1].cid == cid)
            return s->index[i] - 1;
    return -1;
}

static void index_put(yw_shard_t *s, uint64_t cid, uint32_t v)
{
    size_t i = mix(cid) & s->mask;
    while (s->index[i])
        i = (i + 1) & s->mask;
    s->index[i] = v;
}

static int index_grow(yw_shard_t *s)
{
    size_t n = (s->mask + 1) * 2;
    uint32_t *ni = calloc(n, sizeof *ni);
    if (!ni)
        return -1;
    free(s->index);
    s->index = ni;
    s->mask = n - 1;
    for (size_t i = 0; i < s->nents; i++)
        index_put(s, s->ents[i].cid, (uint32_t)i + 1);
    return 0;
}

static entry_t *ent_get(yw_shard_t *s, uint64_t cid)
{
    int64_t i = ent_find(s, cid);
    if (i >= 0)
        return &s->ents[i];
    if ((s->nents + 1) * 2 > s->mask + 1 && index_grow(s) != 0)
        return NULL;
    if (s->nents == s->cents) {
        size_t nc = s->cents ? s->cents * 2 : 1024;
        entry_t *ne = realloc(s->ents, nc * sizeof *ne);
        if (!ne)
            return NULL;
        s->ents = ne;
        s->cents = nc;
    }
    entry_t *e = &s->ents[s->nents];
    memset(e, 0, sizeof *e);
    e->cid = cid;
    index_put(s, cid, (uint32_t)++s->nents);
    return e;
}

/* Remove entry idx: backward-shift deletion in the index, then move the
 * last entry into the hole. */
static void ent_remove(yw_shard_t *s, size_t idx)
{
    size_t i = mix(s->ents[idx].cid) & s->mask;
    while (s->index[i] != idx + 1)
        i = (i + 1) & s->mask;
    size_t j = i;
    for (;;) {
        s->index[i] = 0;
        for (;;) {
            j = (j + 1) & s->mask;
            if (!s->index[j])
                goto shifted;
            size_t k = mix(s->ents[s->index[j] - 1].cid) & s->mask;
            /* Stay when its home k lies cyclically in (i, j]. */
            if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
                continue;
            break;
        }
        s->index[i] = s->index[j];
        i = j;
    }
shifted:;
    size_t last = s->nents - 1;
    if (idx != last) {
        s->ents[idx] = s->ents[last];
        size_t p = mix(s->ents[idx].cid) & s->mask;
        while (s->index[p] != last + 1)
            p = (p + 1) & s->mask;
        s->index[p] = (uint32_t)idx + 1;
    }
    s->nents--;
}

static void add_sample(entry_t *e, const yw_record_t *rec, const yw_features_t *f)
{
    sample_t *sm = &e->samples[e->next];
    snprintf(sm->id, sizeof sm->id, "%s", rec->id.s);
    sm->source = (int8_t)rec->source;
    sm->ts = rec->ts_ms;
    /* Masked text only (featurize masked phone, ID, card and plate numbers),
     * cut at a UTF-8 boundary. */
    size_t n = f->masked_len < SAMPLE_TEXT - 1 ? f->masked_len : SAMPLE_TEXT - 1;
    while (n > 0 && n < f->masked_len && ((unsigned char)f->masked[n] & 0xC0) == 0x80)
        n--;
    memcpy(sm->text, f->masked, n);
    sm->text[n] = '\0';
    e->next = (uint8_t)((e->next + 1) % SAMPLES);
    if (e->nsamples < SAMPLES)
        e->nsamples++;
}

/* Move b's samples into a (absorbed b into a), keeping the newest. */
static void merge_samples(entry_t *a, const entry_t *b)
{
    for (int i = 0; i < b->nsamples; i++) {
        const sample_t *sm = &b->samples[i];
        int oldest = -1;
        for (int k = 0; k < SAMPLES; k++)
            if (k >= a->nsamples) {
                oldest = k;
                break;
            } else if (oldest < 0 || a->samples[k].ts < a->samples[oldest].ts) {
                oldest = k;
            }
        if (a->nsamples < SAMPLES) {
            a->samples[a->nsamples++] = *sm;
        } else if (sm->ts > a->samples[oldest].ts) {
            a->samples[oldest] = *sm;
        }
    }
}

/* ---- views for the scorer -------------------------------------------------- */

/* Title, places and sample ids of a cluster, for alerts and summaries. */
static void fill_view(yw_shard_t *s, uint64_t cid, yw_alert_t *a)
{
    if (!yw_cluster_alive(s->cl, cid))
        return;
    yw_cluster_title(s->cl, cid, a->title, sizeof a->title);
    const char *labels[YW_ALERT_MAX_PLACES];
    size_t n = yw_cluster_labels(s->cl, cid, 'p', labels, YW_ALERT_MAX_PLACES);
    size_t m = yw_cluster_labels(s->cl, cid, 'e', labels + n, YW_ALERT_MAX_PLACES - n);
    /* a road the texts name is often the street field too (长岭街道):
     * listed once */
    a->nplaces = 0;
    for (size_t i = 0; i < n + m; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(labels[j], labels[i]) == 0;
        if (!seen)
            snprintf(a->places[a->nplaces++], sizeof a->places[0], "%s", labels[i]);
    }
    uint64_t rel[YW_ALERT_MAX_RELATED];
    size_t nrel = yw_cluster_related(s->cl, cid, rel, YW_ALERT_MAX_RELATED);
    a->nrelated = 0;
    for (size_t k = 0; k < nrel; k++)
        yw_cluster_id_format(rel[k], a->related[a->nrelated++], sizeof a->related[0]);
    int64_t i = ent_find(s, cid);
    a->nsamples = 0;
    if (i >= 0) {
        const entry_t *e = &s->ents[i];
        for (int k = 0; k < e->nsamples; k++) {    /* newest first */
            int at = (e->next - 1 - k + 2 * SAMPLES) % SAMPLES;
            snprintf(a->sample_ids[a->nsamples++], sizeof a->sample_ids[0], "%s",
                     e->samples[at].id);
        }
    }
}

static void view_cb(void *opaque, const char *cluster_id, yw_alert_t *a)
{
    yw_shard_t *s = opaque;
    fill_view(s, parse_id(cluster_id), a);
}

/* Summaries are states: written once per flush (per batch in the daemon)
 * for every cluster that changed, not once per record. */
static void want_summary(yw_shard_t *s, uint64_t cid)
{
    int64_t i = ent_find(s, cid);
    if (i < 0 || s->ents[i].dirty)
        return;
    if (s->ndirty == s->cdirty) {
        size_t nc = s->cdirty ? s->cdirty * 2 : 256;
        uint64_t *nd = realloc(s->dirty, nc * sizeof *nd);
        if (!nd)
            return;             /* the next change lists it again */
        s->dirty = nd;
        s->cdirty = nc;
    }
    s->ents[i].dirty = 1;
    s->dirty[s->ndirty++] = cid;
}

static void on_emit(void *opaque, const yw_alert_t *a)
{
    yw_shard_t *s = opaque;
    if (a->level > a->prev_level)
        s->st.alerts++;
    else
        s->st.downgrades++;
    if (s->out && s->out->emit)
        s->out->emit(s->out->opaque, a);
    if (a->kind == YW_ALERT_CLUSTER)
        want_summary(s, parse_id(a->cluster));
}

/* ---- summaries ---------------------------------------------------------------- */

static void write_summary(yw_shard_t *s, uint64_t cid)
{
    if (!s->out || !s->out->summary)
        return;
    char id[32];
    yw_cluster_id_format(cid, id, sizeof id);
    yw_alert_t sum;
    memset(&sum, 0, sizeof sum);
    if (yw_score_summary(s->sc, id, &sum) != 0)
        return;
    int64_t now = yw_score_watermark(s->sc);
    int64_t tl[TIMELINE_DAYS][YW_SRC_COUNT];
    memset(tl, 0, sizeof tl);
    yw_score_timeline(s->sc, id, now, TIMELINE_DAYS, tl);

    yw_jsonw_t *w = &s->jw;
    yw_jsonw_reset(w);
    yw_jsonw_obj_begin(w);
    yw_jsonw_key(w, "timeline");
    yw_jsonw_obj_begin(w);
    char day[40];
    yw_time_format(now, s->tz, day, sizeof day);
    day[10] = '\0';
    yw_jsonw_kv_str(w, "last_day", day);
    yw_jsonw_kv_int(w, "days", TIMELINE_DAYS);
    for (int src = 0; src < YW_SRC_COUNT; src++) {
        yw_jsonw_key(w, yw_source_name((yw_source_t)src));
        yw_jsonw_arr_begin(w);
        for (int d = TIMELINE_DAYS - 1; d >= 0; d--)    /* oldest first */
            yw_jsonw_int(w, tl[d][src]);
        yw_jsonw_arr_end(w);
    }
    yw_jsonw_obj_end(w);
    yw_jsonw_key(w, "samples");
    yw_jsonw_arr_begin(w);
    int64_t i = ent_find(s, cid);
    if (i >= 0) {
        const entry_t *e = &s->ents[i];
        for (int k = 0; k < e->nsamples; k++) {
            const sample_t *sm = &e->samples[(e->next - 1 - k + 2 * SAMPLES) % SAMPLES];
            char when[40];
            yw_time_format(sm->ts, s->tz, when, sizeof when);
            yw_jsonw_obj_begin(w);
            yw_jsonw_kv_str(w, "id", sm->id);
            yw_jsonw_kv_str(w, "source", yw_source_name((yw_source_t)sm->source));
            yw_jsonw_kv_str(w, "ts", when);
            yw_jsonw_kv_str(w, "text", sm->text);
            yw_jsonw_obj_end(w);
        }
    }
    yw_jsonw_arr_end(w);
    yw_jsonw_obj_end(w);
    size_t len = 0;
    const char *detail = yw_jsonw_peek(w, &len);
    s->out->summary(s->out->opaque, &sum, detail, detail ? len : 0);
}

/* ---- lifecycle ----------------------------------------------------------------- */

yw_shard_t *yw_shard_create(const yw_config_t *cfg, char *errbuf, size_t errlen)
{
    yw_shard_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    s->tz = cfg->tz_offset_minutes;
    for (size_t k = 0; k < YW_SHARD_BATCH; k++)
        yw_features_init(&s->feat[k]);
    yw_jsonw_init(&s->jw);
    s->mask = 1023;
    if (!(s->index = calloc(s->mask + 1, sizeof *s->index))) {
        snprintf(errbuf, errlen, "out of memory");
        goto fail;
    }
    if (cfg->rules) {
        s->rules = cfg->rules;     /* compiled when the config was checked */
    } else {
        yw_rules_errors_t errs = { 0 };
        s->rules = yw_rules_load((const char *const *)cfg->rules_paths,
                                 cfg->rules_path_count, &errs);
        if (!s->rules) {
            snprintf(errbuf, errlen, "rules: %s", errs.count ? errs.msgs[0] : "cannot load");
            yw_rules_errors_free(&errs);
            goto fail;
        }
        yw_rules_errors_free(&errs);
        s->own_rules = true;
    }
    s->nrule_hits = yw_rules_count(s->rules);
    if (!(s->rule_hits = calloc(s->nrule_hits ? s->nrule_hits : 1, sizeof *s->rule_hits))) {
        snprintf(errbuf, errlen, "out of memory");
        goto fail;
    }
    if (!(s->fz = yw_featurizer_create(s->rules, errbuf, errlen)))
        goto fail;
    if (!(s->cl = yw_clusterer_create(&cfg->cluster, errbuf, errlen)))
        goto fail;
    yw_score_conf_t sconf = cfg->score;
    sconf.tz_offset_minutes = cfg->tz_offset_minutes;
    if (!(s->sc = yw_scorer_create(&sconf, errbuf, errlen)))
        goto fail;
    yw_scorer_set_view(s->sc, view_cb, s);
    yw_log_info(COMP, "%zu rules (%zu patterns) loaded", yw_rules_count(s->rules),
                yw_rules_pattern_count(s->rules));
    return s;
fail:
    yw_shard_destroy(s);
    return NULL;
}

const yw_rules_t *yw_shard_rules(const yw_shard_t *s)
{
    return s->rules;
}

int yw_shard_set_rules(yw_shard_t *s, yw_rules_t *rules, char *errbuf, size_t errlen)
{
    size_t n = yw_rules_count(rules);
    uint64_t *hits = calloc(n ? n : 1, sizeof *hits);
    if (!hits) {
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    if (yw_featurizer_set_rules(s->fz, rules, errbuf, errlen) != 0) {
        free(hits);
        return -1;
    }
    /* a few dozen rules: the quadratic match by name is nothing */
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < s->nrule_hits; j++)
            if (strcmp(yw_rules_name(rules, i), yw_rules_name(s->rules, j)) == 0) {
                hits[i] = s->rule_hits[j];
                break;
            }
    free(s->rule_hits);
    s->rule_hits = hits;
    s->nrule_hits = n;
    if (s->own_rules)
        yw_rules_destroy(s->rules);
    s->rules = rules;
    s->own_rules = true;
    return 0;
}

uint64_t yw_shard_rule_hits(const yw_shard_t *s, uint32_t rule)
{
    return rule < s->nrule_hits ? s->rule_hits[rule] : 0;
}

void yw_shard_destroy(yw_shard_t *s)
{
    if (!s)
        return;
    yw_scorer_destroy(s->sc);
    yw_clusterer_destroy(s->cl);
    yw_featurizer_destroy(s->fz);
    if (s->own_rules)
        yw_rules_destroy(s->rules);
    free(s->rule_hits);
    for (size_t k = 0; k < YW_SHARD_BATCH; k++)
        yw_features_free(&s->feat[k]);
    yw_jsonw_free(&s->jw);
    free(s->ents);
    free(s->index);
    free(s->dirty);
    free(s);
}

/* Forget clusters the clusterer no longer has (expired, evicted). */
static void sweep(yw_shard_t *s)
{
    for (int k = 0; k < SWEEP_PER_RECORD && s->nents; k++) {
        if (s->sweep >= s->nents)
            s->sweep = 0;
        uint64_t cid = s->ents[s->sweep].cid;
        if (yw_cluster_alive(s->cl, cid)) {
            s->sweep++;
            continue;
        }
        char id[32];
        yw_cluster_id_format(cid, id, sizeof id);
        yw_score_forget(s->sc, id);
        if (s->out && s->out->forget)
            s->out->forget(s->out->opaque, id);
        ent_remove(s, s->sweep);       /* the last entry moved here: check it next */
        s->st.expired++;
    }
}

/* The first half of a record's way through the shard: its features, and
 * its rule hits counted.  0, or -1 (logged). */
static int featurize(yw_shard_t *s, const yw_record_t *rec, yw_features_t *f)
{
    if (yw_features_extract(s->fz, rec, f) != 0) {
        yw_log_error(COMP, "feature extraction failed (out of memory?)");
        return -1;
    }
    for (size_t k = 0; k < f->nhits; k++)
        if (f->hits[k].rule < s->nrule_hits)
            s->rule_hits[f->hits[k].rule]++;
    return 0;
}

/* The second half: cluster, score, remember a sample.  s->out is set. */
static int cluster_score(yw_shard_t *s, const yw_record_t *rec, const yw_features_t *f,
                         yw_cluster_assign_t *assign)
{
    const yw_stage_out_t *out = s->out;
    yw_cluster_assign_t as;
    if (yw_cluster_add(s->cl, f, rec, rec->ts_ms, &as) != 0) {
        yw_log_error(COMP, "clustering failed (out of memory)");
        return -1;
    }
    s->st.records++;

    for (uint32_t m = 0; m < as.nmerges; m++) {
        char from[32], into[32];
        yw_cluster_id_format(as.merges[m].absorbed, from, sizeof from);
        yw_cluster_id_format(as.merges[m].into, into, sizeof into);
        yw_score_merge(s->sc, from, into);
        int64_t bi = ent_find(s, as.merges[m].absorbed);
        if (bi >= 0) {
            entry_t b = s->ents[bi];
            ent_remove(s, (size_t)bi);
            entry_t *a = ent_get(s, as.merges[m].into);
            if (a)
                merge_samples(a, &b);
        }
        if (out && out->forget)
            out->forget(out->opaque, from);
        want_summary(s, as.merges[m].into);
        s->st.merges++;
        yw_log_debug(COMP, "merged %s into %s", from, into);
    }

    entry_t *e = ent_get(s, as.cluster);
    if (!e) {
        yw_log_error(COMP, "out of memory for a cluster entry");
        return -1;
    }
    add_sample(e, rec, f);

    yw_cluster_id_format(as.cluster, s->idbuf, sizeof s->idbuf);
    /* No view here: the scorer asks view_cb for title, places and samples
     * only when it builds an alert. */
    if (yw_score_observe(s->sc, s->idbuf, rec, f, NULL, on_emit, s) != 0) {
        yw_log_error(COMP, "scoring failed (out of memory)");
        return -1;
    }
    want_summary(s, as.cluster);
    sweep(s);
    if (assign)
        *assign = as;
    return 0;
}

int yw_shard_apply(yw_shard_t *s, const yw_record_t *rec, const yw_stage_out_t *out,
                   yw_cluster_assign_t *assign)
{
    if (featurize(s, rec, &s->feat[0]) != 0)
        return -1;
    s->out = out;
    int rc = cluster_score(s, rec, &s->feat[0], assign);
    s->out = NULL;
    return rc;
}

int yw_shard_apply_batch(yw_shard_t *s, const yw_record_t *recs, size_t n,
                         const yw_stage_out_t *out, yw_shard_applied_fn applied, void *opaque)
{
    int rc = 0;
    bool ok[YW_SHARD_BATCH];
    for (size_t at = 0; at < n; at += YW_SHARD_BATCH) {
        size_t m = n - at < YW_SHARD_BATCH ? n - at : YW_SHARD_BATCH;
        /* every record's features first, then the records through the
         * clusterer and the scorer one by one, in order: each half's
         * tables stay in the core's caches for the whole batch
         * (bench/README.md "Stop 20: batches") */
        for (size_t k = 0; k < m; k++)
            ok[k] = featurize(s, &recs[at + k], &s->feat[k]) == 0;
        s->out = out;
        for (size_t k = 0; k < m; k++) {
            yw_cluster_assign_t as;
            if (!ok[k] || cluster_score(s, &recs[at + k], &s->feat[k], &as) != 0) {
                rc = -1;
                continue;
            }
            if (applied)
                applied(opaque, at + k, &as);
        }
        s->out = NULL;
    }
    return rc;
}

yw_clusterer_t *yw_shard_clusterer(yw_shard_t *s) { return s->cl; }
yw_scorer_t *yw_shard_scorer(yw_shard_t *s) { return s->sc; }

void yw_shard_flush(yw_shard_t *s, const yw_stage_out_t *out)
{
    s->out = out;
    for (size_t i = 0; i < s->ndirty; i++) {
        int64_t e = ent_find(s, s->dirty[i]);
        if (e < 0)
            continue;            /* merged or expired since: forgotten already */
        s->ents[e].dirty = 0;
        if (out)
            write_summary(s, s->dirty[i]);
    }
    s->ndirty = 0;
    s->out = NULL;
}

const char *yw_shard_resolve(yw_shard_t *s, const char *cluster, char *buf, size_t len)
{
    return yw_cluster_id_format(yw_cluster_resolve(s->cl, parse_id(cluster)), buf, len);
}

void yw_shard_stats(const yw_shard_t *s, yw_shard_stats_t *st)
{
    *st = s->st;
    yw_cluster_stats_t cs;
    yw_cluster_stats(s->cl, &cs);
    yw_score_stats_t ss;
    yw_score_stats(s->sc, &ss);
    st->clusters_live = cs.live;
    st->late = ss.late;
    st->memory_bytes = cs.memory_bytes + ss.mem_bytes + s->cents * sizeof(entry_t) +
                       (s->mask + 1) * sizeof(uint32_t);
}

/* ---- snapshots ------------------------------------------------------------------ */

#define SHARD_SNAP_FORMAT 1

int yw_shard_save(const yw_shard_t *s, yw_snap_writer_t *w)
{
    yw_snap_buf_t *b = yw_snap_writer_buf(w);
    yw_clusterer_save(s->cl, b);
    if (yw_snap_writer_section(w, YW_SNAP_SEC_CLUSTER) != 0)
        return -1;
    yw_scorer_save(s->sc, b);
    if (yw_snap_writer_section(w, YW_SNAP_SEC_SCORE) != 0)
        return -1;
    yw_snap_put_u32(b, SHARD_SNAP_FORMAT);
    yw_snap_put_u32(b, SAMPLES);
    yw_snap_put_u32(b, SAMPLE_TEXT);
    uint64_t st[] = { s->st.records, s->st.alerts, s->st.downgrades, s->st.merges,
                      s->st.expired };
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
        yw_snap_put_u64(b, st[i]);
    yw_snap_put_u64(b, s->mask);
    yw_snap_put_u64(b, s->sweep);
    yw_snap_put_u64(b, s->nents);
    for (size_t i = 0; i < s->nents; i++) {
        const entry_t *e = &s->ents[i];
        yw_snap_put_u64(b, e->cid);
        yw_snap_put_u8(b, e->nsamples);
        yw_snap_put_u8(b, e->next);
        for (int k = 0; k < e->nsamples; k++) {
            const sample_t *sm = &e->samples[k];
            yw_snap_put_str(b, sm->id);
            yw_snap_put_u8(b, (uint8_t)sm->source);
            yw_snap_put_i64(b, sm->ts);
            yw_snap_put_str(b, sm->text);
        }
    }
    /* clusters changed since the last flush (none between daemon batches) */
    yw_snap_put_u64(b, s->ndirty);
    for (size_t i = 0; i < s->ndirty; i++)
        yw_snap_put_u64(b, s->dirty[i]);
    return yw_snap_writer_section(w, YW_SNAP_SEC_SHARD);
}

static int shard_load_entries(yw_shard_t *s, yw_snap_rd_t *r)
{
    if (yw_snap_get_u32(r) != SHARD_SNAP_FORMAT)
        yw_snap_fail(r, "shard: other format");
    if (yw_snap_get_u32(r) != SAMPLES || yw_snap_get_u32(r) != SAMPLE_TEXT)
        yw_snap_fail(r, "shard: built with other constants");
    uint64_t *st[] = { &s->st.records, &s->st.alerts, &s->st.downgrades, &s->st.merges,
                       &s->st.expired };
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
        *st[i] = yw_snap_get_u64(r);
    uint64_t mask = yw_snap_get_u64(r);
    uint64_t sweep_at = yw_snap_get_u64(r);
    uint64_t n = yw_snap_get_count(r, UINT32_MAX / 2, 10);
    if (r->err)
        return -1;
    if (mask < 1023 || mask > UINT32_MAX || (mask & (mask + 1)) || n * 2 > mask + 1) {
        yw_snap_fail(r, "shard: bad table size");
        return -1;
    }
    uint32_t *index = calloc((size_t)mask + 1, sizeof *index);
    entry_t *ents = calloc(n ? n : 1, sizeof *ents);
    if (!index || !ents) {
        free(index);
        free(ents);
        yw_snap_fail(r, "out of memory");
        return -1;
    }
    free(s->index);
    free(s->ents);
    s->index = index;
    s->mask = (size_t)mask;
    s->ents = ents;
    s->cents = n ? n : 1;
    s->nents = 0;
    s->sweep = sweep_at;
    for (uint64_t i = 0; i < n && !r->err; i++) {
        entry_t *e = &s->ents[i];
        e->cid = yw_snap_get_u64(r);
        e->nsamples = yw_snap_get_u8(r);
        e->next = yw_snap_get_u8(r);
        if (e->nsamples > SAMPLES || e->next >= SAMPLES || !e->cid || ent_find(s, e->cid) >= 0) {
            yw_snap_fail(r, "shard: bad cluster entry");
            break;
        }
        for (int k = 0; k < e->nsamples; k++) {
            sample_t *sm = &e->samples[k];
            yw_snap_get_str(r, sm->id, sizeof sm->id);
            sm->source = (int8_t)yw_snap_get_u8(r);
            sm->ts = yw_snap_get_time(r);
            yw_snap_get_str(r, sm->text, sizeof sm->text);
            if (sm->source < 0 || sm->source >= YW_SRC_COUNT)
                yw_snap_fail(r, "shard: bad sample source");
        }
        index_put(s, e->cid, (uint32_t)i + 1);
        s->nents = (size_t)i + 1;
    }
    uint64_t nd = yw_snap_get_count(r, s->nents, 8);
    if (nd && !r->err) {
        uint64_t *d = malloc(nd * sizeof *d);
        if (!d) {
            yw_snap_fail(r, "out of memory");
            return -1;
        }
        free(s->dirty);
        s->dirty = d;
        s->cdirty = nd;
    }
    for (uint64_t i = 0; i < nd && !r->err; i++) {
        uint64_t cid = yw_snap_get_u64(r);
        int64_t e = ent_find(s, cid);
        if (e < 0 || s->ents[e].dirty) {
            yw_snap_fail(r, "shard: bad changed-cluster list");
            break;
        }
        s->ents[e].dirty = 1;
        s->dirty[s->ndirty++] = cid;
    }
    yw_snap_expect_end(r);
    return r->err ? -1 : 0;
}

int yw_shard_load(yw_shard_t *s, const yw_snap_t *snap, char *errbuf, size_t errlen)
{
    yw_snap_rd_t r;
    const char *what = "cluster";
    if (s->nents || s->st.records) {
        snprintf(errbuf, errlen, "shard: load into a shard that is not empty");
        return -1;
    }
    if (yw_snap_section(snap, YW_SNAP_SEC_CLUSTER, &r) != 0 ||
        yw_clusterer_load(s->cl, &r) != 0)
        goto fail;
    what = "score";
    if (yw_snap_section(snap, YW_SNAP_SEC_SCORE, &r) != 0 || yw_scorer_load(s->sc, &r) != 0)
        goto fail;
    what = "shard";
    if (yw_snap_section(snap, YW_SNAP_SEC_SHARD, &r) != 0 || shard_load_entries(s, &r) != 0)
        goto fail;
    return 0;
fail:
    snprintf(errbuf, errlen, "%s section: %s", what, r.err ? r.err : "unreadable");
    return -1;
}
