/* score_snap.c -- the scorer's state in a snapshot (lib/snapshot.h):
 * yw_scorer_save writes it slot for slot, yw_scorer_load reads it back
 * into an empty scorer, range-checking every index and walking every list
 * before use, and rebuilds the hash maps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score_impl.h"
#include "snapshot.h"

/* ---- snapshots ------------------------------------------------------------
 * Everything that decides future alerts is saved as it is, slot for slot:
 * cluster slots (live and free, with their generation numbers, because heap
 * entries and ties in the heap refer to slots), the evaluation heap in its
 * array order, the person pool with its LRU and per-cluster lists, the
 * watermark and the global baseline.  The two hash maps are rebuilt.
 * Loading therefore continues exactly as the saved scorer would have. */

#define SCORE_SNAP_FORMAT 3   /* 2: answered and refused contacts per person,
                                 * D_SHFLOOR, below_since; 3: D_WIDE */

static void pent_save(yw_snap_buf_t *b, const pent_t *p)
{
    yw_snap_put_u64(b, p->key);
    yw_snap_put_u16(b, p->n);
    yw_snap_put_u16(b, p->maxrc);
    yw_snap_put_u8(b, p->ndefl);
    yw_snap_put_u8(b, p->nans);
    yw_snap_put_u8(b, p->nrefused);
    yw_snap_put_u8(b, p->flags);
    yw_snap_put_f32(b, p->emo_first);
}

static void pent_load(yw_snap_rd_t *r, pent_t *p)
{
    p->key = yw_snap_get_u64(r);
    p->n = yw_snap_get_u16(r);
    p->maxrc = yw_snap_get_u16(r);
    p->ndefl = yw_snap_get_u8(r);
    p->nans = yw_snap_get_u8(r);
    p->nrefused = yw_snap_get_u8(r);
    p->flags = yw_snap_get_u8(r);
    p->emo_first = yw_snap_get_f32(r);
}

static void stats_io(yw_score_stats_t *st, yw_snap_buf_t *b, yw_snap_rd_t *r)
{
    uint64_t *f[] = { &st->observed, &st->late, &st->evaluations, &st->tick_evaluations,
                      &st->alerts_cluster, &st->alerts_person, &st->downgrades,
                      &st->cooldown_blocked };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (b)
            yw_snap_put_u64(b, *f[i]);
        else
            *f[i] = yw_snap_get_u64(r);
    }
}

