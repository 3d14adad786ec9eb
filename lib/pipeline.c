/* pipeline.c -- see pipeline.h.  One thread does everything: poll, decode,
 * apply, write, store offsets.  librdkafka's own threads do the network. */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka.h"
#include "log.h"
#include "metrics.h"
#include "record.h"
#include "redis.h"
#include "sink.h"
#include "stage.h"

#define SHUTDOWN_FLUSH_MS 15000   /* how long a stop waits for Redis */
#define PAUSE_AFTER_MS 1000       /* a batch not acknowledged by then pauses Kafka */

/* The latest summary of each cluster touched in the current batch: a
 * summary is a state, so only the last one per cluster needs writing. */
typedef struct {
    yw_alert_t *items;
    char **detail;               /* per item: its drill-down JSON (owned) */
    size_t *detail_len, *detail_cap;
    size_t n, cap;
    int32_t *index;              /* open addressing over items, -1 = empty */
    size_t nindex;
} summaries_t;

struct yw_pipeline {
    const yw_config_t *cfg;
    yw_kafka_t *kafka;
    yw_decoder_t *dec;
    yw_shard_t *shard;
    yw_redis_t *redis;
    yw_sink_t *sink;
    yw_metrics_t *metrics;
    yw_record_t rec;
    rd_kafka_message_t **batch;
    size_t nbatch, cbatch;
    /* Messages that arrived while a batch was waiting for Redis: the
     * consumer's position is past them, so they must be kept and applied
     * with the next batch (releasing them would lose them). */
    rd_kafka_message_t **carry;
    size_t ncarry, ccarry, carry_head;
    summaries_t sums;
    yw_pipeline_stats_t st;
    int64_t last_metrics_ms;
    int64_t last_status_ms;
};

static const char *const COMP = "pipeline";

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- summaries ------------------------------------------------------------ */

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int sums_init(summaries_t *s, size_t batch)
{
    s->cap = batch;
    s->nindex = 1;
    while (s->nindex < batch * 2)
        s->nindex <<= 1;
    s->items = calloc(s->cap, sizeof *s->items);
    s->detail = calloc(s->cap, sizeof *s->detail);
    s->detail_len = calloc(s->cap, sizeof *s->detail_len);
    s->detail_cap = calloc(s->cap, sizeof *s->detail_cap);
    s->index = malloc(s->nindex * sizeof *s->index);
    if (!s->items || !s->index || !s->detail || !s->detail_len || !s->detail_cap)
        return -1;
    memset(s->index, 0xff, s->nindex * sizeof *s->index);
    return 0;
}

static void sums_clear(summaries_t *s)
{
    s->n = 0;
    memset(s->index, 0xff, s->nindex * sizeof *s->index);
}

static void sums_free(summaries_t *s)
{
    for (size_t i = 0; i < s->cap && s->detail; i++)
        free(s->detail[i]);
    free(s->detail);
    free(s->detail_len);
    free(s->detail_cap);
    free(s->items);
    free(s->index);
}

static void sums_set(summaries_t *s, size_t i, const yw_alert_t *a,
                     const char *detail, size_t len)
{
    s->items[i] = *a;
    s->detail_len[i] = 0;
    if (!detail)
        return;
    if (len + 1 > s->detail_cap[i]) {
        char *nd = realloc(s->detail[i], len + 1);
        if (!nd)
            return;             /* the summary still goes out, without detail */
        s->detail[i] = nd;
        s->detail_cap[i] = len + 1;
    }
    memcpy(s->detail[i], detail, len);
    s->detail[i][len] = '\0';
    s->detail_len[i] = len;
}

/* Returns -1 when the table is full (the caller writes it through). */
static int sums_put(summaries_t *s, const yw_alert_t *a, const char *detail, size_t len)
{
    size_t j = str_hash(a->cluster) & (s->nindex - 1);
    for (; s->index[j] >= 0; j = (j + 1) & (s->nindex - 1))
        if (strcmp(s->items[s->index[j]].cluster, a->cluster) == 0) {
            sums_set(s, (size_t)s->index[j], a, detail, len);
            return 0;
        }
    if (s->n == s->cap)
        return -1;
    sums_set(s, s->n, a, detail, len);
    s->index[j] = (int32_t)s->n++;
    return 0;
}

