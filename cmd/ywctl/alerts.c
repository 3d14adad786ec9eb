/* alerts.c -- `ywctl alerts tail`: follow the alert stream.
 *
 * Reads {prefix}v1:alerts with XREAD BLOCK and prints one readable line per
 * alert (or the alert's JSON with --json).  --count N / --timeout-ms N make
 * it stop by itself, for scripts and the demo. */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "redis.h"
#include "sink.h"
#include "ywctl.h"

#define MAXTOK 512

typedef struct {
    const char *js;
    jsmntok_t tok[MAXTOK];
    int n;
} doc_t;

/* Index of the value of top-level key `name`, or -1. */
static int find(const doc_t *d, const char *name)
{
    size_t len = strlen(name);
    for (int i = 1; i + 1 < d->n;) {
        const jsmntok_t *k = &d->tok[i];
        if (k->type == JSMN_STRING && (size_t)(k->end - k->start) == len &&
            memcmp(d->js + k->start, name, len) == 0)
            return i + 1;
        int j = i + 1, end = d->tok[i + 1].end;
        while (j < d->n && d->tok[j].start < end)
            j++;
        i = j;
    }
    return -1;
}

static void field(const doc_t *d, const char *name, char *out, size_t cap)
{
    int v = find(d, name);
    out[0] = '\0';
    if (v < 0)
        return;
    int len = d->tok[v].end - d->tok[v].start;
    snprintf(out, cap, "%.*s", len, d->js + d->tok[v].start);
}

/* "signals":[{"name":..,"value":..,"contribution":..,"detail":..},...] */
static void print_signals(const doc_t *d, FILE *out)
{
    int v = find(d, "signals");
    if (v < 0 || d->tok[v].type != JSMN_ARRAY)
        return;
    int end = d->tok[v].end;
    for (int i = v + 1; i < d->n && d->tok[i].start < end; i++) {
        if (d->tok[i].type != JSMN_OBJECT)
            continue;
        char name[64] = "", contrib[32] = "", detail[256] = "";
        int oend = d->tok[i].end;
        for (int j = i + 1; j + 1 < d->n && d->tok[j].start < oend; j += 2) {
            const jsmntok_t *k = &d->tok[j], *val = &d->tok[j + 1];
            int kl = k->end - k->start, vl = val->end - val->start;
            const char *ks = d->js + k->start, *vs = d->js + val->start;
            if (kl == 4 && !memcmp(ks, "name", 4))
                snprintf(name, sizeof name, "%.*s", vl, vs);
            else if (kl == 12 && !memcmp(ks, "contribution", 12))
                snprintf(contrib, sizeof contrib, "%.*s", vl, vs);
            else if (kl == 6 && !memcmp(ks, "detail", 6))
                snprintf(detail, sizeof detail, "%.*s", vl, vs);
        }
        fprintf(out, "      + %-14s %6s  %s\n", name, contrib, detail);
        while (i + 1 < d->n && d->tok[i + 1].start < oend)
            i++;
    }
}

