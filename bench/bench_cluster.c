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

#include "gen/items.h"   /* the generator and loader bench_pipeline uses too */

static void tokens(const char *text, size_t len, char *norm, yw_fvec_t *v)
{
    size_t nl = yw_text_normalize(text, len, norm, 4096);
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
    if (input) {
        items_load("bench_cluster", input, 300, 0);
        if (!nitems) return 1;
        /* repeat the file to n records so the run is long enough to time */
        items = realloc(items, n * sizeof(*items));
        for (size_t i = nitems; i < n; i++) items[i] = items[i % nitems];
        nitems = n;
    } else {
        items_generate(n, topics);
    }
    /* the texts' lengths, measured once, outside the timed passes */
    size_t *len = malloc(n * sizeof(*len)), bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += len[i] = strlen(items[i].text);
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
        tokens(items[i].text, len[i], norm, &v);
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
        tokens(items[i].text, len[i], norm, &v);
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
    yw_rules_t *rules;
    yw_featurizer_t *fz = items_featurizer("bench_cluster", rules_dir, &rules);
    cl = yw_clusterer_create(&cc, err, sizeof(err));
    yw_record_t rec;
    memset(&rec, 0, sizeof(rec));
    rec.title = rec.reply = rec.district = rec.street = rec.community = (yw_str_t){ "", 0 };
    a = now_s();
    for (size_t i = 0; fz && cl && i < n; i++) {
        rec.text = (yw_str_t){ items[i].text, (uint32_t)len[i] };
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
    free(len);
    return 0;
}
