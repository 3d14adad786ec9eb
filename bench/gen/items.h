/* items.h -- the records bench_pipeline, bench_lsh and bench_cluster
 * time: N generated ~300-byte records, or contract-v1 JSON lines read
 * from a file, kept as plain strings so the timed passes build records
 * without decoding.
 *
 * Generated: topic phrases over a 3,000-character alphabet (4-character
 * phrases from the topic's 24, and random 3-character runs), Zipf-like
 * topic popularity, one record a second from 2019-03-01, ids g0000000...
 * (the same bytes for the same N and topics).
 * Loaded: decoded with lib/record.c; text and reply cut to max_bytes at
 * a character boundary (0 = no cut), event times as recorded, records
 * that do not decode skipped.
 * The options bench_pipeline and bench_lsh share (which records, rules,
 * rounds) are parsed here too: items_args_t.
 *
 * Everything is static (one copy per program), as in core.h. */
#ifndef YWBENCH_ITEMS_H
#define YWBENCH_ITEMS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "featurize.h"
#include "record.h"
#include "rules.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

#define NHAN 3000

typedef struct {
    char *id, *text, *title, *reply, *district, *street, *community;
    int64_t ts_ms;
} item_t;

static item_t *items;
static size_t nitems;

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd32(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: on a shared machine (other builds and tests
 * running) wall time mostly measures how often we were descheduled. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put_han(char *out, uint32_t i)
{
    uint32_t cp = 0x4E00 + i % NHAN;
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
}

static void items_generate(size_t n, uint32_t topics)
{
    const int64_t t0 = 1551448350000LL;
    items = calloc(n, sizeof(*items));
    for (size_t r = 0; r < n; r++) {
        double u = (double)rnd32() / 4294967296.0;
        uint32_t t = (uint32_t)(u * u * topics);
        char *s = malloc(400), id[32];
        size_t at = 0;
        while (at < 300) {
            if (rnd32() % 3) {
                uint32_t base = t * 24 + (rnd32() % 6) * 4;
                for (uint32_t k = 0; k < 4; k++, at += 3)
                    put_han(s + at, (base + k) * 2654435761u >> 7);
            } else {
                double v = (double)rnd32() / 4294967296.0;
                for (int k = 0; k < 3; k++, at += 3)
                    put_han(s + at, (uint32_t)(v * v * v * NHAN) + (uint32_t)k * 17);
            }
            if (rnd32() % 8 == 0) s[at++] = ' ';
        }
        s[at] = '\0';
        snprintf(id, sizeof(id), "g%07zu", r);
        items[r] = (item_t){ strdup(id), s, strdup(""), strdup(""), strdup(""), strdup(""),
                             strdup(""), t0 + (int64_t)r * 1000 };
    }
    nitems = n;
}

static char *cut_dup(const yw_str_t *s, size_t max)
{
    size_t l = s->len;
    if (max && l > max) {
        l = max;
        while (l > 0 && ((unsigned char)s->s[l] & 0xC0) == 0x80) l--;
    }
    return strndup(s->s ? s->s : "", l);
}

/* Up to limit records (0: all) of path; exits with a message naming prog
 * when the file cannot be read. */
static void items_load(const char *prog, const char *path, size_t max_bytes, size_t limit)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        perror(path);
        exit(1);
    }
    yw_decoder_conf_t dc = { .max_message_bytes = 1 << 20, .tz_offset_minutes = 480 };
    char err[256], reason[128];
    yw_decoder_t *dec = yw_decoder_create(&dc, err, sizeof(err));
    if (!dec) {
        fprintf(stderr, "%s: %s\n", prog, err);
        exit(1);
    }
    yw_record_t rec;
    yw_record_init(&rec);
    size_t cap = 1024;
    items = malloc(cap * sizeof(*items));
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, fp)) > 0 && (!limit || nitems < limit)) {
        if (yw_record_decode(dec, line, (size_t)len, YW_SRC_HOTLINE, &rec, reason,
                             sizeof(reason)) != YW_REC_OK)
            continue;
        if (nitems == cap) items = realloc(items, (cap *= 2) * sizeof(*items));
        items[nitems++] = (item_t){ cut_dup(&rec.id, 0), cut_dup(&rec.text, max_bytes),
                                    cut_dup(&rec.title, 0), cut_dup(&rec.reply, max_bytes),
                                    cut_dup(&rec.district, 0), cut_dup(&rec.street, 0),
                                    cut_dup(&rec.community, 0), rec.ts_ms };
    }
    free(line);
    fclose(fp);
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

