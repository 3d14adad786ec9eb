/* window.c -- per-cluster event-time counts (see window.h for the contract).
 *
 * A ring is an array indexed by bucket number modulo its length plus the
 * number of its newest bucket (head).  Buckets head-N+1 .. head are live;
 * anything else reads as zero.  Rolling forward clears exactly the buckets
 * that are being reused, at most N of them, so a gap of a year costs no
 * more than a gap of one ring length. */
#include "window.h"

#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

#define LATE_BIT 0x80u

typedef struct {
    int64_t head;                               /* newest bucket number */
    int live;                                   /* has head been set */
} ring_hdr_t;

struct yw_window_rings {
    ring_hdr_t hh, dh;
    uint32_t hour[YW_WIN_HOURS][YW_SRC_COUNT];
    uint32_t day[YW_WIN_DAYS][YW_SRC_COUNT];
};

int64_t yw_window_bucket(int64_t t, int64_t unit)
{
    int64_t q = t / unit;
    if (t % unit != 0 && t < 0)
        q--;
    return q;
}

static size_t ring_slot(int64_t b, int n)
{
    int64_t m = b % n;
    return (size_t)(m < 0 ? m + n : m);
}

/* Add count to bucket b of a ring of n buckets; returns 1 if it was in
 * range (after rolling forward), 0 if older than the tail. */
static int ring_add(ring_hdr_t *h, uint32_t (*cells)[YW_SRC_COUNT], int n,
                    int64_t b, int src, uint32_t count)
{
    if (!h->live) {
        h->live = 1;
        h->head = b;
    } else if (b > h->head) {
        int64_t gap = b - h->head;
        if (gap >= n) {
            memset(cells, 0, sizeof(uint32_t) * YW_SRC_COUNT * (size_t)n);
        } else {
            for (int64_t k = h->head + 1; k <= b; k++)
                memset(cells[ring_slot(k, n)], 0, sizeof cells[0]);
        }
        h->head = b;
    } else if (b <= h->head - n) {
        return 0;
    }
    cells[ring_slot(b, n)][src] += count;
    return 1;
}

static int64_t ring_sum(const ring_hdr_t *h,
                        const uint32_t (*cells)[YW_SRC_COUNT], int n,
                        int64_t lo, int64_t hi, int64_t by_src[YW_SRC_COUNT])
{
    if (!h->live)
        return 0;
    if (hi > h->head)
        hi = h->head;
    if (lo < h->head - n + 1)
        lo = h->head - n + 1;
    if (lo > hi)
        return 0;
    /* One modulo, then walk: this sum runs several times per record. */
    size_t slot = ring_slot(lo, n);
    uint32_t acc[YW_SRC_COUNT] = {0};
    for (int64_t b = lo; b <= hi; b++) {
        const uint32_t *c = cells[slot];
        for (int s = 0; s < YW_SRC_COUNT; s++)
            acc[s] += c[s];
        if (++slot == (size_t)n)
            slot = 0;
    }
    int64_t total = 0;
    for (int s = 0; s < YW_SRC_COUNT; s++) {
        total += acc[s];
        if (by_src)
            by_src[s] += acc[s];
    }
    return total;
}

void yw_window_init(yw_window_t *w)
{
    memset(w, 0, sizeof *w);
}

void yw_window_free(yw_window_t *w)
{
    if (!w)
        return;
    free(w->rings);
    yw_window_init(w);
}

static int rings_add(yw_window_rings_t *r, int64_t t, int src, bool late,
                     uint32_t count)
{
    int flags = 0;
    if (!late &&
        ring_add(&r->hh, r->hour, YW_WIN_HOURS,
                 yw_window_bucket(t, YW_HOUR_MS), src, count))
        flags |= YW_WIN_IN_HOURLY;
    if (ring_add(&r->dh, r->day, YW_WIN_DAYS, yw_window_bucket(t, YW_DAY_MS),
                 src, count))
        flags |= YW_WIN_IN_DAILY;
    return flags;
}

/* Move the inline records into freshly allocated rings. */
static yw_window_rings_t *promote(const yw_window_t *w)
{
    yw_window_rings_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    for (int i = 0; i < w->ninline; i++)
        rings_add(r, w->its[i], w->isrc[i] & ~LATE_BIT & 0xff,
                  (w->isrc[i] & LATE_BIT) != 0, 1);
    return r;
}

