/* align.c -- see align.h.  A handful of partitions (tens, not thousands):
 * partitions are found by a linear scan and each keeps its items in a
 * growable ring. */
#include "align.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    void *item;
    int64_t ts;
} held_t;

typedef struct {
    char *topic;
    int32_t partition;
    held_t *q;                 /* ring of cap items, n from head */
    size_t head, n, cap;
    bool eof;                  /* at its end since its last item */
    bool heard;                /* delivered or reached its end since it was assigned */
    bool unassigned;           /* another member's, for now (yw_align_set_unassigned) */
    int64_t hold_until;        /* unassigned: holds the others back until then */
    int64_t last_ms;           /* when it last delivered, reached its end or was assigned */
    int64_t last_ts;           /* the newest timestamp it delivered (-1: none) */
} apart_t;

struct yw_align {
    apart_t *p;
    size_t np, cp;
    size_t held, max_held;
    int64_t idle_ms;
    void (*release)(void *item);
    yw_align_pending_fn pending;
    void *pending_opaque;
};

/* While a silent partition is known to have more messages pending, or has
 * not been heard from at all since its assignment, the caller is asked to
 * come back this soon (not to spin) -- for at most PENDING_IDLE_FACTOR x
 * idle_ms of silence: a high watermark that is never reached (transaction
 * markers count as offsets), or a partition that cannot be fetched, must
 * not hold the others for long. */
#define PENDING_RECHECK_MS 5
#define PENDING_IDLE_FACTOR 10

yw_align_t *yw_align_create(int64_t idle_ms, size_t max_held, void (*release)(void *item))
{
    yw_align_t *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->idle_ms = idle_ms;
    a->max_held = max_held ? max_held : 1;
    a->release = release;
    return a;
}

static void part_clear(yw_align_t *a, apart_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        void *item = p->q[(p->head + i) % p->cap].item;
        if (a->release)
            a->release(item);
    }
    a->held -= p->n;
    p->head = p->n = 0;
}

void yw_align_destroy(yw_align_t *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->np; i++) {
        part_clear(a, &a->p[i]);
        free(a->p[i].q);
        free(a->p[i].topic);
    }
    free(a->p);
    free(a);
}

static apart_t *part_find(const yw_align_t *a, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < a->np; i++)
        if (a->p[i].partition == partition && strcmp(a->p[i].topic, topic) == 0)
            return &a->p[i];
    return NULL;
}

static apart_t *part_get(yw_align_t *a, const char *topic, int32_t partition, int64_t now_ms)
{
    apart_t *p = part_find(a, topic, partition);
    if (p)
        return p;
    if (a->np == a->cp) {
        size_t nc = a->cp ? a->cp * 2 : 16;
        apart_t *np = realloc(a->p, nc * sizeof *np);
        if (!np)
            return NULL;
        a->p = np;
        a->cp = nc;
    }
    char *t = strdup(topic);
    if (!t)
        return NULL;
    p = &a->p[a->np++];
    memset(p, 0, sizeof *p);
    p->topic = t;
    p->partition = partition;
    p->last_ms = now_ms;
    p->last_ts = -1;
    return p;
}

int yw_align_add_partition(yw_align_t *a, const char *topic, int32_t partition, int64_t now_ms)
{
    apart_t *p = part_get(a, topic, partition, now_ms);
    if (!p)
        return -1;
    p->unassigned = false;
    p->eof = false;
    p->heard = false;
    p->last_ms = now_ms;
    return 0;
}

static void part_remove(yw_align_t *a, apart_t *p)
{
    part_clear(a, p);
    free(p->q);
    free(p->topic);
    *p = a->p[--a->np];
}

void yw_align_drop_partition(yw_align_t *a, const char *topic, int32_t partition)
{
    apart_t *p = part_find(a, topic, partition);
    if (p)
        part_remove(a, p);
}

int yw_align_set_unassigned(yw_align_t *a, const yw_align_part_t *parts, size_t n,
                            int64_t now_ms, int64_t hold_ms)
{
    /* Those no longer in the set go (assigned ones are not touched) ... */
    for (size_t i = a->np; i-- > 0;) {
        apart_t *p = &a->p[i];
        bool keep = false;
        for (size_t j = 0; p->unassigned && !keep && j < n; j++)
            keep = parts[j].partition == p->partition && strcmp(parts[j].topic, p->topic) == 0;
        if (p->unassigned && !keep)
            part_remove(a, p);
    }
    /* ... and the set holds from now: a dead member is expelled within its
     * session of the group's latest rebalance, which this call follows
     * (with cooperative-sticky the assignment comes in two rebalances, and
     * the second one restarts the dead member's session too). */
    int rc = 0;
    for (size_t j = 0; j < n; j++) {
        apart_t *p = part_find(a, parts[j].topic, parts[j].partition);
        if (p && !p->unassigned)
            continue;
        if (!p && !(p = part_get(a, parts[j].topic, parts[j].partition, now_ms))) {
            rc = -1;
            continue;
        }
        p->unassigned = true;
        p->hold_until = now_ms + hold_ms;
    }
    return rc;
}