/* ---- stage output ------------------------------------------------------------ */

static void on_alert(void *opaque, const yw_alert_t *a)
{
    yw_pipeline_t *p = opaque;
    yw_sink_alert(p->sink, a);
    p->st.alerts++;
    yw_log_info("score", "%s %s -> %s: %s (score %.0f, %lld records)",
                a->cluster, yw_level_name(a->prev_level), yw_level_name(a->level),
                a->title, a->score, (long long)a->records);
}

static void on_summary(void *opaque, const yw_alert_t *a, const char *detail, size_t len)
{
    yw_pipeline_t *p = opaque;
    if (sums_put(&p->sums, a, detail, len) != 0) {
        /* More clusters touched than the table holds: write it now. */
        yw_sink_summary_detail(p->sink, a, detail, len);
        p->st.summaries++;
    }
}

static void on_forget(void *opaque, const char *cluster)
{
    yw_pipeline_t *p = opaque;
    /* A pending summary of a cluster that is gone must not resurrect it
     * in the ranking after the ZREM. */
    for (size_t i = 0; i < p->sums.n; i++)
        if (strcmp(p->sums.items[i].cluster, cluster) == 0)
            p->sums.items[i].level = YW_LEVEL_NONE;
    yw_sink_forget(p->sink, cluster);
}

/* ---- metrics ---------------------------------------------------------------- */

static void write_metrics(yw_pipeline_t *p)
{
    if (!p->cfg->metrics_file || !p->cfg->metrics_file[0])
        return;
    yw_metrics_t *m = p->metrics;
    yw_metrics_reset(m);
    yw_kafka_stats_t ks;
    yw_kafka_get_stats(p->kafka, &ks);
    yw_redis_stats_t rs;
    yw_redis_stats(p->redis, &rs);
    yw_shard_stats_t ss;
    yw_shard_stats(p->shard, &ss);

    yw_metrics_counter(m, "yw_records_consumed_total", "Messages taken from Kafka.", NULL, (double)p->st.consumed);
    yw_metrics_counter(m, "yw_records_applied_total", "Records decoded and applied.", NULL, (double)p->st.applied);
    for (int e = 1; e < 8; e++) {
        char lab[64];
        snprintf(lab, sizeof lab, "reason=\"%s\"", yw_rec_err_name(-e));
        yw_metrics_counter(m, "yw_deadletter_total", "Records sent to the dead-letter topic, by reason.",
                           lab, (double)p->st.deadletter_by_reason[e]);
    }
    yw_metrics_counter(m, "yw_records_skipped_total", "Re-delivered records already applied.", NULL, (double)p->st.skipped);
    yw_metrics_counter(m, "yw_records_late_total", "Records older than the scoring window.", NULL, (double)ss.late);
    yw_metrics_counter(m, "yw_alerts_total", "Alert events written.", NULL, (double)p->st.alerts);
    yw_metrics_gauge(m, "yw_clusters_live", "Clusters held by the shard.", NULL, (double)ss.clusters_live);
    yw_metrics_counter(m, "yw_cluster_merges_total", "Clusters merged into another.", NULL, (double)ss.merges);
    yw_metrics_counter(m, "yw_clusters_expired_total", "Clusters expired or evicted.", NULL, (double)ss.expired);
    yw_metrics_counter(m, "yw_downgrades_total", "Downgrade events written.", NULL, (double)ss.downgrades);
    yw_metrics_gauge(m, "yw_shard_memory_bytes", "Heap bytes held by clustering and scoring state.", NULL, (double)ss.memory_bytes);
    yw_metrics_counter(m, "yw_batches_total", "Batches applied and acknowledged.", NULL, (double)p->st.batches);
    yw_metrics_gauge(m, "yw_kafka_paused", "1 while partitions are paused for backpressure.", NULL, ks.paused ? 1 : 0);
    yw_metrics_counter(m, "yw_kafka_pauses_total", "Backpressure pauses.", NULL, (double)ks.pauses);
    yw_metrics_counter(m, "yw_kafka_resumes_total", "Backpressure resumes.", NULL, (double)ks.resumes);
    yw_metrics_counter(m, "yw_kafka_rebalance_assign_total", "Partition assignments.", NULL, (double)ks.assigns);
    yw_metrics_counter(m, "yw_kafka_rebalance_revoke_total", "Partition revocations.", NULL, (double)ks.revokes);
    yw_metrics_gauge(m, "yw_kafka_assigned_partitions", "Partitions assigned now.", NULL, ks.assigned_partitions);
    yw_metrics_gauge(m, "yw_redis_connected", "1 while connected to Redis.", NULL, yw_redis_connected(p->redis) ? 1 : 0);
    yw_metrics_gauge(m, "yw_redis_pending", "Redis commands queued, not yet acknowledged.", NULL, (double)yw_redis_pending(p->redis));
    yw_metrics_counter(m, "yw_redis_commands_total", "Redis commands acknowledged.", NULL, (double)rs.written);
    yw_metrics_counter(m, "yw_redis_reply_errors_total", "Redis commands answered with a permanent error.", NULL, (double)rs.reply_errors);
    yw_metrics_counter(m, "yw_redis_reconnects_total", "Redis reconnects.", NULL, (double)rs.reconnects);
    yw_metrics_counter(m, "yw_redis_connect_failures_total", "Failed Redis connection attempts.", NULL, (double)rs.connect_failures);
    if (yw_metrics_write_file(m, p->cfg->metrics_file) != 0)
        yw_log_warn(COMP, "cannot write metrics to %s", p->cfg->metrics_file);
}