int yw_window_add(yw_window_t *w, int64_t t, yw_source_t src, bool late)
{
    if ((int)src < 0 || src >= YW_SRC_COUNT)
        src = YW_SRC_HOTLINE;   /* the decoder never yields this; be safe */
    int flags;
    if (!w->rings && w->ninline < YW_WIN_INLINE) {
        w->its[w->ninline] = t;
        w->isrc[w->ninline] = (uint8_t)(src | (late ? LATE_BIT : 0));
        w->ninline++;
        flags = YW_WIN_IN_DAILY | (late ? 0 : YW_WIN_IN_HOURLY);
    } else {
        if (!w->rings) {
            w->rings = promote(w);
            if (!w->rings)
                return -1;
        }
        flags = rings_add(w->rings, t, src, late, 1);
    }
    w->total[src]++;
    if (late)
        w->late++;
    return flags;
}

int yw_window_merge(yw_window_t *into, const yw_window_t *from)
{
    if (!from->rings && !into->rings &&
        into->ninline + from->ninline <= YW_WIN_INLINE) {
        for (int i = 0; i < from->ninline; i++) {
            into->its[into->ninline] = from->its[i];
            into->isrc[into->ninline] = from->isrc[i];
            into->ninline++;
        }
    } else {
        if (!into->rings) {
            into->rings = promote(into);
            if (!into->rings)
                return -1;
        }
        yw_window_rings_t *r = into->rings;
        if (!from->rings) {
            for (int i = 0; i < from->ninline; i++)
                rings_add(r, from->its[i], from->isrc[i] & ~LATE_BIT & 0xff,
                          (from->isrc[i] & LATE_BIT) != 0, 1);
        } else {
            /* Oldest first, so the head only ever moves forward once per
             * bucket and no live bucket of `from` is cleared by a roll. */
            const yw_window_rings_t *f = from->rings;
            if (f->hh.live)
                for (int64_t b = f->hh.head - YW_WIN_HOURS + 1; b <= f->hh.head; b++)
                    for (int s = 0; s < YW_SRC_COUNT; s++) {
                        uint32_t c = f->hour[ring_slot(b, YW_WIN_HOURS)][s];
                        if (c)
                            ring_add(&r->hh, r->hour, YW_WIN_HOURS, b, s, c);
                    }
            if (f->dh.live)
                for (int64_t b = f->dh.head - YW_WIN_DAYS + 1; b <= f->dh.head; b++)
                    for (int s = 0; s < YW_SRC_COUNT; s++) {
                        uint32_t c = f->day[ring_slot(b, YW_WIN_DAYS)][s];
                        if (c)
                            ring_add(&r->dh, r->day, YW_WIN_DAYS, b, s, c);
                    }
        }
    }
    for (int s = 0; s < YW_SRC_COUNT; s++)
        into->total[s] += from->total[s];
    into->late += from->late;
    return 0;
}

static int64_t inline_sum(const yw_window_t *w, int64_t unit, bool hourly,
                          int64_t lo, int64_t hi, int64_t by_src[YW_SRC_COUNT])
{
    int64_t total = 0;
    for (int i = 0; i < w->ninline; i++) {
        if (hourly && (w->isrc[i] & LATE_BIT))
            continue;
        int64_t b = yw_window_bucket(w->its[i], unit);
        if (b < lo || b > hi)
            continue;
        total++;
        if (by_src)
            by_src[w->isrc[i] & ~LATE_BIT & 0xff]++;
    }
    return total;
}

int64_t yw_window_hours(const yw_window_t *w, int64_t now, int ago_min,
                        int ago_max, int64_t by_src[YW_SRC_COUNT])
{
    int64_t h = yw_window_bucket(now, YW_HOUR_MS);
    if (!w->rings)
        return inline_sum(w, YW_HOUR_MS, true, h - ago_max, h - ago_min, by_src);
    return ring_sum(&w->rings->hh, (const uint32_t(*)[YW_SRC_COUNT])w->rings->hour,
                    YW_WIN_HOURS, h - ago_max, h - ago_min, by_src);
}