void yw_scorer_save(const yw_scorer_t *s, yw_snap_buf_t *b)
{
    yw_snap_put_u32(b, SCORE_SNAP_FORMAT);
    yw_snap_put_u32(b, EXACT_PEOPLE);
    yw_snap_put_u32(b, LC_BITS);
    yw_snap_put_u32(b, PLACE_SLOTS);
    yw_snap_put_u32(b, D_COUNT);
    yw_snap_put_i64(b, s->tz_ms);
    yw_snap_put_i64(b, s->max_t);
    yw_snap_put_i64(b, s->wm);
    yw_snap_put_i64(b, s->first_day);
    yw_snap_put_i64(b, s->g_day);
    yw_snap_put_f64(b, s->g_sum);
    yw_snap_put_f64(b, s->g_sumsq);
    yw_snap_put_f64(b, s->g_n);
    yw_snap_put_f64(b, s->g_mean);
    yw_snap_put_f64(b, s->g_var);
    yw_score_stats_t st = s->st;
    stats_io(&st, b, NULL);

    yw_snap_put_u64(b, s->ncl);
    yw_snap_put_u32(b, s->free_cl);
    for (uint32_t i = 0; i < s->ncl; i++) {
        const cluster_t *c = &s->cl[i];
        yw_snap_put_u8(b, c->live);
        yw_snap_put_u32(b, c->gen);
        if (!c->live) {
            yw_snap_put_i64(b, c->due);          /* the free-list link */
            continue;
        }
        yw_snap_put_str(b, c->id);
        yw_snap_put_u8(b, c->level);
        yw_snap_put_u8(b, c->has_p0);
        yw_snap_put_u8(b, c->has_place0);
        yw_window_save(&c->win, b);
        yw_snap_put_i64(b, c->first_seen);
        yw_snap_put_i64(b, c->last_seen);
        yw_snap_put_i64(b, c->last_eval);
        yw_snap_put_i64(b, c->last_rise);
        yw_snap_put_i64(b, c->below_since);
        yw_snap_put_i64(b, c->due);
        yw_snap_put_i64(b, c->heap_due);
        yw_snap_put_f64(b, c->score);
        for (int k = 0; k < D_COUNT; k++)
            yw_snap_put_f64(b, c->dec[k]);
        yw_snap_put_i64(b, c->dec_t);
        yw_snap_put_i64(b, c->base_day);
        yw_snap_put_f64(b, c->ewma);
        yw_snap_put_f64(b, c->ewmvar);
        yw_snap_put_i64(b, c->repeat_total);
        yw_snap_put_u32(b, c->place_records);
        yw_snap_put_u32(b, c->person_head);
        pent_save(b, &c->p0);
        yw_snap_put_u64(b, c->place0);
        yw_snap_put_u8(b, c->ext != NULL);
        if (c->ext) {
            const ext_t *e = c->ext;
            yw_snap_put_u8(b, (uint8_t)e->npeople);
            for (int k = 0; k < e->npeople; k++)
                pent_save(b, &e->people[k]);
            yw_snap_put_u8(b, e->lc != NULL);
            if (e->lc)
                for (int k = 0; k < LC_BITS / 64; k++)
                    yw_snap_put_u64(b, e->lc[k]);
            yw_snap_put_u8(b, (uint8_t)e->nplaces);
            for (int k = 0; k < e->nplaces; k++) {
                yw_snap_put_u64(b, e->places[k].h);
                yw_snap_put_u32(b, e->places[k].count);
            }
        }
    }

    yw_snap_put_u64(b, s->nheap);
    for (size_t i = 0; i < s->nheap; i++) {
        yw_snap_put_i64(b, s->heap[i].due);
        yw_snap_put_u32(b, s->heap[i].idx);
        yw_snap_put_u32(b, s->heap[i].gen);
    }

    yw_snap_put_u64(b, s->npp);
    yw_snap_put_u32(b, s->free_pp);
    yw_snap_put_u32(b, s->lru_head);
    yw_snap_put_u32(b, s->lru_tail);
    yw_snap_put_u32(b, s->live_pp);
    for (uint32_t i = 0; i < s->npp; i++) {
        const person_t *p = &s->pp[i];
        yw_snap_put_u8(b, p->used);
        yw_snap_put_u32(b, p->lru_next);     /* also the free-list link */
        if (!p->used)
            continue;
        yw_snap_put_u64(b, p->person);
        yw_snap_put_u32(b, p->cidx);
        yw_snap_put_u8(b, p->level);
        yw_snap_put_u8(b, p->flags);
        yw_snap_put_u32(b, p->contacts);
        yw_snap_put_u32(b, p->maxrc);
        yw_snap_put_u32(b, p->defl);
        yw_snap_put_u32(b, p->answered);
        yw_snap_put_u32(b, p->refused);
        yw_snap_put_u32(b, p->home);
        yw_snap_put_u32(b, p->home_gen);
        yw_snap_put_f32(b, p->emo_first);
        yw_snap_put_f32(b, p->emo_peak);
        yw_snap_put_i64(b, p->first_ts);
        yw_snap_put_i64(b, p->last_ts);
        yw_snap_put_u32(b, p->lru_prev);
        yw_snap_put_u32(b, p->cl_prev);
        yw_snap_put_u32(b, p->cl_next);
    }
}

/* Walk a list of 1-based links from head; every node must pass ok() and
 * the walk must end within n steps. */