/* ---- lifecycle ---------------------------------------------------------------- */

yw_pipeline_t *yw_pipeline_create(const yw_config_t *cfg, char *errbuf, size_t errlen)
{
    yw_pipeline_t *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    p->cfg = cfg;
    yw_record_init(&p->rec);

    yw_decoder_conf_t dconf = {
        .max_message_bytes = (size_t)cfg->kafka_max_message_bytes,
        .tz_offset_minutes = cfg->tz_offset_minutes,
        .hmac_key = (const uint8_t *)cfg->privacy_hmac_secret,
        .hmac_key_len = cfg->privacy_hmac_secret ? strlen(cfg->privacy_hmac_secret) : 0,
    };
    if (!(p->dec = yw_decoder_create(&dconf, errbuf, errlen)))
        goto fail;
    if (!(p->shard = yw_shard_create(cfg, errbuf, errlen)))
        goto fail;
    yw_redis_conf_t rconf;
    yw_redis_conf_from_config(cfg, &rconf);
    if (!(p->redis = yw_redis_create(&rconf, errbuf, errlen)))
        goto fail;
    if (!(p->sink = yw_sink_create(p->redis, cfg->redis_key_prefix, cfg->redis_stream_maxlen,
                                   cfg->tz_offset_minutes, errbuf, errlen)))
        goto fail;
    if (!(p->metrics = yw_metrics_create()))
        goto nomem;
    p->cbatch = (size_t)cfg->kafka_batch_size;
    if (!(p->batch = calloc(p->cbatch, sizeof *p->batch)))
        goto nomem;
    if (sums_init(&p->sums, p->cbatch) != 0)
        goto nomem;
    /* Kafka last: once subscribed, the group may hand us partitions. */
    if (!(p->kafka = yw_kafka_create(cfg, errbuf, errlen)))
        goto fail;
    return p;
nomem:
    snprintf(errbuf, errlen, "out of memory");
fail:
    yw_pipeline_destroy(p);
    return NULL;
}

void yw_pipeline_destroy(yw_pipeline_t *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nbatch; i++)
        yw_kafka_release(p->batch[i]);
    for (size_t i = p->carry_head; i < p->ncarry; i++)
        yw_kafka_release(p->carry[i]);
    free(p->carry);
    yw_kafka_destroy(p->kafka);
    free(p->batch);
    sums_free(&p->sums);
    yw_metrics_destroy(p->metrics);
    yw_sink_destroy(p->sink);
    yw_redis_destroy(p->redis);
    yw_shard_destroy(p->shard);
    yw_decoder_destroy(p->dec);
    yw_record_free(&p->rec);
    free(p);
}

