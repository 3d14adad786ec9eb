/* score_person.c -- person-level escalation (docs/scoring.md "Person-level
 * escalation"): one state per complainant that follows them from cluster
 * to cluster, the pattern that raises it (contacts, deflections, refusals,
 * rising emotion, self-harm language), and the `kind: person` alert.  The
 * state lives in the scorer (score_impl.h); score.c calls in once per
 * record with a person. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pii.h"
#include "score_impl.h"

/* ---- person-level escalation -------------------------------------------- */

/* A person's state follows them: one entry per person, in the list of the
 * cluster of their latest contact (an angry caller's records often land in
 * several clusters of one issue).  The hash is of the person alone; cidx is
 * kept in the signature for the snapshot loader. */
uint64_t ywsc_person_hash(uint64_t person, uint32_t cidx)
{
    (void)cidx;
    return mix64(person ^ 0x51ed27ULL);
}

int64_t ywsc_person_find(const yw_scorer_t *s, uint64_t person)
{
    uint64_t h = ywsc_person_hash(person, 0);
    const imap_t *m = &s->pmap;
    for (size_t i = h & m->mask; m->v[i]; i = (i + 1) & m->mask)
        if (m->h[i] == h) {
            const person_t *p = &s->pp[m->v[i] - 1];
            if (p->person == person)
                return m->v[i] - 1;
        }
    return -1;
}

#define PP(i) (&s->pp[(i) - 1])

static void lru_unlink(yw_scorer_t *s, uint32_t pi)
{
    person_t *p = &s->pp[pi];
    if (p->lru_prev)
        PP(p->lru_prev)->lru_next = p->lru_next;
    else
        s->lru_head = p->lru_next;
    if (p->lru_next)
        PP(p->lru_next)->lru_prev = p->lru_prev;
    else
        s->lru_tail = p->lru_prev;
    p->lru_prev = p->lru_next = 0;
}

static void lru_push_front(yw_scorer_t *s, uint32_t pi)
{
    person_t *p = &s->pp[pi];
    p->lru_prev = 0;
    p->lru_next = s->lru_head;
    if (s->lru_head)
        PP(s->lru_head)->lru_prev = pi + 1;
    s->lru_head = pi + 1;
    if (!s->lru_tail)
        s->lru_tail = pi + 1;
}

static void cl_unlink(yw_scorer_t *s, uint32_t pi)
{
    person_t *p = &s->pp[pi];
    if (p->cidx == NO_CLUSTER)
        return;
    if (p->cl_prev)
        PP(p->cl_prev)->cl_next = p->cl_next;
    else
        s->cl[p->cidx].person_head = p->cl_next;
    if (p->cl_next)
        PP(p->cl_next)->cl_prev = p->cl_prev;
    p->cl_prev = p->cl_next = 0;
}

static void cl_push(yw_scorer_t *s, uint32_t pi)
{
    person_t *p = &s->pp[pi];
    cluster_t *c = &s->cl[p->cidx];
    p->cl_prev = 0;
    p->cl_next = c->person_head;
    if (c->person_head)
        PP(c->person_head)->cl_prev = pi + 1;
    c->person_head = pi + 1;
}

void ywsc_person_move(yw_scorer_t *s, uint32_t pi, uint32_t cidx)
{
    cl_unlink(s, pi);
    s->pp[pi].cidx = cidx;
    cl_push(s, pi);
}

static void person_unlink_free(yw_scorer_t *s, uint32_t pi)
{
    person_t *p = &s->pp[pi];
    ywsc_imap_del(&s->pmap, ywsc_person_hash(p->person, p->cidx), pi);
    lru_unlink(s, pi);
    cl_unlink(s, pi);
    p->used = 0;
    p->lru_next = s->free_pp;
    s->free_pp = pi + 1;
    s->live_pp--;
}