void yw_align_eof(yw_align_t *a, const char *topic, int32_t partition, int64_t now_ms)
{
    apart_t *p = part_get(a, topic, partition, now_ms);
    if (!p)
        return;
    p->unassigned = false;
    p->eof = true;
    p->heard = true;
    p->last_ms = now_ms;
}

int yw_align_push(yw_align_t *a, const char *topic, int32_t partition, int64_t ts,
                  void *item, int64_t now_ms)
{
    apart_t *p = part_get(a, topic, partition, now_ms);
    if (!p)
        return -1;
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 64;
        held_t *nq = malloc(nc * sizeof *nq);
        if (!nq)
            return -1;
        for (size_t i = 0; i < p->n; i++)
            nq[i] = p->q[(p->head + i) % p->cap];
        free(p->q);
        p->q = nq;
        p->head = 0;
        p->cap = nc;
    }
    /* A timestamp that is unknown or older than the partition's last one
     * keeps the partition's order: items leave a partition in arrival
     * order, so its head must never look older than what went before. */
    if (ts < p->last_ts)
        ts = p->last_ts;
    p->q[(p->head + p->n) % p->cap] = (held_t){ item, ts };
    p->n++;
    a->held++;
    p->unassigned = false;
    p->eof = false;
    p->heard = true;
    p->last_ms = now_ms;
    p->last_ts = ts;
    return 0;
}

/* The partition whose head is oldest (NULL when nothing is held). */
static apart_t *oldest(const yw_align_t *a)
{
    apart_t *best = NULL;
    for (size_t i = 0; i < a->np; i++) {
        apart_t *p = &a->p[i];
        if (p->n && (!best || p->q[p->head].ts < best->q[best->head].ts))
            best = p;
    }
    return best;
}

/* Silent partition p has been quiet for idle_ms, but it has delivered
 * before and the caller knows it has more: it is not idle, only unread. */
static bool pending(const yw_align_t *a, const apart_t *p)
{
    return a->pending && p->last_ts >= 0 &&
           a->pending(a->pending_opaque, p->topic, p->partition);
}

/* Could silent partition p still deliver something older than ts?  Past
 * idle_ms only if it is not idle but unread (pending), or unheard: no
 * message and no end since its assignment means its first fetch has not
 * been answered yet -- seconds when the broker has just started, and the
 * others racing ahead meanwhile would apply days of records before its
 * first one. */
static bool may_hold(const yw_align_t *a, const apart_t *p, int64_t ts, int64_t now_ms)
{
    if (p->unassigned)
        return now_ms < p->hold_until;
    if (p->n || p->eof || p->last_ts >= ts)
        return false;
    int64_t quiet = now_ms - p->last_ms;
    return quiet < a->idle_ms ||
           (quiet < PENDING_IDLE_FACTOR * a->idle_ms && (!p->heard || pending(a, p)));
}

void *yw_align_pop(yw_align_t *a, int64_t now_ms)
{
    apart_t *best = oldest(a);
    if (!best)
        return NULL;
    held_t h = best->q[best->head];
    if (a->idle_ms > 0 && a->held < a->max_held)
        for (size_t i = 0; i < a->np; i++)
            if (may_hold(a, &a->p[i], h.ts, now_ms))
                return NULL;
    best->head = (best->head + 1) % best->cap;
    best->n--;
    a->held--;
    return h.item;
}

int64_t yw_align_due(const yw_align_t *a, int64_t now_ms)
{
    apart_t *best = oldest(a);
    if (!best)
        return -1;
    int64_t ts = best->q[best->head].ts, due = now_ms;
    if (a->idle_ms > 0 && a->held < a->max_held)
        for (size_t i = 0; i < a->np; i++) {
            const apart_t *p = &a->p[i];
            if (!may_hold(a, p, ts, now_ms))
                continue;
            int64_t until = p->unassigned ? p->hold_until : p->last_ms + a->idle_ms;
            if (until <= now_ms)            /* held by pending messages */
                until = now_ms + PENDING_RECHECK_MS;
            if (until > due)
                due = until;
        }
    return due;
}

size_t yw_align_held(const yw_align_t *a)
{
    return a->held;
}

void yw_align_set_pending(yw_align_t *a, yw_align_pending_fn fn, void *opaque)
{
    a->pending = fn;
    a->pending_opaque = opaque;
}
