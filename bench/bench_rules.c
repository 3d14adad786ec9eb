/* bench_rules.c -- what each rule pattern adds to the Hyperscan scan, on
 * the records given: for rule authors (docs/rules.md "Keep patterns
 * cheap").
 *
 *   bench_rules --input RECORDS.jsonl [--records N] [--rules DIR]
 *               [--rounds R] [--top N]
 *
 * Records: contract-v1 JSON lines (up to N, default 20000), decoded and
 * normalised as the features stage does (yw_features_extract's
 * norm_title, norm and norm_reply), each record's fields joined as
 * title '\n' text '\n' reply: the input of the joint scan (lib/rules.c).
 * Every pattern is compiled with the flags the loader gave it
 * (yw_rules_pattern) into one block-mode database, as a field's database
 * is, and each pass scans every record once; a pass's time is its best
 * of --rounds (default 5) in thread CPU time, per record.
 *
 * Printed: the whole set (what a record pays), the floor (a database of
 * one literal that never occurs: a scan's fixed cost and its pass over
 * the bytes), the set without its patterns that hold a `.{m,n}` gap, and
 * for the --top (default 15) dearest patterns their marginal cost (the
 * whole set against the set without that pattern) and their cost alone
 * (above the floor).  Marginal costs are differences of two timings: on
 * a shared machine read anything under ~3% of the whole as noise.
 * Compiling 2 x patterns + 3 databases takes a while (~20 s for the
 * starter set). */
#include <getopt.h>
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "featurize.h"
#include "rules.h"

#include "gen/items.h"

static char **joint;          /* title '\n' text '\n' reply, normalised */
static unsigned *joint_len;
static double joint_bytes;

static void make_joint(yw_featurizer_t *fz)
{
    joint = calloc(nitems, sizeof(*joint));
    joint_len = calloc(nitems, sizeof(*joint_len));
    yw_features_t f;
    yw_features_init(&f);
    for (size_t i = 0; i < nitems; i++) {
        yw_record_t rec = item_record(i);
        if (yw_features_extract(fz, &rec, &f)) continue;
        size_t n = f.norm_title_len + 1 + f.norm_len + 1 + f.norm_reply_len;
        char *j = malloc(n + 1);
        memcpy(j, f.norm_title, f.norm_title_len);
        j[f.norm_title_len] = '\n';
        memcpy(j + f.norm_title_len + 1, f.norm, f.norm_len);
        j[f.norm_title_len + 1 + f.norm_len] = '\n';
        memcpy(j + n - f.norm_reply_len, f.norm_reply, f.norm_reply_len);
        j[n] = '\0';
        joint[i] = j;
        joint_len[i] = (unsigned)n;
        joint_bytes += (double)n;
    }
    yw_features_free(&f);
}

/* Matches are taken and dropped: the daemon's scan has a callback too. */
static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned flags, void *ctx)
{
    (void)id, (void)from, (void)to, (void)flags, (void)ctx;
    return 0;
}

static int rounds = 5;

/* Best per-record scan time (ns) of the database of exprs[0..n), or -1
 * when it does not compile. */
