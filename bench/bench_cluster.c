/* bench_cluster.c -- throughput of features + clustering on one core.
 *
 *   bench_cluster [--records N] [--topics N] [--input RECORDS.jsonl]
 *                 [--rules DIR] [--set KEY=VALUE ...]
 *
 * Records are ~300 bytes of Chinese text: generated (topic phrases mixed
 * with filler characters, Zipf-like topic popularity, one record per
 * second of event time), or the texts of --input cut to ~300 bytes.
 * Three timed passes over the same records, each on one thread:
 *   bigrams   normalise + CJK bigrams/words + sort (the floor);
 *   +cluster  the same + yw_cluster_add (the clustering stage's cost);
 *   featurize yw_features_extract (PII, entities, places, rules when
 *             --rules is given) + yw_cluster_add: the full stage pair.
 * Prints records/s for each, the ratio to bigrams alone, and the
 * clusterer's memory: total, per live cluster, per record seen. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "featurize.h"
#include "record.h"
#include "rules.h"
#include "text.h"

/* Generated text draws on 3,000 CJK code points from U+4E00: a realistic
 * alphabet size, so bigrams are as sparse as in real text. */
#define NHAN 3000

typedef struct {
    char *text;
    size_t len;
} item_t;

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

/* The UTF-8 bytes of CJK character U+4E00 + i % NHAN. */
static void put_han(char *out, uint32_t i)
{
    uint32_t cp = 0x4E00 + i % NHAN;
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
}

static item_t *generate(size_t n, uint32_t topics)
{
    item_t *it = calloc(n, sizeof(*it));
    for (size_t r = 0; r < n; r++) {
        /* Zipf-ish: squaring a uniform favours low topic numbers */
        double u = (double)rnd32() / 4294967296.0;
        uint32_t t = (uint32_t)(u * u * topics);
        char *s = malloc(400);
        size_t at = 0;
        while (at < 300) {
            if (rnd32() % 3) {    /* a 4-character chunk of the topic's 6 */
                uint32_t base = t * 24 + (rnd32() % 6) * 4;
                for (uint32_t k = 0; k < 4; k++, at += 3)
                    put_han(s + at, (base + k) * 2654435761u >> 7);
            } else {              /* filler: frequent characters more often */
                double v = (double)rnd32() / 4294967296.0;
                for (int k = 0; k < 3; k++, at += 3)
                    put_han(s + at, (uint32_t)(v * v * v * NHAN) + (uint32_t)k * 17);
            }
            if (rnd32() % 8 == 0) s[at++] = ' ';
        }
        s[at] = '\0';
        it[r].text = s;
        it[r].len = at;
    }
    return it;
}

static item_t *load(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        perror(path);
        exit(1);
    }
    yw_decoder_conf_t dc = { .max_message_bytes = 1 << 20, .tz_offset_minutes = 480 };
    char err[256], reason[128];
    yw_decoder_t *dec = yw_decoder_create(&dc, err, sizeof(err));
    yw_record_t rec;
    yw_record_init(&rec);
    size_t cap = 1024, k = 0;
    item_t *it = malloc(cap * sizeof(*it));
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, fp)) > 0) {
        if (yw_record_decode(dec, line, (size_t)len, YW_SRC_UNKNOWN, &rec, reason,
                             sizeof(reason)) != YW_REC_OK)
            continue;
        size_t l = rec.text.len;
        if (l > 300) {            /* cut to ~300 bytes at a character boundary */
            l = 300;
            while (l > 0 && ((unsigned char)rec.text.s[l] & 0xC0) == 0x80) l--;
        }
        if (k == cap) it = realloc(it, (cap *= 2) * sizeof(*it));
        it[k].text = strndup(rec.text.s, l);
        it[k++].len = l;
    }
    free(line);
    fclose(fp);
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
    *n = k;
    return it;
}