int64_t yw_window_days(const yw_window_t *w, int64_t now, int ago_min,
                       int ago_max, int64_t by_src[YW_SRC_COUNT])
{
    int64_t d = yw_window_bucket(now, YW_DAY_MS);
    if (!w->rings)
        return inline_sum(w, YW_DAY_MS, false, d - ago_max, d - ago_min, by_src);
    return ring_sum(&w->rings->dh, (const uint32_t(*)[YW_SRC_COUNT])w->rings->day,
                    YW_WIN_DAYS, d - ago_max, d - ago_min, by_src);
}

int64_t yw_window_total(const yw_window_t *w)
{
    int64_t n = 0;
    for (int s = 0; s < YW_SRC_COUNT; s++)
        n += w->total[s];
    return n;
}

bool yw_window_has_rings(const yw_window_t *w)
{
    return w->rings != NULL;
}

size_t yw_window_heap_bytes(const yw_window_t *w)
{
    return w->rings ? sizeof *w->rings : 0;
}

size_t yw_window_rings_size(void)
{
    return sizeof(yw_window_rings_t);
}

/* ---- snapshots ------------------------------------------------------------ */

static void ring_save(yw_snap_buf_t *b, const ring_hdr_t *h,
                      const uint32_t (*cells)[YW_SRC_COUNT], int n)
{
    yw_snap_put_u8(b, (uint8_t)h->live);
    yw_snap_put_i64(b, h->head);
    for (int i = 0; i < n; i++)
        for (int s = 0; s < YW_SRC_COUNT; s++)
            yw_snap_put_u32(b, cells[i][s]);
}

static void ring_load(yw_snap_rd_t *r, ring_hdr_t *h, uint32_t (*cells)[YW_SRC_COUNT], int n)
{
    h->live = yw_snap_get_u8(r) != 0;
    h->head = yw_snap_get_time(r);
    for (int i = 0; i < n; i++)
        for (int s = 0; s < YW_SRC_COUNT; s++)
            cells[i][s] = yw_snap_get_u32(r);
}

void yw_window_save(const yw_window_t *w, yw_snap_buf_t *b)
{
    yw_snap_put_u8(b, w->ninline);
    for (int i = 0; i < w->ninline && i < YW_WIN_INLINE; i++) {
        yw_snap_put_i64(b, w->its[i]);
        yw_snap_put_u8(b, w->isrc[i]);
    }
    for (int s = 0; s < YW_SRC_COUNT; s++)
        yw_snap_put_u32(b, w->total[s]);
    yw_snap_put_u32(b, w->late);
    yw_snap_put_u8(b, w->rings != NULL);
    if (w->rings) {
        ring_save(b, &w->rings->hh, (const uint32_t (*)[YW_SRC_COUNT])w->rings->hour, YW_WIN_HOURS);
        ring_save(b, &w->rings->dh, (const uint32_t (*)[YW_SRC_COUNT])w->rings->day, YW_WIN_DAYS);
    }
}

int yw_window_load(yw_window_t *w, yw_snap_rd_t *r)
{
    yw_window_init(w);
    uint8_t n = yw_snap_get_u8(r);
    if (n > YW_WIN_INLINE)
        yw_snap_fail(r, "window: too many inline records");
    for (int i = 0; i < n && !r->err; i++) {
        w->its[i] = yw_snap_get_time(r);
        w->isrc[i] = yw_snap_get_u8(r);
        if ((w->isrc[i] & ~LATE_BIT) >= YW_SRC_COUNT)
            yw_snap_fail(r, "window: bad source");
    }
    w->ninline = r->err ? 0 : n;
    for (int s = 0; s < YW_SRC_COUNT; s++)
        w->total[s] = yw_snap_get_u32(r);
    w->late = yw_snap_get_u32(r);
    if (yw_snap_get_u8(r) && !r->err) {
        if (!(w->rings = calloc(1, sizeof *w->rings))) {
            yw_snap_fail(r, "out of memory");
        } else {
            ring_load(r, &w->rings->hh, w->rings->hour, YW_WIN_HOURS);
            ring_load(r, &w->rings->dh, w->rings->day, YW_WIN_DAYS);
        }
    }
    if (r->err) {
        yw_window_free(w);
        return -1;
    }
    return 0;
}