static double scan_ns(const char *const *exprs, const unsigned *flags, const unsigned *ids,
                      unsigned n)
{
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    if (hs_compile_multi(exprs, flags, ids, n, HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS) {
        fprintf(stderr, "bench_rules: %s\n", ce ? ce->message : "compile failed");
        hs_free_compile_error(ce);
        return -1;
    }
    hs_scratch_t *scr = NULL;
    if (hs_alloc_scratch(db, &scr) != HS_SUCCESS) {
        hs_free_database(db);
        return -1;
    }
    double best = 1e300;
    for (int r = 0; r < rounds; r++) {
        double t0 = cpu_s();
        for (size_t i = 0; i < nitems; i++)
            if (joint[i]) hs_scan(db, joint[i], joint_len[i], 0, scr, on_match, NULL);
        double t = cpu_s() - t0;
        if (t < best) best = t;
    }
    hs_free_scratch(scr);
    hs_free_database(db);
    return best / (double)nitems * 1e9;
}

typedef struct {
    uint32_t pat;
    double marginal, alone;
} cost_t;

static int by_marginal(const void *a, const void *b)
{
    double x = ((const cost_t *)a)->marginal, y = ((const cost_t *)b)->marginal;
    return x > y ? -1 : x < y;
}

/* A `.{m,n}` (or `.*`, `.+`) in the source: a gap Hyperscan runs as an
 * automaton. */
static bool has_gap(const char *src)
{
    for (const char *p = strchr(src, '.'); p; p = strchr(p + 1, '.'))
        if ((p == src || p[-1] != '\\') && (p[1] == '{' || p[1] == '*' || p[1] == '+'))
            return true;
    return false;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "input", required_argument, NULL, 'i' },
        { "records", required_argument, NULL, 'n' },
        { "rules", required_argument, NULL, 'r' },
        { "rounds", required_argument, NULL, 'k' },
        { "top", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    const char *input = NULL, *rules_dir = YW_SOURCE_DIR "/rules";
    size_t limit = 20000, top = 15;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'i': input = optarg; break;
        case 'n': limit = strtoull(optarg, NULL, 10); break;
        case 'r': rules_dir = optarg; break;
        case 'k': rounds = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
        case 't': top = strtoull(optarg, NULL, 10); break;
        default:
            fprintf(stderr, "usage: bench_rules --input RECORDS.jsonl [--records N] "
                            "[--rules DIR] [--rounds R] [--top N]\n");
            return 2;
        }
    }
    if (!input) {
        fprintf(stderr, "bench_rules: --input RECORDS.jsonl is required "
                        "(e.g. bench/ywgen --records 20000 --scenario background)\n");
        return 2;
    }
    items_load("bench_rules", input, 0, limit);
    if (!nitems) {
        fprintf(stderr, "bench_rules: no records in %s\n", input);
        return 1;
    }
    yw_rules_t *rules;
    yw_featurizer_t *fz = items_featurizer("bench_rules", rules_dir, &rules);
    make_joint(fz);
    yw_featurizer_destroy(fz);

    unsigned n = (unsigned)yw_rules_pattern_count(rules);
    if (!n) {
        printf("bench_rules: %s has no patterns\n", rules_dir);
        return 0;
    }
    const char **exprs = calloc(n + 1, sizeof(*exprs));
    unsigned *flags = calloc(n + 1, sizeof(*flags)), *ids = calloc(n + 1, sizeof(*ids));
    const char **sub = calloc(n + 1, sizeof(*sub));
    unsigned *sflags = calloc(n + 1, sizeof(*sflags)), *sids = calloc(n + 1, sizeof(*sids));
    cost_t *cost = calloc(n + 1, sizeof(*cost));
    for (unsigned i = 0; i < n; i++) {
        exprs[i] = yw_rules_pattern(rules, i, NULL, &flags[i]);
        ids[i] = i;
    }

    const char *absent = "yw-bench-rules-absent-literal";
    const unsigned absent_flags = HS_FLAG_SINGLEMATCH, absent_id = 0;
    double all = scan_ns(exprs, flags, ids, n);
    double floor = scan_ns(&absent, &absent_flags, &absent_id, 1);
    if (all < 0 || floor < 0) return 1;
    unsigned ns = 0, ngap = 0;
    for (unsigned i = 0; i < n; i++) {
        if (has_gap(exprs[i])) {
            ngap++;
            continue;
        }
        sub[ns] = exprs[i], sflags[ns] = flags[i], sids[ns] = i, ns++;
    }
    double nogap = ns ? scan_ns(sub, sflags, sids, ns) : floor;

    printf("records %zu (%s), mean joint text %.0f bytes; rules %zu, patterns %u\n", nitems,
           input, joint_bytes / (double)nitems, yw_rules_count(rules), n);
    printf("%-44s %9s %8s\n", "database", "ns/rec", "/floor");
    printf("%-44s %9.1f %8.2f\n", "floor (one literal that never occurs)", floor, 1.0);
    printf("%-44s %9.1f %8.2f\n", "all patterns", all, all / floor);
    char label[64];
    snprintf(label, sizeof label, "without the %u with a .{m,n} gap", ngap);
    printf("%-44s %9.1f %8.2f\n", label, nogap, nogap / floor);

    for (unsigned x = 0; x < n; x++) {
        unsigned k = 0;
        for (unsigned i = 0; i < n; i++)
            if (i != x) sub[k] = exprs[i], sflags[k] = flags[i], sids[k] = i, k++;
        double without = k ? scan_ns(sub, sflags, sids, k) : floor;
        double alone = scan_ns(&exprs[x], &flags[x], &ids[x], 1);
        cost[x] = (cost_t){ x, all - without, alone - floor };
    }
    qsort(cost, n, sizeof(*cost), by_marginal);
    printf("\nthe %zu dearest patterns (ns a record; marginal: all - all without it; "
           "alone: above the floor)\n", top < n ? top : (size_t)n);
    printf("%9s %9s  %-22s %s\n", "marginal", "alone", "rule", "pattern");
    for (size_t i = 0; i < top && i < n; i++) {
        uint32_t rule;
        const char *src = yw_rules_pattern(rules, cost[i].pat, &rule, NULL);
        printf("%9.1f %9.1f  %-22s %s\n", cost[i].marginal, cost[i].alone,
               yw_rules_name(rules, rule), src);
    }
    for (size_t i = 0; i < nitems; i++) free(joint[i]);
    free(joint), free(joint_len), free(exprs), free(flags), free(ids);
    free(sub), free(sflags), free(sids), free(cost);
    yw_rules_destroy(rules);
    return 0;
}
