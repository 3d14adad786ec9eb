/* score.c -- the scorer: its clusters, when each is evaluated, and the
 * levels and alert events that come of it.
 *
 * The contract is in score.h and every formula in docs/scoring.md; the
 * score*.c files keep the two in step.  This one holds:
 *   - small containers: an open-addressing index (id hash -> slot) and the
 *     min-heap of next-evaluation times;
 *   - the cluster table (per-cluster state: window (lib/window), decayed
 *     sums of rule kinds, distinct complainants, places, own baseline);
 *   - evaluate(): hysteresis, cooldown, warm-up, scheduling, emitting;
 *   - the public API: create, observe, tick, forget, merge, the queries.
 * Elsewhere: the configuration (score_conf.c); the decayed sums, the
 * baselines, ywsc_compute() -- the signals at an event time, numbers only
 * (the hot path formats nothing) -- and the alert's signal details
 * (score_signals.c); a cluster's people and places (score_sketch.c);
 * person-level escalation (score_person.c); snapshots (score_snap.c).
 *
 * Costs: a singleton cluster is one cluster_t (~350 bytes, no other
 * allocation); the second record adds the people/places extension (~0.5
 * KiB); the fourth the window rings (~2.6 KiB).  observe() is a hash
 * lookup, a few ring reads and one exp2() for the decayed sums. */
#include "score.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "window.h"

#include "score_impl.h"

/* ---- helpers ------------------------------------------------------------ */

uint64_t ywsc_hash_str(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3ULL;
    return mix64(h);
}

static int64_t next_boundary(int64_t t, int64_t step)
{
    return (yw_window_bucket(t, step) + 1) * step;
}

static int imap_init(imap_t *m, size_t cap)
{
    m->h = calloc(cap, sizeof *m->h);
    m->v = calloc(cap, sizeof *m->v);
    m->mask = cap - 1;
    m->n = 0;
    if (!m->h || !m->v) {
        free(m->h);
        free(m->v);
        return -1;
    }
    return 0;
}

static void imap_free(imap_t *m)
{
    free(m->h);
    free(m->v);
}


static int imap_grow(imap_t *m)
{
    imap_t big;
    if (imap_init(&big, (m->mask + 1) * 2) != 0)
        return -1;
    for (size_t i = 0; i <= m->mask; i++)
        if (m->v[i])
            ywsc_imap_put(&big, m->h[i], m->v[i] - 1);
    imap_free(m);
    *m = big;
    return 0;
}

/* Insert (duplicates of h are allowed: lookups compare the real key). */
int ywsc_imap_put(imap_t *m, uint64_t h, uint32_t idx)
{
    if ((m->n + 1) * 4 > (m->mask + 1) * 3 && imap_grow(m) != 0)
        return -1;
    size_t i = h & m->mask;
    while (m->v[i])
        i = (i + 1) & m->mask;
    m->h[i] = h;
    m->v[i] = idx + 1;
    m->n++;
    return 0;
}

/* Remove the entry (h, idx); backward-shift keeps probe chains intact. */
void ywsc_imap_del(imap_t *m, uint64_t h, uint32_t idx)
{
    size_t i = h & m->mask;
    while (m->v[i] && !(m->h[i] == h && m->v[i] == idx + 1))
        i = (i + 1) & m->mask;
    if (!m->v[i])
        return;
    size_t j = i;
    for (;;) {
        j = (j + 1) & m->mask;
        if (!m->v[j])
            break;
        size_t k = m->h[j] & m->mask;
        /* move j back to i unless its home lies cyclically in (i, j] */
        bool stay = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
        if (!stay) {
            m->h[i] = m->h[j];
            m->v[i] = m->v[j];
            i = j;
        }
    }
    m->v[i] = 0;
    m->n--;
}

/* ---- heap of next evaluations ------------------------------------------- */

static bool hless(const hent_t *a, const hent_t *b)
{
    return a->due < b->due || (a->due == b->due && a->idx < b->idx);
}

