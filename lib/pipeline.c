/* pipeline.c -- see pipeline.h.  One thread does everything: poll, decode,
 * apply, write, store offsets.  librdkafka's own threads do the network. */
#include "pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "align.h"
#include "clock.h"
#include "kafka.h"
#include "log.h"
#include "metrics.h"
#include "record.h"
#include "redis.h"
#include "sink.h"
#include "snapshot.h"
#include "stage.h"

#define SHUTDOWN_FLUSH_MS 15000   /* how long a stop waits for Redis */
#define PAUSE_AFTER_MS 1000       /* a batch not acknowledged by then pauses Kafka */
#define REVOKE_FLUSH_MS 10000     /* how long a revoke waits for the batch in flight */

struct yw_pipeline {
    const yw_config_t *cfg;
    yw_kafka_t *kafka;
    yw_decoder_t *dec;
    yw_shard_t *shard;
    yw_redis_t *redis;
    yw_sink_t *sink;
    yw_metrics_t *metrics;
    yw_record_t recs[YW_SHARD_BATCH];   /* decoded, waiting for the shard */
    size_t nrecs;
    rd_kafka_message_t **batch;
    size_t nbatch, cbatch;
    /* Consumed messages not applied yet, released in event-time order
     * across partitions (align.h).  The consumer's position is past them:
     * they must be kept and applied (releasing them would lose them), or
     * dropped only with their partition on a revoke. */
    yw_align_t *align;
    yw_pipeline_stats_t st;
    int64_t last_metrics_ms;
    volatile sig_atomic_t *hup; /* set by cmd's SIGHUP handler */
    double start_time;           /* unix time, for yw_start_time_seconds */
    int64_t last_status_ms;

    /* snapshots (off when cfg->snapshot_dir is "") */
    bool snap_on;
    int lock_fd;                 /* flock on <dir>/lock: one daemon per dir */
    uint64_t snap_seq;           /* the newest snapshot file's number */
    int64_t last_snap_ms;
    uint64_t done_since_snap;    /* messages made durable since the last one */
    /* The newest snapshot's offsets (loaded or written): committed with
     * it, and again after every assignment (commit_owed) -- a commit can
     * fail (broker away) or never leave a killed process, and a daemon
     * with nothing new to apply writes no snapshot that would commit
     * them, so the group's offsets would stay behind the state. */
    rd_kafka_topic_partition_list_t *snap_pos;
    bool commit_owed;
    bool inflight;               /* a batch is applied, not yet durable */
    uint64_t inflight_target;    /* its Redis sequence number */
    bool closing;
    uint64_t snapshots, snapshot_failures;
    double snapshot_seconds;     /* how long the last one took */
    uint64_t snapshot_bytes;
    double last_snap_time;       /* unix time of the last one written, 0 = none */

    int64_t last_wm_refresh_ms;  /* paused partitions' end offsets asked for */

    /* SIGHUP: rule reloads */
    uint64_t rules_reloaded, rules_reload_failed;
    double last_rules_time;      /* unix time the rules in use were loaded */
};

static const char *const COMP = "pipeline";

/* Wall-clock time in seconds, for the *_time_seconds gauges. */
static double unix_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000;
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

/* The shard calls this once per changed cluster per flush (a summary is a
 * state: only the last one of a batch is written). */
static void on_summary(void *opaque, const yw_alert_t *a, const char *detail, size_t len)
{
    yw_pipeline_t *p = opaque;
    yw_sink_summary_detail(p->sink, a, detail, len);
    p->st.summaries++;
}

static void on_forget(void *opaque, const char *cluster)
{
    yw_pipeline_t *p = opaque;
    /* yw_shard_flush skips clusters forgotten since their change, so no
     * summary written after this ZREM puts one back in the ranking. */
    yw_sink_forget(p->sink, cluster);
}

/* ---- metrics ---------------------------------------------------------------- */

/* name="value" with the value escaped as the Prometheus text format
 * wants (backslash, double quote, newline); rule names are free text. */
