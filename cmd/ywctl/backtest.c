/* backtest.c -- `ywctl backtest`: the pipeline offline over contract-v1 files.
 *
 *   ywctl backtest -c CONFIG --input F.jsonl [--input ...]
 *                  --assignments ASSIGN.jsonl [--alerts ALERTS.jsonl]
 *                  [--clusters CLUSTERS.jsonl] [--set cluster.KEY=VALUE ...]
 *                  [--score-trace TRACE.jsonl]
 *
 * Every input line's event time is read first (yw_time_peek, as the
 * daemon's aligner does; a line whose time cannot be peeked is decoded to
 * learn it or why it is bad); the records are then decoded once and
 * processed in event-time order (a stable sort: equal times keep input
 * order) through the very same shard the daemon runs (lib/stage.c:
 * features -> cluster -> score).  A line without a `source` field gets the
 * one its fields imply (lib/route.h), as `ywctl replay` routes it.  Bad lines (malformed JSON, missing fields, bad time...) are
 * counted by reason and reported on stderr, never fatal.
 *
 * --assignments gets one {"id":...,"cluster":...} line per good record, in
 * processing (event-time) order, with the record's FINAL cluster: the
 * cluster it joined, followed through every later merge.
 * --clusters gets one line per final cluster, largest first, with its size,
 * times, the title it had when it last grew, and its peak score: the
 * highest score it had right after one of its records (a merged cluster
 * keeps the highest of its parts), with when and the level then.
 * --alerts gets every alert and downgrade event, one JSON object per line,
 * exactly as the daemon writes it to Redis (docs/redis-schema.md).
 * --set cluster.KEY=VALUE overrides one key of the config's cluster:
 * section for this run (keys: cluster.h, yw_cluster_conf_set).
 * --score-trace gets every evaluation of every cluster and every merge,
 * one JSON object per line (score.h, yw_scorer_set_trace): the raw
 * material for tuning weights offline (bench/README.md "evaluation"). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "cluster.h"
#include "jsonw.h"
#include "record.h"
#include "route.h"
#include "score.h"
#include "stage.h"
#include "ywctl.h"

#define MAX_INPUTS 64
#define TITLE_MAX 160

typedef struct {
    const char *line;
    size_t len;
    int64_t ts;
    uint32_t file, lineno;
} bt_line_t;

typedef struct {
    uint64_t into;            /* 0, or the cluster that absorbed this one */
    uint32_t records;         /* final records (filled at the end) */
    uint32_t near_dups;
    int64_t first_ts, last_ts;
    double peak;              /* highest score after one of its records */
    int64_t peak_ts;
    int peak_level;
    char title[TITLE_MAX];
} bt_cluster_t;

typedef struct {
    const yw_config_t *cfg;
    yw_decoder_t *dec;
    yw_shard_t *shard;
    yw_clusterer_t *cl;       /* the shard's */
    yw_record_t rec;          /* pass 1's */
    yw_record_t recs[YW_SHARD_BATCH];   /* pass 2's, decoded, waiting for the shard */
    size_t nrecs;
    bool enomem;
    FILE *alerts;             /* --alerts, or NULL */
    long nalerts;

    uint64_t *rec_cluster;    /* per processed record: the cluster it joined */
    size_t nrec;
    char *ids;                /* per processed record: its id, NUL-terminated, */
    size_t *id_at;            /* at ids + id_at[k] (for --assignments) */
    size_t ids_len, ids_cap;
    bt_cluster_t *clus;       /* by cluster id */
    size_t nclus;
    bool want_peaks;          /* --clusters: track each cluster's peak score */
} bt_t;

static int cmp_line(const void *a, const void *b)
{
    const bt_line_t *x = a, *y = b;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    if (x->file != y->file) return x->file < y->file ? -1 : 1;
    return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n - 1, fp)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    fclose(fp);
    if (buf) buf[n] = '\0';
    *len = n;
    return buf;
}

static uint64_t bt_find(bt_t *bt, uint64_t id)
{
    while (id < bt->nclus && bt->clus[id].into) id = bt->clus[id].into;
    return id;
}

static int bt_grow_clusters(bt_t *bt, uint64_t id)
{
    if (id < bt->nclus) return 0;
    size_t n = bt->nclus ? bt->nclus : 1024;
    while (n <= id) n *= 2;
    bt_cluster_t *p = realloc(bt->clus, n * sizeof(*p));
    if (!p) return -1;
    memset(p + bt->nclus, 0, (n - bt->nclus) * sizeof(*p));
    bt->clus = p;
    bt->nclus = n;
    return 0;
}

