/* bench_pipeline.c -- features + clustering on one core, against bigram
 * extraction alone, in the same run on the same records.
 *
 *   bench_pipeline [--input RECORDS.jsonl] [--records N] [--topics N]
 *                  [--max-bytes B] [--rules DIR | --no-rules] [--rounds R]
 *                  [--only PASS] [--set KEY=VALUE ...] [--dump FILE]
 *
 * Records: contract-v1 JSON lines (--input; decoded once with
 * lib/record.c, text and reply cut to --max-bytes at a character
 * boundary, default 300, event times as recorded), or N generated records
 * of ~300 bytes (topic phrases over a 3,000-character alphabet, Zipf-like
 * topic popularity, one record a second; bench_cluster's generator).
 *
 * Five passes over the same records, interleaved for --rounds rounds
 * (default 5), each reported at its median, timed in thread CPU time (the
 * machine is shared; the CPU/wall ratio is printed as a load indicator):
 *   bigrams    yw_text_tokens on the text (CJK bigrams + ASCII words,
 *              hashed; no sort) -- the baseline of the throughput target;
 *   features   yw_features_extract (mask, normalise, tokens, rules,
 *              entities, places -> one sorted vector);
 *   cluster    yw_cluster_add on features precomputed before timing
 *              (a fresh clusterer each round);
 *   featclu    yw_features_extract + yw_cluster_add, fresh clusterer, in
 *              the shard's order (yw_shard_apply_batch): the features of
 *              YW_SHARD_BATCH records, then their clustering;
 *   featclu1   the same record by record (features, clustering, next).
 * Prints rec/s, MB/s (of text + title bytes), us/record and the ratio to
 * the bigram pass at the median, the fastest round's us/record beside
 * them (on a shared host the rounds of one run spread by a few percent,
 * runs minutes apart by up to ~15%: bench/README.md "Stop 21"), then the
 * clusterer's memory after feat+clu: per live cluster and per record
 * seen.
 *
 * --only PASS runs that one pass once (no timing loop): for
 * `valgrind --tool=callgrind --toggle-collect=pass_PASS`, which counts the
 * instructions of exactly that pass (divide by the records printed).
 *
 * --dump FILE writes every record's features (sorted terms with exact
 * weights, masked and normalised strings, rule hits, entities) as text
 * and exits: a change meant to be faster but not different is checked
 * by diffing the dumps taken before and after it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "featurize.h"
#include "record.h"
#include "rules.h"
#include "stage.h"    /* YW_SHARD_BATCH */
#include "text.h"

#include "gen/items.h"

static yw_record_t *recs;

static void to_records(void)
{
    recs = calloc(nitems, sizeof(*recs));
    for (size_t i = 0; i < nitems; i++) recs[i] = item_record(i);
}

/* ---- precomputed features (compact copies) ---------------------------- */

static yw_features_t *pre;