static void label_value(char *buf, size_t len, const char *name, const char *value)
{
    size_t n = (size_t)snprintf(buf, len, "%s=\"", name);
    for (const char *c = value; *c && n + 4 < len; c++) {
        if (*c == '\\' || *c == '"' || *c == '\n')
            buf[n++] = '\\';
        buf[n++] = *c == '\n' ? 'n' : *c;
    }
    buf[n++] = '"';
    buf[n] = '\0';
}

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

    yw_metrics_gauge(m, "yw_build_info", "Always 1; the version label says which build runs.",
                     "version=\"" YW_VERSION "\"", 1);
    yw_metrics_gauge(m, "yw_start_time_seconds", "Unix time the daemon started.", NULL, p->start_time);
    yw_metrics_counter(m, "yw_records_consumed_total", "Messages taken from Kafka.", NULL, (double)p->st.consumed);
    yw_metrics_counter(m, "yw_records_applied_total", "Records decoded and applied.", NULL, (double)p->st.applied);
    for (int e = 1; e < 8; e++) {
        char lab[64];
        snprintf(lab, sizeof lab, "reason=\"%s\"", yw_rec_err_name(-e));
        yw_metrics_counter(m, "yw_deadletter_total", "Records queued for the dead-letter topic, by reason.",
                           lab, (double)p->st.deadletter_by_reason[e]);
    }
    yw_metrics_counter(m, "yw_deadletter_delivered_total", "Dead-letter messages acknowledged by the broker.", NULL, (double)ks.dlq_produced);
    yw_metrics_counter(m, "yw_deadletter_failed_total", "Dead-letter delivery attempts that failed (each is produced again).", NULL, (double)ks.dlq_failed);
    yw_metrics_counter(m, "yw_records_skipped_total", "Re-delivered records already applied.", NULL, (double)p->st.skipped);
    yw_metrics_counter(m, "yw_records_late_total", "Records older than the watermark (newest event time minus score.lateness_ms).", NULL, (double)ss.late);
    yw_metrics_counter(m, "yw_alerts_total", "Alert events written.", NULL, (double)p->st.alerts);
    yw_metrics_gauge(m, "yw_clusters_live", "Clusters held by the shard.", NULL, (double)ss.clusters_live);
    yw_metrics_counter(m, "yw_cluster_merges_total", "Clusters merged into another.", NULL, (double)ss.merges);
    yw_metrics_counter(m, "yw_clusters_expired_total", "Clusters expired or evicted.", NULL, (double)ss.expired);
    yw_metrics_counter(m, "yw_downgrades_total", "Downgrade events written.", NULL, (double)ss.downgrades);
    yw_metrics_gauge(m, "yw_shard_memory_bytes", "Heap bytes held by clustering and scoring state.", NULL, (double)ss.memory_bytes);
    yw_metrics_counter(m, "yw_batches_total", "Batches applied and acknowledged.", NULL, (double)p->st.batches);
    if (p->snap_on) {
        yw_metrics_counter(m, "yw_snapshots_total", "State snapshots written (offsets committed with each).", NULL, (double)p->snapshots);
        yw_metrics_counter(m, "yw_snapshot_failures_total", "Snapshots that could not be written.", NULL, (double)p->snapshot_failures);
        yw_metrics_gauge(m, "yw_snapshot_bytes", "Size of the last snapshot.", NULL, (double)p->snapshot_bytes);
        yw_metrics_gauge(m, "yw_last_snapshot_time_seconds", "Unix time of the last snapshot written (0 = none since the start).", NULL, p->last_snap_time);
        yw_metrics_gauge(m, "yw_snapshot_seconds", "Time the last snapshot took (encode, write, fsync).", NULL, p->snapshot_seconds);
    }
    const yw_rules_t *rules = yw_shard_rules(p->shard);
    yw_metrics_gauge(m, "yw_rules_loaded", "Rules in use.", NULL, (double)yw_rules_count(rules));
    yw_metrics_counter(m, "yw_rules_reloads_total", "Rule reloads (SIGHUP), by result.",
                       "result=\"ok\"", (double)p->rules_reloaded);
    yw_metrics_counter(m, "yw_rules_reloads_total", "Rule reloads (SIGHUP), by result.",
                       "result=\"failed\"", (double)p->rules_reload_failed);
    yw_metrics_gauge(m, "yw_rules_load_time_seconds", "Unix time the rules in use were loaded.",
                     NULL, p->last_rules_time);
    for (uint32_t i = 0; i < yw_rules_count(rules); i++) {
        char lab[160];
        label_value(lab, sizeof lab, "rule", yw_rules_name(rules, i));
        yw_metrics_counter(m, "yw_rule_hits_total", "Records a rule matched.", lab,
                           (double)yw_shard_rule_hits(p->shard, i));
    }
    yw_metrics_gauge(m, "yw_kafka_paused", "1 while partitions are paused for backpressure.", NULL, ks.paused ? 1 : 0);
    yw_metrics_counter(m, "yw_kafka_pauses_total", "Backpressure pauses.", NULL, (double)ks.pauses);
    yw_metrics_counter(m, "yw_kafka_resumes_total", "Backpressure resumes.", NULL, (double)ks.resumes);
    yw_metrics_counter(m, "yw_kafka_rebalance_assign_total", "Partition assignments.", NULL, (double)ks.assigns);
    yw_metrics_counter(m, "yw_kafka_rebalance_revoke_total", "Partition revocations.", NULL, (double)ks.revokes);
    yw_metrics_gauge(m, "yw_kafka_assigned_partitions", "Partitions assigned now.", NULL, ks.assigned_partitions);
    yw_metrics_gauge(m, "yw_kafka_other_partitions", "Partitions of the input topics another member of the group had at the last assignment (a dead process until the broker expels it; one yuanwangd per group: 0 otherwise).", NULL, ks.other_partitions);
    /* paused partitions are not fetched: ask for their end offsets, at
     * most every 2 s (a blocking round trip, only while paused) */
    if (yw_mono_ms() - p->last_wm_refresh_ms >= 2000) {
        yw_kafka_refresh_paused_watermarks(p->kafka, 200);
        p->last_wm_refresh_ms = yw_mono_ms();
    }
    yw_metrics_gauge(m, "yw_kafka_lag_messages", "Messages on the assigned partitions not applied yet (high watermark -- cached from fetches, asked for while paused -- minus next offset to apply; 0 when unknown).", NULL, (double)yw_kafka_lag(p->kafka));
    yw_metrics_gauge(m, "yw_kafka_aligned_held", "Consumed messages held to be applied in event-time order across partitions.", NULL, (double)yw_align_held(p->align));
    yw_metrics_gauge(m, "yw_redis_connected", "1 while connected to Redis.", NULL, yw_redis_connected(p->redis) ? 1 : 0);
    yw_metrics_gauge(m, "yw_redis_pending", "Redis commands queued, not yet acknowledged.", NULL, (double)yw_redis_pending(p->redis));
    yw_metrics_counter(m, "yw_redis_commands_total", "Redis commands acknowledged.", NULL, (double)rs.written);
    yw_metrics_counter(m, "yw_redis_reply_errors_total", "Redis commands answered with a permanent error.", NULL, (double)rs.reply_errors);
    yw_metrics_counter(m, "yw_redis_reconnects_total", "Redis reconnects.", NULL, (double)rs.reconnects);
    yw_metrics_counter(m, "yw_redis_connect_failures_total", "Failed Redis connection attempts.", NULL, (double)rs.connect_failures);
    if (yw_metrics_write_file(m, p->cfg->metrics_file) != 0)
        yw_log_warn(COMP, "cannot write metrics to %s", p->cfg->metrics_file);
}