static void tokens(const item_t *x, char *norm, yw_fvec_t *v)
{
    size_t nl = yw_text_normalize(x->text, x->len, norm, 4096);
    v->n = 0;
    yw_text_tokens(norm, nl, v);
    yw_text_fvec_finish(v);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "records", required_argument, NULL, 'n' },
        { "topics", required_argument, NULL, 't' },
        { "input", required_argument, NULL, 'i' },
        { "rules", required_argument, NULL, 'r' },
        { "set", required_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    size_t n = 200000;
    uint32_t topics = 5000;
    const char *input = NULL, *rules_dir = NULL;
    char err[512];
    yw_cluster_conf_t cc;
    yw_cluster_conf_default(&cc);
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'n': n = strtoull(optarg, NULL, 10); break;
        case 't': topics = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 'i': input = optarg; break;
        case 'r': rules_dir = optarg; break;
        case 's': {
            char *eq = strchr(optarg, '=');
            if (!eq) return 2;
            *eq = '\0';
            const char *key = strncmp(optarg, "cluster.", 8) == 0 ? optarg + 8 : optarg;
            if (yw_cluster_conf_set(&cc, key, eq + 1, err, sizeof(err))) {
                fprintf(stderr, "bench_cluster: %s\n", err);
                return 2;
            }
            break;
        }
        default:
            fprintf(stderr, "usage: bench_cluster [--records N] [--topics N] "
                            "[--input RECORDS.jsonl] [--rules DIR] [--set KEY=VALUE]\n");
            return 2;
        }
    }
    item_t *items;
    if (input) {
        size_t have;
        item_t *base = load(input, &have);
        if (!have) return 1;
        /* repeat the file to n records so the run is long enough to time */
        items = malloc(n * sizeof(*items));
        for (size_t i = 0; i < n; i++) items[i] = base[i % have];
        free(base);
    } else {
        items = generate(n, topics);
    }
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += items[i].len;
    printf("records %zu, mean %.0f bytes, %s\n", n, (double)bytes / (double)n,
           input ? input : "generated");

    char *norm = malloc(4096);
    yw_fvec_t v = { 0 };
    yw_features_t f;
    yw_features_init(&f);
    const int64_t t0 = 1551448350000LL;

    /* 1. bigrams alone */
    double a = now_s();
    uint64_t sink = 0;
    for (size_t i = 0; i < n; i++) {
        tokens(&items[i], norm, &v);
        sink += v.n;
    }
    double t_bi = now_s() - a;

    /* 2. bigrams + clustering */
    yw_clusterer_t *cl = yw_clusterer_create(&cc, err, sizeof(err));
    if (!cl) {
        fprintf(stderr, "bench_cluster: %s\n", err);
        return 1;
    }
    a = now_s();
    for (size_t i = 0; i < n; i++) {
        tokens(&items[i], norm, &v);
        f.vec = v;
        f.norm = norm;
        f.norm_len = strlen(norm);
        yw_cluster_assign_t as;
        yw_cluster_add(cl, &f, NULL, t0 + (int64_t)i * 1000, &as);
        v = f.vec;
    }
    double t_cl = now_s() - a;
    yw_cluster_stats_t st;
    yw_cluster_stats(cl, &st);
    yw_clusterer_destroy(cl);
    memset(&f, 0, sizeof(f));
    yw_features_init(&f);

    /* 3. featurizer + clustering */
    yw_rules_t *rules = NULL;
    if (rules_dir) {
        yw_rules_errors_t re = { 0 };
        rules = yw_rules_load(&rules_dir, 1, &re);
        if (!rules) yw_rules_errors_print(&re, stderr);
        yw_rules_errors_free(&re);
    }
    yw_featurizer_t *fz = yw_featurizer_create(rules, err, sizeof(err));
    cl = yw_clusterer_create(&cc, err, sizeof(err));
    yw_record_t rec;
    memset(&rec, 0, sizeof(rec));
    rec.title = rec.reply = rec.district = rec.street = rec.community = (yw_str_t){ "", 0 };
    a = now_s();
    for (size_t i = 0; fz && cl && i < n; i++) {
        rec.text = (yw_str_t){ items[i].text, (uint32_t)items[i].len };
        rec.ts_ms = t0 + (int64_t)i * 1000;
        if (yw_features_extract(fz, &rec, &f)) continue;
        yw_cluster_assign_t as;
        yw_cluster_add(cl, &f, &rec, rec.ts_ms, &as);
    }
    double t_fz = now_s() - a;

    double r_bi = (double)n / t_bi, r_cl = (double)n / t_cl, r_fz = (double)n / t_fz;
    printf("bigrams            %9.0f records/s\n", r_bi);
    printf("bigrams + cluster  %9.0f records/s  (%.2f x bigrams alone; clustering %.2f us/record)\n",
           r_cl, r_cl / r_bi, (t_cl - t_bi) / (double)n * 1e6);
    printf("featurize%s + cluster %9.0f records/s  (%.2f x bigrams alone)\n",
           rules ? "(rules)" : "", r_fz, r_fz / r_bi);
    printf("clusters: %llu created, %llu live, %llu merged, %llu expired, %llu evicted, "
           "%llu near-dups\n",
           (unsigned long long)st.created, (unsigned long long)st.live,
           (unsigned long long)st.merged, (unsigned long long)st.expired,
           (unsigned long long)st.evicted, (unsigned long long)st.near_dups);
    printf("memory: %.1f MiB total (df sketch %.1f MiB), %.0f bytes per live cluster "
           "(excluding the sketch), %.1f bytes per record seen; cap %u clusters\n",
           (double)st.memory_bytes / (1 << 20), (double)st.df_bytes / (1 << 20),
           st.live ? (double)(st.memory_bytes - st.df_bytes) / (double)st.live : 0.0,
           (double)st.memory_bytes / (double)n, cc.max_clusters);
    if (sink == 42) puts("");
    yw_clusterer_destroy(cl);
    yw_featurizer_destroy(fz);
    yw_rules_destroy(rules);
    yw_features_free(&f);
    yw_text_fvec_free(&v);
    free(norm);
    return 0;
}