void yw_pipeline_stats(const yw_pipeline_t *p, yw_pipeline_stats_t *st)
{
    *st = p->st;
}

/* ---- one batch ------------------------------------------------------------------ */

/* Decode and apply every message of the batch; bad ones to the dead-letter
 * topic.  Returns the Redis sequence number the batch's effects end at. */
static void apply_batch(yw_pipeline_t *p)
{
    yw_stage_out_t out = { .emit = on_alert, .summary = on_summary,
                           .forget = on_forget, .opaque = p };
    sums_clear(&p->sums);
    for (size_t i = 0; i < p->nbatch; i++) {
        rd_kafka_message_t *rkm = p->batch[i];
        if (yw_kafka_seen(p->kafka, rkm)) {
            p->st.skipped++;
            continue;
        }
        const char *topic = rd_kafka_topic_name(rkm->rkt);
        char reason[256];
        int rc = yw_record_decode(p->dec, rkm->payload, rkm->len,
                                  yw_kafka_topic_source(p->kafka, topic),
                                  &p->rec, reason, sizeof reason);
        if (rc != YW_REC_OK) {
            if (yw_kafka_dlq(p->kafka, rkm, yw_rec_err_name(rc), reason) != 0)
                yw_log_error(COMP, "out of memory queueing a dead letter");
            p->st.deadletter++;
            if (-rc > 0 && -rc < 8)
                p->st.deadletter_by_reason[-rc]++;
            yw_log_debug(COMP, "dead letter %s[%d]@%lld: %s", topic, rkm->partition,
                         (long long)rkm->offset, reason);
            continue;
        }
        p->rec.topic = topic;
        p->rec.partition = rkm->partition;
        p->rec.offset = rkm->offset;
        yw_shard_apply(p->shard, &p->rec, &out, NULL);
        p->st.applied++;
    }
    for (size_t i = 0; i < p->sums.n; i++) {
        yw_sink_summary_detail(p->sink, &p->sums.items[i],
                               p->sums.detail_len[i] ? p->sums.detail[i] : NULL,
                               p->sums.detail_len[i]);
        p->st.summaries++;
    }
}

static int carry_push(yw_pipeline_t *p, rd_kafka_message_t *rkm)
{
    if (p->ncarry == p->ccarry) {
        size_t nc = p->ccarry ? p->ccarry * 2 : 64;
        rd_kafka_message_t **n = realloc(p->carry, nc * sizeof *n);
        if (!n)
            return -1;
        p->carry = n;
        p->ccarry = nc;
    }
    p->carry[p->ncarry++] = rkm;
    p->st.consumed++;
    return 0;
}

/* Next message: first those carried over, then from the consumer. */
static rd_kafka_message_t *next_message(yw_pipeline_t *p, int timeout_ms)
{
    if (p->carry_head < p->ncarry) {
        rd_kafka_message_t *rkm = p->carry[p->carry_head++];
        if (p->carry_head == p->ncarry)
            p->carry_head = p->ncarry = 0;
        return rkm;
    }
    rd_kafka_message_t *rkm = yw_kafka_poll(p->kafka, timeout_ms);
    if (rkm)
        p->st.consumed++;
    return rkm;
}

/* Wait until Redis acknowledged up to `target` and the dead-letter topic
 * every bad record, pausing Kafka when that takes long.  Returns 0 when
 * durable, -1 when stopping before it became durable. */
