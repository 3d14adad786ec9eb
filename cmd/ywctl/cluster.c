/* cluster.c -- `ywctl cluster show ID`: one cluster for an analyst.
 *
 * Reads the cluster's summary hash ({prefix}v1:cluster:<id>): its summary
 * (level, score, people, places), the signal breakdown, a per-source daily
 * timeline as a terminal chart, and the sample records it keeps (personal
 * data masked by the daemon before anything reached Redis).  --json prints
 * the hash's summary and detail objects as they are. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis.h"
#include "sink.h"
#include "ywctl.h"

static const char *const SOURCES[] = { "hotline", "grid", "online", "police" };
static const char *const SOURCE_LABEL[] = { "12345 热线", "网格巡查", "网络舆情", "110 非警务" };
/* Eight heights of a bar, lowest first (U+2581..U+2588). */
static const char *const BARS[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };

/* Integer array value of key `name` inside the object at token obj. */
static int int_array(const ywctl_doc_t *d, int obj, const char *name, long *out, int cap)
{
    int end = d->tok[obj].end;
    size_t len = strlen(name);
    for (int i = obj + 1; i + 1 < d->n && d->tok[i].start < end; i++) {
        const jsmntok_t *k = &d->tok[i];
        if (k->type == JSMN_STRING && (size_t)(k->end - k->start) == len &&
            memcmp(d->js + k->start, name, len) == 0 && d->tok[i + 1].type == JSMN_ARRAY) {
            int n = 0, aend = d->tok[i + 1].end;
            for (int j = i + 2; j < d->n && d->tok[j].start < aend && n < cap; j++)
                out[n++] = atol(d->js + d->tok[j].start);
            return n;
        }
    }
    return 0;
}

static void print_timeline(const ywctl_doc_t *d, FILE *out)
{
    int tl = ywctl_doc_find(d, "timeline");
    if (tl < 0 || d->tok[tl].type != JSMN_OBJECT)
        return;
    long counts[4][64];
    int n[4], days = 0;
    long max = 0;
    for (int s = 0; s < 4; s++) {
        n[s] = int_array(d, tl, SOURCES[s], counts[s], 64);
        if (n[s] > days)
            days = n[s];
        for (int i = 0; i < n[s]; i++)
            if (counts[s][i] > max)
                max = counts[s][i];
    }
    char last[32] = "";
    int end = d->tok[tl].end;
    for (int i = tl + 1; i + 1 < d->n && d->tok[i].start < end; i++)
        if (d->tok[i].type == JSMN_STRING && d->tok[i].end - d->tok[i].start == 8 &&
            memcmp(d->js + d->tok[i].start, "last_day", 8) == 0)
            snprintf(last, sizeof last, "%.*s", d->tok[i + 1].end - d->tok[i + 1].start,
                     d->js + d->tok[i + 1].start);
    fprintf(out, "\n  timeline, records per day (last %d days to %s; █ = %ld):\n", days, last, max);
    for (int s = 0; s < 4; s++) {
        long total = 0;
        fprintf(out, "    %-8s ", SOURCES[s]);
        for (int i = 0; i < n[s]; i++) {
            long c = counts[s][i];
            total += c;
            if (c == 0)
                fputs("·", out);
            else
                fputs(BARS[max > 0 ? (int)((c * 8 - 1) / max) : 0], out);
        }
        fprintf(out, "  %ld  %s\n", total, SOURCE_LABEL[s]);
    }
}

static void print_samples(const ywctl_doc_t *d, FILE *out)
{
    int sm = ywctl_doc_find(d, "samples");
    if (sm < 0 || d->tok[sm].type != JSMN_ARRAY)
        return;
    fprintf(out, "\n  sample records (newest first, personal data masked):\n");
    int end = d->tok[sm].end;
    for (int i = sm + 1; i < d->n && d->tok[i].start < end; i++) {
        if (d->tok[i].type != JSMN_OBJECT)
            continue;
        char id[64] = "", src[16] = "", ts[40] = "", text[1024] = "";
        int oend = d->tok[i].end;
        int j = i + 1;
        for (; j + 1 < d->n && d->tok[j].start < oend; j += 2) {
            const jsmntok_t *k = &d->tok[j], *v = &d->tok[j + 1];
            int kl = k->end - k->start, vl = v->end - v->start;
            const char *ks = d->js + k->start, *vs = d->js + v->start;
            char *dst = kl == 2 && !memcmp(ks, "id", 2) ? id
                      : kl == 6 && !memcmp(ks, "source", 6) ? src
                      : kl == 2 && !memcmp(ks, "ts", 2) ? ts
                      : kl == 4 && !memcmp(ks, "text", 4) ? text : NULL;
            size_t cap = dst == text ? sizeof text : dst == ts ? sizeof ts
                       : dst == src ? sizeof src : sizeof id;
            if (dst)
                snprintf(dst, cap, "%.*s", vl, vs);
        }
        fprintf(out, "    %s  %-7s %s\n      %s\n", ts, src, id, text);
        i = j - 1;
    }
}

/* The related clusters (the same estate or company, yw_cluster_related), one
 * line each with what their own summaries say: level, records, title. */