/* ---- snapshots ------------------------------------------------------------------ */

static const char *const SNAP = "snapshot";

static int mkdir_p(const char *dir)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *q = buf + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(buf, 0750) != 0 && errno != EEXIST)
            return -1;
        *q = '/';
    }
    if (mkdir(buf, 0750) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int offsets_decode(const yw_snap_t *s, rd_kafka_topic_partition_list_t **out,
                          char *errbuf, size_t errlen)
{
    yw_snap_rd_t r;
    *out = NULL;
    if (yw_snap_section(s, YW_SNAP_SEC_OFFSETS, &r) != 0) {
        snprintf(errbuf, errlen, "no offsets section");
        return -1;
    }
    uint64_t n = yw_snap_get_count(&r, 1u << 20, 16);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n + 1);
    for (uint64_t i = 0; i < n && !r.err; i++) {
        char topic[256];
        yw_snap_get_str(&r, topic, sizeof topic);
        int32_t part = yw_snap_get_i32(&r);
        int64_t off = yw_snap_get_i64(&r);
        if (!r.err && (!topic[0] || part < 0 || off < 0))
            yw_snap_fail(&r, "bad offset entry");
        if (!r.err)
            rd_kafka_topic_partition_list_add(l, topic, part)->offset = off;
    }
    yw_snap_expect_end(&r);
    if (r.err) {
        snprintf(errbuf, errlen, "offsets section: %s", r.err);
        rd_kafka_topic_partition_list_destroy(l);
        return -1;
    }
    *out = l;
    return 0;
}

/* yw_snap_load_latest's accept: the shard takes the snapshot, or the
 * pipeline goes on with a fresh shard for the next attempt. */
static int accept_snapshot(void *opaque, const yw_snap_t *s, char *errbuf, size_t errlen)
{
    yw_pipeline_t *p = opaque;
    rd_kafka_topic_partition_list_t *pos = NULL;
    if (!p->shard || offsets_decode(s, &pos, errbuf, errlen) != 0)
        return -1;
    if (yw_shard_load(p->shard, s, errbuf, errlen) != 0) {
        rd_kafka_topic_partition_list_destroy(pos);
        yw_shard_destroy(p->shard);
        char e[256];
        if (!(p->shard = yw_shard_create(p->cfg, e, sizeof e)))
            yw_log_error(SNAP, "cannot create a fresh shard: %s", e);
        return -1;
    }
    p->snap_pos = pos;
    return 0;
}

