/* window.h -- per-cluster event-time counts: hourly and daily rings by source.
 *
 * Owns: the counts the scorer reads for volume, burst, growth and
 * corroboration.  One yw_window_t per cluster, embedded in the scorer's
 * cluster entry.
 *
 * Time is event time only, never the wall clock: every function takes the
 * time it should use.  Times are "local" milliseconds (epoch ms + the zone
 * offset, added by the caller) so that daily buckets start at local
 * midnight; hours are whole hours in either frame for whole-hour zones.
 *
 * Lazy: most clusters are singletons, so the first YW_WIN_INLINE records
 * are kept inline as (time, source) pairs and the rings (~2.6 KiB) are
 * allocated only when one more record arrives.  Queries answer the same
 * from either form.
 *
 * Rings: YW_WIN_HOURS hourly and YW_WIN_DAYS daily buckets, each with a
 * count per source.  A ring's head is the newest bucket it has seen; a
 * record past the head rolls the ring forward, clearing the buckets it
 * skips (all of them when the gap is longer than the ring).  A record older
 * than the ring's tail is not in that ring (it still counts in the totals).
 *
 * Lateness: the watermark belongs to the scorer, which tells add() whether
 * a record is late.  A late record is NOT added to the hourly buckets: an
 * hour behind the watermark is final and has fed the burst test already,
 * and adding to it would report an old burst as a new one.  It IS added to
 * the daily buckets when its day is still in the ring: volume and growth
 * are coarse, and a record a few hours late still belongs to its day.
 * Late records are counted in `late`.  The choice is documented in
 * docs/scoring.md ("Time"). */
#ifndef YW_WINDOW_H
#define YW_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define YW_WIN_HOURS 96          /* >= 72 h of hourly buckets */
#define YW_WIN_DAYS 64           /* >= 60 days of daily buckets */
#define YW_WIN_INLINE 3          /* records kept inline before the rings */
#define YW_HOUR_MS 3600000LL
#define YW_DAY_MS 86400000LL

/* Flags returned by yw_window_add(). */
#define YW_WIN_IN_HOURLY 1
#define YW_WIN_IN_DAILY 2

typedef struct yw_window_rings yw_window_rings_t;

typedef struct {
    int64_t its[YW_WIN_INLINE];     /* inline records: local time ... */
    uint8_t isrc[YW_WIN_INLINE];    /* ... and source (| 0x80 when late) */
    uint8_t ninline;
    uint32_t total[YW_SRC_COUNT];   /* every record ever added, by source */
    uint32_t late;                  /* records added as late */
    yw_window_rings_t *rings;       /* NULL until the inline slots overflow */
} yw_window_t;

void yw_window_init(yw_window_t *w);
/* Release the rings; w is back to the init state. */
void yw_window_free(yw_window_t *w);

/* Count one record of source src at local time t.  late: the scorer's
 * watermark has passed t (see the top of this file).  Returns the
 * YW_WIN_IN_* flags of the rings that took it (inline records count as
 * taken by both, hourly unless late), or -1 on ENOMEM (nothing counted). */
int yw_window_add(yw_window_t *w, int64_t t, yw_source_t src, bool late);

/* Add every count of `from` into `into` (clusters merged).  Returns 0, or
 * -1 on ENOMEM with `into` unchanged. */
int yw_window_merge(yw_window_t *into, const yw_window_t *from);

/* Sum of the hourly buckets h with hour(now) - ago_max <= h <= hour(now) -
 * ago_min (ago 0 is the hour that contains now).  Per source into by_src
 * when non-NULL.  Returns the total. */
int64_t yw_window_hours(const yw_window_t *w, int64_t now, int ago_min,
                        int ago_max, int64_t by_src[YW_SRC_COUNT]);
/* The same over daily buckets. */
int64_t yw_window_days(const yw_window_t *w, int64_t now, int ago_min,
                       int ago_max, int64_t by_src[YW_SRC_COUNT]);

/* Records ever added (all sources). */
int64_t yw_window_total(const yw_window_t *w);
bool yw_window_has_rings(const yw_window_t *w);
/* Heap bytes held by w (0 for an inline window). */
size_t yw_window_heap_bytes(const yw_window_t *w);
/* Bytes of one set of rings (what the fourth record allocates). */
size_t yw_window_rings_size(void);

/* floor(t / unit) for negative t too. */
int64_t yw_window_bucket(int64_t t, int64_t unit);

/* Snapshots (snapshot.h).  load fills an initialised, empty w; 0, or -1
 * with the reason in r->err (w is then left empty). */
struct yw_snap_buf;
struct yw_snap_rd;
void yw_window_save(const yw_window_t *w, struct yw_snap_buf *b);
int yw_window_load(yw_window_t *w, struct yw_snap_rd *r);

#endif