static void print_alert(const char *json, size_t len, bool as_json, FILE *out)
{
    if (as_json) {
        fprintf(out, "%.*s\n", (int)len, json);
        return;
    }
    doc_t d = { .js = json };
    jsmn_parser ps;
    jsmn_init(&ps);
    d.n = jsmn_parse(&ps, json, len, d.tok, MAXTOK);
    if (d.n < 1 || d.tok[0].type != JSMN_OBJECT) {
        fprintf(out, "(unreadable alert) %.*s\n", (int)len, json);
        return;
    }
    char level[16], prev[16], score[16], cluster[64], title[512], when[40],
        records[24], people[24], kind[16], sources[128];
    field(&d, "level", level, sizeof level);
    field(&d, "prev_level", prev, sizeof prev);
    field(&d, "score", score, sizeof score);
    field(&d, "cluster", cluster, sizeof cluster);
    field(&d, "title", title, sizeof title);
    field(&d, "event_time", when, sizeof when);
    field(&d, "records", records, sizeof records);
    field(&d, "people", people, sizeof people);
    field(&d, "kind", kind, sizeof kind);
    field(&d, "sources", sources, sizeof sources);
    for (char *p = level; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    fprintf(out, "%s  %-6s (was %s)  score %s  %s %s\n    %s\n"
            "    records %s, people %s, by source %s\n",
            when, level, prev, score, kind, cluster, title, records, people, sources);
    print_signals(&d, out);
}

int ywctl_alerts(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "tail") != 0) {
        fprintf(stderr, "usage: ywctl alerts tail -c FILE [--json] [--from-start] "
                "[--count N] [--timeout-ms N]\n");
        return 2;
    }
    argc--;
    argv++;
    const char *cfgpath = NULL;
    bool as_json = false, from_start = false;
    long count = 0, timeout_ms = 0;
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "json", no_argument, NULL, 'j' },
        { "from-start", no_argument, NULL, 's' },
        { "count", required_argument, NULL, 'n' },
        { "timeout-ms", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:jsn:t:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfgpath = optarg; break;
        case 'j': as_json = true; break;
        case 's': from_start = true; break;
        case 'n': count = atol(optarg); break;
        case 't': timeout_ms = atol(optarg); break;
        default: return 2;
        }
    }
    yw_config_t *cfg = ywctl_load_config(cfgpath);
    if (!cfg)
        return 2;
    yw_redis_conf_t rconf;
    yw_redis_conf_from_config(cfg, &rconf);
    rconf.io_timeout_ms = 5000;
    char err[256];
    redisContext *c = yw_redis_connect_sync(&rconf, err, sizeof err);
    if (!c) {
        fprintf(stderr, "ywctl alerts: %s\n", err);
        yw_config_destroy(cfg);
        return 1;
    }
    char key[256];
    yw_sink_key(key, sizeof key, cfg->redis_key_prefix, YW_KEY_ALERTS, NULL);
    char last[64];
    /* Start after the newest entry (not "$" on every call, which would
     * miss entries added between two calls). */
    snprintf(last, sizeof last, "0-0");
    if (!from_start) {
        redisReply *r = redisCommand(c, "XREVRANGE %s + - COUNT 1", key);
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 1)
            snprintf(last, sizeof last, "%s", r->element[0]->element[0]->str);
        if (r)
            freeReplyObject(r);
    }
    long seen = 0;
    int rc = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!ywctl_stop && (!count || seen < count)) {
        if (timeout_ms) {
            struct timespec t;
            clock_gettime(CLOCK_MONOTONIC, &t);
            long el = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
            if (el >= timeout_ms)
                break;
        }
        redisReply *r = redisCommand(c, "XREAD COUNT 100 BLOCK 1000 STREAMS %s %s", key, last);
        if (!r) {
            fprintf(stderr, "ywctl alerts: %s\n", c->errstr);
            rc = 1;
            break;
        }
        if (r->type == REDIS_REPLY_ERROR) {
            fprintf(stderr, "ywctl alerts: %s\n", r->str);
            freeReplyObject(r);
            rc = 1;
            break;
        }
        /* [[stream, [[id, [field, value, ...]], ...]]] */
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
            redisReply *entries = r->element[0]->element[1];
            for (size_t i = 0; i < entries->elements; i++) {
                redisReply *e = entries->element[i];
                snprintf(last, sizeof last, "%s", e->element[0]->str);
                redisReply *fv = e->element[1];
                for (size_t j = 0; j + 1 < fv->elements; j += 2)
                    if (strcmp(fv->element[j]->str, "alert") == 0)
                        print_alert(fv->element[j + 1]->str, fv->element[j + 1]->len,
                                    as_json, stdout);
                seen++;
            }
            fflush(stdout);
        }
        freeReplyObject(r);
    }
    redisFree(c);
    yw_config_destroy(cfg);
    return rc;
}
