/* stage.h -- the middle of the pipeline: records in, alerts out.
 *
 * A yw_shard_t holds all clustering and scoring state of one shard (no
 * globals), so one process can hold one shard or many.  Per record:
 *   features (lib/featurize: masking, tokens, rules, entities)
 *   -> cluster (lib/cluster: the concrete issue it is about)
 *   -> score (lib/score: windows, signals, levels with hysteresis)
 * The shard keeps, per live cluster, a few recent sample records (personal
 * data masked) for the analyst's drill-down.
 *
 * The daemon and `ywctl backtest` hand records over in batches
 * (yw_shard_apply_batch: the batch's features first, then each record's
 * clustering and scoring; the same effects as one record at a time).
 *
 * Effects go out through callbacks, synchronously inside yw_shard_apply(_batch):
 * emit() for every level change (rise = alert, fall = downgrade), forget()
 * for clusters that were merged into another or expired; summary() for
 * every cluster whose state changed, from yw_shard_flush().  `ywctl backtest` and the daemon run the
 * very same code. */
#ifndef YW_STAGE_H
#define YW_STAGE_H

#include <stddef.h>

#include "alert.h"
#include "cluster.h"
#include "config.h"
#include "record.h"

typedef struct yw_shard yw_shard_t;

typedef struct {
    /* A level change (rise = alert, fall = downgrade event). */
    void (*emit)(void *opaque, const yw_alert_t *alert);
    /* The current summary of a cluster (kind=cluster) and its drill-down
     * detail as a JSON object (per-source daily timeline, masked samples). */
    void (*summary)(void *opaque, const yw_alert_t *summary,
                    const char *detail, size_t detail_len);
    /* A cluster is gone (merged into another, or expired). */
    void (*forget)(void *opaque, const char *cluster);
    void *opaque;
} yw_stage_out_t;

/* Borrows cfg->rules when the config compiled them (yw_config_load; cfg
 * must then outlive the shard), else compiles cfg->rules_paths itself. */
yw_shard_t *yw_shard_create(const yw_config_t *cfg, char *errbuf, size_t errlen);
void yw_shard_destroy(yw_shard_t *shard);

/* Apply one decoded record.  *assign (may be NULL) gets how it was
 * clustered (cluster.h).  Returns 0, or -1 on ENOMEM (logged; the record
 * is then not counted). */
int yw_shard_apply(yw_shard_t *shard, const yw_record_t *rec,
                   const yw_stage_out_t *out, yw_cluster_assign_t *assign);

/* Apply recs[0..n) in order, with the same effects as n calls of
 * yw_shard_apply, YW_SHARD_BATCH records at a time: the features of the
 * whole batch first, then each record's clustering and scoring.  After
 * each record, applied(opaque, i, assignment) (applied may be NULL) --
 * the moment a yw_shard_apply caller would have looked at the shard
 * (applied may read the shard, never apply to it or flush it).
 * Returns 0, or -1 when a record could not be applied (ENOMEM, logged;
 * it gets no applied() call and is not counted; the others are still
 * applied). */
#define YW_SHARD_BATCH 32
typedef void (*yw_shard_applied_fn)(void *opaque, size_t i, const yw_cluster_assign_t *assign);
int yw_shard_apply_batch(yw_shard_t *shard, const yw_record_t *recs, size_t n,
                         const yw_stage_out_t *out, yw_shard_applied_fn applied, void *opaque);

/* Write the summaries (out->summary) of every cluster that changed since
 * the last flush, once each; out NULL just forgets the list.  The daemon
 * flushes once per batch. */
void yw_shard_flush(yw_shard_t *shard, const yw_stage_out_t *out);

/* The shard's clusterer, for tools that report on clusters (backtest). */
yw_clusterer_t *yw_shard_clusterer(yw_shard_t *shard);
/* The shard's scorer (offline tools read cluster summaries from it). */
struct yw_scorer;
struct yw_scorer *yw_shard_scorer(yw_shard_t *shard);

/* The cluster a (possibly merged-away) cluster id now lives in. */
const char *yw_shard_resolve(yw_shard_t *shard, const char *cluster,
                             char *buf, size_t len);

/* Counters for metrics. */
typedef struct {
    uint64_t records, late, clusters_live, alerts, downgrades, merges, expired;
    uint64_t memory_bytes;
} yw_shard_stats_t;
void yw_shard_stats(const yw_shard_t *shard, yw_shard_stats_t *st);

/* The rules the shard matches with (the config's, when it had them). */
const struct yw_rules *yw_shard_rules(const yw_shard_t *shard);
/* Match with rules from the next record on (a reload): the shard owns them
 * from here, and destroys the set they replace if it owned that one (a
 * set borrowed from the config stays with the config).  Rule hit counts
 * carry over by rule name.  0, or -1 with errbuf filled: the old rules
 * stay in use and rules is not taken. */
int yw_shard_set_rules(yw_shard_t *shard, struct yw_rules *rules, char *errbuf,
                       size_t errlen);
/* Records that hit rule id (of yw_shard_rules) since the shard was made
 * (for rules that came with a reload: since the rule was first loaded). */
uint64_t yw_shard_rule_hits(const yw_shard_t *shard, uint32_t rule);

/* Snapshots (snapshot.h): the clusterer, the scorer and the per-cluster
 * samples, as sections of w.  0, or -1 (the writer's error is sticky; its
 * commit then fails). */
struct yw_snap_writer;
struct yw_snap;
int yw_shard_save(const yw_shard_t *shard, struct yw_snap_writer *w);
/* Load snap into a shard fresh from yw_shard_create() (same config shape:
 * see yw_clusterer_load).  0, or -1 with the reason; the shard is then
 * only fit for yw_shard_destroy(). */
int yw_shard_load(yw_shard_t *shard, const struct yw_snap *snap, char *errbuf,
                  size_t errlen);

#endif
