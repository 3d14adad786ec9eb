/* sink.h -- Redis schema v1: where alerts and cluster summaries go.
 *
 * Built on yw_redis (redis.h): every call here appends exactly one
 * EVALSHA to the connection's queue and returns its sequence number, so the
 * caller can tell when the effect is in Redis (yw_redis_acked() >= seq) and
 * only then commit the Kafka offsets that produced it.
 *
 * Both writes are idempotent, because yw_redis re-sends unanswered commands
 * after a reconnect and the daemon replays input after a crash:
 *   - an alert first sets a marker  {prefix}v1:alert:seen:<alert_id>  (SET NX
 *     EX, 30 days); only if the marker was new does the same script XADD the
 *     alert to the stream and PUBLISH it.  One script, so atomic: an alert is
 *     in the stream exactly once however often it is sent.
 *   - a summary writes state, not increments: HSET of every field plus ZADD
 *     (or ZREM) with the current score, so writing it twice leaves the same
 *     state as writing it once.
 *
 * The key names are defined here and nowhere else (ywctl and the docs use
 * these); docs/redis-schema.md describes every key, field and the policy for
 * changing them. */
#ifndef YW_SINK_H
#define YW_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "redis.h"

/* Key suffixes; the full name is key_prefix + suffix (+ id). */
#define YW_KEY_ALERTS            "v1:alerts"            /* stream */
#define YW_KEY_ALERTS_LIVE       "v1:alerts:live"       /* pub/sub channel */
#define YW_KEY_ALERT_SEEN        "v1:alert:seen:"       /* + alert_id: string marker */
#define YW_KEY_CLUSTER           "v1:cluster:"          /* + cluster id: hash */
#define YW_KEY_CLUSTERS_BY_SCORE "v1:clusters:by_score" /* sorted set */

/* Suggested consumer group for analysts (docs/redis-schema.md). */
#define YW_ANALYST_GROUP "analysts"

#define YW_SINK_SEEN_TTL_S    (30 * 24 * 3600)  /* alert de-duplication window */
#define YW_SINK_CLUSTER_TTL_S (30 * 24 * 3600)  /* summary hash lifetime after its last update */

/* Write prefix + suffix + id (id may be NULL) into buf; returns the length
 * it needed (as snprintf). */
int yw_sink_key(char *buf, size_t len, const char *prefix, const char *suffix,
                const char *id);

typedef struct yw_sink yw_sink_t;

typedef struct {
    uint64_t alerts;         /* yw_sink_alert calls queued */
    uint64_t summaries;      /* yw_sink_summary calls queued */
    uint64_t failures;       /* serialisation / queue failures (ENOMEM) */
} yw_sink_stats_t;

/* r is borrowed (must outlive the sink).  key_prefix "" or e.g. "yw:";
 * stream_maxlen > 0 caps the stream with MAXLEN ~ (0 = unbounded);
 * tz_offset_minutes is the zone the JSON's times are written in.
 * Registers the Lua scripts with r. */
yw_sink_t *yw_sink_create(yw_redis_t *r, const char *key_prefix,
                          int64_t stream_maxlen, int tz_offset_minutes,
                          char *errbuf, size_t errlen);
void yw_sink_destroy(yw_sink_t *s);

/* TTLs in seconds (0 = never expire); defaults YW_SINK_SEEN_TTL_S and
 * YW_SINK_CLUSTER_TTL_S.  Replays older than the seen TTL would duplicate. */
void yw_sink_set_ttls(yw_sink_t *s, int64_t seen_ttl_s, int64_t cluster_ttl_s);

/* Queue one alert (marker + XADD + PUBLISH in one script).  Returns the
 * yw_redis sequence number, 0 on failure (ENOMEM). */
uint64_t yw_sink_alert(yw_sink_t *s, const yw_alert_t *alert);

/* Queue a cluster's current summary: HSET {prefix}v1:cluster:<id> with all
 * fields (and EXPIRE), and ZADD {prefix}v1:clusters:by_score when its level
 * is blue or above, ZREM when it is none (the sorted set is the alert
 * board: clusters at a warning level, by score).  Returns seq or 0. */
uint64_t yw_sink_summary(yw_sink_t *s, const yw_alert_t *summary);
/* The same plus a "detail" field: a JSON object with what an analyst
 * drills into (per-source daily timeline, sample records with personal
 * data masked); see docs/redis-schema.md. */
uint64_t yw_sink_summary_detail(yw_sink_t *s, const yw_alert_t *summary,
                                const char *detail, size_t detail_len);

/* A cluster the stage expired: ZREM it from the ranking (its hash stays
 * until its TTL so drill-downs keep working).  Returns seq or 0. */
uint64_t yw_sink_forget(yw_sink_t *s, const char *cluster);

void yw_sink_stats(const yw_sink_t *s, yw_sink_stats_t *st);

#endif
