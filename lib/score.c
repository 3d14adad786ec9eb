/* score.c -- per-cluster signals, the 0-100 score, levels and alerts.
 *
 * The contract is in score.h and every formula in docs/scoring.md; this
 * file keeps the two in step.  Layout:
 *   - small containers: an open-addressing index (id hash -> slot) and the
 *     min-heap of next-evaluation times;
 *   - per-cluster state: window (lib/window), decayed sums of rule kinds,
 *     distinct complainants, places, own baseline;
 *   - compute(): the signals at an event time, numbers only (the hot path
 *     formats nothing);
 *   - evaluate(): hysteresis, cooldown, scheduling, alert building;
 *   - person-level escalation: one entry per person with >= 2 contacts, in
 *     the cluster of their latest contact, LRU-bounded.
 *
 * Costs: a singleton cluster is one cluster_t (~350 bytes, no other
 * allocation); the second record adds the people/places extension (~0.5
 * KiB); the fourth the window rings (~2.6 KiB).  observe() is a hash
 * lookup, a few ring reads and one exp2() for the decayed sums. */
#include "score.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "window.h"

#include "score_impl.h"

static const char *const signal_names[YW_SIG_COUNT] = {
    "volume", "burst", "growth", "people", "repeat", "sources",
    "escalation", "emotion", "domain", "spread", "concentration",
    "outcome", "deflection", "selfharm", "trend", "campaign"
};

const char *yw_score_signal_name(int sig)
{
    return sig >= 0 && sig < YW_SIG_COUNT ? signal_names[sig] : "?";
}

/* ---- configuration ------------------------------------------------------ */

void yw_score_conf_defaults(yw_score_conf_t *c)
{
    memset(c, 0, sizeof *c);
    c->tz_offset_minutes = 480;
    c->lateness_ms = 2 * YW_HOUR_MS;
    static const double w[YW_SIG_COUNT] = {
        12, 12, 10, 14, 6, 8, 12, 6, 6, 6, 4, 5, 4, 10, 10, 16 };
    /* volume 50 records/7d; burst z 8; growth x4; people 20; repeat 10;
     * sources 4; escalation 3; emotion 4; domain 2; spread 10^4; share 1;
     * outcome 3; deflection 2; selfharm 1; trend x4 over two weeks;
     * campaign 8 widely shared posts (decayed) */
    static const double sat[YW_SIG_COUNT] = {
        50, 8, 4, 20, 10, 4, 3, 4, 2, 4, 1, 3, 2, 1, 4, 8 };
    memcpy(c->weight, w, sizeof w);
    memcpy(c->sat, sat, sizeof sat);
    c->thresholds[YW_LEVEL_BLUE] = 25;
    c->thresholds[YW_LEVEL_YELLOW] = 45;
    c->thresholds[YW_LEVEL_ORANGE] = 66;
    c->thresholds[YW_LEVEL_RED] = 90;
    c->hysteresis = 8;
    c->cooldown_ms = 6 * YW_HOUR_MS;
    c->fall_hold_ms = 72 * YW_HOUR_MS;
    c->eval_step_ms = YW_HOUR_MS;
    c->half_life_h = 72;
    c->volume_days = 7;
    c->growth_days = 3;
    c->growth_min_recent = 5;
    c->growth_prior = 3;
    c->trend_step = 1.4;
    c->trend_min_ratio = 1.5;
    c->trend_min_recent = 10;
    c->trend_min_prev = 3;
    c->campaign_min_interactions = 100;
    c->campaign_min_posts = 3;
    c->campaign_min_share = 0.3;
    c->burst_beta = 1;
    c->burst_z_min = 2;
    c->burst_alpha_own = 0.2;
    c->burst_alpha_global = 0.1;
    c->burst_p_max = 0.01;
    c->burst_min_history_days = 3;
    c->global_prior_mean = 1;
    c->global_prior_sd = 1;
    c->concentration_min = 3;
    c->concentration_active = 5;
    c->focus_lo = 0.4;
    c->focus_hi = 0.8;
    c->focus_floor = 0.3;
    c->rate_sat = 0.3;
    c->warmup_days = 7;
    c->selfharm_level = YW_LEVEL_ORANGE;
    c->selfharm_floor_min = 0.25;
    c->person_cap = 65536;
    c->person_ttl_ms = 30 * YW_DAY_MS;
    c->person_min_contacts = 4;
    c->person_min_deflections = 3;
    c->person_orange_deflections = 5;
    c->person_orange_share = 0.7;
    c->person_orange_refusals = 3;
    c->person_refusals_alone = 5;
}

