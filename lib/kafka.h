/* kafka.h -- the Kafka side of the daemon: one high-level consumer in one
 * group over the four source topics, and a producer for the dead-letter
 * topic.
 *
 * Delivery follows librdkafka's at-least-once recipe: enable.auto.commit
 * stays on, enable.auto.offset.store is off, and the pipeline calls
 * yw_kafka_mark_done() only once a record's effects are in Redis (or, for a
 * bad record, once the dead-letter topic acknowledged it); the background
 * committer and the final close commit what was stored.
 *
 * The consumer also remembers, per partition, the last offset applied, so a
 * re-delivery (a rebalance, or the pause/resume rewind seen with librdkafka
 * 2.0.2) is recognised and skipped. */
#ifndef YW_KAFKA_H
#define YW_KAFKA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "config.h"
#include "record.h"

typedef struct yw_kafka yw_kafka_t;

typedef struct {
    uint64_t assigns, revokes, pauses, resumes;
    uint64_t dlq_produced, dlq_failed;
    uint64_t skipped_redelivered;
    int assigned_partitions;
    int other_partitions;       /* of the input, another member's (last assignment) */
    bool paused;
} yw_kafka_stats_t;

/* Build consumer + dead-letter producer from the config (kafka.rdkafka.*
 * properties are applied to both) and subscribe to the configured topics. */
yw_kafka_t *yw_kafka_create(const yw_config_t *cfg, char *errbuf, size_t errlen);
/* Close the consumer (commits stored offsets, leaves the group), flush the
 * dead-letter producer, free.  NULL is a no-op. */
void yw_kafka_destroy(yw_kafka_t *k);

/* Poll one message or event; serves the rebalance callback.  Returns a
 * message the caller must yw_kafka_release(), or NULL on timeout.  Error
 * events are handled here (logged; a fatal error sets yw_kafka_fatal()). */
rd_kafka_message_t *yw_kafka_poll(yw_kafka_t *k, int timeout_ms);
void yw_kafka_release(rd_kafka_message_t *rkm);

/* Source implied by the topic of a message (YW_SRC_UNKNOWN if none). */
yw_source_t yw_kafka_topic_source(const yw_kafka_t *k, const char *topic);

/* True when this offset was already applied on its partition (skip it). */
bool yw_kafka_seen(yw_kafka_t *k, const rd_kafka_message_t *rkm);
/* Remember a message as applied (to the shard, or dead-lettered): later
 * deliveries of it or anything before it on its partition are seen. */
void yw_kafka_mark_applied(yw_kafka_t *k, const rd_kafka_message_t *rkm);
/* Record that a message's effects are durable: remembers it as applied and,
 * unless offsets are deferred to snapshots, stores offset+1 for the
 * background committer. */
void yw_kafka_mark_done(yw_kafka_t *k, const rd_kafka_message_t *rkm);

/* ---- snapshots (docs/decisions.md, "State and restarts") ----------------
 * With a snapshot directory, offsets are stored only when a snapshot that
 * holds their effects is on disk (yw_kafka_store_offsets), and a partition
 * that is assigned starts at the position of the shard's state for it (the
 * next offset after the last applied), whatever the group committed. */
void yw_kafka_set_deferred(yw_kafka_t *k, bool deferred);
/* Next offset to read (last applied + 1) of every partition this consumer
 * applied records of, or NULL when none (caller destroys the list). */
rd_kafka_topic_partition_list_t *yw_kafka_positions(const yw_kafka_t *k);
/* Take a snapshot's positions as applied: offsets below are skipped, and
 * the partitions start there when assigned.  0 or -1 on ENOMEM. */
int yw_kafka_restore_positions(yw_kafka_t *k,
                               const rd_kafka_topic_partition_list_t *pos);
/* Store pos for commit (partitions not assigned now are left out) and
 * commit, synchronously when sync.  0 or -1 (logged). */
int yw_kafka_store_offsets(yw_kafka_t *k, const rd_kafka_topic_partition_list_t *pos,
                           bool sync);
/* Called in the rebalance callback before partitions are revoked (not when
 * they are lost), so the caller can snapshot and store offsets first; the
 * callback then commits. */
void yw_kafka_set_revoke_hook(yw_kafka_t *k, void (*hook)(void *opaque), void *opaque);

/* Per-partition events, for the partition aligner (align.h): assigned and
 * revoked (or lost) from the rebalance callback, after the revoke hook;
 * at_end from yw_kafka_poll when a partition has no more messages for now
 * (enable.partition.eof is on); unassigned after every assignment: the
 * partitions of the input topics that another member of the group has
 * (the broker's metadata less this consumer's assignment; empty when
 * every one is ours), and how long that member may keep them if it is a
 * dead process: session.timeout.ms and the rebalance after it.  hooks
 * must outlive k. */