static int heap_push(yw_scorer_t *s, int64_t due, uint32_t idx)
{
    if (s->nheap == s->cap_heap) {
        size_t cap = s->cap_heap ? s->cap_heap * 2 : 256;
        hent_t *p = realloc(s->heap, cap * sizeof *p);
        if (!p)
            return -1;
        s->heap = p;
        s->cap_heap = cap;
    }
    hent_t e = { due, idx, s->cl[idx].gen };
    size_t i = s->nheap++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!hless(&e, &s->heap[p]))
            break;
        s->heap[i] = s->heap[p];
        i = p;
    }
    s->heap[i] = e;
    return 0;
}

static hent_t heap_pop(yw_scorer_t *s)
{
    hent_t top = s->heap[0], last = s->heap[--s->nheap];
    size_t i = 0, n = s->nheap;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const hent_t *best = &last;
        if (l < n && hless(&s->heap[l], best)) {
            m = l;
            best = &s->heap[l];
        }
        if (r < n && hless(&s->heap[r], best))
            m = r;
        if (m == i)
            break;
        s->heap[i] = s->heap[m];
        i = m;
    }
    if (n)
        s->heap[i] = last;
    return top;
}

/* Ask for an evaluation of cluster idx at `due`.  Only an earlier time
 * pushes a heap entry; a later one is picked up when the entry already in
 * the heap pops (so the heap holds about one entry per scheduled cluster). */
static void schedule(yw_scorer_t *s, uint32_t idx, int64_t due)
{
    cluster_t *c = &s->cl[idx];
    c->due = due;
    if (due < c->heap_due && heap_push(s, due, idx) == 0)
        c->heap_due = due;
}

/* ---- clusters ----------------------------------------------------------- */

static size_t id_len(const char *id)
{
    size_t n = strlen(id);
    return n > 47 ? 47 : n;
}

static int64_t cluster_find(const yw_scorer_t *s, const char *id)
{
    size_t n = id_len(id);
    uint64_t h = ywsc_hash_str(id, n);
    const imap_t *m = &s->cmap;
    for (size_t i = h & m->mask; m->v[i]; i = (i + 1) & m->mask) {
        if (m->h[i] != h)
            continue;
        const cluster_t *c = &s->cl[m->v[i] - 1];
        if (strncmp(c->id, id, n) == 0 && c->id[n] == '\0')
            return m->v[i] - 1;
    }
    return -1;
}

static int64_t cluster_create(yw_scorer_t *s, const char *id)
{
    uint32_t idx;
    if (s->free_cl) {
        idx = s->free_cl - 1;
        s->free_cl = (uint32_t)s->cl[idx].due;
    } else {
        if (s->ncl == s->cap_cl) {
            uint32_t cap = s->cap_cl ? s->cap_cl * 2 : 1024;
            cluster_t *p = realloc(s->cl, (size_t)cap * sizeof *p);
            if (!p)
                return -1;
            s->cl = p;
            s->cap_cl = cap;
        }
        idx = s->ncl++;
        s->cl[idx].gen = 0;
    }
    cluster_t *c = &s->cl[idx];
    uint32_t gen = c->gen;
    memset(c, 0, sizeof *c);
    c->gen = gen;
    size_t n = id_len(id);
    memcpy(c->id, id, n);
    c->h = ywsc_hash_str(id, n);
    if (ywsc_imap_put(&s->cmap, c->h, idx) != 0) {
        c->due = s->free_cl;
        s->free_cl = idx + 1;
        return -1;
    }
    c->live = 1;
    yw_window_init(&c->win);
    c->first_seen = c->last_seen = NONE_T;
    c->last_eval = c->last_rise = c->below_since = NONE_T;
    c->due = c->heap_due = NEVER;
    c->dec_t = NONE_T;
    c->base_day = NONE_T;
    s->st.clusters++;
    return idx;
}