static int64_t person_new(yw_scorer_t *s, uint64_t person, uint32_t cidx)
{
    /* Quiet pairs go first, then the least recently contacted. */
    while (s->lru_tail && PP(s->lru_tail)->last_ts < s->max_t - s->conf.person_ttl_ms)
        person_unlink_free(s, s->lru_tail - 1);
    if (s->live_pp >= (uint32_t)s->conf.person_cap && s->lru_tail)
        person_unlink_free(s, s->lru_tail - 1);
    uint32_t pi;
    if (s->free_pp) {
        pi = s->free_pp - 1;
        s->free_pp = s->pp[pi].lru_next;
    } else {
        if (s->npp == s->cap_pp) {
            uint32_t cap = s->cap_pp ? s->cap_pp * 2 : 256;
            person_t *q = realloc(s->pp, (size_t)cap * sizeof *q);
            if (!q)
                return -1;
            s->pp = q;
            s->cap_pp = cap;
        }
        pi = s->npp++;
    }
    person_t *p = &s->pp[pi];
    memset(p, 0, sizeof *p);
    p->person = person;
    p->cidx = cidx;
    p->home = NO_CLUSTER;
    p->used = 1;
    if (ywsc_imap_put(&s->pmap, ywsc_person_hash(person, cidx), pi) != 0) {
        p->used = 0;
        p->lru_next = s->free_pp;
        s->free_pp = pi + 1;
        return -1;
    }
    lru_push_front(s, pi);
    cl_push(s, pi);
    s->live_pp++;
    return pi;
}

static void person_alert(yw_scorer_t *s, const person_t *p, int prev, int level,
                         const yw_record_t *rec, const cluster_t *c,
                         const yw_alert_t *view, yw_score_emit_fn emit,
                         void *opaque)
{
    yw_alert_t *a = &s->scratch;
    memset(a, 0, sizeof *a);
    a->schema_version = YW_SCHEMA_VERSION;
    a->kind = YW_ALERT_PERSON;
    memcpy(a->cluster, c->id, sizeof a->cluster);
    yw_pii_key_from_hmac(rec->person_hmac, a->person);
    a->level = (yw_level_t)level;
    a->prev_level = (yw_level_t)prev;
    a->event_time = rec->ts_ms;
    if (view)
        ywsc_copy_view(a, view);
    else if (s->view)
        s->view(s->view_opaque, c->id, a);
    int contacts = (int)(p->contacts > p->maxrc ? p->contacts : p->maxrc);
    a->records = p->contacts;
    a->people = 1;
    a->repeat_contacts = contacts - 1;
    a->first_seen = p->first_ts;

    double rise = (double)p->emo_peak - (double)p->emo_first;
    struct { const char *name; double value, pts; } sg[] = {
        { "contacts", contacts, 10.0 * (contacts > 5 ? 5 : contacts) },
        { "deflections", p->defl, 10.0 * (p->defl > 3 ? 3 : p->defl) },
        { "emotion_rise", rise, rise > 0 ? 10.0 * fmin(rise, 2) : 0 },
        { "escalation", (p->flags & PF_ESC) ? 1 : 0, (p->flags & PF_ESC) ? 15 : 0 },
        { "selfharm", (p->flags & PF_SELFHARM) ? 1 : 0,
          (p->flags & PF_SELFHARM) ? 40 : 0 },
    };
    double score = 0;
    for (size_t i = 0; i < sizeof sg / sizeof sg[0]; i++) {
        score += sg[i].pts;
        if (sg[i].pts <= 0)
            continue;
        yw_signal_t *o = &a->signals[a->nsignals++];
        snprintf(o->name, sizeof o->name, "%s", sg[i].name);
        o->value = sg[i].value;
        o->contribution = sg[i].pts;
    }
    for (int i = 0; i < a->nsignals; i++) {
        yw_signal_t *o = &a->signals[i];
        if (strcmp(o->name, "contacts") == 0)
            snprintf(o->detail, sizeof o->detail, "同一人就此事反映%d次", contacts);
        else if (strcmp(o->name, "deflections") == 0)
            snprintf(o->detail, sizeof o->detail, "%u次被推诿或未解决", p->defl);
        else if (strcmp(o->name, "emotion_rise") == 0)
            snprintf(o->detail, sizeof o->detail, "情绪由%.1f升至%.1f",
                     (double)p->emo_first, (double)p->emo_peak);
        else if (strcmp(o->name, "escalation") == 0)
            snprintf(o->detail, sizeof o->detail, "出现升级言辞");
        else
            snprintf(o->detail, sizeof o->detail, "出现自伤言辞");
    }
    a->score = score > 100 ? 100 : score;
    yw_alert_make_id(a);
    s->st.alerts_person++;
    if (emit)
        emit(opaque, a);
}