int yw_score_conf_check(const yw_score_conf_t *c, char *errbuf, size_t errlen)
{
    const char *why = NULL;
    for (int l = YW_LEVEL_BLUE; l <= YW_LEVEL_RED && !why; l++) {
        if (c->thresholds[l] <= 0 || c->thresholds[l] > 100)
            why = "score.thresholds must be in (0, 100]";
        else if (l > YW_LEVEL_BLUE && c->thresholds[l] <= c->thresholds[l - 1])
            why = "score.thresholds must be strictly increasing blue < yellow < orange < red";
    }
    for (int i = 0; i < YW_SIG_COUNT && !why; i++)
        if (c->weight[i] < 0 || !(c->sat[i] > 0))
            why = "score.weights must be >= 0 and saturations > 0";
    if (why) {
    } else if (c->hysteresis < 0 || c->hysteresis >= c->thresholds[YW_LEVEL_BLUE])
        why = "score.hysteresis must be >= 0 and below the blue threshold";
    else if (c->sat[YW_SIG_BURST] <= c->burst_z_min)
        why = "score burst saturation must exceed burst_z_min";
    else if (c->sat[YW_SIG_GROWTH] <= 1 || c->sat[YW_SIG_PEOPLE] <= 1 ||
             c->sat[YW_SIG_SOURCES] <= 1)
        why = "score growth, people and sources saturations must exceed 1";
    else if (c->sat[YW_SIG_TREND] <= c->trend_min_ratio || c->trend_step < 1)
        why = "score trend saturation must exceed trend_min_ratio, and trend_step be >= 1";
    else if (c->half_life_h <= 0 || c->eval_step_ms <= 0 || c->cooldown_ms < 0 ||
             c->lateness_ms < 0)
        why = "score half_life, eval_step must be > 0; cooldown, lateness >= 0";
    else if (c->volume_days < 1 || c->volume_days > YW_WIN_DAYS ||
             c->growth_days < 1 || 2 * c->growth_days > YW_WIN_DAYS)
        why = "score volume_days / growth_days out of the daily ring's range";
    else if (c->burst_alpha_own <= 0 || c->burst_alpha_own > 1 ||
             c->burst_alpha_global <= 0 || c->burst_alpha_global > 1)
        why = "score burst alphas must be in (0, 1]";
    else if (!(c->growth_prior > 0) || c->growth_min_recent < 0)
        why = "score.growth_prior must be > 0 and growth_min_recent >= 0";
    else if (!(c->focus_hi > c->focus_lo) || c->focus_lo < 0 || c->focus_hi > 1 ||
             c->focus_floor < 0 || c->focus_floor > 1)
        why = "score focus: 0 <= focus_lo < focus_hi <= 1 and focus_floor in [0, 1]";
    else if (!(c->rate_sat > 0) || c->warmup_days < 0)
        why = "score.rate_sat must be > 0 and warmup_days >= 0";
    else if (c->selfharm_level < YW_LEVEL_NONE || c->selfharm_level > YW_LEVEL_RED)
        why = "score.selfharm_level must be none..red";
    else if (c->person_cap < 1 || c->person_min_contacts < 2)
        why = "score.person_cap must be >= 1 and person_min_contacts >= 2";
    else if (c->person_orange_deflections < 1 ||
             !(c->person_orange_share >= 0 && c->person_orange_share <= 1))
        why = "score.person_orange_deflections must be >= 1 and person_orange_share in [0, 1]";
    if (why) {
        if (errbuf && errlen)
            snprintf(errbuf, errlen, "%s", why);
        return -1;
    }
    return 0;
}

/* ---- helpers ------------------------------------------------------------ */