static void cluster_free(yw_scorer_t *s, uint32_t idx, bool detach_persons)
{
    cluster_t *c = &s->cl[idx];
    /* The persons whose latest contact was here outlive the cluster: a
     * caller's one-record cluster expires after a week, their grievance
     * does not (person_ttl_ms and person_cap bound them).  They are
     * detached and join the cluster of their next contact. */
    if (detach_persons)
        while (c->person_head) {
            person_t *p = &s->pp[c->person_head - 1];
            c->person_head = p->cl_next;
            p->cidx = NO_CLUSTER;
            p->cl_prev = p->cl_next = 0;
        }
    if (yw_window_has_rings(&c->win))
        s->n_rings--;
    yw_window_free(&c->win);
    if (c->ext) {
        if (c->ext->lc)
            s->n_lc--;
        free(c->ext->lc);
        free(c->ext);
        s->n_ext--;
    }
    ywsc_imap_del(&s->cmap, c->h, idx);
    c->live = 0;
    c->ext = NULL;
    c->gen++;
    c->due = s->free_cl;
    s->free_cl = idx + 1;
    s->st.clusters--;
}

/* ---- levels ------------------------------------------------------------- */

static int level_of(const yw_score_conf_t *cf, double score)
{
    for (int l = YW_LEVEL_RED; l >= YW_LEVEL_BLUE; l--)
        if (score >= cf->thresholds[l])
            return l;
    return YW_LEVEL_NONE;
}

/* When the score points above the level the cluster holds, say why, as a
 * signal worth 0 points: "score 86 but yellow" must not read as a bug to
 * an analyst.  The reasons are the warm-up cap and the cooldown. */
static void add_held(const yw_scorer_t *s, const cluster_t *c, int64_t t,
                     double score, int level, yw_alert_t *a)
{
    const yw_score_conf_t *cf = &s->conf;
    int plain = level_of(cf, score);
    if (plain <= level || a->nsignals >= YW_ALERT_MAX_SIGNALS)
        return;
    yw_signal_t *o = &a->signals[a->nsignals++];
    snprintf(o->name, sizeof o->name, "held");
    o->value = plain;
    o->contribution = 0;
    bool warm = s->first_day != NONE_T &&
        yw_window_bucket(t + s->tz_ms, YW_DAY_MS) - s->first_day < cf->warmup_days;
    if (warm && plain > YW_LEVEL_YELLOW && level >= YW_LEVEL_YELLOW)
        snprintf(o->detail, sizeof o->detail,
                 "分数已达%s，数据流首%d天预热期内最高黄色", yw_level_name((yw_level_t)plain),
                 cf->warmup_days);
    else
        snprintf(o->detail, sizeof o->detail,
                 "分数已达%s，上次升级后%lld小时冷却期内暂缓", yw_level_name((yw_level_t)plain),
                 (long long)(cf->cooldown_ms / YW_HOUR_MS));
}

/* One evaluation as a JSON line (yw_scorer_set_trace). */
static void trace_eval(const yw_scorer_t *s, const cluster_t *c, int64_t t,
                       const eval_t *e)
{
    FILE *f = s->trace;
    int64_t lt = t + s->tz_ms, w[4];
    int active = 0;
    for (int i = 0; i < 4; i++)
        w[i] = yw_window_days(&c->win, lt, 7 * i, 7 * i + 6, NULL);
    for (int d = 0; d < 14; d++)
        active += yw_window_days(&c->win, lt, d, d, NULL) > 0;
    fprintf(f, "{\"cluster\":\"%s\",\"t\":%lld,\"score\":%.1f,\"level\":\"%s\","
            "\"age_h\":%.1f,\"weeks\":[%lld,%lld,%lld,%lld],\"active_days_14\":%d,"
            "\"people\":%lld,\"sources\":%d,\"focus\":%.3f,\"signals\":{",
            c->id, (long long)t, e->score, yw_level_name((yw_level_t)c->level),
            (double)(t - c->first_seen) / (double)YW_HOUR_MS, (long long)w[0],
            (long long)w[1], (long long)w[2], (long long)w[3], active,
            (long long)ywsc_people_count(c), e->nsrc, e->focus);
    for (int i = 0; i < YW_SIG_COUNT; i++)
        fprintf(f, "%s\"%s\":[%.6g,%.6g]", i ? "," : "", yw_score_signal_name(i),
                e->val[i], e->pts[i]);
    fputs("}}\n", f);
}

/* Evaluate cluster idx at event time t: update the level (hysteresis,
 * cooldown), emit on a change, schedule the next evaluation. */
