/* alerts.c -- `ywctl alerts tail` and `ywctl alerts list`.
 *
 * tail: the analysts' queue.  Reads {prefix}v1:alerts through a Redis
 * consumer group (XREADGROUP, default group "analysts"), so several
 * analysts share one queue and each alert goes to one of them; within each
 * batch the highest level (then score) comes first; an alert is XACKed
 * once printed.  On start, alerts this consumer was given but never
 * acknowledged (it crashed) are delivered again first.
 *
 * list: every alert in the stream in order (XREAD, no group), for scripts
 * and the demo.
 *
 * Both print one readable block per alert, or the alert's JSON with --json;
 * --count N / --timeout-ms N make them stop by themselves. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "redis.h"
#include "sink.h"
#include "ywctl.h"

typedef struct {
    char id[48];           /* stream entry id */
    char *json;
    size_t len;
    int level;
    double score;
} entry_t;

/* Level and score of an alert, for ordering a batch. */
static void rank(entry_t *e)
{
    ywctl_doc_t d;
    char level[16] = "", score[32] = "";
    if (ywctl_doc_parse(&d, e->json, e->len) == 0) {
        ywctl_doc_field(&d, "level", level, sizeof level);
        ywctl_doc_field(&d, "score", score, sizeof score);
    }
    e->level = yw_level_parse(level);
    e->score = atof(score);
}

static int by_priority(const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    if (x->level != y->level)
        return y->level - x->level;
    if (x->score != y->score)
        return y->score > x->score ? 1 : -1;
    return strcmp(x->id, y->id);       /* stream order among equals */
}

/* Collect the entries of an XREAD/XREADGROUP reply: [[key, [[id, [f, v...]]...]]]. */
static size_t collect(redisReply *r, entry_t *out, size_t cap)
{
    size_t n = 0;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 1)
        return 0;
    redisReply *entries = r->element[0]->element[1];
    for (size_t i = 0; i < entries->elements && n < cap; i++) {
        redisReply *e = entries->element[i];
        entry_t *x = &out[n];
        memset(x, 0, sizeof *x);
        snprintf(x->id, sizeof x->id, "%s", e->element[0]->str);
        redisReply *fv = e->element[1];
        /* A pending entry that was trimmed from the stream has no fields. */
        if (fv && fv->type == REDIS_REPLY_ARRAY)
            for (size_t j = 0; j + 1 < fv->elements; j += 2)
                if (strcmp(fv->element[j]->str, "alert") == 0) {
                    x->json = fv->element[j + 1]->str;
                    x->len = fv->element[j + 1]->len;
                }
        if (x->json)
            rank(x);
        n++;
    }
    return n;
}

typedef struct {
    const char *cfgpath, *group, *consumer;
    bool as_json, from_start, no_ack;
    long count, timeout_ms;
    int min_level;           /* show only alerts at this level or above */
} opts_t;

static int parse_opts(int argc, char **argv, opts_t *o)
{
    static const struct option lopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "json", no_argument, NULL, 'j' },
        { "from-start", no_argument, NULL, 's' },
        { "count", required_argument, NULL, 'n' },
        { "timeout-ms", required_argument, NULL, 't' },
        { "group", required_argument, NULL, 'g' },
        { "consumer", required_argument, NULL, 'C' },
        { "no-ack", no_argument, NULL, 'A' },
        { "min-level", required_argument, NULL, 'L' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:jsn:t:g:C:AL:", lopts, NULL)) != -1) {
        switch (ch) {
        case 'c': o->cfgpath = optarg; break;
        case 'j': o->as_json = true; break;
        case 's': o->from_start = true; break;
        case 'n': o->count = atol(optarg); break;
        case 't': o->timeout_ms = atol(optarg); break;
        case 'g': o->group = optarg; break;
        case 'C': o->consumer = optarg; break;
        case 'A': o->no_ack = true; break;
        case 'L':
            if ((o->min_level = yw_level_parse(optarg)) < 0) {
                fprintf(stderr, "ywctl alerts: --min-level: '%s' is not one of "
                        "none, blue, yellow, orange, red\n", optarg);
                return -1;
            }
            break;
        default: return -1;
        }
    }
    return 0;
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int reply_error(redisContext *c, redisReply *r)
{
    if (!r) {
        fprintf(stderr, "ywctl alerts: %s\n", c->errstr);
        return 1;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "ywctl alerts: %s\n", r->str);
        freeReplyObject(r);
        return 1;
    }
    return 0;
}

#define BATCH 100