static bool walk_ok(const yw_scorer_t *s, uint32_t head, uint32_t n,
                    uint32_t (*next)(const yw_scorer_t *, uint32_t),
                    bool (*ok)(const yw_scorer_t *, uint32_t, uint32_t prev, void *),
                    void *arg, uint32_t *count)
{
    uint32_t steps = 0, prev = 0;
    for (uint32_t at = head; at; at = next(s, at - 1)) {
        if (at > n || ++steps > n || !ok(s, at - 1, prev, arg))
            return false;
        prev = at;
    }
    if (count)
        *count = steps;
    return true;
}

static uint32_t next_free_cl(const yw_scorer_t *s, uint32_t i) { return (uint32_t)s->cl[i].due; }
static uint32_t next_lru(const yw_scorer_t *s, uint32_t i) { return s->pp[i].lru_next; }
static uint32_t next_cl(const yw_scorer_t *s, uint32_t i) { return s->pp[i].cl_next; }

static bool ok_free_cl(const yw_scorer_t *s, uint32_t i, uint32_t prev, void *arg)
{
    return !s->cl[i].live;
}

static bool ok_lru(const yw_scorer_t *s, uint32_t i, uint32_t prev, void *arg)
{
    return s->pp[i].used && s->pp[i].lru_prev == prev;
}

static bool ok_free_pp(const yw_scorer_t *s, uint32_t i, uint32_t prev, void *arg)
{
    return !s->pp[i].used;
}

static bool ok_cl(const yw_scorer_t *s, uint32_t i, uint32_t prev, void *arg)
{
    return s->pp[i].used && s->pp[i].cidx == *(const uint32_t *)arg && s->pp[i].cl_prev == prev;
}