static void evaluate(yw_scorer_t *s, uint32_t idx, int64_t t,
                     const yw_alert_t *view, yw_score_emit_fn emit, void *opaque)
{
    cluster_t *c = &s->cl[idx];
    const yw_score_conf_t *cf = &s->conf;
    eval_t e;
    ywsc_compute(s, c, t, &e);
    if (s->trace)
        trace_eval(s, c, t, &e);
    s->st.evaluations++;
    c->last_eval = t;
    c->score = e.score;

    int cur = c->level, plain = level_of(cf, e.score);
    /* Trend and campaign are early, weak signals: they may lift a cluster
     * to orange, never into red (red is for what is happening now). */
    if (plain == YW_LEVEL_RED &&
        e.score - e.pts[YW_SIG_TREND] - e.pts[YW_SIG_CAMPAIGN] < cf->thresholds[YW_LEVEL_RED])
        plain = YW_LEVEL_ORANGE;
    /* Warm-up: until the stream is warmup_days old there is no global
     * baseline worth the name; nothing rises above yellow on size alone. */
    if (plain > YW_LEVEL_YELLOW && s->first_day != NONE_T &&
        yw_window_bucket(t + s->tz_ms, YW_DAY_MS) - s->first_day < cf->warmup_days)
        plain = YW_LEVEL_YELLOW;
    int target = plain > e.floor ? plain : e.floor;
    bool below = cur > YW_LEVEL_NONE && e.floor < cur &&
                 e.score < cf->thresholds[cur] - cf->hysteresis;
    if (!below)
        c->below_since = NONE_T;
    int next = cur;
    bool blocked = false;
    if (target > cur) {
        bool cooling = c->last_rise != NONE_T && t - c->last_rise < cf->cooldown_ms;
        if (!cooling || target - cur >= 2 || e.floor > cur) {
            next = target;
            c->last_rise = t;
        } else {
            blocked = true;
            s->st.cooldown_blocked++;
        }
    } else if (below) {
        /* Fall hold: a level is given up only after the score has stayed
         * below its fall line for fall_hold_ms -- a slow build that pauses
         * for two quiet days is the same issue when it picks up again, not
         * a new alert. */
        if (c->below_since == NONE_T)
            c->below_since = t;
        if (t - c->below_since >= cf->fall_hold_ms)
            next = target;
    }
    if (next != cur) {
        c->below_since = NONE_T;
        c->level = (uint8_t)next;
        if (next > cur)
            s->st.alerts_cluster++;
        else
            s->st.downgrades++;
        if (emit) {
            yw_alert_t *a = &s->scratch;
            ywsc_fill_cluster(s, c, &e, t, view, a);
            a->level = (yw_level_t)next;
            a->prev_level = (yw_level_t)cur;
            add_held(s, c, t, e.score, next, a);
            yw_alert_make_id(a);
            emit(opaque, a);
        }
    }
    int64_t due = NEVER;
    if (c->level > YW_LEVEL_NONE)
        due = next_boundary(t, cf->eval_step_ms);
    if (blocked && c->last_rise + cf->cooldown_ms < due)
        due = c->last_rise + cf->cooldown_ms;
    schedule(s, idx, due);
}

/* Evaluate every cluster due at or before the watermark, at its due time. */
static int run_due(yw_scorer_t *s, yw_score_emit_fn emit, void *opaque)
{
    int n = 0;
    while (s->nheap && s->heap[0].due <= s->wm) {
        hent_t h = heap_pop(s);
        cluster_t *c = &s->cl[h.idx];
        if (!c->live || c->gen != h.gen || c->heap_due != h.due)
            continue;                         /* superseded entry */
        c->heap_due = NEVER;
        if (c->due == NEVER)
            continue;
        if (c->due > h.due) {                 /* moved later meanwhile */
            schedule(s, h.idx, c->due);
            continue;
        }
        if (c->due <= c->last_eval) {
            schedule(s, h.idx, next_boundary(c->last_eval, s->conf.eval_step_ms));
            continue;
        }
        evaluate(s, h.idx, c->due, NULL, emit, opaque);
        s->st.tick_evaluations++;
        n++;
    }
    return n;
}