/* The analysts' queue: XREADGROUP, highest level first, XACK after print. */
static int tail(redisContext *c, const char *key, const opts_t *o)
{
    const char *group = o->group ? o->group : YW_ANALYST_GROUP;
    char consumer[128];
    if (o->consumer)
        snprintf(consumer, sizeof consumer, "%s", o->consumer);
    else {
        const char *user = getenv("USER");
        snprintf(consumer, sizeof consumer, "%s", user && *user ? user : "analyst");
    }
    /* A new group starts at the beginning: every alert not yet handled is
     * in the queue.  BUSYGROUP = it exists already, fine. */
    redisReply *r = redisCommand(c, "XGROUP CREATE %s %s 0 MKSTREAM", key, group);
    if (!r || (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0))
        return reply_error(c, r);
    freeReplyObject(r);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long seen = 0;
    bool pending = true;     /* first: what we were given and never acked */
    entry_t batch[BATCH];
    while (!ywctl_stop && (!o->count || seen < o->count)) {
        if (o->timeout_ms && elapsed_ms(&t0) >= o->timeout_ms)
            break;
        r = redisCommand(c, "XREADGROUP GROUP %s %s COUNT %d BLOCK %d STREAMS %s %s",
                         group, consumer, BATCH, pending ? 0 : 1000, key, pending ? "0" : ">");
        if (reply_error(c, r))
            return 1;
        size_t n = collect(r, batch, BATCH);
        if (pending && n == 0)
            pending = false;
        qsort(batch, n, sizeof *batch, by_priority);
        for (size_t i = 0; i < n && (!o->count || seen < o->count); i++) {
            bool shown = batch[i].json && batch[i].level >= o->min_level;
            if (shown)
                ywctl_print_alert(batch[i].json, batch[i].len, o->as_json, stdout);
            fflush(stdout);
            if (!o->no_ack) {
                redisReply *a = redisCommand(c, "XACK %s %s %s", key, group, batch[i].id);
                if (reply_error(c, a)) {
                    freeReplyObject(r);
                    return 1;
                }
                freeReplyObject(a);
            }
            seen += shown;
        }
        freeReplyObject(r);
    }
    return 0;
}

/* Every alert in stream order (no group). */
static int list(redisContext *c, const char *key, const opts_t *o)
{
    char last[64] = "0-0";
    if (!o->from_start) {
        /* Start after the newest entry (not "$" on every call, which would
         * miss entries added between two calls). */
        redisReply *r = redisCommand(c, "XREVRANGE %s + - COUNT 1", key);
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 1)
            snprintf(last, sizeof last, "%.63s", r->element[0]->element[0]->str);
        if (r)
            freeReplyObject(r);
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long seen = 0;
    entry_t batch[BATCH];
    while (!ywctl_stop && (!o->count || seen < o->count)) {
        if (o->timeout_ms && elapsed_ms(&t0) >= o->timeout_ms)
            break;
        redisReply *r = redisCommand(c, "XREAD COUNT %d BLOCK 500 STREAMS %s %s", BATCH, key, last);
        if (reply_error(c, r))
            return 1;
        size_t n = collect(r, batch, BATCH);
        for (size_t i = 0; i < n && (!o->count || seen < o->count); i++) {
            snprintf(last, sizeof last, "%.47s", batch[i].id);
            if (!batch[i].json || batch[i].level < o->min_level)
                continue;
            ywctl_print_alert(batch[i].json, batch[i].len, o->as_json, stdout);
            seen++;
        }
        fflush(stdout);
        freeReplyObject(r);
    }
    return 0;
}

int ywctl_alerts(int argc, char **argv)
{
    const char *sub = argc >= 2 ? argv[1] : "";
    bool is_tail = strcmp(sub, "tail") == 0, is_list = strcmp(sub, "list") == 0;
    opts_t o = { 0 };
    if ((!is_tail && !is_list) || parse_opts(argc - 1, argv + 1, &o) != 0) {
        fprintf(stderr,
                "usage: ywctl alerts tail -c FILE [--group G] [--consumer NAME] [--json]\n"
                "                         [--min-level L] [--count N] [--timeout-ms N] [--no-ack]\n"
                "       ywctl alerts list -c FILE [--from-start] [--json] [--min-level L]\n"
                "                         [--count N] [--timeout-ms N]\n");
        return 2;
    }
    yw_config_t *cfg = ywctl_load_config(o.cfgpath, false);
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
    int rc = is_tail ? tail(c, key, &o) : list(c, key, &o);
    redisFree(c);
    yw_config_destroy(cfg);
    return rc;
}