static int make_durable(yw_pipeline_t *p, uint64_t target, volatile sig_atomic_t *stop)
{
    int64_t start = now_ms();
    int64_t stop_seen = 0;
    bool logged = false;
    for (;;) {
        int rc = yw_redis_flush(p->redis, 100);
        bool redis_ok = yw_redis_acked(p->redis) >= target;
        bool dlq_ok = yw_kafka_dlq_wait(p->kafka, redis_ok ? 100 : 0) == 0;
        if (redis_ok && dlq_ok)
            return 0;
        int64_t waited = now_ms() - start;
        if (waited > PAUSE_AFTER_MS || yw_redis_full(p->redis)) {
            yw_kafka_pause(p->kafka);
            if (!logged) {
                yw_log_warn(COMP, "waiting for %s (%zu Redis commands queued%s)",
                            !redis_ok ? "Redis" : "the dead-letter topic",
                            yw_redis_pending(p->redis),
                            rc == YW_REDIS_ESETUP ? ", handshake rejected" : "");
                logged = true;
            }
        }
        /* Keep serving the group while we wait: heartbeats, rebalances.
         * Paused partitions deliver nothing; anything that still arrives
         * is released unprocessed and will be fetched again. */
        int wait = 0;
        if (!redis_ok && !yw_redis_connected(p->redis)) {
            /* In reconnect backoff: flush returns at once, so wait here
             * (serving the consumer) instead of spinning. */
            wait = yw_redis_retry_in_ms(p->redis);
            wait = wait < 1 ? 1 : wait > 100 ? 100 : wait;
        }
        rd_kafka_message_t *extra = yw_kafka_poll(p->kafka, wait);
        if (extra && carry_push(p, extra) != 0) {
            /* Cannot keep it: fail rather than commit past it. */
            yw_log_error(COMP, "out of memory holding a message; exiting without commit");
            yw_kafka_release(extra);
            return -1;
        }
        if (*stop) {
            if (!stop_seen)
                stop_seen = now_ms();
            else if (now_ms() - stop_seen > SHUTDOWN_FLUSH_MS) {
                yw_log_error(COMP, "stopping with %zu Redis command(s) unacknowledged; "
                             "their offsets are not committed and will be re-read",
                             yw_redis_pending(p->redis));
                return -1;
            }
        }
        if (now_ms() - p->last_metrics_ms >= p->cfg->metrics_interval_ms) {
            write_metrics(p);
            p->last_metrics_ms = now_ms();
        }
        char fatal[512];
        if (yw_kafka_fatal(p->kafka, fatal, sizeof fatal))
            return -1;
    }
}

int yw_pipeline_run(yw_pipeline_t *p, volatile sig_atomic_t *stop)
{
    int result = 0;
    yw_log_info(COMP, "running");
    while (!*stop) {
        /* Fill a batch: wait for the first message at most 100 ms (to see
         * a stop), then take what arrives within batch_timeout_ms. */
        int64_t deadline = 0;
        while (p->nbatch < p->cbatch) {
            int timeout = 100;
            if (p->nbatch) {
                int64_t left = deadline - now_ms();
                if (left <= 0)
                    break;
                timeout = (int)left;
            }
            rd_kafka_message_t *rkm = next_message(p, timeout);
            if (!rkm) {
                if (!p->nbatch)
                    break;
                continue;
            }
            if (!p->nbatch)
                deadline = now_ms() + p->cfg->kafka_batch_timeout_ms;
            p->batch[p->nbatch++] = rkm;
        }

        char fatal[512];
        if (yw_kafka_fatal(p->kafka, fatal, sizeof fatal)) {
            yw_log_error("kafka", "fatal: %s; exiting", fatal);
            result = -1;
            break;
        }

        if (p->nbatch) {
            apply_batch(p);
            uint64_t target = yw_redis_acked(p->redis) + yw_redis_pending(p->redis);
            if (make_durable(p, target, stop) != 0) {
                result = *stop ? 0 : -1;
                break;
            }
            for (size_t i = 0; i < p->nbatch; i++) {
                yw_kafka_mark_done(p->kafka, p->batch[i]);
                yw_kafka_release(p->batch[i]);
            }
            p->nbatch = 0;
            p->st.batches++;
            yw_kafka_resume(p->kafka);
        } else {
            yw_redis_flush(p->redis, 0);
        }

        int64_t now = now_ms();
        if (now - p->last_metrics_ms >= p->cfg->metrics_interval_ms) {
            write_metrics(p);
            p->last_metrics_ms = now;
        }
    }
    write_metrics(p);
    yw_log_info(COMP, "stopped: %llu consumed, %llu applied, %llu dead-lettered, "
                "%llu skipped as already applied, %llu alerts",
                (unsigned long long)p->st.consumed, (unsigned long long)p->st.applied,
                (unsigned long long)p->st.deadletter, (unsigned long long)p->st.skipped,
                (unsigned long long)p->st.alerts);
    return result;
}