static void advance(yw_scorer_t *s, int64_t wm, yw_score_emit_fn emit,
                    void *opaque)
{
    if (wm > s->wm) {
        s->wm = wm;
        run_due(s, emit, opaque);
    }
}

/* ---- public API --------------------------------------------------------- */

yw_scorer_t *yw_scorer_create(const yw_score_conf_t *conf, char *errbuf,
                              size_t errlen)
{
    yw_score_conf_t def;
    if (!conf) {
        yw_score_conf_defaults(&def);
        conf = &def;
    }
    if (yw_score_conf_check(conf, errbuf, errlen) != 0)
        return NULL;
    yw_scorer_t *s = calloc(1, sizeof *s);
    if (!s)
        goto fail;
    s->conf = *conf;
    s->tz_ms = (int64_t)conf->tz_offset_minutes * 60000;
    s->hl_ms = conf->half_life_h * (double)YW_HOUR_MS;
    s->max_t = s->wm = NONE_T;
    s->first_day = NONE_T;
    s->g_day = NONE_T;
    s->g_mean = conf->global_prior_mean;
    s->g_var = conf->global_prior_sd * conf->global_prior_sd;
    if (imap_init(&s->cmap, 1024) != 0)
        goto fail;
    if (imap_init(&s->pmap, 256) != 0)
        goto fail_cmap;
    return s;
fail_cmap:
    imap_free(&s->cmap);
fail:
    free(s);
    if (errbuf && errlen)
        snprintf(errbuf, errlen, "out of memory");
    return NULL;
}

void yw_scorer_destroy(yw_scorer_t *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->ncl; i++)
        if (s->cl[i].live) {
            yw_window_free(&s->cl[i].win);
            if (s->cl[i].ext)
                free(s->cl[i].ext->lc);
            free(s->cl[i].ext);
        }
    free(s->cl);
    imap_free(&s->cmap);
    imap_free(&s->pmap);
    free(s->heap);
    free(s->pp);
    free(s);
}

void yw_scorer_set_view(yw_scorer_t *s, yw_score_view_fn view, void *opaque)
{
    s->view = view;
    s->view_opaque = opaque;
}

void yw_scorer_set_trace(yw_scorer_t *s, FILE *f)
{
    s->trace = f;
}

int64_t yw_score_watermark(const yw_scorer_t *s)
{
    return s->wm;
}