static char *memdup0(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void precompute(yw_featurizer_t *fz)
{
    yw_features_t f;
    yw_features_init(&f);
    pre = calloc(nitems, sizeof(*pre));
    for (size_t i = 0; i < nitems; i++) {
        yw_features_t *p = &pre[i];
        if (yw_features_extract(fz, &recs[i], &f)) continue;
        p->vec.n = p->vec.cap = f.vec.n;
        p->vec.t = malloc((f.vec.n + 1) * sizeof(yw_fterm_t));
        memcpy(p->vec.t, f.vec.t, f.vec.n * sizeof(yw_fterm_t));
        memcpy(p->ents, f.ents, f.nents * sizeof(f.ents[0]));
        p->nents = f.nents;
        p->norm = memdup0(f.norm, f.norm_len);
        p->norm_len = f.norm_len;
        p->norm_title = memdup0(f.norm_title, f.norm_title_len);
        p->norm_title_len = f.norm_title_len;
    }
    yw_features_free(&f);
}

/* ---- --dump ----------------------------------------------------------- */

static void dump_str(FILE *fp, const char *name, const char *s, size_t len)
{
    fprintf(fp, "%s %zu ", name, len);
    fwrite(s, 1, len, fp);
    fputc('\n', fp);
}

/* Everything yw_features_extract produces, one block per record; floats
 * in %a so equal dumps mean bit-equal weights. */
static int dump(yw_featurizer_t *fz, const yw_rules_t *rules, const char *path)
{
    FILE *fp = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!fp) {
        perror(path);
        return 1;
    }
    yw_features_t f;
    yw_features_init(&f);
    for (size_t i = 0; i < nitems; i++) {
        if (yw_features_extract(fz, &recs[i], &f)) {
            fprintf(fp, "record %zu: error\n", i);
            continue;
        }
        fprintf(fp, "record %zu terms %u pii %u\n", i, f.vec.n, f.pii_masked);
        for (uint32_t k = 0; k < f.vec.n; k++)
            fprintf(fp, " %016llx %a\n", (unsigned long long)f.vec.t[k].term,
                    (double)f.vec.t[k].w);
        dump_str(fp, "masked", f.masked, f.masked_len);
        dump_str(fp, "masked_title", f.masked_title, f.masked_title_len);
        dump_str(fp, "norm", f.norm, f.norm_len);
        dump_str(fp, "norm_title", f.norm_title, f.norm_title_len);
        dump_str(fp, "norm_reply", f.norm_reply, f.norm_reply_len);
        for (size_t k = 0; k < f.nhits; k++)
            fprintf(fp, "hit %s kind %u field %u w %a\n", yw_rules_name(rules, f.hits[k].rule),
                    f.hits[k].kind, f.hits[k].field, (double)f.hits[k].weight);
        for (int k = 0; k < YW_RULE_KIND_COUNT; k++)
            fprintf(fp, "%s%a", k ? " " : "kind_weight ", (double)f.kind_weight[k]);
        fputc('\n', fp);
        for (size_t k = 0; k < f.nents; k++)
            fprintf(fp, "entity %s %u+%u %s %016llx\n", yw_entity_kind_name(f.ents[k].kind),
                    f.ents[k].off, f.ents[k].len, f.ents[k].text,
                    (unsigned long long)f.ents[k].term);
    }
    yw_features_free(&f);
    if (fp != stdout) fclose(fp);
    return 0;
}

/* ---- the passes (noinline: callgrind --toggle-collect=pass_*) --------- */

static volatile uint64_t sink;
static yw_cluster_conf_t cconf;

__attribute__((noinline)) static void pass_bigrams(yw_fvec_t *v)
{
    for (size_t i = 0; i < nitems; i++) {
        v->n = 0;
        yw_text_tokens(recs[i].text.s, recs[i].text.len, v);
        sink += v->n;
    }
}

__attribute__((noinline)) static void pass_features(yw_featurizer_t *fz, yw_features_t *f)
{
    for (size_t i = 0; i < nitems; i++) {
        if (yw_features_extract(fz, &recs[i], f) == 0) sink += f->vec.n;
    }
}

__attribute__((noinline)) static void pass_cluster(yw_clusterer_t *cl)
{
    for (size_t i = 0; i < nitems; i++) {
        yw_cluster_assign_t as;
        if (yw_cluster_add(cl, &pre[i], &recs[i], recs[i].ts_ms, &as) == 0)
            sink += as.cluster;
    }
}

/* As the shard runs them (yw_shard_apply_batch): the features of
 * YW_SHARD_BATCH records, then those records' clustering in order. */
__attribute__((noinline)) static void pass_featclu(yw_featurizer_t *fz, yw_features_t *fb,
                                                   yw_clusterer_t *cl)
{
    bool ok[YW_SHARD_BATCH];
    for (size_t at = 0; at < nitems; at += YW_SHARD_BATCH) {
        size_t m = nitems - at < YW_SHARD_BATCH ? nitems - at : YW_SHARD_BATCH;
        for (size_t k = 0; k < m; k++) ok[k] = yw_features_extract(fz, &recs[at + k], &fb[k]) == 0;
        for (size_t k = 0; k < m; k++) {
            yw_cluster_assign_t as;
            if (ok[k] && yw_cluster_add(cl, &fb[k], &recs[at + k], recs[at + k].ts_ms, &as) == 0)
                sink += as.cluster;
        }
    }
}