static void print_related(redisContext *c, const char *prefix, const ywctl_doc_t *d)
{
    int a = ywctl_doc_find(d, "related");
    if (a < 0 || d->tok[a].type != JSMN_ARRAY || d->tok[a].size == 0)
        return;
    printf("  related (same estate or company):\n");
    for (int i = a + 1; i < d->n && d->tok[i].start < d->tok[a].end; i++) {
        char rid[64], key[256];
        snprintf(rid, sizeof rid, "%.*s", d->tok[i].end - d->tok[i].start, d->js + d->tok[i].start);
        yw_sink_key(key, sizeof key, prefix, YW_KEY_CLUSTER, rid);
        redisReply *r = redisCommand(c, "HGET %s json", key);
        static ywctl_doc_t rd;
        if (r && r->type == REDIS_REPLY_STRING && ywctl_doc_parse(&rd, r->str, r->len) == 0) {
            char level[16], records[24], title[512];
            ywctl_doc_field(&rd, "level", level, sizeof level);
            ywctl_doc_field(&rd, "records", records, sizeof records);
            ywctl_doc_field(&rd, "title", title, sizeof title);
            ywctl_level_upper(level);
            printf("    %s  %-6s %s records  %s\n", rid, level, records, title);
        } else {
            printf("    %s  (no summary in Redis: merged or expired since)\n", rid);
        }
        if (r)
            freeReplyObject(r);
    }
}

static int show(redisContext *c, const char *prefix, const char *id, bool as_json)
{
    char key[256];
    yw_sink_key(key, sizeof key, prefix, YW_KEY_CLUSTER, id);
    redisReply *r = redisCommand(c, "HMGET %s json detail", key);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
        fprintf(stderr, "ywctl cluster: %s\n", r && r->type == REDIS_REPLY_ERROR ? r->str : c->errstr);
        if (r)
            freeReplyObject(r);
        return 1;
    }
    redisReply *json = r->element[0], *detail = r->element[1];
    if (json->type != REDIS_REPLY_STRING) {
        fprintf(stderr, "ywctl cluster: no cluster %s (key %s)\n", id, key);
        freeReplyObject(r);
        return 1;
    }
    if (as_json) {
        printf("{\"summary\":%s,\"detail\":%s}\n", json->str,
               detail->type == REDIS_REPLY_STRING && detail->len ? detail->str : "null");
        freeReplyObject(r);
        return 0;
    }
    static ywctl_doc_t d;
    if (ywctl_doc_parse(&d, json->str, json->len) != 0) {
        fprintf(stderr, "ywctl cluster: unreadable summary in %s\n", key);
        freeReplyObject(r);
        return 1;
    }
    char level[16], score[16], title[512], people[24], records[24], repeat[24], first[48],
        last[48], sources[128];
    ywctl_doc_field(&d, "level", level, sizeof level);
    ywctl_doc_field(&d, "score", score, sizeof score);
    ywctl_doc_field(&d, "title", title, sizeof title);
    ywctl_doc_field(&d, "people", people, sizeof people);
    ywctl_doc_field(&d, "records", records, sizeof records);
    ywctl_doc_field(&d, "repeat_contacts", repeat, sizeof repeat);
    ywctl_doc_field(&d, "first_seen", first, sizeof first);
    ywctl_doc_field(&d, "event_time", last, sizeof last);
    ywctl_doc_field(&d, "sources", sources, sizeof sources);
    ywctl_level_upper(level);
    printf("cluster %s  %s  score %s\n  %s\n", id, level, score, title);
    printf("  records %s, people %s, repeat contacts %s\n  first seen %s, last evaluated %s\n"
           "  by source %s\n", records, people, repeat, first, last, sources);
    ywctl_print_strings(&d, "places", "  places:", stdout);
    print_related(c, prefix, &d);
    printf("\n  why (signal, points, detail):\n");
    ywctl_print_signals(&d, stdout);
    if (detail->type == REDIS_REPLY_STRING && detail->len) {
        static ywctl_doc_t dd;
        if (ywctl_doc_parse(&dd, detail->str, detail->len) == 0) {
            print_timeline(&dd, stdout);
            print_samples(&dd, stdout);
        }
    }
    freeReplyObject(r);
    return 0;
}

int ywctl_cluster(int argc, char **argv)
{
    const char *cfgpath = NULL;
    bool as_json = false;
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "json", no_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    if (argc < 2 || strcmp(argv[1], "show") != 0) {
        fprintf(stderr, "usage: ywctl cluster show -c FILE [--json] ID\n");
        return 2;
    }
    argc--;
    argv++;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:j", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfgpath = optarg; break;
        case 'j': as_json = true; break;
        default: return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: ywctl cluster show -c FILE [--json] ID\n");
        return 2;
    }
    const char *id = argv[optind];
    yw_config_t *cfg = ywctl_load_config(cfgpath, false);
    if (!cfg)
        return 2;
    yw_redis_conf_t rconf;
    yw_redis_conf_from_config(cfg, &rconf);
    char err[256];
    redisContext *c = yw_redis_connect_sync(&rconf, err, sizeof err);
    int rc = 1;
    if (!c)
        fprintf(stderr, "ywctl cluster: %s\n", err);
    else {
        rc = show(c, cfg->redis_key_prefix, id, as_json);
        redisFree(c);
    }
    yw_config_destroy(cfg);
    return rc;
}