int yw_score_observe(yw_scorer_t *s, const char *cluster_id,
                     const yw_record_t *rec, const yw_features_t *feat,
                     const yw_alert_t *cluster_view, yw_score_emit_fn emit,
                     void *opaque)
{
    const yw_score_conf_t *cf = &s->conf;
    int64_t t = rec->ts_ms, lt = t + s->tz_ms;

    /* Time first: the watermark may make other clusters due, and they are
     * evaluated as of their due time, before this record exists. */
    if (s->first_day == NONE_T)
        s->first_day = yw_window_bucket(lt, YW_DAY_MS);
    if (s->max_t == NONE_T || t > s->max_t) {
        s->max_t = t;
        ywsc_global_roll(s, yw_window_bucket(lt, YW_DAY_MS));
    }
    advance(s, s->max_t - cf->lateness_ms, emit, opaque);
    bool late = t < s->wm;
    if (late)       /* which input is behind: what yw_records_late_total does not say */
        yw_log_debug("score", "late record %s (%s[%d]@%lld): %lld ms behind the watermark",
                     rec->id.s ? rec->id.s : "?", rec->topic ? rec->topic : "-",
                     (int)rec->partition, (long long)rec->offset, (long long)(s->wm - t));

    int64_t found = cluster_find(s, cluster_id);
    if (found < 0 && (found = cluster_create(s, cluster_id)) < 0)
        return YW_SCORE_ENOMEM;
    uint32_t idx = (uint32_t)found;
    cluster_t *c = &s->cl[idx];

    int64_t n_before = yw_window_total(&c->win);
    if (n_before >= 1 && ywsc_ensure_ext(s, c) != 0)
        return YW_SCORE_ENOMEM;

    /* global baseline: this cluster's count today before the record */
    int64_t today = 0;
    bool count_global = !late && yw_window_bucket(lt, YW_DAY_MS) == s->g_day;
    if (count_global)
        today = yw_window_days(&c->win, lt, 0, 0, NULL);

    bool had_rings = yw_window_has_rings(&c->win);
    if (yw_window_add(&c->win, lt, rec->source, late) < 0)
        return YW_SCORE_ENOMEM;
    if (!had_rings && yw_window_has_rings(&c->win))
        s->n_rings++;
    s->st.observed++;
    if (late)
        s->st.late++;
    if (count_global) {
        s->g_n += today == 0;
        s->g_sumsq += 2.0 * (double)today + 1;
        s->g_sum += 1;
    }
    if (c->first_seen == NONE_T || t < c->first_seen)
        c->first_seen = t;
    if (c->last_seen == NONE_T || t > c->last_seen)
        c->last_seen = t;
    if (c->base_day == NONE_T)
        c->base_day = yw_window_bucket(lt, YW_DAY_MS) - 1;

    /* Per-record evidence. */
    double kw[YW_RULE_KIND_COUNT] = {0};
    if (feat)
        for (int k = 0; k < YW_RULE_KIND_COUNT; k++)
            kw[k] = feat->kind_weight[k] > 0 ? feat->kind_weight[k] : 0;
    bool unresolved = rec->outcome == YW_OUTCOME_UNRESOLVED ||
                      rec->outcome == YW_OUTCOME_DISSATISFIED;
    double v[D_COUNT] = {0};
    v[D_REC] = 1;
    v[D_ESC] = kw[YW_RULE_ESCALATION];
    v[D_EMO] = kw[YW_RULE_EMOTION];
    v[D_DOMAIN] = kw[YW_RULE_DOMAIN];
    v[D_DEFL] = kw[YW_RULE_DEFLECTION];
    v[D_SELFHARM] = kw[YW_RULE_SELFHARM];
    v[D_SHFLOOR] = kw[YW_RULE_SELFHARM];
    v[D_OUTCOME] = unresolved ? 1 : 0;
    double eng = (rec->reposts > 0 ? (double)rec->reposts : 0) +
                 (rec->comments > 0 ? (double)rec->comments : 0) +
                 (rec->likes > 0 ? (double)rec->likes / 10 : 0);
    v[D_SPREAD] = eng;
    v[D_WIDE] = rec->source == YW_SRC_ONLINE && eng >= s->conf.campaign_min_interactions;

    contact_t ct = {
        .rc = rec->repeat_count > 0 ? rec->repeat_count : 1,
        .flags = (kw[YW_RULE_ESCALATION] > 0 ? PF_ESC : 0) |
                 (kw[YW_RULE_SELFHARM] > 0 ? PF_SELFHARM : 0),
        .defl = kw[YW_RULE_DEFLECTION] > 0 || unresolved,
        /* Answered: the office replied or closed the case with an outcome.
         * A post or a 110 call without either cannot be deflected, so the
         * person's deflected share is taken over answered contacts only. */
        .answered = kw[YW_RULE_DEFLECTION] > 0 || unresolved || rec->reply.len > 0 ||
                    rec->outcome != YW_OUTCOME_NONE,
        /* Refused: the reply itself pushes the caller away (不归我办, 不属于本部
         * 门管辖...), as opposed to a case merely still open. */
        .refused = kw[YW_RULE_DEFLECTION] > 0,
        .emo = (float)kw[YW_RULE_EMOTION],
    };
    if (ct.defl)
        ct.flags |= PF_DEFL;
    pent_t *pe = NULL;
    int64_t pi = -1;                  /* the person's state, once tracked */
    if (rec->has_person) {
        memcpy(&ct.key, rec->person_hmac, sizeof ct.key);
        bool is_new = false;
        int rdelta = 0;
        pe = ywsc_people_add(s, c, &ct, &is_new, &rdelta);
        if (is_new)
            v[D_PEOPLE] = 1;
        c->repeat_total += rdelta;
        if (rdelta > 0)
            v[D_REPEAT] = rdelta;
        /* A person already at the self-harm floor's level (by their own
         * alert, or silently with a cluster already there) has had their
         * orange: their self-harm language scores here but does not floor
         * this cluster again -- one angry caller split over several
         * clusters is one issue, not one orange alert per fragment. */
        pi = ywsc_person_find(s, ct.key);
        if (pi >= 0 && s->pp[pi].level >= cf->selfharm_level)
            v[D_SHFLOOR] = 0;
    } else if (ct.rc > 1) {
        c->repeat_total += ct.rc - 1;
        v[D_REPEAT] = ct.rc - 1;
    }
    ywsc_dec_add(s, c, t, v);

    uint64_t pk = ywsc_place_key(rec);
    if (pk) {
        if (c->ext)
            ywsc_places_add(c, pk, 1);
        else {
            c->place0 = pk;
            c->has_place0 = 1;
        }
        c->place_records++;
    }

    int64_t te = c->last_eval != NONE_T && c->last_eval > t ? c->last_eval : t;
    evaluate(s, idx, te, cluster_view, emit, opaque);
    /* (evaluate creates and frees no person state: pi is still theirs) */
    if (rec->has_person)
        ywsc_person_observe(s, idx, pe, pi, &ct, rec, cluster_view, emit, opaque);
    return 0;
}