/* Each record's features, then its clustering, record by record (the
 * shard's order before batches): what the batches save. */
__attribute__((noinline)) static void pass_featclu1(yw_featurizer_t *fz, yw_features_t *f,
                                                    yw_clusterer_t *cl)
{
    for (size_t i = 0; i < nitems; i++) {
        if (yw_features_extract(fz, &recs[i], f)) continue;
        yw_cluster_assign_t as;
        if (yw_cluster_add(cl, f, &recs[i], recs[i].ts_ms, &as) == 0) sink += as.cluster;
    }
}

enum { P_BIGRAMS, P_FEATURES, P_CLUSTER, P_FEATCLU, P_FEATCLU1, NPASS };
static const char *const pass_name[NPASS] = { "bigrams", "features", "cluster", "featclu",
                                              "featclu1" };
static const char *const pass_label[NPASS] = {
    "bigrams alone (tokens, hashed)", "features (yw_features_extract)",
    "clustering alone (precomputed)", "features + clustering",
    "  the same, record by record",
};

static yw_clusterer_t *new_clusterer(void)
{
    char err[256];
    yw_clusterer_t *cl = yw_clusterer_create(&cconf, err, sizeof(err));
    if (!cl) {
        fprintf(stderr, "bench_pipeline: %s\n", err);
        exit(1);
    }
    return cl;
}

static double wall_total, cpu_total;

/* Run pass p once; returns thread CPU seconds.  *stats gets the
 * clusterer's stats. */