/* Decode a line into rec; its source from the line itself (no topic here). */
static int bt_decode(bt_t *bt, const char *line, size_t len, yw_record_t *rec, char *reason,
                     size_t rlen)
{
    const char *key;
    size_t keylen;
    /* Hotline when nothing tells: what `ywctl replay` does by default. */
    yw_source_t src = yw_route_source(line, len, YW_SRC_HOTLINE, &key, &keylen);
    return yw_record_decode(bt->dec, line, len, src, rec, reason, rlen);
}

static void bt_emit(void *opaque, const yw_alert_t *a)
{
    bt_t *bt = opaque;
    bt->nalerts++;
    if (!bt->alerts)
        return;
    size_t len;
    char *json = yw_alert_to_json(a, bt->cfg->tz_offset_minutes, &len);
    if (json) {
        fwrite(json, 1, len, bt->alerts);
        fputc('\n', bt->alerts);
        free(json);
    }
}

/* Keep the record's id for --assignments (records are not kept). */
static int bt_keep_id(bt_t *bt, const yw_record_t *rec)
{
    size_t n = rec->id.len + 1;
    if (bt->ids_len + n > bt->ids_cap) {
        size_t cap = bt->ids_cap ? bt->ids_cap : 1 << 16;
        while (cap < bt->ids_len + n) cap *= 2;
        char *p = realloc(bt->ids, cap);
        if (!p) return -1;
        bt->ids = p;
        bt->ids_cap = cap;
    }
    bt->id_at[bt->nrec] = bt->ids_len;
    memcpy(bt->ids + bt->ids_len, rec->id.s, n - 1);
    bt->ids[bt->ids_len + n - 1] = '\0';
    bt->ids_len += n;
    return 0;
}

/* What the record did, right after the shard applied it.  0, or -1 on a
 * fatal error (ENOMEM). */
static int bt_record(bt_t *bt, const yw_record_t *rec, const yw_cluster_assign_t *a)
{
    if (bt_keep_id(bt, rec)) return -1;
    if (bt_grow_clusters(bt, a->cluster)) return -1;
    for (uint32_t m = 0; m < a->nmerges; m++) {
        if (bt_grow_clusters(bt, a->merges[m].absorbed) ||
            bt_grow_clusters(bt, a->merges[m].into))
            return -1;
        bt->clus[a->merges[m].absorbed].into = a->merges[m].into;
    }
    bt->rec_cluster[bt->nrec++] = a->cluster;
    bt_cluster_t *c = &bt->clus[a->cluster];
    if (a->size >= 2 || a->is_new) {
        /* keep the title as it is now: the cluster may expire before the end */
        yw_cluster_title(bt->cl, a->cluster, c->title, sizeof(c->title));
        yw_cluster_info_t info;
        if (yw_cluster_info(bt->cl, a->cluster, &info) == 0) {
            c->first_ts = info.first_ts;
            c->last_ts = info.last_ts;
        }
    }
    if (a->near_dup) c->near_dups++;
    if (bt->want_peaks) {
        char id[32];
        double score;
        int level;
        int64_t at;
        yw_cluster_id_format(a->cluster, id, sizeof id);
        if (yw_score_level(yw_shard_scorer(bt->shard), id, &score, &level, &at) == 0 &&
            (score > c->peak || c->peak_ts == 0)) {
            c->peak = score;
            c->peak_ts = at;
            c->peak_level = level;
        }
    }
    return 0;
}

/* yw_shard_apply_batch's call after each record (bt->recs[i]); a fatal
 * error (ENOMEM) is kept in bt->enomem. */
static void bt_applied(void *opaque, size_t i, const yw_cluster_assign_t *as)
{
    bt_t *bt = opaque;
    if (!bt->enomem && bt_record(bt, &bt->recs[i], as))
        bt->enomem = true;
}

/* The decoded records waiting in bt->recs through the shard.  0, or -1 on
 * a fatal error (ENOMEM). */
static int bt_apply(bt_t *bt)
{
    yw_stage_out_t so = { .emit = bt_emit, .opaque = bt };
    int rc = yw_shard_apply_batch(bt->shard, bt->recs, bt->nrecs, &so, bt_applied, bt);
    bt->nrecs = 0;
    yw_shard_flush(bt->shard, NULL);    /* no summaries offline */
    return rc || bt->enomem ? -1 : 0;
}