int yw_score_tick(yw_scorer_t *s, int64_t watermark, yw_score_emit_fn emit,
                  void *opaque)
{
    if (watermark <= s->wm)
        return 0;
    s->wm = watermark;
    return run_due(s, emit, opaque);
}

int yw_score_forget(yw_scorer_t *s, const char *cluster_id)
{
    int64_t idx = cluster_find(s, cluster_id);
    if (idx < 0)
        return YW_SCORE_ENOENT;
    cluster_free(s, (uint32_t)idx, true);
    return 0;
}

int yw_score_merge(yw_scorer_t *s, const char *from_id, const char *into_id)
{
    int64_t fi = cluster_find(s, from_id);
    if (fi < 0)
        return YW_SCORE_ENOENT;
    int64_t ii = cluster_find(s, into_id);
    if (ii == fi)
        return 0;
    if (ii < 0 && (ii = cluster_create(s, into_id)) < 0)
        return YW_SCORE_ENOMEM;
    cluster_t *f = &s->cl[fi], *c = &s->cl[ii];
    if (s->trace)
        fprintf(s->trace, "{\"merge\":\"%s\",\"into\":\"%s\"}\n", f->id, c->id);
    if (yw_window_total(&c->win) > 0 && ywsc_ensure_ext(s, c) != 0)
        return YW_SCORE_ENOMEM;
    bool had_rings = yw_window_has_rings(&c->win);
    if (yw_window_merge(&c->win, &f->win) != 0)
        return YW_SCORE_ENOMEM;
    if (!had_rings && yw_window_has_rings(&c->win))
        s->n_rings++;

    /* people: the lifetime repeat counts add, then the overlap is fixed up
     * person by person in ywsc_merge_people */
    c->repeat_total += f->repeat_total;
    if (f->ext) {
        for (int i = 0; i < f->ext->npeople; i++)
            ywsc_merge_people(s, c, &f->ext->people[i]);
        if (f->ext->lc && ywsc_ensure_ext(s, c) == 0) {
            if (!c->ext->lc && (c->ext->lc = calloc(LC_BITS / 64, sizeof(uint64_t)))) {
                s->n_lc++;
                for (int i = 0; i < c->ext->npeople; i++)
                    ywsc_lc_set(c->ext->lc, c->ext->people[i].key);
            }
            if (c->ext->lc)
                for (int i = 0; i < LC_BITS / 64; i++)
                    c->ext->lc[i] |= f->ext->lc[i];
        }
        for (int i = 0; i < f->ext->nplaces; i++)
            if (ywsc_ensure_ext(s, c) == 0)
                ywsc_places_add(c, f->ext->places[i].h, f->ext->places[i].count);
    } else {
        if (f->has_p0)
            ywsc_merge_people(s, c, &f->p0);
        if (f->has_place0) {
            if (c->ext)
                ywsc_places_add(c, f->place0, 1);
            else if (!c->has_place0) {
                c->place0 = f->place0;
                c->has_place0 = 1;
            }
        }
    }
    c->place_records += f->place_records;

    if (f->dec_t != NONE_T) {
        if (c->dec_t == NONE_T) {
            memcpy(c->dec, f->dec, sizeof c->dec);
            c->dec_t = f->dec_t;
        } else {
            ywsc_dec_add(s, c, f->dec_t, f->dec);
        }
    }
    c->ewma += f->ewma;
    c->ewmvar += f->ewmvar;
    if (f->base_day != NONE_T && (c->base_day == NONE_T || f->base_day > c->base_day))
        c->base_day = f->base_day;
    if (f->first_seen != NONE_T && (c->first_seen == NONE_T || f->first_seen < c->first_seen))
        c->first_seen = f->first_seen;
    if (f->last_seen > c->last_seen)
        c->last_seen = f->last_seen;
    if (f->last_eval > c->last_eval)
        c->last_eval = f->last_eval;
    if (f->last_rise > c->last_rise)
        c->last_rise = f->last_rise;
    if (f->level > c->level) {
        c->level = f->level;
        c->below_since = f->below_since;
    }

    /* persons follow the cluster (one entry per person: no duplicates) */
    while (f->person_head)
        ywsc_person_move(s, f->person_head - 1, (uint32_t)ii);
    cluster_free(s, (uint32_t)fi, false);
    c = &s->cl[ii];
    if (c->level > YW_LEVEL_NONE) {
        int64_t base = c->last_eval != NONE_T ? c->last_eval : s->wm;
        schedule(s, (uint32_t)ii, next_boundary(base, s->conf.eval_step_ms));
    }
    return 0;
}