/* Lock the directory, load the newest usable snapshot into the shard.
 * Snapshots that exist but none of which loads refuse the start unless
 * opts->discard_state (yw_pipeline_opts_t). */
static int snapshot_open(yw_pipeline_t *p, yw_pipeline_opts_t *opts, char *errbuf,
                         size_t errlen)
{
    const char *dir = p->cfg->snapshot_dir;
    if (mkdir_p(dir) != 0) {
        snprintf(errbuf, errlen, "snapshot.dir %s: %s", dir, strerror(errno));
        return -1;
    }
    char lock[4200];
    snprintf(lock, sizeof lock, "%s/lock", dir);
    p->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (p->lock_fd < 0) {
        snprintf(errbuf, errlen, "snapshot.dir %s: %s", lock, strerror(errno));
        return -1;
    }
    if (flock(p->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(errbuf, errlen, "snapshot.dir %s is in use by another yuanwangd "
                 "(each daemon needs its own)", dir);
        return -1;
    }
    uint64_t *seqs = NULL;
    int n = yw_snap_list(dir, &seqs);
    p->snap_seq = n > 0 ? seqs[n - 1] : 0;
    free(seqs);
    int64_t got = yw_snap_load_latest(dir, accept_snapshot, p);
    if (!p->shard) {
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    if (got > 0) {
        yw_shard_stats_t ss;
        yw_shard_stats(p->shard, &ss);
        yw_log_info(SNAP, "state restored from %s/snapshot.%012lld: %llu records, %llu clusters, "
                    "%d partition position(s)", dir, (long long)got,
                    (unsigned long long)ss.records, (unsigned long long)ss.clusters_live,
                    p->snap_pos ? p->snap_pos->cnt : 0);
    } else if (n > 0 && !(opts && opts->discard_state)) {
        /* Files exist but none loads (each was reported above): starting
         * now would silently drop the state of everything before the
         * committed offsets. */
        if (opts)
            opts->state_refused = true;
        snprintf(errbuf, errlen, "%d snapshot(s) in %s, none usable (see the errors above); "
                 "starting would drop the state built from every record before the group's "
                 "committed offsets and begin a new warm-up.  Put back the config values or "
                 "the build that wrote them, or start once with --discard-state to begin "
                 "with empty state", n, dir);
        return -1;
    } else if (n > 0) {
        yw_log_warn(SNAP, "no usable snapshot in %s: --discard-state, starting with empty "
                    "state at the group's committed offsets", dir);
    } else {
        yw_log_info(SNAP, "no snapshot in %s yet (first start): empty state, the "
                    "group's committed offsets", dir);
    }
    return 0;
}

/* Write a snapshot of the shard with every partition's position, then
 * store and commit those positions.  Only between batches, when nothing
 * applied is waiting for Redis: the file then holds exactly the effects
 * that are in Redis.  0, or -1 (logged; offsets stay at the last one). */
static int snapshot_write(yw_pipeline_t *p, bool sync, const char *when)
{
    if (!p->snap_on || p->inflight || !p->done_since_snap)
        return 0;
    int64_t t0 = yw_mono_ms();
    const char *dir = p->cfg->snapshot_dir;
    char err[512] = "out of memory";
    rd_kafka_topic_partition_list_t *pos = yw_kafka_positions(p->kafka);
    yw_snap_writer_t *w = yw_snap_writer_begin(dir, p->snap_seq + 1, err, sizeof err);
    if (!w)
        goto fail;
    yw_snap_buf_t *b = yw_snap_writer_buf(w);
    yw_shard_stats_t ss;
    yw_shard_stats(p->shard, &ss);
    yw_snap_put_str(b, YW_VERSION);
    yw_snap_put_u64(b, ss.records);
    yw_snap_writer_section(w, YW_SNAP_SEC_META);
    yw_snap_put_u64(b, pos ? (uint64_t)pos->cnt : 0);
    for (int i = 0; pos && i < pos->cnt; i++) {
        yw_snap_put_str(b, pos->elems[i].topic);
        yw_snap_put_i32(b, pos->elems[i].partition);
        yw_snap_put_i64(b, pos->elems[i].offset);
    }
    yw_snap_writer_section(w, YW_SNAP_SEC_OFFSETS);
    if (yw_shard_save(p->shard, w) != 0) {
        snprintf(err, sizeof err, "cannot encode the shard (out of memory?)");
        yw_snap_writer_abort(w);
        goto fail;
    }
    if (yw_snap_writer_commit(w, (int)p->cfg->snapshot_keep, err, sizeof err) != 0)
        goto fail;
    p->snap_seq++;
    yw_kafka_store_offsets(p->kafka, pos, sync);
    char path[4200];
    snprintf(path, sizeof path, "%s/snapshot.%012llu", dir, (unsigned long long)p->snap_seq);
    struct stat st;
    p->snapshot_bytes = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
    p->snapshot_seconds = (double)(yw_mono_ms() - t0) / 1000;
    p->snapshots++;
    p->last_snap_time = unix_time();
    p->done_since_snap = 0;
    p->last_snap_ms = yw_mono_ms();
    if (p->snap_pos)
        rd_kafka_topic_partition_list_destroy(p->snap_pos);
    p->snap_pos = pos;               /* committed just now: nothing owed */
    pos = NULL;
    p->commit_owed = false;
    if (when)
        yw_log_info(SNAP, "wrote %s %s (%llu bytes, %.3f s); offsets committed", path, when,
                    (unsigned long long)p->snapshot_bytes, p->snapshot_seconds);
    else
        yw_log_debug(SNAP, "wrote %s (%llu bytes, %.3f s)", path,
                     (unsigned long long)p->snapshot_bytes, p->snapshot_seconds);
    if (pos)
        rd_kafka_topic_partition_list_destroy(pos);
    return 0;
fail:
    p->snapshot_failures++;
    p->last_snap_ms = yw_mono_ms();          /* try again after the interval */
    yw_log_error(SNAP, "cannot write a snapshot: %s; offsets stay at the previous one "
                 "(what came since is read again after a restart)", err);
    if (pos)
        rd_kafka_topic_partition_list_destroy(pos);
    return -1;
}

/* Partitions were assigned since the newest snapshot's offsets were
 * committed: store and commit them again (for the partitions assigned
 * now), between batches.  Only the snapshot's offsets, never what was
 * applied after it: what is committed must be in a snapshot. */
static void pay_owed_commit(yw_pipeline_t *p)
{
    if (!p->commit_owed || p->inflight)
        return;
    p->commit_owed = false;
    yw_kafka_store_offsets(p->kafka, p->snap_pos, false);
}

static bool snapshot_due(const yw_pipeline_t *p)
{
    if (!p->snap_on || !p->done_since_snap)
        return false;
    return yw_mono_ms() - p->last_snap_ms >= p->cfg->snapshot_interval_ms ||
           (p->cfg->snapshot_interval_records > 0 &&
            p->done_since_snap >= (uint64_t)p->cfg->snapshot_interval_records);
}

/* Rebalance: before partitions go, the batch in flight is made durable
 * (within REVOKE_FLUSH_MS) and a snapshot holds everything applied, so the
 * commit that follows covers it.  If Redis does not catch up in time the
 * state is not snapshotted: the offsets stay at the last snapshot. */
static void on_revoke(void *opaque)
{
    yw_pipeline_t *p = opaque;
    if (!p->snap_on || p->closing)
        return;
    if (p->inflight) {
        int64_t end = yw_mono_ms() + REVOKE_FLUSH_MS;
        bool durable = false;
        while (!durable && yw_mono_ms() < end) {
            yw_redis_flush(p->redis, 100);
            bool redis_ok = yw_redis_acked(p->redis) >= p->inflight_target;
            durable = redis_ok && yw_kafka_dlq_wait(p->kafka, 100) == 0;
            if (!redis_ok && !yw_redis_connected(p->redis)) {
                /* reconnect backoff; no consumer poll inside its callback */
                int ms = yw_redis_retry_in_ms(p->redis);
                struct timespec ts = { 0, (long)(ms < 1 ? 1 : ms > 100 ? 100 : ms) * 1000000L };
                nanosleep(&ts, NULL);
            }
        }
        if (!durable) {
            yw_log_warn(SNAP, "partitions revoked while a batch waits for Redis: no snapshot; "
                        "their offsets stay at the last one");
            return;
        }
        for (size_t i = 0; i < p->nbatch; i++)
            yw_kafka_mark_done(p->kafka, p->batch[i]);
        p->done_since_snap += p->nbatch;
        p->inflight = false;
    }
    snapshot_write(p, true, "before the revoke");
}

/* ---- partition alignment (align.h) ----------------------------------------- */

static void align_assigned(void *opaque, const char *topic, int32_t partition)
{
    yw_pipeline_t *p = opaque;
    if (yw_align_add_partition(p->align, topic, partition, yw_mono_ms()) != 0)
        yw_log_warn(COMP, "out of memory tracking %s[%d] for alignment", topic, partition);
    /* it starts at the state's position: commit the snapshot's (pay_owed_commit) */
    p->commit_owed = p->snap_pos != NULL;    /* only ever set with snapshots on */
}

static void align_revoked(void *opaque, const char *topic, int32_t partition)
{
    yw_pipeline_t *p = opaque;
    yw_align_drop_partition(p->align, topic, partition);
}

static void align_at_end(void *opaque, const char *topic, int32_t partition)
{
    yw_pipeline_t *p = opaque;
    yw_align_eof(p->align, topic, partition, yw_mono_ms());
}

static bool align_pending(void *opaque, const char *topic, int32_t partition)
{
    yw_pipeline_t *p = opaque;
    return yw_kafka_partition_pending(p->kafka, topic, partition);
}

static void align_unassigned(void *opaque, const rd_kafka_topic_partition_list_t *parts,
                             int64_t hold_ms)
{
    yw_pipeline_t *p = opaque;
    yw_align_part_t *v = calloc((size_t)parts->cnt + 1, sizeof *v);
    for (int i = 0; v && i < parts->cnt; i++)
        v[i] = (yw_align_part_t){ parts->elems[i].topic, parts->elems[i].partition };
    if (!v || yw_align_set_unassigned(p->align, v, (size_t)parts->cnt, yw_mono_ms(), hold_ms) != 0)
        yw_log_warn(COMP, "out of memory tracking unassigned partitions for alignment");
    free(v);
}

static const yw_kafka_part_hooks_t align_hooks = {
    .assigned = align_assigned, .revoked = align_revoked, .at_end = align_at_end,
    .unassigned = align_unassigned,
};

static void release_message(void *rkm)
{
    yw_kafka_release(rkm);
}

/* ---- lifecycle ---------------------------------------------------------------- */

yw_pipeline_t *yw_pipeline_create(const yw_config_t *cfg, yw_pipeline_opts_t *opts,
                                  char *errbuf, size_t errlen)
{
    yw_pipeline_t *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    p->cfg = cfg;
    p->lock_fd = -1;
    p->start_time = unix_time();
    p->last_rules_time = p->start_time;
    for (size_t k = 0; k < YW_SHARD_BATCH; k++)
        yw_record_init(&p->recs[k]);

    if (!(p->dec = yw_config_decoder(cfg, errbuf, errlen)))
        goto fail;
    if (!(p->shard = yw_shard_create(cfg, errbuf, errlen)))
        goto fail;
    p->snap_on = cfg->snapshot_dir && cfg->snapshot_dir[0];
    if (p->snap_on && snapshot_open(p, opts, errbuf, errlen) != 0)
        goto fail;
    if (!p->snap_on)
        yw_log_warn(COMP, "snapshot.dir is \"\": state is not snapshotted; a restart starts "
                    "clustering and scoring from empty state");
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
    if (!(p->align = yw_align_create(cfg->kafka_align_idle_ms, (size_t)cfg->kafka_align_max_held,
                                     release_message)))
        goto nomem;
    /* Kafka last: once subscribed, the group may hand us partitions. */
    if (!(p->kafka = yw_kafka_create(cfg, errbuf, errlen)))
        goto fail;
    yw_kafka_set_partition_hooks(p->kafka, &align_hooks, p);
    yw_align_set_pending(p->align, align_pending, p);
    if (p->snap_on) {
        yw_kafka_set_deferred(p->kafka, true);
        yw_kafka_set_revoke_hook(p->kafka, on_revoke, p);
        if (yw_kafka_restore_positions(p->kafka, p->snap_pos) != 0)
            goto nomem;
        p->last_snap_ms = yw_mono_ms();
    }
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
    /* Held messages go back unapplied (re-read from the committed offsets
     * next time); the consumer's close must not reach the aligner. */
    if (p->kafka)
        yw_kafka_set_partition_hooks(p->kafka, NULL, NULL);
    yw_align_destroy(p->align);
    p->align = NULL;
    p->closing = true;
    yw_kafka_destroy(p->kafka);
    free(p->batch);
    yw_metrics_destroy(p->metrics);
    yw_sink_destroy(p->sink);
    yw_redis_destroy(p->redis);
    yw_shard_destroy(p->shard);
    yw_decoder_destroy(p->dec);
    for (size_t k = 0; k < YW_SHARD_BATCH; k++)
        yw_record_free(&p->recs[k]);
    if (p->snap_pos)
        rd_kafka_topic_partition_list_destroy(p->snap_pos);
    if (p->lock_fd >= 0)
        close(p->lock_fd);
    free(p);
}

void yw_pipeline_stats(const yw_pipeline_t *p, yw_pipeline_stats_t *st)
{
    *st = p->st;
}

void yw_pipeline_set_hup_flag(yw_pipeline_t *p, volatile sig_atomic_t *hup)
{
    p->hup = hup;
}

/* Called from the loops between batches, outside the signal handler.
 * SIGHUP reloads the rules: the files and directories rules.paths names,
 * as they are now, compiled and checked in full before the swap.  A rule
 * set with any error is not used: every error is logged (FILE:LINE:COL,
 * as --check-config prints them) and the rules in use stay.  Nothing else
 * in the configuration is read again; that takes a restart. */
static void check_hup(yw_pipeline_t *p)
{
    if (!p->hup || !*p->hup)
        return;
    *p->hup = 0;
    const yw_config_t *cfg = p->cfg;
    const yw_rules_t *old = yw_shard_rules(p->shard);
    size_t old_n = yw_rules_count(old), old_pats = yw_rules_pattern_count(old);
    yw_rules_errors_t errs = { 0 };
    yw_rules_t *r = yw_rules_load((const char *const *)cfg->rules_paths,
                                  cfg->rules_path_count, &errs);
    char err[512] = "";
    if (r && yw_shard_set_rules(p->shard, r, err, sizeof err) != 0) {
        yw_rules_destroy(r);
        r = NULL;
    }
    if (!r) {
        for (size_t i = 0; i < errs.count; i++)
            yw_log_error("rules", "%s", errs.msgs[i]);
        if (err[0])
            yw_log_error("rules", "%s", err);
        yw_log_warn("rules", "SIGHUP: rules not reloaded (%zu error(s)); still matching "
                    "with the %zu rules (%zu patterns) loaded before",
                    errs.count, old_n, old_pats);
        p->rules_reload_failed++;
    } else {
        const yw_rules_t *now = yw_shard_rules(p->shard);
        yw_log_info("rules", "SIGHUP: rules reloaded: %zu rules (%zu patterns), were %zu (%zu); "
                    "the rest of the configuration is unchanged (restart to apply it)",
                    yw_rules_count(now), yw_rules_pattern_count(now), old_n, old_pats);
        p->rules_reloaded++;
        p->last_rules_time = unix_time();
    }
    yw_rules_errors_free(&errs);
}

/* ---- one batch ------------------------------------------------------------------ */

/* The decoded records waiting in p->recs through the shard. */
static void apply_decoded(yw_pipeline_t *p, const yw_stage_out_t *out)
{
    yw_shard_apply_batch(p->shard, p->recs, p->nrecs, out, NULL, NULL);
    p->nrecs = 0;
}

/* Decode and apply every message of the batch, in order; bad ones to the
 * dead-letter topic.  The decoded records go to the shard
 * YW_SHARD_BATCH at a time (stage.h). */
static void apply_batch(yw_pipeline_t *p)
{
    yw_stage_out_t out = { .emit = on_alert, .summary = on_summary,
                           .forget = on_forget, .opaque = p };
    for (size_t i = 0; i < p->nbatch; i++) {
        rd_kafka_message_t *rkm = p->batch[i];
        if (yw_kafka_seen(p->kafka, rkm)) {
            p->st.skipped++;
            continue;
        }
        /* From here on a re-delivery of it, even in this batch, is seen. */
        yw_kafka_mark_applied(p->kafka, rkm);
        const char *topic = rd_kafka_topic_name(rkm->rkt);
        char reason[256];
        yw_record_t *rec = &p->recs[p->nrecs];
        int rc = yw_record_decode(p->dec, rkm->payload, rkm->len,
                                  yw_kafka_topic_source(p->kafka, topic),
                                  rec, reason, sizeof reason);
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
        rec->topic = topic;
        rec->partition = rkm->partition;
        rec->offset = rkm->offset;
        p->st.applied++;
        if (++p->nrecs == YW_SHARD_BATCH)
            apply_decoded(p, &out);
    }
    apply_decoded(p, &out);
    yw_shard_flush(p->shard, &out);
}

/* Hold a consumed message for alignment, by its event time (-1 when it has
 * none the peek can read: it keeps its place in its partition, and the
 * decoder will dead-letter it if it is bad). */
static int hold(yw_pipeline_t *p, rd_kafka_message_t *rkm)
{
    p->st.consumed++;
    int64_t ts;
    if (!rkm->payload ||
        yw_time_peek(rkm->payload, rkm->len, p->cfg->tz_offset_minutes, &ts) != 0)
        ts = -1;
    return yw_align_push(p->align, rd_kafka_topic_name(rkm->rkt), rkm->partition, ts,
                         rkm, yw_mono_ms());
}

/* Next message in event-time order across partitions, waiting at most
 * timeout_ms for the consumer (or for a silent partition to stop holding
 * the others).  A message that cannot be held (out of memory) goes at
 * once, out of order, rather than be lost. */
static rd_kafka_message_t *next_message(yw_pipeline_t *p, int timeout_ms)
{
    int64_t end = yw_mono_ms() + timeout_ms;
    for (;;) {
        int64_t now = yw_mono_ms();
        rd_kafka_message_t *rkm = yw_align_pop(p->align, now);
        if (rkm)
            return rkm;
        if (now > end)
            return NULL;
        int64_t wait = end - now, due = yw_align_due(p->align, now);
        if (due >= 0 && due - now < wait)
            wait = due > now ? due - now : 0;
        rkm = yw_kafka_poll(p->kafka, (int)wait);
        if (rkm && hold(p, rkm) != 0)
            return rkm;
        if (!rkm && now >= end)
            return NULL;
    }
}

/* Wait until Redis acknowledged up to `target` and the dead-letter topic
 * every bad record, pausing Kafka when that takes long.  Returns 0 when
 * durable, -1 when stopping before it became durable. */
static int make_durable(yw_pipeline_t *p, uint64_t target, volatile sig_atomic_t *stop)
{
    int64_t start = yw_mono_ms();
    int64_t stop_seen = 0;
    bool logged = false;
    for (;;) {
        int rc = yw_redis_flush(p->redis, 100);
        bool redis_ok = yw_redis_acked(p->redis) >= target;
        bool dlq_ok = yw_kafka_dlq_wait(p->kafka, redis_ok ? 100 : 0) == 0;
        if (redis_ok && dlq_ok)
            return 0;
        int64_t waited = yw_mono_ms() - start;
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
         * is held and applied with the next batches. */
        int wait = 0;
        if (!redis_ok && !yw_redis_connected(p->redis)) {
            /* In reconnect backoff: flush returns at once, so wait here
             * (serving the consumer) instead of spinning. */
            wait = yw_redis_retry_in_ms(p->redis);
            wait = wait < 1 ? 1 : wait > 100 ? 100 : wait;
        }
        rd_kafka_message_t *extra = yw_kafka_poll(p->kafka, wait);
        if (extra && hold(p, extra) != 0) {
            /* Cannot keep it: fail rather than commit past it. */
            yw_log_error(COMP, "out of memory holding a message; exiting without commit");
            yw_kafka_release(extra);
            return -1;
        }
        if (*stop) {
            if (!stop_seen)
                stop_seen = yw_mono_ms();
            else if (yw_mono_ms() - stop_seen > SHUTDOWN_FLUSH_MS) {
                yw_log_error(COMP, "stopping with %zu Redis command(s) unacknowledged; "
                             "their offsets are not committed and will be re-read",
                             yw_redis_pending(p->redis));
                return -1;
            }
        }
        check_hup(p);
        if (yw_mono_ms() - p->last_metrics_ms >= p->cfg->metrics_interval_ms) {
            write_metrics(p);
            p->last_metrics_ms = yw_mono_ms();
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
                int64_t left = deadline - yw_mono_ms();
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
                deadline = yw_mono_ms() + p->cfg->kafka_batch_timeout_ms;
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
            p->inflight = true;
            p->inflight_target = target;
            if (make_durable(p, target, stop) != 0) {
                result = *stop ? 0 : -1;
                break;
            }
            for (size_t i = 0; i < p->nbatch; i++) {
                yw_kafka_mark_done(p->kafka, p->batch[i]);
                yw_kafka_release(p->batch[i]);
            }
            p->inflight = false;
            p->done_since_snap += p->nbatch;
            p->nbatch = 0;
            p->st.batches++;
            yw_kafka_resume(p->kafka);
            if (snapshot_due(p))
                snapshot_write(p, false, NULL);
        } else {
            yw_redis_flush(p->redis, 0);
            /* idle after a burst: the state is in no snapshot yet */
            if (snapshot_due(p))
                snapshot_write(p, false, NULL);
        }
        pay_owed_commit(p);

        check_hup(p);
        int64_t now = yw_mono_ms();
        if (now - p->last_metrics_ms >= p->cfg->metrics_interval_ms) {
            write_metrics(p);
            p->last_metrics_ms = now;
        }
    }
    if (result == 0)
        snapshot_write(p, true, "at stop");
    write_metrics(p);
    yw_log_info(COMP, "stopped: %llu consumed, %llu applied, %llu dead-lettered, "
                "%llu skipped as already applied, %llu alerts",
                (unsigned long long)p->st.consumed, (unsigned long long)p->st.applied,
                (unsigned long long)p->st.deadletter, (unsigned long long)p->st.skipped,
                (unsigned long long)p->st.alerts);
    return result;
}