static int cmp_size(const void *a, const void *b)
{
    const bt_cluster_t *const *x = a, *const *y = b;
    if ((*x)->records != (*y)->records) return (*x)->records > (*y)->records ? -1 : 1;
    return *x < *y ? -1 : *x > *y;
}

static int write_clusters(bt_t *bt, const char *path, int tz)
{
    FILE *fp = fopen(path, "w");
    if (!fp) {
        perror(path);
        return -1;
    }
    size_t n = 0;
    bt_cluster_t **v = malloc(bt->nclus * sizeof(*v));
    if (!v) {
        fclose(fp);
        return -1;
    }
    for (size_t i = 1; i < bt->nclus; i++) {
        /* a merged-away cluster's peak counts for the cluster it joined */
        bt_cluster_t *c = &bt->clus[i], *fin = &bt->clus[bt_find(bt, i)];
        if (fin != c && c->peak_ts && (c->peak > fin->peak || !fin->peak_ts)) {
            fin->peak = c->peak;
            fin->peak_ts = c->peak_ts;
            fin->peak_level = c->peak_level;
        }
    }
    for (size_t i = 1; i < bt->nclus; i++)
        if (bt->clus[i].records) v[n++] = &bt->clus[i];
    qsort(v, n, sizeof(*v), cmp_size);
    yw_jsonw_t w;
    yw_jsonw_init(&w);
    char idbuf[32], t1[40], t2[40];
    for (size_t k = 0; k < n; k++) {
        yw_jsonw_reset(&w);
        yw_time_format(v[k]->first_ts, tz, t1, sizeof(t1));
        yw_time_format(v[k]->last_ts, tz, t2, sizeof(t2));
        yw_jsonw_obj_begin(&w);
        yw_jsonw_kv_str(&w, "cluster",
                        yw_cluster_id_format((uint64_t)(v[k] - bt->clus), idbuf, sizeof(idbuf)));
        yw_jsonw_kv_int(&w, "records", v[k]->records);
        yw_jsonw_kv_int(&w, "near_dups", v[k]->near_dups);
        yw_jsonw_kv_str(&w, "first_seen", t1);
        yw_jsonw_kv_str(&w, "last_seen", t2);
        yw_jsonw_kv_str(&w, "title", v[k]->title);
        yw_jsonw_kv_double(&w, "peak_score", v[k]->peak, 1);
        yw_time_format(v[k]->peak_ts, tz, t1, sizeof(t1));
        yw_jsonw_kv_str(&w, "peak_at", t1);
        yw_jsonw_kv_str(&w, "peak_level", yw_level_name((yw_level_t)v[k]->peak_level));
        yw_jsonw_obj_end(&w);
        size_t len;
        const char *s = yw_jsonw_peek(&w, &len);
        if (s) {
            fwrite(s, 1, len, fp);
            fputc('\n', fp);
        }
    }
    yw_jsonw_free(&w);
    free(v);
    return fclose(fp) == 0 ? 0 : -1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ywctl backtest -c CONFIG --input F.jsonl [--input ...]\n"
            "                      --assignments ASSIGN.jsonl [--alerts ALERTS.jsonl]\n"
            "                      [--clusters CLUSTERS.jsonl] [--set cluster.KEY=VALUE ...]\n"
            "                      [--score-trace TRACE.jsonl]\n"
            "                      [--print-conf]\n");
}

