/* stage.h -- the middle of the pipeline: records in, alerts out.
 *
 * The interface the clustering and scoring stages fill in.  All state lives
 * in a yw_shard_t (no globals), so one process can hold one shard or many.
 * The foundation implementation (stage.c) is deliberately simple: it counts
 * records per (district, category) in a sliding event-time window and
 * raises the level when a count crosses the configured thresholds.
 *
 * The shard calls emit() for every alert and summary() for every cluster
 * whose summary changed; both run synchronously inside yw_shard_apply. */
#ifndef YW_STAGE_H
#define YW_STAGE_H

#include "alert.h"
#include "config.h"
#include "record.h"

typedef struct yw_shard yw_shard_t;

typedef struct {
    /* A level change (rise = alert, fall = downgrade event). */
    void (*emit)(void *opaque, const yw_alert_t *alert);
    /* The current summary of a cluster (same struct, kind=cluster). */
    void (*summary)(void *opaque, const yw_alert_t *summary);
    void *opaque;
} yw_stage_out_t;

yw_shard_t *yw_shard_create(const yw_config_t *cfg, char *errbuf, size_t errlen);
void yw_shard_destroy(yw_shard_t *shard);

/* Apply one decoded record.  Returns 0. */
int yw_shard_apply(yw_shard_t *shard, const yw_record_t *rec,
                   const yw_stage_out_t *out);

/* Counters for metrics. */
typedef struct {
    uint64_t records, late, clusters_live, alerts;
} yw_shard_stats_t;
void yw_shard_stats(const yw_shard_t *shard, yw_shard_stats_t *st);

#endif
