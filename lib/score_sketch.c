/* score_sketch.c -- who and where in one cluster: its complainants (the
 * first EXACT_PEOPLE exactly, with their contacts, then a linear-counting
 * sketch) and the repeat contacts they add, its places (Misra-Gries
 * counters over street keys), and how one cluster's people join another's
 * on a merge.  docs/scoring.md "Distinct complainants", "Repeat
 * contacts" and "Places". */
#include <math.h>
#include <stdlib.h>

#include "score_impl.h"

/* ---- people and places --------------------------------------------------- */

int ywsc_ensure_ext(yw_scorer_t *s, cluster_t *c)
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

bool ywsc_lc_set(uint64_t *lc, uint64_t key)
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

int64_t ywsc_people_count(const cluster_t *c)
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
pent_t *ywsc_people_add(yw_scorer_t *s, cluster_t *c, const contact_t *ct,
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
            if (ywsc_ensure_ext(s, c) != 0)
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
                        ywsc_lc_set(c->ext->lc, c->ext->people[i].key);
                }
                *is_new = ywsc_lc_set(c->ext->lc, key);
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
        ywsc_lc_set(c->ext->lc, key);
    return p;
}

/* Misra-Gries: PLACE_SLOTS counters; a full table decrements all. */
void ywsc_places_add(cluster_t *c, uint64_t h, uint32_t count)
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

uint32_t ywsc_places_top(const cluster_t *c)
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
uint64_t ywsc_place_key(const yw_record_t *r)
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

/* ---- merging two clusters' people --------------------------------------- */

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
void ywsc_merge_people(yw_scorer_t *s, cluster_t *into, const pent_t *p)
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
    q = ywsc_people_add(s, into, &ct, &is_new, &rdelta);
    if (q)
        *q = *p;
}