int ywctl_backtest(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "input", required_argument, NULL, 'i' },
        { "assignments", required_argument, NULL, 'a' },
        { "clusters", required_argument, NULL, 'C' },
        { "alerts", required_argument, NULL, 'A' },
        { "set", required_argument, NULL, 's' },
        { "score-trace", required_argument, NULL, 'T' },
        { "print-conf", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cpath = NULL, *apath = NULL, *clpath = NULL, *alpath = NULL, *trpath = NULL;
    const char *sets[64];
    size_t nsets = 0;
    const char *inputs[MAX_INPUTS];
    size_t ninputs = 0;
    bool print_conf = false;
    char err[512];
    int ret = 1, o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (o) {
        case 'c': cpath = optarg; break;
        case 'i':
            if (ninputs == MAX_INPUTS) {
                fprintf(stderr, "ywctl backtest: at most %d --input\n", MAX_INPUTS);
                return 2;
            }
            inputs[ninputs++] = optarg;
            break;
        case 'a': apath = optarg; break;
        case 'C': clpath = optarg; break;
        case 'A': alpath = optarg; break;
        case 'T': trpath = optarg; break;
        case 's':
            if (!strchr(optarg, '=') || strncmp(optarg, "cluster.", 8) != 0 ||
                nsets == sizeof sets / sizeof sets[0]) {
                fprintf(stderr, "ywctl backtest: --set wants cluster.KEY=VALUE, got '%s'\n",
                        optarg);
                return 2;
            }
            sets[nsets++] = optarg;
            break;
        case 'P': print_conf = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!cpath || !ninputs || !apath) {
        usage(stderr);
        return 2;
    }
    bt_t bt;
    memset(&bt, 0, sizeof(bt));
    yw_record_init(&bt.rec);
    for (size_t k = 0; k < YW_SHARD_BATCH; k++) yw_record_init(&bt.recs[k]);
    char *bufs[MAX_INPUTS] = { 0 };
    bt_line_t *lines = NULL;
    size_t nlines = 0, cap = 0;
    long bad_by[8] = { 0 }, bad = 0;
    FILE *out = NULL, *trace = NULL;
    struct timespec t0, t1;

    yw_config_t *cfg = ywctl_load_config(cpath, true);
    if (!cfg) return 2;
    bt.cfg = cfg;
    /* The config's cluster: section, with --set overrides for this run. */
    yw_config_t run = *cfg;
    for (size_t i = 0; i < nsets; i++) {
        const char *eq = strchr(sets[i], '=');
        char key[64];
        snprintf(key, sizeof(key), "%.*s", (int)(eq - sets[i] - 8), sets[i] + 8);
        if (yw_cluster_conf_set(&run.cluster, key, eq + 1, err, sizeof(err))) {
            fprintf(stderr, "ywctl backtest: --set: %s\n", err);
            yw_config_destroy(cfg);
            return 2;
        }
    }
    if (print_conf) yw_cluster_conf_print(&run.cluster, stderr);
    if (!(bt.dec = yw_config_decoder(cfg, err, sizeof(err)))) goto fail_msg;
    if (!(bt.shard = yw_shard_create(&run, err, sizeof(err)))) goto fail_msg;
    bt.cl = yw_shard_clusterer(bt.shard);
    bt.want_peaks = clpath != NULL;
    if (alpath && !(bt.alerts = fopen(alpath, "w"))) {
        perror(alpath);
        goto done;
    }
    if (trpath) {
        if (!(trace = fopen(trpath, "w"))) {
            perror(trpath);
            goto done;
        }
        yw_scorer_set_trace(yw_shard_scorer(bt.shard), trace);
    }

    /* pass 1: every line's event time */
    for (size_t f = 0; f < ninputs; f++) {
        size_t len;
        if (!(bufs[f] = read_all(inputs[f], &len))) {
            perror(inputs[f]);
            goto done;
        }
        char *p = bufs[f], *end = bufs[f] + len;
        uint32_t lineno = 0;
        while (p < end) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
            lineno++;
            if (l && p[l - 1] == '\r') l--;
            if (l) {
                char reason[256];
                int64_t ts;
                int rc = YW_REC_OK;
                if (yw_time_peek(p, l, cfg->tz_offset_minutes, &ts) != 0) {
                    rc = bt_decode(&bt, p, l, &bt.rec, reason, sizeof(reason));
                    ts = bt.rec.ts_ms;
                }
                if (rc != YW_REC_OK) {
                    bad_by[-rc & 7]++;
                    if (bad++ < 10)
                        fprintf(stderr, "ywctl backtest: %s:%u: %s: %s\n", inputs[f], lineno,
                                yw_rec_err_name(rc), reason);
                } else {
                    if (nlines == cap) {
                        cap = cap ? cap * 2 : 4096;
                        bt_line_t *q = realloc(lines, cap * sizeof(*q));
                        if (!q) goto enomem;
                        lines = q;
                    }
                    lines[nlines++] = (bt_line_t){ p, l, ts, (uint32_t)f, lineno };
                }
            }
            p += (nl ? (size_t)(nl - p) + 1 : l);
            if (!nl) break;
        }
    }
    qsort(lines, nlines, sizeof(*lines), cmp_line);

    /* pass 2: decode and run the pipeline, in event-time order (a line
     * whose time was peeked may still be bad) */
    if (!(bt.rec_cluster = malloc((nlines ? nlines : 1) * sizeof(uint64_t)))) goto enomem;
    if (!(bt.id_at = malloc((nlines ? nlines : 1) * sizeof(size_t)))) goto enomem;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < nlines; i++) {
        char reason[256];
        const bt_line_t *ln = &lines[i];
        int rc = bt_decode(&bt, ln->line, ln->len, &bt.recs[bt.nrecs], reason, sizeof(reason));
        if (rc != YW_REC_OK) {
            bad_by[-rc & 7]++;
            if (bad++ < 10)
                fprintf(stderr, "ywctl backtest: %s:%u: %s: %s\n", inputs[ln->file], ln->lineno,
                        yw_rec_err_name(rc), reason);
            continue;
        }
        if (++bt.nrecs == YW_SHARD_BATCH && bt_apply(&bt)) goto enomem;
    }
    if (bt_apply(&bt)) goto enomem;
    clock_gettime(CLOCK_MONOTONIC, &t1);

    /* final clusters: follow merges; write assignments */
    if (!(out = fopen(apath, "w"))) {
        perror(apath);
        goto done;
    }
    yw_jsonw_t w;
    yw_jsonw_init(&w);
    char idbuf[32];
    for (size_t k = 0; k < bt.nrec; k++) {
        uint64_t fin = bt_find(&bt, bt.rec_cluster[k]);
        bt.clus[fin].records++;
        yw_jsonw_reset(&w);
        yw_jsonw_obj_begin(&w);
        yw_jsonw_kv_str(&w, "id", bt.ids + bt.id_at[k]);
        yw_jsonw_kv_str(&w, "cluster", yw_cluster_id_format(fin, idbuf, sizeof(idbuf)));
        yw_jsonw_obj_end(&w);
        size_t len;
        const char *s = yw_jsonw_peek(&w, &len);
        if (s) {
            fwrite(s, 1, len, out);
            fputc('\n', out);
        }
    }
    yw_jsonw_free(&w);
    if (fclose(out) != 0) {
        out = NULL;
        perror(apath);
        goto done;
    }
    out = NULL;
    if (bt.alerts) {
        FILE *f = bt.alerts;
        bt.alerts = NULL;
        if (fclose(f) != 0) {
            perror(alpath);
            goto done;
        }
    }
    if (trace) {
        yw_scorer_set_trace(yw_shard_scorer(bt.shard), NULL);
        FILE *f = trace;
        trace = NULL;
        if (fclose(f) != 0) {
            perror(trpath);
            goto done;
        }
    }
    if (clpath && write_clusters(&bt, clpath, cfg->tz_offset_minutes)) goto done;

    yw_cluster_stats_t st;
    yw_cluster_stats(bt.cl, &st);
    size_t final = 0;
    for (size_t i = 1; i < bt.nclus; i++) final += bt.clus[i].records > 0;
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr,
            "ywctl backtest: %zu records (%ld bad), %zu final clusters "
            "(%llu created, %llu merged, %llu expired, %llu evicted), %llu near-duplicates, "
            "%llu live at end, %.1f MiB clusterer memory, %ld alert events, %.0f records/s\n",
            bt.nrec, bad, final, (unsigned long long)st.created,
            (unsigned long long)st.merged, (unsigned long long)st.expired,
            (unsigned long long)st.evicted, (unsigned long long)st.near_dups,
            (unsigned long long)st.live, (double)st.memory_bytes / (1 << 20), bt.nalerts,
            secs > 0 ? (double)bt.nrec / secs : 0.0);
    if (bad) {
        fprintf(stderr, "ywctl backtest: bad lines:");
        for (int k = 1; k < 8; k++)
            if (bad_by[k]) fprintf(stderr, " %s=%ld", yw_rec_err_name(-k), bad_by[k]);
        fputc('\n', stderr);
    }
    ret = 0;
    goto done;
enomem:
    snprintf(err, sizeof(err), "out of memory");
fail_msg:
    fprintf(stderr, "ywctl backtest: %s\n", err);
done:
    if (out) fclose(out);
    if (trace) {
        yw_scorer_set_trace(yw_shard_scorer(bt.shard), NULL);
        fclose(trace);
    }
    free(lines);
    free(bt.ids);
    free(bt.id_at);
    for (size_t f = 0; f < MAX_INPUTS; f++) free(bufs[f]);
    free(bt.rec_cluster);
    free(bt.clus);
    if (bt.alerts) fclose(bt.alerts);
    yw_shard_destroy(bt.shard);
    yw_record_free(&bt.rec);
    for (size_t k = 0; k < YW_SHARD_BATCH; k++) yw_record_free(&bt.recs[k]);
    yw_decoder_destroy(bt.dec);
    yw_config_destroy(cfg);
    return ret;
}