int yw_scorer_load(yw_scorer_t *s, yw_snap_rd_t *r)
{
    if (s->ncl || s->npp || s->nheap) {
        yw_snap_fail(r, "scorer: load into a scorer that is not empty");
        return -1;
    }
    if (yw_snap_get_u32(r) != SCORE_SNAP_FORMAT)
        yw_snap_fail(r, "scorer: other format");
    if (yw_snap_get_u32(r) != EXACT_PEOPLE || yw_snap_get_u32(r) != LC_BITS ||
        yw_snap_get_u32(r) != PLACE_SLOTS || yw_snap_get_u32(r) != D_COUNT)
        yw_snap_fail(r, "scorer: built with other constants");
    if (yw_snap_get_i64(r) != s->tz_ms)
        yw_snap_fail(r, "scorer: records.timezone changed since the snapshot");
    s->max_t = yw_snap_get_time(r);
    s->wm = yw_snap_get_time(r);
    s->first_day = yw_snap_get_time(r);
    s->g_day = yw_snap_get_time(r);
    s->g_sum = yw_snap_get_f64(r);
    s->g_sumsq = yw_snap_get_f64(r);
    s->g_n = yw_snap_get_f64(r);
    s->g_mean = yw_snap_get_f64(r);
    s->g_var = yw_snap_get_f64(r);
    stats_io(&s->st, NULL, r);
    s->st.clusters = 0;

    uint64_t ncl = yw_snap_get_count(r, UINT32_MAX - 1, 9);
    s->free_cl = yw_snap_get_u32(r);
    if (r->err)
        return -1;
    uint32_t cap = 1024;
    while (cap < ncl)
        cap *= 2;
    if (cap > s->cap_cl) {
        cluster_t *p = realloc(s->cl, (size_t)cap * sizeof *p);
        if (!p) {
            yw_snap_fail(r, "out of memory");
            return -1;
        }
        s->cl = p;
        s->cap_cl = cap;
    }
    for (uint32_t i = 0; i < ncl && !r->err; i++) {
        cluster_t *c = &s->cl[i];
        memset(c, 0, sizeof *c);
        s->ncl = i + 1;             /* destroy() frees what was loaded */
        c->live = yw_snap_get_u8(r) != 0;
        c->gen = yw_snap_get_u32(r);
        if (!c->live) {
            int64_t link = yw_snap_get_i64(r);
            if (link < 0 || (uint64_t)link > ncl)
                yw_snap_fail(r, "scorer: bad free-list link");
            c->due = link;
            continue;
        }
        size_t n = yw_snap_get_str(r, c->id, sizeof c->id);
        c->h = ywsc_hash_str(c->id, n);
        c->level = yw_snap_get_u8(r);
        c->has_p0 = yw_snap_get_u8(r) != 0;
        c->has_place0 = yw_snap_get_u8(r) != 0;
        if (c->level > YW_LEVEL_RED)
            yw_snap_fail(r, "scorer: bad level");
        if (yw_window_load(&c->win, r) != 0)
            break;
        if (yw_window_has_rings(&c->win))
            s->n_rings++;
        c->first_seen = yw_snap_get_time(r);
        c->last_seen = yw_snap_get_time(r);
        c->last_eval = yw_snap_get_time(r);
        c->last_rise = yw_snap_get_time(r);
        c->below_since = yw_snap_get_time(r);
        c->due = yw_snap_get_time(r);
        c->heap_due = yw_snap_get_time(r);
        c->score = yw_snap_get_f64(r);
        for (int k = 0; k < D_COUNT; k++)
            c->dec[k] = yw_snap_get_f64(r);
        c->dec_t = yw_snap_get_time(r);
        c->base_day = yw_snap_get_time(r);
        c->ewma = yw_snap_get_f64(r);
        c->ewmvar = yw_snap_get_f64(r);
        c->repeat_total = yw_snap_get_time(r);
        c->place_records = yw_snap_get_u32(r);
        c->person_head = yw_snap_get_u32(r);
        pent_load(r, &c->p0);
        c->place0 = yw_snap_get_u64(r);
        if (yw_snap_get_u8(r) && !r->err) {
            ext_t *e = calloc(1, sizeof *e);
            if (!e) {
                yw_snap_fail(r, "out of memory");
                break;
            }
            c->ext = e;
            s->n_ext++;
            e->npeople = yw_snap_get_u8(r);
            if (e->npeople > EXACT_PEOPLE) {
                yw_snap_fail(r, "scorer: too many people");
                e->npeople = 0;
            }
            for (int k = 0; k < e->npeople; k++)
                pent_load(r, &e->people[k]);
            if (yw_snap_get_u8(r) && !r->err) {
                if (!(e->lc = calloc(LC_BITS / 64, sizeof(uint64_t)))) {
                    yw_snap_fail(r, "out of memory");
                    break;
                }
                s->n_lc++;
                for (int k = 0; k < LC_BITS / 64; k++)
                    e->lc[k] = yw_snap_get_u64(r);
            }
            e->nplaces = yw_snap_get_u8(r);
            if (e->nplaces > PLACE_SLOTS) {
                yw_snap_fail(r, "scorer: too many places");
                e->nplaces = 0;
            }
            for (int k = 0; k < e->nplaces; k++) {
                e->places[k].h = yw_snap_get_u64(r);
                e->places[k].count = yw_snap_get_u32(r);
            }
        }
        if (!r->err && ywsc_imap_put(&s->cmap, c->h, i) != 0)
            yw_snap_fail(r, "out of memory");
        s->st.clusters++;
    }
    if (r->err)
        return -1;

    uint64_t nheap = yw_snap_get_count(r, UINT32_MAX, 16);
    if (nheap) {
        size_t hcap = nheap < 256 ? 256 : (size_t)nheap;
        hent_t *h = realloc(s->heap, hcap * sizeof *h);
        if (!h) {
            yw_snap_fail(r, "out of memory");
            return -1;
        }
        s->heap = h;
        s->cap_heap = hcap;
    }
    for (size_t i = 0; i < nheap && !r->err; i++) {
        s->heap[i].due = yw_snap_get_time(r);
        s->heap[i].idx = yw_snap_get_u32(r);
        s->heap[i].gen = yw_snap_get_u32(r);
        if (s->heap[i].idx >= s->ncl)
            yw_snap_fail(r, "scorer: heap entry out of range");
        s->nheap = i + 1;
    }

    uint64_t npp = yw_snap_get_count(r, UINT32_MAX - 1, 5);
    s->free_pp = yw_snap_get_u32(r);
    s->lru_head = yw_snap_get_u32(r);
    s->lru_tail = yw_snap_get_u32(r);
    s->live_pp = yw_snap_get_u32(r);
    if (r->err)
        return -1;
    if (npp) {
        uint32_t pcap = 256;
        while (pcap < npp)
            pcap *= 2;
        person_t *q = realloc(s->pp, (size_t)pcap * sizeof *q);
        if (!q) {
            yw_snap_fail(r, "out of memory");
            return -1;
        }
        s->pp = q;
        s->cap_pp = pcap;
    }
    uint32_t used = 0, detached = 0;
    for (uint32_t i = 0; i < npp && !r->err; i++) {
        person_t *p = &s->pp[i];
        memset(p, 0, sizeof *p);
        s->npp = i + 1;
        p->used = yw_snap_get_u8(r) != 0;
        p->lru_next = yw_snap_get_u32(r);
        if (!p->used)
            continue;
        p->person = yw_snap_get_u64(r);
        p->cidx = yw_snap_get_u32(r);
        p->level = yw_snap_get_u8(r);
        p->flags = yw_snap_get_u8(r);
        p->contacts = yw_snap_get_u32(r);
        p->maxrc = yw_snap_get_u32(r);
        p->defl = yw_snap_get_u32(r);
        p->answered = yw_snap_get_u32(r);
        p->refused = yw_snap_get_u32(r);
        p->home = yw_snap_get_u32(r);
        p->home_gen = yw_snap_get_u32(r);
        if (p->home != NO_CLUSTER && p->home >= s->ncl)
            yw_snap_fail(r, "scorer: person's home cluster out of range");
        p->emo_first = yw_snap_get_f32(r);
        p->emo_peak = yw_snap_get_f32(r);
        p->first_ts = yw_snap_get_time(r);
        p->last_ts = yw_snap_get_time(r);
        p->lru_prev = yw_snap_get_u32(r);
        p->cl_prev = yw_snap_get_u32(r);
        p->cl_next = yw_snap_get_u32(r);
        if (p->cidx == NO_CLUSTER) {
            if (p->cl_prev || p->cl_next)
                yw_snap_fail(r, "scorer: a detached person in a cluster's list");
            else
                detached++;
        } else if (p->cidx >= s->ncl || !s->cl[p->cidx].live)
            yw_snap_fail(r, "scorer: person of a missing cluster");
        else if (!r->err && ywsc_imap_put(&s->pmap, ywsc_person_hash(p->person, p->cidx), i) != 0)
            yw_snap_fail(r, "out of memory");
        used++;
    }
    yw_snap_expect_end(r);
    if (r->err)
        return -1;

    /* Links: every list must be well formed before the first walk by the
     * scorer itself (a loop there would never end). */
    uint32_t nlru = 0;
    if (used != s->live_pp || s->free_cl > s->ncl ||
        !walk_ok(s, s->free_cl, s->ncl, next_free_cl, ok_free_cl, NULL, NULL) ||
        !walk_ok(s, s->free_pp, s->npp, next_lru, ok_free_pp, NULL, NULL) ||
        !walk_ok(s, s->lru_head, s->npp, next_lru, ok_lru, NULL, &nlru) ||
        nlru != used || (used && (!s->lru_tail || s->lru_tail > s->npp ||
                                  s->pp[s->lru_tail - 1].lru_next != 0))) {
        yw_snap_fail(r, "scorer: inconsistent lists");
        return -1;
    }
    uint32_t listed = 0;
    for (uint32_t i = 0; i < s->ncl; i++) {
        uint32_t idx = i, n = 0;
        if (s->cl[i].live &&
            !walk_ok(s, s->cl[i].person_head, s->npp, next_cl, ok_cl, &idx, &n)) {
            yw_snap_fail(r, "scorer: inconsistent person list");
            return -1;
        }
        listed += n;
    }
    if (listed + detached != used) {
        yw_snap_fail(r, "scorer: a person is in no cluster's list");
        return -1;
    }
    return 0;
}