/* The time a summary speaks of: the last evaluation (else the last record). */
static int64_t summary_time(const cluster_t *c)
{
    return c->last_eval != NONE_T ? c->last_eval : c->last_seen != NONE_T ? c->last_seen : 0;
}

int yw_score_level(const yw_scorer_t *s, const char *cluster_id, double *score,
                   int *level, int64_t *at)
{
    int64_t idx = cluster_find(s, cluster_id);
    if (idx < 0)
        return YW_SCORE_ENOENT;
    const cluster_t *c = &s->cl[idx];
    *score = c->score;
    *level = c->level;
    *at = summary_time(c);
    return 0;
}

int yw_score_summary(yw_scorer_t *s, const char *cluster_id, yw_alert_t *out)
{
    int64_t idx = cluster_find(s, cluster_id);
    if (idx < 0)
        return YW_SCORE_ENOENT;
    cluster_t *c = &s->cl[idx];
    int64_t t = summary_time(c);
    eval_t e;
    ywsc_compute(s, c, t, &e);
    ywsc_fill_cluster(s, c, &e, t, NULL, out);
    out->level = out->prev_level = (yw_level_t)c->level;
    add_held(s, c, t, e.score, c->level, out);
    yw_alert_make_id(out);
    return 0;
}

void yw_score_stats(const yw_scorer_t *s, yw_score_stats_t *st)
{
    *st = s->st;
    st->persons_tracked = s->live_pp;
    st->clusters_with_rings = s->n_rings;
    st->heap_entries = s->nheap;
    size_t ring_bytes = yw_window_rings_size();
    st->mem_bytes = sizeof *s + (size_t)s->cap_cl * sizeof(cluster_t) +
                    (s->cmap.mask + 1) * (sizeof(uint64_t) + sizeof(uint32_t)) +
                    (s->pmap.mask + 1) * (sizeof(uint64_t) + sizeof(uint32_t)) +
                    s->cap_heap * sizeof(hent_t) +
                    (size_t)s->cap_pp * sizeof(person_t) +
                    s->n_ext * sizeof(ext_t) + s->n_lc * (LC_BITS / 8) +
                    s->n_rings * ring_bytes;
}

int yw_score_timeline(const yw_scorer_t *s, const char *cluster_id, int64_t now,
                      int ndays, int64_t (*out)[YW_SRC_COUNT])
{
    int64_t idx = cluster_find(s, cluster_id);
    if (idx < 0)
        return YW_SCORE_ENOENT;
    const cluster_t *c = &s->cl[idx];
    for (int d = 0; d < ndays; d++)      /* windows count in local time */
        yw_window_days(&c->win, now + s->tz_ms, d, d, out[d]);
    return 0;
}