typedef struct {
    void (*assigned)(void *opaque, const char *topic, int32_t partition);
    void (*revoked)(void *opaque, const char *topic, int32_t partition);
    void (*at_end)(void *opaque, const char *topic, int32_t partition);
    void (*unassigned)(void *opaque, const rd_kafka_topic_partition_list_t *parts,
                       int64_t hold_ms);
} yw_kafka_part_hooks_t;
void yw_kafka_set_partition_hooks(yw_kafka_t *k, const yw_kafka_part_hooks_t *hooks,
                                  void *opaque);

/* Does the partition have messages the application has not polled yet?
 * True when the consumer's position is below the high watermark the
 * consumer last learned from a fetch (cached: no request is sent).  False
 * when either is not known yet. */
bool yw_kafka_partition_pending(yw_kafka_t *k, const char *topic, int32_t partition);

/* Consumer lag in messages: over the assigned partitions, the high
 * watermark the consumer last learned from a fetch (cached: no request is
 * sent) minus the next offset to apply (the last applied + 1, or the
 * consumer's position when nothing was applied on the partition yet).
 * Messages fetched but not applied yet (held for alignment, in the batch)
 * count.  A partition whose watermark or position is not known yet counts
 * 0.  While partitions are paused no fetch refreshes the watermark: the
 * end offsets yw_kafka_refresh_paused_watermarks asked for stand in. */
int64_t yw_kafka_lag(yw_kafka_t *k);
/* While its partitions are paused the consumer does not fetch them, so
 * librdkafka's cached high watermarks stand still and yw_kafka_lag would
 * miss what is produced meanwhile.  This asks the brokers for the assigned
 * partitions' end offsets (one ListOffsets round per broker, blocking up
 * to timeout_ms) for yw_kafka_lag to use.  Nothing when not paused.  0, or
 * -1 when the query failed (the lag then uses what it had). */
int yw_kafka_refresh_paused_watermarks(yw_kafka_t *k, int timeout_ms);

/* Create topics names[0..n) with one CreateTopics request through rk (any
 * client handle), waiting up to timeout_ms for the broker and its
 * controller.  Each topic's outcome goes to fn (may be NULL): err 0
 * (created), RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, or another error
 * with the broker's reason.  Returns 0 when every topic exists afterwards,
 * 1 when one could not be created, -1 when the request itself failed (no
 * answer, bad arguments: the reason in errbuf).  For tools and tests:
 * yuanwangd never creates topics. */
typedef void (*yw_kafka_topic_fn)(void *opaque, const char *topic, rd_kafka_resp_err_t err,
                                  const char *reason);
int yw_kafka_create_topics(rd_kafka_t *rk, const char *const *names, int n, int partitions,
                           int replication, int timeout_ms, yw_kafka_topic_fn fn,
                           void *opaque, char *errbuf, size_t errlen);

/* Send a bad message to the dead-letter topic: the original bytes as value,
 * the original key, and headers yw.reason, yw.error, yw.topic, yw.partition,
 * yw.offset.  Returns 0 when queued; delivery is confirmed by
 * yw_kafka_dlq_wait(). */
int yw_kafka_dlq(yw_kafka_t *k, const rd_kafka_message_t *rkm,
                 const char *error_name, const char *reason);
/* Wait until every dead-letter message is acknowledged by the broker,
 * re-producing failures.  Returns 0 when all are delivered, -1 on timeout
 * (they stay queued and the caller must not store their offsets yet). */
int yw_kafka_dlq_wait(yw_kafka_t *k, int timeout_ms);

/* Pause / resume every assigned partition (backpressure).  The consumer
 * keeps polling while paused so the group does not rebalance. */
void yw_kafka_pause(yw_kafka_t *k);
void yw_kafka_resume(yw_kafka_t *k);

/* Commit stored offsets now (synchronously). */
int yw_kafka_commit(yw_kafka_t *k);

/* Non-zero once librdkafka raised a fatal error; its text in errbuf. */
int yw_kafka_fatal(yw_kafka_t *k, char *errbuf, size_t errlen);

void yw_kafka_get_stats(const yw_kafka_t *k, yw_kafka_stats_t *st);
rd_kafka_t *yw_kafka_handle(yw_kafka_t *k);

/* Apply kafka.brokers and kafka.rdkafka.* to a conf (used by ywctl too). */
int yw_kafka_conf_apply(rd_kafka_conf_t *conf, const yw_config_t *cfg,
                        char *errbuf, size_t errlen);
/* The same for a producer: consumer-only properties are left out. */
int yw_kafka_conf_apply_producer(rd_kafka_conf_t *conf, const yw_config_t *cfg,
                                 char *errbuf, size_t errlen);
/* A producer of records (dead letters, `ywctl replay`): yuanwang's
 * defaults -- idempotent, linger.ms 5 -- then kafka.brokers and the
 * producer's kafka.rdkafka.*, which may override them.  0 or -1. */
int yw_kafka_conf_producer(rd_kafka_conf_t *conf, const yw_config_t *cfg, char *errbuf,
                           size_t errlen);

#endif