static double run(int p, yw_featurizer_t *fz, yw_features_t *f, yw_fvec_t *v,
                  yw_cluster_stats_t *stats)
{
    yw_clusterer_t *cl = p >= P_CLUSTER ? new_clusterer() : NULL;
    double w = now_s(), a = cpu_s();
    switch (p) {
    case P_BIGRAMS: pass_bigrams(v); break;
    case P_FEATURES: pass_features(fz, f); break;
    case P_CLUSTER: pass_cluster(cl); break;
    case P_FEATCLU: pass_featclu(fz, f, cl); break;
    default: pass_featclu1(fz, f, cl); break;
    }
    double t = cpu_s() - a;
    wall_total += now_s() - w;
    cpu_total += t;
    if (cl && stats) yw_cluster_stats(cl, stats);
    yw_clusterer_destroy(cl);
    return t;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        ITEMS_OPTIONS,
        { "only", required_argument, NULL, 'o' },
        { "set", required_argument, NULL, 's' },
        { "dump", required_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 },
    };
    items_args_t args = items_args(5);
    int only = -1;
    const char *dump_path = NULL;
    char err[512];
    yw_cluster_conf_default(&cconf);
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (items_arg(&args, o, optarg))
            continue;
        switch (o) {
        case 'd': dump_path = optarg; break;
        case 'o':
            for (int p = 0; p < NPASS; p++)
                if (!strcmp(optarg, pass_name[p])) only = p;
            if (only < 0) {
                fprintf(stderr, "bench_pipeline: --only bigrams|features|cluster|featclu|featclu1\n");
                return 2;
            }
            break;
        case 's': {
            char *eq = strchr(optarg, '=');
            if (!eq) return 2;
            *eq = '\0';
            const char *key = strncmp(optarg, "cluster.", 8) == 0 ? optarg + 8 : optarg;
            if (yw_cluster_conf_set(&cconf, key, eq + 1, err, sizeof(err))) {
                fprintf(stderr, "bench_pipeline: %s\n", err);
                return 2;
            }
            break;
        }
        default:
            fprintf(stderr, "usage: bench_pipeline [--input RECORDS.jsonl] [--records N] "
                            "[--topics N] [--max-bytes B] [--rules DIR | --no-rules] "
                            "[--rounds R] [--only PASS] [--set KEY=VALUE] [--dump FILE]\n");
            return 2;
        }
    }
    items_get("bench_pipeline", &args);
    to_records();

    yw_rules_t *rules;
    yw_featurizer_t *fz = items_featurizer("bench_pipeline", args.rules_dir, &rules);
    if (dump_path) {
        int rc = dump(fz, rules, dump_path);
        yw_featurizer_destroy(fz);
        yw_rules_destroy(rules);
        return rc;
    }
    size_t bytes = 0;
    for (size_t i = 0; i < nitems; i++) bytes += recs[i].text.len + recs[i].title.len;
    double mean = (double)bytes / (double)nitems;
    printf("records %zu (%s), mean text+title %.0f bytes; rules: %zu rules, %zu patterns\n",
           nitems, args.input ? args.input : "generated", mean, yw_rules_count(rules),
           yw_rules_pattern_count(rules));
    precompute(fz);

    yw_features_t f[YW_SHARD_BATCH];   /* f[0] alone for the one-record passes */
    for (size_t k = 0; k < YW_SHARD_BATCH; k++) yw_features_init(&f[k]);
    yw_fvec_t v = { 0 };
    yw_cluster_stats_t st = { 0 };
    if (only >= 0) {
        double t = run(only, fz, f, &v, &st);
        printf("%s: %zu records in %.3f s\n", pass_name[only], nitems, t);
    } else {
        double *t = calloc((size_t)args.rounds * NPASS, sizeof(double));
        for (int r = 0; r < args.rounds; r++)
            for (int p = 0; p < NPASS; p++) {
                int q = (p + r) % NPASS;       /* rotate the order too */
                t[q * args.rounds + r] = run(q, fz, f, &v, q == P_FEATCLU ? &st : NULL);
            }
        double med[NPASS], best[NPASS];
        for (int p = 0; p < NPASS; p++) {
            qsort(t + p * args.rounds, (size_t)args.rounds, sizeof(double), cmp_dbl);
            med[p] = t[p * args.rounds + args.rounds / 2];
            best[p] = t[p * args.rounds];
        }
        printf("%-32s %10s %8s %8s %8s %8s   (thread CPU time, median of %d interleaved "
               "rounds; best: the fastest round)\n", "pass", "rec/s", "MB/s", "us/rec",
               "/bigrams", "best us", args.rounds);
        for (int p = 0; p < NPASS; p++) {
            double rate = (double)nitems / med[p];
            printf("%-32s %10.0f %8.1f %8.2f %8.2f %8.2f\n", pass_label[p], rate,
                   rate * mean / 1e6, med[p] / (double)nitems * 1e6, med[P_BIGRAMS] / med[p],
                   best[p] / (double)nitems * 1e6);
        }
        free(t);
        printf("core share: thread CPU / wall time over all rounds = %.2f (1.00 = had the "
               "core to itself)\n", cpu_total / wall_total);
        printf("clusters: %llu created, %llu live, %llu merged, %llu expired, %llu evicted, "
               "%llu near-dups\n",
               (unsigned long long)st.created, (unsigned long long)st.live,
               (unsigned long long)st.merged, (unsigned long long)st.expired,
               (unsigned long long)st.evicted, (unsigned long long)st.near_dups);
        printf("memory: %.1f MiB total (df sketch %.1f MiB); %.0f bytes per live cluster "
               "(excluding the sketch); %.1f bytes per record seen (total / records); "
               "cap %u clusters\n",
               (double)st.memory_bytes / (1 << 20), (double)st.df_bytes / (1 << 20),
               st.live ? (double)(st.memory_bytes - st.df_bytes) / (double)st.live : 0.0,
               (double)st.memory_bytes / (double)nitems, cconf.max_clusters);
    }

    for (size_t i = 0; i < nitems; i++) {
        yw_text_fvec_free(&pre[i].vec);
        free(pre[i].norm);
        free(pre[i].norm_title);
    }
    free(pre);
    items_free();
    free(recs);
    for (size_t k = 0; k < YW_SHARD_BATCH; k++) yw_features_free(&f[k]);
    yw_text_fvec_free(&v);
    yw_featurizer_destroy(fz);
    yw_rules_destroy(rules);
    return 0;
}
