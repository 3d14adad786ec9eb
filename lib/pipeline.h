/* pipeline.h -- the daemon's main loop: Kafka -> decode -> shard -> Redis.
 *
 * Batches of up to kafka.batch_size records are decoded and applied to the
 * shard; their alerts and (coalesced) cluster summaries are queued to the
 * Redis sink; bad records go to the dead-letter topic.  Only when Redis has
 * acknowledged every effect of the batch and the dead-letter topic every
 * bad record are the batch's offsets stored for commit.  While Redis cannot
 * keep up (its queue is full, or a batch is not acknowledged within a
 * second) the assigned partitions are paused and the consumer keeps polling,
 * so the group does not rebalance; they are resumed once Redis caught up.
 *
 * With snapshot.dir set, offsets are stored only at snapshots: after a
 * batch is durable in Redis, when snapshot.interval_ms (or _records) has
 * passed, the shard's state is written with the next offset of every
 * partition it applied, and only then are those offsets stored and
 * committed; also before partitions are revoked and at a clean stop.  On
 * start the newest usable snapshot is loaded and each assigned partition
 * starts at its offset (docs/decisions.md, "State and restarts").
 *
 * cmd/yuanwangd is only arguments and signals around this. */
#ifndef YW_PIPELINE_H
#define YW_PIPELINE_H

#include <signal.h>
#include <stdint.h>

#include "config.h"

typedef struct yw_pipeline yw_pipeline_t;

typedef struct {
    uint64_t consumed;          /* messages taken from Kafka (incl. skipped) */
    uint64_t applied;           /* decoded and applied to the shard */
    uint64_t deadletter;        /* sent to the dead-letter topic */
    uint64_t deadletter_by_reason[8];   /* index: -yw_rec_err_t */
    uint64_t skipped;           /* re-deliveries of already-applied offsets */
    uint64_t alerts;            /* alert events queued to Redis */
    uint64_t summaries;         /* cluster summaries queued to Redis */
    uint64_t batches;
} yw_pipeline_stats_t;

typedef struct {
    /* in: when snapshot.dir holds snapshots but none can be loaded (a
     * shaping config key changed, a format change, damage), start with
     * empty state anyway.  Without it, create refuses: starting would drop
     * the state built from every record before the committed offsets. */
    bool discard_state;
    /* out: create failed for that reason (errbuf says so) */
    bool state_refused;
} yw_pipeline_opts_t;

/* opts may be NULL (the defaults). */
yw_pipeline_t *yw_pipeline_create(const yw_config_t *cfg, yw_pipeline_opts_t *opts,
                                  char *errbuf, size_t errlen);
/* Runs until *stop becomes non-zero (then drains the batch in hand, writes
 * it, stores and commits offsets) or a fatal error.  Returns 0 on a clean
 * stop, -1 on a fatal error (already logged). */
int yw_pipeline_run(yw_pipeline_t *p, volatile sig_atomic_t *stop);
/* A flag a SIGHUP handler sets (NULL: none).  The loop clears it between
 * batches and reloads the rules (rules.paths as they are now); a rule set
 * with any error is logged and not used.  Nothing else is reloaded. */
void yw_pipeline_set_hup_flag(yw_pipeline_t *p, volatile sig_atomic_t *hup);
void yw_pipeline_stats(const yw_pipeline_t *p, yw_pipeline_stats_t *st);
/* Closes the consumer (final commit), flushes, frees.  NULL is a no-op. */
void yw_pipeline_destroy(yw_pipeline_t *p);

#endif