uint64_t ywsc_hash_str(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3ULL;
    return mix64(h);
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
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

/* ---- decayed sums ------------------------------------------------------- */

static double decay_factor(const yw_scorer_t *s, int64_t from, int64_t to)
{
    if (from == NONE_T || to <= from)
        return 1.0;
    return exp2(-(double)(to - from) / s->hl_ms);
}

/* Add v[] observed at time t.  The sums live at the latest time seen; an
 * older (late) observation enters already decayed to that time. */
static void dec_add(const yw_scorer_t *s, cluster_t *c, int64_t t,
                    const double v[D_COUNT])
{
    if (c->dec_t == NONE_T || t > c->dec_t) {
        double f = decay_factor(s, c->dec_t, t);
        for (int i = 0; i < D_COUNT; i++)
            c->dec[i] = c->dec[i] * f + v[i];
        c->dec_t = t;
    } else {
        double f = decay_factor(s, t, c->dec_t);
        for (int i = 0; i < D_COUNT; i++)
            c->dec[i] += v[i] * f;
    }
}

static double dec_at(const yw_scorer_t *s, const cluster_t *c, int i, int64_t t)
{
    return c->dec[i] * decay_factor(s, c->dec_t, t);
}

/* ---- people and places --------------------------------------------------- */

static int ensure_ext(yw_scorer_t *s, cluster_t *c)
{
    if (c->ext)
        return 0;
    ext_t *e = calloc(1, sizeof *e);
    if (!e)
        return -1;
    if (c->has_p0)
        e->people[e->npeople++] = c->p0;
    if (c->has_place0) {
        e->places[0].h = c->place0;
        e->places[0].count = 1;
        e->nplaces = 1;
    }
    c->ext = e;
    s->n_ext++;
    return 0;
}

static bool lc_set(uint64_t *lc, uint64_t key)
{
    uint64_t b = mix64(key ^ 0x9e3779b97f4a7c15ULL) % LC_BITS;
    uint64_t bit = 1ULL << (b & 63);
    bool was = (lc[b >> 6] & bit) != 0;
    lc[b >> 6] |= bit;
    return !was;
}

/* Linear counting: n = -m ln(zero fraction). */
static int64_t lc_estimate(const uint64_t *lc)
{
    int ones = 0;
    for (int i = 0; i < LC_BITS / 64; i++)
        ones += __builtin_popcountll(lc[i]);
    int zeros = LC_BITS - ones;
    if (zeros == 0)
        zeros = 1;
    return (int64_t)llround(-(double)LC_BITS * log((double)zeros / LC_BITS));
}

static int64_t people_count(const cluster_t *c)
{
    if (!c->ext)
        return c->has_p0 ? 1 : 0;
    if (c->ext->lc)
        return lc_estimate(c->ext->lc);
    return c->ext->npeople;
}

/* Record one contact in cluster c.  Returns the cluster's entry for that
 * person (NULL when only the sketch knows them) and sets *is_new and
 * *repeat_delta (the change in the cluster's repeat-contact count). */
static pent_t *people_add(yw_scorer_t *s, cluster_t *c, const contact_t *ct,
                          bool *is_new, int *repeat_delta)
{
    const uint64_t key = ct->key;
    const int rc = ct->rc;
    pent_t *p = NULL;
    if (!c->ext && !c->has_p0) {
        c->has_p0 = 1;
        p = &c->p0;
    } else {
        if (!c->ext && c->p0.key == key) {
            p = &c->p0;
        } else {
            if (ensure_ext(s, c) != 0)
                return NULL;
            for (int i = 0; i < c->ext->npeople; i++)
                if (c->ext->people[i].key == key) {
                    p = &c->ext->people[i];
                    break;
                }
            if (!p && c->ext->npeople < EXACT_PEOPLE) {
                p = &c->ext->people[c->ext->npeople++];
            } else if (!p) {
                /* Beyond the exact set: the sketch counts distinct people,
                 * and only the record's own repeat_count says "again". */
                if (!c->ext->lc) {
                    c->ext->lc = calloc(LC_BITS / 64, sizeof(uint64_t));
                    if (!c->ext->lc)
                        return NULL;
                    s->n_lc++;
                    for (int i = 0; i < c->ext->npeople; i++)
                        lc_set(c->ext->lc, c->ext->people[i].key);
                }
                *is_new = lc_set(c->ext->lc, key);
                *repeat_delta = rc > 1 ? rc - 1 : 0;
                return NULL;
            }
        }
    }
    *is_new = p->n == 0;
    int before = *is_new ? 1 : contacts_of(p);
    if (*is_new) {
        p->key = key;
        p->emo_first = ct->emo;
    }
    if (p->n < UINT16_MAX)
        p->n++;
    if (rc > p->maxrc)
        p->maxrc = (uint16_t)(rc > UINT16_MAX ? UINT16_MAX : rc);
    if (ct->defl && p->ndefl < UINT8_MAX)
        p->ndefl++;
    if (ct->answered && p->nans < UINT8_MAX)
        p->nans++;
    if (ct->refused && p->nrefused < UINT8_MAX)
        p->nrefused++;
    p->flags |= (uint8_t)ct->flags;
    *repeat_delta = contacts_of(p) - before;
    if (c->ext && c->ext->lc)
        lc_set(c->ext->lc, key);
    return p;
}

/* Misra-Gries: PLACE_SLOTS counters; a full table decrements all. */
static void places_add(cluster_t *c, uint64_t h, uint32_t count)
{
    ext_t *e = c->ext;
    for (int i = 0; i < e->nplaces; i++)
        if (e->places[i].h == h) {
            e->places[i].count += count;
            return;
        }
    if (e->nplaces < PLACE_SLOTS) {
        e->places[e->nplaces].h = h;
        e->places[e->nplaces].count = count;
        e->nplaces++;
        return;
    }
    uint32_t m = count;
    for (int i = 0; i < e->nplaces; i++)
        if (e->places[i].count < m)
            m = e->places[i].count;
    int k = 0;
    for (int i = 0; i < e->nplaces; i++) {
        e->places[i].count -= m;
        if (e->places[i].count)
            e->places[k++] = e->places[i];
    }
    e->nplaces = k;
    if (count > m && k < PLACE_SLOTS) {
        e->places[k].h = h;
        e->places[k].count = count - m;
        e->nplaces++;
    }
}

static uint32_t places_top(const cluster_t *c)
{
    if (!c->ext)
        return c->has_place0 ? 1 : 0;
    uint32_t top = 0;
    for (int i = 0; i < c->ext->nplaces; i++)
        if (c->ext->places[i].count > top)
            top = c->ext->places[i].count;
    return top;
}

/* Street key: district + street, or district + community when the record
 * names no street; 0 when it names neither.  Street level, not community:
 * a record naming only the street of an issue (common in 110 and grid
 * reports) agrees with one that names its community too. */
static uint64_t place_key(const yw_record_t *r)
{
    if (!r->street.len && !r->community.len)
        return 0;
    uint64_t h = ywsc_hash_str(r->district.s ? r->district.s : "", r->district.len);
    if (r->street.len)
        h = mix64(h ^ ywsc_hash_str(r->street.s, r->street.len));
    else
        h = mix64(h ^ 0x636f6d6dULL ^ ywsc_hash_str(r->community.s, r->community.len));
    return h ? h : 1;
}

/* ---- baselines ---------------------------------------------------------- */

static void ewma_step(double *mean, double *var, double alpha, double x)
{
    double diff = x - *mean, incr = alpha * diff;
    *mean += incr;
    *var = (1 - alpha) * (*var + diff * incr);
}

/* Fold the cluster's completed days before day `d` into its baseline. */
static void own_fold(const yw_scorer_t *s, cluster_t *c, int64_t lt)
{
    int64_t d = yw_window_bucket(lt, YW_DAY_MS);
    if (c->base_day == NONE_T || c->base_day >= d - 1)
        return;
    int64_t from = c->base_day + 1;
    if (d - from > 4 * YW_WIN_DAYS)    /* a long silence: baseline ~0 */
        from = d - 4 * YW_WIN_DAYS;
    for (int64_t day = from; day < d; day++) {
        double x = (double)yw_window_days(&c->win, lt, (int)(d - day),
                                          (int)(d - day), NULL);
        ewma_step(&c->ewma, &c->ewmvar, s->conf.burst_alpha_own, x);
    }
    c->base_day = d - 1;
}

static void global_roll(yw_scorer_t *s, int64_t day)
{
    if (s->g_day != NONE_T && day > s->g_day && s->g_n > 0) {
        double mean = s->g_sum / s->g_n;
        double var = s->g_sumsq / s->g_n - mean * mean;
        double a = s->conf.burst_alpha_global;
        s->g_mean += a * (mean - s->g_mean);
        s->g_var += a * ((var > 0 ? var : 0) - s->g_var);
    }
    if (s->g_day == NONE_T || day > s->g_day) {
        s->g_day = day;
        s->g_sum = s->g_sumsq = s->g_n = 0;
    }
}

/* P(X >= x) for X ~ Poisson(lambda); only asked when x is above lambda. */
static double poisson_tail(double lambda, int64_t x)
{
    if (x <= 0)
        return 1;
    if (lambda <= 0)
        return 0;
    if ((double)x <= lambda)
        return 1;
    double term = exp(-lambda + (double)x * log(lambda) - lgamma((double)x + 1));
    double sum = term;
    for (int64_t k = x + 1; k < x + 2000 && term > sum * 1e-12; k++) {
        term *= lambda / (double)k;
        sum += term;
    }
    return sum > 1 ? 1 : sum;
}

/* ---- the signals -------------------------------------------------------- */

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

static void compute(yw_scorer_t *s, cluster_t *c, int64_t t, eval_t *e)
{
    const yw_score_conf_t *cf = &s->conf;
    int64_t lt = t + s->tz_ms;
    memset(e, 0, sizeof *e);

    e->n7 = yw_window_days(&c->win, lt, 0, cf->volume_days - 1, e->by7);
    for (int i = 0; i < YW_SRC_COUNT; i++)
        e->nsrc += e->by7[i] > 0;
    e->val[YW_SIG_VOLUME] = (double)e->n7;
    e->pts[YW_SIG_VOLUME] = cf->weight[YW_SIG_VOLUME] *
        clamp01(log2(1.0 + (double)e->n7) / log2(1.0 + cf->sat[YW_SIG_VOLUME]));

    /* burst: SigniTrend z = (x - max(mean, beta)) / (sd + beta) */
    own_fold(s, c, lt);
    e->x24 = yw_window_hours(&c->win, lt, 0, 23, NULL);
    double beta = cf->burst_beta, x = (double)e->x24;
    e->base_glob = s->g_mean;
    e->z_glob = (x - fmax(s->g_mean, beta)) / (sqrt(fmax(s->g_var, 0)) + beta);
    double z = e->z_glob, lambda = s->g_mean;
    int64_t hist = yw_window_bucket(lt, YW_DAY_MS) -
                   yw_window_bucket(c->first_seen + s->tz_ms, YW_DAY_MS);
    e->base_own = c->ewma;
    if (hist >= cf->burst_min_history_days) {
        e->own_used = true;
        e->z_own = (x - fmax(c->ewma, beta)) / (sqrt(fmax(c->ewmvar, 0)) + beta);
        z = fmin(z, e->z_own);
        lambda = fmax(lambda, c->ewma);
    }
    e->val[YW_SIG_BURST] = z;
    e->p = 1;
    if (z >= cf->burst_z_min) {
        e->p = poisson_tail(fmax(lambda, 0.05), e->x24);
        if (e->p <= cf->burst_p_max)
            e->pts[YW_SIG_BURST] = cf->weight[YW_SIG_BURST] *
                clamp01((z - cf->burst_z_min) / (cf->sat[YW_SIG_BURST] - cf->burst_z_min));
    }

    /* growth: last N days against the N before */
    int g = cf->growth_days;
    e->recent = yw_window_days(&c->win, lt, 0, g - 1, NULL);
    e->prev = yw_window_days(&c->win, lt, g, 2 * g - 1, NULL);
    double k = cf->growth_prior;
    double ratio = ((double)e->recent + k) / ((double)e->prev + k);
    e->val[YW_SIG_GROWTH] = ratio;
    /* A rise needs something to rise from: the cluster's first record must
     * be older than the recent window (a new cluster's first records are
     * not growth; burst covers a sudden start). */
    e->growth_young = hist < g;
    if (!e->growth_young && (double)e->recent >= cf->growth_min_recent && ratio > 1)
        e->pts[YW_SIG_GROWTH] = cf->weight[YW_SIG_GROWTH] *
            clamp01(log2(ratio) / log2(cf->sat[YW_SIG_GROWTH]));

    /* trend: a rise sustained week after week -- how slow builds and
     * online-first issues look in their first weeks, while a burst has not
     * happened yet and growth (3 days against 3) barely moves.  Weeks ending
     * today, yesterday and the day before are tried and the best kept, so
     * the signal does not drop at midnight when a busy day leaves the week. */
    for (int back = 0; back < 3 && hist - back >= 14; back++) {
        /* (the cluster must be older than the two weeks before the view's
         * last week, or the oldest week is empty by birth) */
        int64_t w[3];
        for (int i = 0; i < 3; i++)
            w[i] = yw_window_days(&c->win, lt, back + 7 * i, back + 7 * i + 6, NULL);
        if ((double)w[0] < cf->trend_min_recent || (double)w[1] < cf->trend_min_prev ||
            (double)w[0] < cf->trend_step * (double)w[1] ||
            (double)w[1] < cf->trend_step * (double)w[2])
            continue;
        double r = ((double)w[0] + k) / ((double)w[2] + k);
        if (r > e->val[YW_SIG_TREND]) {
            e->val[YW_SIG_TREND] = r;
            memcpy(e->week, w, sizeof w);
            e->trend_back = back;
        }
    }
    double r0 = cf->trend_min_ratio;
    if (e->val[YW_SIG_TREND] > r0)
        e->pts[YW_SIG_TREND] = cf->weight[YW_SIG_TREND] *
            clamp01(log2(e->val[YW_SIG_TREND] / r0) / log2(cf->sat[YW_SIG_TREND] / r0));

    /* people: new complainants, decayed; the first one is no signal */
    double np = dec_at(s, c, D_PEOPLE, t);
    e->val[YW_SIG_PEOPLE] = np;
    e->pts[YW_SIG_PEOPLE] = cf->weight[YW_SIG_PEOPLE] *
        clamp01(log2(fmax(np, 1)) / log2(cf->sat[YW_SIG_PEOPLE]));

    double rp = dec_at(s, c, D_REPEAT, t);
    e->val[YW_SIG_REPEAT] = rp;
    e->pts[YW_SIG_REPEAT] = cf->weight[YW_SIG_REPEAT] *
        clamp01(log2(1 + rp) / log2(1 + cf->sat[YW_SIG_REPEAT]));

    e->val[YW_SIG_SOURCES] = e->nsrc;
    if (e->nsrc > 1)
        e->pts[YW_SIG_SOURCES] = cf->weight[YW_SIG_SOURCES] *
            clamp01((e->nsrc - 1) / (cf->sat[YW_SIG_SOURCES] - 1));

    static const struct { int sig, d; } linear[] = {
        { YW_SIG_ESCALATION, D_ESC }, { YW_SIG_EMOTION, D_EMO },
        { YW_SIG_DOMAIN, D_DOMAIN }, { YW_SIG_OUTCOME, D_OUTCOME },
        { YW_SIG_DEFLECTION, D_DEFL }, { YW_SIG_SELFHARM, D_SELFHARM },
    };
    double nrec = dec_at(s, c, D_REC, t);
    for (size_t i = 0; i < sizeof linear / sizeof linear[0]; i++) {
        int sig = linear[i].sig;
        double v = dec_at(s, c, linear[i].d, t);
        e->val[sig] = v;
        e->pts[sig] = cf->weight[sig] * clamp01(v / cf->sat[sig]);
        /* language and outcomes count as a share of the recent records */
        if (sig == YW_SIG_ESCALATION || sig == YW_SIG_EMOTION ||
            sig == YW_SIG_OUTCOME || sig == YW_SIG_DEFLECTION) {
            e->rate[sig] = nrec > 0 ? v / nrec : 0;
            e->pts[sig] *= clamp01(e->rate[sig] / cf->rate_sat);
        }
    }

    double sp = log10(1 + dec_at(s, c, D_SPREAD, t));
    e->val[YW_SIG_SPREAD] = sp;
    e->pts[YW_SIG_SPREAD] = cf->weight[YW_SIG_SPREAD] *
        clamp01(sp / cf->sat[YW_SIG_SPREAD]);

    /* campaign: several posts each shared widely, a large part of the
     * cluster -- not one viral post (background posts are heavy-tailed) */
    double wide = dec_at(s, c, D_WIDE, t);
    e->val[YW_SIG_CAMPAIGN] = wide;
    if (wide >= cf->campaign_min_posts && wide >= cf->campaign_min_share * nrec)
        e->pts[YW_SIG_CAMPAIGN] = cf->weight[YW_SIG_CAMPAIGN] *
            clamp01(log2(1 + wide) / log2(1 + cf->sat[YW_SIG_CAMPAIGN]));

    e->place_records = c->place_records;
    if (c->place_records > 0) {
        double share = (double)places_top(c) / c->place_records;
        e->val[YW_SIG_CONCENTRATION] = share;
        if (c->place_records >= cf->concentration_min && share >= 0.5)
            e->pts[YW_SIG_CONCENTRATION] = cf->weight[YW_SIG_CONCENTRATION] *
                clamp01(share / cf->sat[YW_SIG_CONCENTRATION]) *
                clamp01(dec_at(s, c, D_REC, t) / cf->concentration_active);
    }

    /* focus: size signals count fully only for an issue in one place */
    e->focus = 1;
    if (c->place_records >= cf->concentration_min) {
        double share = (double)places_top(c) / c->place_records;
        e->focus = cf->focus_floor + (1 - cf->focus_floor) *
            clamp01((share - cf->focus_lo) / (cf->focus_hi - cf->focus_lo));
        static const int size_sigs[] = { YW_SIG_VOLUME, YW_SIG_BURST, YW_SIG_GROWTH,
                                         YW_SIG_PEOPLE, YW_SIG_REPEAT, YW_SIG_SOURCES,
                                         YW_SIG_TREND };
        for (size_t i = 0; i < sizeof size_sigs / sizeof size_sigs[0]; i++)
            e->pts[size_sigs[i]] *= e->focus;
    }

    if (dec_at(s, c, D_SHFLOOR, t) >= cf->selfharm_floor_min)
        e->floor = cf->selfharm_level;

    double sum = 0;
    for (int i = 0; i < YW_SIG_COUNT; i++)
        sum += e->pts[i];
    if (sum > 100)
        sum = 100;
    /* One decimal: what the alert shows is what the thresholds saw. */
    e->score = floor(sum * 10 + 0.5) / 10;
}

/* ---- alerts ------------------------------------------------------------- */

static const char *const src_cn[YW_SRC_COUNT] = { "热线", "网格", "网络", "110警情" };

static void signal_detail_base(const yw_scorer_t *s, const eval_t *e, int sig,
                               double v, char *out, size_t len);

static void signal_detail(const yw_scorer_t *s, const eval_t *e, int sig,
                          char *out, size_t len)
{
    const yw_score_conf_t *cf = &s->conf;
    double v = e->val[sig];
    bool sized = sig == YW_SIG_VOLUME || sig == YW_SIG_BURST || sig == YW_SIG_GROWTH ||
                 sig == YW_SIG_PEOPLE || sig == YW_SIG_REPEAT || sig == YW_SIG_SOURCES ||
                 sig == YW_SIG_TREND;
    bool rated = sig == YW_SIG_ESCALATION || sig == YW_SIG_EMOTION ||
                 sig == YW_SIG_OUTCOME || sig == YW_SIG_DEFLECTION;
    signal_detail_base(s, e, sig, v, out, len);
    /* The discount, appended only when it fits whole (no cut UTF-8). */
    char tail[64] = "";
    if (sized && e->focus < 1)
        snprintf(tail, sizeof tail, "（地点分散，×%.2f）", e->focus);
    else if (rated && e->rate[sig] < cf->rate_sat)
        snprintf(tail, sizeof tail, "（每条%.2f，×%.2f）", e->rate[sig],
                 e->rate[sig] / cf->rate_sat);
    else if (rated)
        snprintf(tail, sizeof tail, "（每条%.2f）", e->rate[sig]);
    size_t n = strlen(out), m = strlen(tail);
    if (m && n + m < len)
        memcpy(out + n, tail, m + 1);
}

static void signal_detail_base(const yw_scorer_t *s, const eval_t *e, int sig,
                               double v, char *out, size_t len)
{
    const yw_score_conf_t *cf = &s->conf;
    switch (sig) {
    case YW_SIG_VOLUME:
        snprintf(out, len, "近%d天%lld条", cf->volume_days, (long long)e->n7);
        break;
    case YW_SIG_BURST:
        if (e->own_used)
            snprintf(out, len, "24小时%lld条，自身基线%.1f，全局基线%.1f，z=%.1f，p=%.2g",
                     (long long)e->x24, e->base_own, e->base_glob, v, e->p);
        else
            snprintf(out, len, "24小时%lld条，全局基线%.1f，z=%.1f，p=%.2g",
                     (long long)e->x24, e->base_glob, v, e->p);
        break;
    case YW_SIG_GROWTH:
        snprintf(out, len, "近%d天%lld条，此前%d天%lld条", cf->growth_days,
                 (long long)e->recent, cf->growth_days, (long long)e->prev);
        break;
    case YW_SIG_PEOPLE:
        snprintf(out, len, "累计%lld人，近期新增约%.1f人", (long long)e->people, v);
        break;
    case YW_SIG_REPEAT:
        snprintf(out, len, "同一人重复反映，近期约%.1f次", v);
        break;
    case YW_SIG_SOURCES: {
        int n = snprintf(out, len, "近%d天%d个来源：", cf->volume_days, e->nsrc);
        const char *sep = "";
        for (int i = 0; i < YW_SRC_COUNT && n > 0 && (size_t)n < len; i++)
            if (e->by7[i] > 0) {
                n += snprintf(out + n, len - (size_t)n, "%s%s%lld条", sep,
                              src_cn[i], (long long)e->by7[i]);
                sep = "、";
            }
        break;
    }
    case YW_SIG_ESCALATION:
        snprintf(out, len, "升级言辞（联名/上访/堵路等）加权%.1f", v);
        break;
    case YW_SIG_EMOTION:
        snprintf(out, len, "情绪言辞加权%.1f", v);
        break;
    case YW_SIG_DOMAIN:
        snprintf(out, len, "敏感领域加权%.1f", v);
        break;
    case YW_SIG_SPREAD:
        snprintf(out, len, "网络转评赞约%.0f", pow(10, v) - 1);
        break;
    case YW_SIG_CONCENTRATION:
        snprintf(out, len, "%.0f%%集中于同一街道/社区（%u条有地点）", v * 100,
                 e->place_records);
        break;
    case YW_SIG_OUTCOME:
        snprintf(out, len, "未解决/不满意加权%.1f", v);
        break;
    case YW_SIG_DEFLECTION:
        snprintf(out, len, "推诿答复（不归我办等）加权%.1f", v);
        break;
    case YW_SIG_CAMPAIGN:
        snprintf(out, len, "网络集中传播：近期约%.1f条帖文各获转评赞%.0f以上", v,
                 s->conf.campaign_min_interactions);
        break;
    case YW_SIG_TREND:
        snprintf(out, len, "逐周上升：%lld→%lld→%lld条（截至%s）", (long long)e->week[2],
                 (long long)e->week[1], (long long)e->week[0],
                 e->trend_back == 0 ? "今天" : e->trend_back == 1 ? "昨天" : "前天");
        break;
    case YW_SIG_SELFHARM:
        snprintf(out, len, "自伤言辞加权%.1f，等级不低于%s", v,
                 yw_level_name((yw_level_t)cf->selfharm_level));
        break;
    default:
        out[0] = '\0';
    }
}

void ywsc_copy_view(yw_alert_t *a, const yw_alert_t *view)
{
    memcpy(a->title, view->title, sizeof a->title);
    a->title[sizeof a->title - 1] = '\0';
    a->nplaces = view->nplaces < 0 ? 0 :
        view->nplaces > YW_ALERT_MAX_PLACES ? YW_ALERT_MAX_PLACES : view->nplaces;
    memcpy(a->places, view->places, sizeof a->places);
    a->nsamples = view->nsamples < 0 ? 0 :
        view->nsamples > YW_ALERT_MAX_SAMPLES ? YW_ALERT_MAX_SAMPLES : view->nsamples;
    memcpy(a->sample_ids, view->sample_ids, sizeof a->sample_ids);
}

/* The cluster part common to alerts, downgrades and summaries. */
static void fill_cluster(yw_scorer_t *s, const cluster_t *c, eval_t *e,
                         int64_t t, const yw_alert_t *view, yw_alert_t *a)
{
    e->people = people_count(c);     /* the sketch's estimate costs a scan */
    memset(a, 0, sizeof *a);
    a->schema_version = YW_SCHEMA_VERSION;
    a->kind = YW_ALERT_CLUSTER;
    memcpy(a->cluster, c->id, sizeof a->cluster);
    a->score = e->score;
    a->event_time = t;
    if (view)
        ywsc_copy_view(a, view);
    else if (s->view)
        s->view(s->view_opaque, c->id, a);
    for (int i = 0; i < YW_SRC_COUNT; i++)
        a->sources[i] = c->win.total[i];
    a->records = yw_window_total(&c->win);
    a->people = e->people;
    a->repeat_contacts = c->repeat_total;
    a->first_seen = c->first_seen;

    /* Signals that added points, largest first (ties in enum order). */
    int order[YW_SIG_COUNT], n = 0;
    for (int i = 0; i < YW_SIG_COUNT; i++)
        if (e->pts[i] > 0)
            order[n++] = i;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && e->pts[order[j]] > e->pts[order[j - 1]]; j--) {
            int tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    if (n == 0)
        order[n++] = YW_SIG_VOLUME;
    for (int k = 0; k < n && k < YW_ALERT_MAX_SIGNALS; k++) {
        yw_signal_t *sg = &a->signals[a->nsignals++];
        int i = order[k];
        snprintf(sg->name, sizeof sg->name, "%s", signal_names[i]);
        sg->value = floor(e->val[i] * 1000 + 0.5) / 1000;
        sg->contribution = floor(e->pts[i] * 10 + 0.5) / 10;
        signal_detail(s, e, i, sg->detail, sizeof sg->detail);
    }
}

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

/* Evaluate cluster idx at event time t: update the level (hysteresis,
 * cooldown), emit on a change, schedule the next evaluation. */
static void evaluate(yw_scorer_t *s, uint32_t idx, int64_t t,
                     const yw_alert_t *view, yw_score_emit_fn emit, void *opaque)
{
    cluster_t *c = &s->cl[idx];
    const yw_score_conf_t *cf = &s->conf;
    eval_t e;
    compute(s, c, t, &e);
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
            fill_cluster(s, c, &e, t, view, a);
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
        global_roll(s, yw_window_bucket(lt, YW_DAY_MS));
    }
    advance(s, s->max_t - cf->lateness_ms, emit, opaque);
    bool late = t < s->wm;

    int64_t found = cluster_find(s, cluster_id);
    if (found < 0 && (found = cluster_create(s, cluster_id)) < 0)
        return YW_SCORE_ENOMEM;
    uint32_t idx = (uint32_t)found;
    cluster_t *c = &s->cl[idx];

    int64_t n_before = yw_window_total(&c->win);
    if (n_before >= 1 && ensure_ext(s, c) != 0)
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
        pe = people_add(s, c, &ct, &is_new, &rdelta);
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
    dec_add(s, c, t, v);

    uint64_t pk = place_key(rec);
    if (pk) {
        if (c->ext)
            places_add(c, pk, 1);
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

static pent_t *people_find(cluster_t *c, uint64_t key)
{
    if (!c->ext)
        return c->has_p0 && c->p0.key == key ? &c->p0 : NULL;
    for (int i = 0; i < c->ext->npeople; i++)
        if (c->ext->people[i].key == key)
            return &c->ext->people[i];
    return NULL;
}

/* Fold one of from's complainants into `into`.  Both clusters' lifetime
 * repeat counts were already added; a person known to both is fixed up so
 * that they count max(contacts, repeat_count) - 1 once. */
static void merge_people(yw_scorer_t *s, cluster_t *into, const pent_t *p)
{
    pent_t *q = people_find(into, p->key);
    if (q) {
        int old = contacts_of(q);
        q->n = (uint16_t)(q->n + p->n > UINT16_MAX ? UINT16_MAX : q->n + p->n);
        if (p->maxrc > q->maxrc)
            q->maxrc = p->maxrc;
        q->ndefl = (uint8_t)(q->ndefl + p->ndefl > UINT8_MAX ? UINT8_MAX
                                                             : q->ndefl + p->ndefl);
        q->nans = (uint8_t)(q->nans + p->nans > UINT8_MAX ? UINT8_MAX : q->nans + p->nans);
        q->nrefused = (uint8_t)(q->nrefused + p->nrefused > UINT8_MAX
                                    ? UINT8_MAX : q->nrefused + p->nrefused);
        q->flags |= p->flags;
        into->repeat_total += contacts_of(q) - old - contacts_of(p) + 1;
        return;
    }
    bool is_new = false;
    int rdelta = 0;
    contact_t ct = { .key = p->key, .rc = 1, .emo = p->emo_first };
    q = people_add(s, into, &ct, &is_new, &rdelta);
    if (q)
        *q = *p;
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
    if (yw_window_total(&c->win) > 0 && ensure_ext(s, c) != 0)
        return YW_SCORE_ENOMEM;
    bool had_rings = yw_window_has_rings(&c->win);
    if (yw_window_merge(&c->win, &f->win) != 0)
        return YW_SCORE_ENOMEM;
    if (!had_rings && yw_window_has_rings(&c->win))
        s->n_rings++;

    /* people: the lifetime repeat counts add, then the overlap is fixed up
     * person by person in merge_people */
    c->repeat_total += f->repeat_total;
    if (f->ext) {
        for (int i = 0; i < f->ext->npeople; i++)
            merge_people(s, c, &f->ext->people[i]);
        if (f->ext->lc && ensure_ext(s, c) == 0) {
            if (!c->ext->lc && (c->ext->lc = calloc(LC_BITS / 64, sizeof(uint64_t)))) {
                s->n_lc++;
                for (int i = 0; i < c->ext->npeople; i++)
                    lc_set(c->ext->lc, c->ext->people[i].key);
            }
            if (c->ext->lc)
                for (int i = 0; i < LC_BITS / 64; i++)
                    c->ext->lc[i] |= f->ext->lc[i];
        }
        for (int i = 0; i < f->ext->nplaces; i++)
            if (ensure_ext(s, c) == 0)
                places_add(c, f->ext->places[i].h, f->ext->places[i].count);
    } else {
        if (f->has_p0)
            merge_people(s, c, &f->p0);
        if (f->has_place0) {
            if (c->ext)
                places_add(c, f->place0, 1);
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
            dec_add(s, c, f->dec_t, f->dec);
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
    compute(s, c, t, &e);
    fill_cluster(s, c, &e, t, NULL, out);
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