/* One contact by a person (pi: their state, or -1 when not tracked yet):
 * track the person once they have two contacts and raise a person alert
 * when they escalate. */
void ywsc_person_observe(yw_scorer_t *s, uint32_t cidx, const pent_t *pe,
                           int64_t pi, const contact_t *ct, const yw_record_t *rec,
                           const yw_alert_t *view, yw_score_emit_fn emit, void *opaque)
{
    const yw_score_conf_t *cf = &s->conf;
    const int rc = ct->rc;
    person_t *p;
    if (pi >= 0) {
        p = &s->pp[pi];
        if (p->cidx != cidx)            /* the person moved on to another cluster */
            ywsc_person_move(s, (uint32_t)pi, cidx);
        p->contacts++;
        if ((uint32_t)rc > p->maxrc)
            p->maxrc = (uint32_t)rc;
        p->defl += ct->defl;
        p->answered += ct->answered;
        p->refused += ct->refused;
        p->flags |= (uint8_t)ct->flags;
        if (ct->emo > p->emo_peak)
            p->emo_peak = ct->emo;
        if (rec->ts_ms > p->last_ts)
            p->last_ts = rec->ts_ms;
        lru_unlink(s, (uint32_t)pi);
        lru_push_front(s, (uint32_t)pi);
    } else {
        int contacts = pe ? contacts_of(pe) : rc;
        if (contacts < 2)
            return;
        pi = person_new(s, ct->key, cidx);
        if (pi < 0)
            return;
        p = &s->pp[pi];
        if (pe) {       /* seeded from what the cluster remembers */
            p->contacts = pe->n;
            p->maxrc = pe->maxrc;
            p->defl = pe->ndefl;
            p->answered = pe->nans;
            p->refused = pe->nrefused;
            p->flags = pe->flags;
            p->emo_first = pe->emo_first;
        } else {
            p->contacts = 1;
            p->maxrc = (uint32_t)rc;
            p->defl = ct->defl;
            p->answered = ct->answered;
            p->refused = ct->refused;
            p->flags = (uint8_t)ct->flags;
            p->emo_first = ct->emo;
        }
        p->emo_peak = ct->emo;
        p->first_ts = p->last_ts = rec->ts_ms;
    }
    uint32_t contacts = p->contacts > p->maxrc ? p->contacts : p->maxrc;
    int level = YW_LEVEL_NONE;
    /* Escalating: angrier than at first, or refused again and again (a
     * caller angry from the first call cannot get angrier). */
    bool escalating = p->emo_peak > p->emo_first ||
                      (int)p->refused >= cf->person_refusals_alone;
    if ((int)contacts >= cf->person_min_contacts &&
        (int)p->defl >= cf->person_min_deflections && escalating) {
        level = YW_LEVEL_YELLOW;
        if ((int)p->defl >= cf->person_orange_deflections &&
            (double)p->defl >= cf->person_orange_share * (double)p->answered &&
            (int)p->refused >= cf->person_orange_refusals)
            level = YW_LEVEL_ORANGE;
    }
    /* Self-harm language: the same level as the cluster's floor (the
     * record that carries it raises the cluster there too). */
    if ((p->flags & PF_SELFHARM) && level < cf->selfharm_level)
        level = cf->selfharm_level;
    /* Home: the cluster of their latest answered contact (a 12345 call,
     * where the grievance is on record).  A 110 call or a post of theirs
     * often lands in another cluster; the alert names the home. */
    if (ct->answered) {
        p->home = cidx;
        p->home_gen = s->cl[cidx].gen;
    }
    uint32_t at = cidx;
    if (p->home != NO_CLUSTER && s->cl[p->home].live && s->cl[p->home].gen == p->home_gen)
        at = p->home;
    if (level > p->level) {
        int prev = p->level;
        p->level = (uint8_t)level;
        /* The cluster was evaluated on this record first: a rise to a level
         * the cluster already holds adds nothing an official does not have
         * (one issue, one alert per level). */
        if (s->cl[at].level < level)
            person_alert(s, p, prev, level, rec, &s->cl[at], at == cidx ? view : NULL,
                         emit, opaque);
    }
}