static yw_str_t str(const char *s) { return (yw_str_t){ s, (uint32_t)strlen(s) }; }

/* Item i as a hotline record (its strings borrowed from the item). */
static yw_record_t item_record(size_t i)
{
    const item_t *x = &items[i];
    return (yw_record_t){ .source = YW_SRC_HOTLINE, .text = str(x->text), .title = str(x->title),
                          .reply = str(x->reply), .district = str(x->district),
                          .street = str(x->street), .community = str(x->community),
                          .ts_ms = x->ts_ms, .repeat_count = -1, .reposts = -1,
                          .comments = -1, .likes = -1 };
}

/* A featurizer over the rules in rules_dir (NULL: none); *rules gets the
 * rule set for the caller to destroy.  Exits with a message naming prog
 * when the rules or the featurizer cannot be made. */
static yw_featurizer_t *items_featurizer(const char *prog, const char *rules_dir,
                                         yw_rules_t **rules)
{
    *rules = NULL;
    if (rules_dir) {
        yw_rules_errors_t re = { 0 };
        *rules = yw_rules_load(&rules_dir, 1, &re);
        if (!*rules) {
            yw_rules_errors_print(&re, stderr);
            exit(1);
        }
        yw_rules_errors_free(&re);
    }
    char err[512];
    yw_featurizer_t *fz = yw_featurizer_create(*rules, err, sizeof(err));
    if (!fz) {
        fprintf(stderr, "%s: %s\n", prog, err);
        exit(1);
    }
    return fz;
}

/* The command line of a benchmark over items: the records (--input FILE,
 * its first --records N if given, or N generated over --topics T), cut to
 * --max-bytes, featurized with --rules DIR (--no-rules: none), timed over
 * --rounds R (at least 1).  ITEMS_OPTIONS go into the program's getopt_long table. */
typedef struct {
    const char *input, *rules_dir;
    size_t n, max_bytes;
    uint32_t topics;
    int rounds;
    bool n_given;
} items_args_t;

#define ITEMS_OPTIONS                                    \
    { "input", required_argument, NULL, 'i' },           \
    { "records", required_argument, NULL, 'n' },         \
    { "topics", required_argument, NULL, 't' },          \
    { "max-bytes", required_argument, NULL, 'b' },       \
    { "rules", required_argument, NULL, 'r' },           \
    { "no-rules", no_argument, NULL, 'R' },              \
    { "rounds", required_argument, NULL, 'k' }

static items_args_t items_args(int rounds)
{
    return (items_args_t){ .rules_dir = YW_SOURCE_DIR "/rules", .n = 100000, .max_bytes = 300,
                           .topics = 5000, .rounds = rounds };
}

/* Takes option ch (with arg) if it is one of ITEMS_OPTIONS: 1 if it was. */
static int items_arg(items_args_t *a, int ch, const char *arg)
{
    switch (ch) {
    case 'i': a->input = arg; break;
    case 'n': a->n = strtoull(arg, NULL, 10); a->n_given = true; break;
    case 't': a->topics = (uint32_t)strtoul(arg, NULL, 10); break;
    case 'b': a->max_bytes = strtoull(arg, NULL, 10); break;
    case 'r': a->rules_dir = arg; break;
    case 'R': a->rules_dir = NULL; break;
    case 'k': a->rounds = atoi(arg) > 1 ? atoi(arg) : 1; break;
    default: return 0;
    }
    return 1;
}

/* The items a asks for, loaded or generated; exits with a message naming
 * prog when there are none. */
static void items_get(const char *prog, const items_args_t *a)
{
    if (a->input) items_load(prog, a->input, a->max_bytes, a->n_given ? a->n : 0);
    else items_generate(a->n, a->topics);
    if (!nitems) {
        fprintf(stderr, "%s: no records\n", prog);
        exit(1);
    }
}

static void items_free(void)
{
    for (size_t i = 0; i < nitems; i++) {
        free(items[i].id);
        free(items[i].text);
        free(items[i].title);
        free(items[i].reply);
        free(items[i].district);
        free(items[i].street);
        free(items[i].community);
    }
    free(items);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#pragma GCC diagnostic pop

#endif
