/* cluster_conf.c -- the clusterer's settings (yw_cluster_conf_t, see
 * cluster.h): defaults, one table of keys with their bounds that drives
 * `--set cluster.KEY=VALUE`, the checks and the printout. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_impl.h"

void yw_cluster_conf_default(yw_cluster_conf_t *c)
{
    memset(c, 0, sizeof(*c));
    c->threshold = 0.20;
    c->merge_threshold = 0.30;
    c->dup_jaccard = 0.70;
    c->top_k = 48;
    c->record_terms = 64;
    c->index_terms = 8;
    c->query_terms = 10;
    c->posting_cap = 16;
    c->max_candidates = 8;
    c->max_clusters = 50000;
    c->expiry_hours = 720;
    c->singleton_expiry_hours = 168;
    c->half_life_hours = 168;
    c->time_scale_hours = 168;
    c->idf_min = 1.0;
    c->kind_weight[YW_TERM_BIGRAM] = 1.0f;
    c->kind_weight[YW_TERM_WORD] = 1.0f;
    c->kind_weight[YW_TERM_NUMBER] = 0.5f;
    c->kind_weight[YW_TERM_RULE] = 1.0f;
    c->kind_weight[YW_TERM_ENTITY] = 2.5f;
    c->kind_weight[YW_TERM_PLACE] = 1.0f;
    c->df_width_log2 = 18;
    c->df_n_floor = 1000;
    c->merge_memory = 65536;
}

typedef enum { K_DBL, K_U32, K_KW } key_type_t;

static const struct {
    const char *name;
    key_type_t type;
    size_t off;
    double min, max;
} conf_keys[] = {
#define D(f, lo, hi) { #f, K_DBL, offsetof(yw_cluster_conf_t, f), lo, hi }
#define U(f, lo, hi) { #f, K_U32, offsetof(yw_cluster_conf_t, f), lo, hi }
    D(threshold, 0, 1), D(merge_threshold, 0, 1.01), D(dup_jaccard, 0, 1.01),
    U(top_k, 4, MAX_TERMS), U(record_terms, 4, MAX_TERMS),
    U(index_terms, 1, 32), U(query_terms, 1, 64), U(posting_cap, 1, 1024),
    U(max_candidates, 1, 256), U(max_clusters, 2, 100000000),
    D(expiry_hours, 0.001, 1e6), D(singleton_expiry_hours, 0.001, 1e6),
    D(half_life_hours, 0, 1e6), D(time_scale_hours, 0, 1e6),
    D(idf_min, 0, 100), U(df_width_log2, 8, 26), U(df_n_floor, 1, 1000000000),
    U(merge_memory, 1, 100000000),
#undef D
#undef U
    { "w_bigram", K_KW, YW_TERM_BIGRAM, 0, 100 },
    { "w_word", K_KW, YW_TERM_WORD, 0, 100 },
    { "w_number", K_KW, YW_TERM_NUMBER, 0, 100 },
    { "w_rule", K_KW, YW_TERM_RULE, 0, 100 },
    { "w_entity", K_KW, YW_TERM_ENTITY, 0, 100 },
    { "w_place", K_KW, YW_TERM_PLACE, 0, 100 },
};

#define NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

static double conf_get(const yw_cluster_conf_t *c, size_t k)
{
    const char *base = (const char *)c;
    switch (conf_keys[k].type) {
    case K_DBL: return *(const double *)(base + conf_keys[k].off);
    case K_U32: return *(const uint32_t *)(base + conf_keys[k].off);
    default: return c->kind_weight[conf_keys[k].off];
    }
}

int yw_cluster_conf_set(yw_cluster_conf_t *c, const char *key,
                        const char *value, char *errbuf, size_t errlen)
{
    for (size_t k = 0; k < NKEYS; k++) {
        if (strcmp(conf_keys[k].name, key) != 0) continue;
        char *end;
        errno = 0;
        double v = strtod(value, &end);
        if (errno || end == value || *end) {
            snprintf(errbuf, errlen, "cluster.%s: '%s' is not a number", key, value);
            return -1;
        }
        if (v < conf_keys[k].min || v > conf_keys[k].max ||
            (conf_keys[k].type == K_U32 && v != floor(v))) {
            snprintf(errbuf, errlen, "cluster.%s: %s out of range; expected %s in [%g, %g]",
                     key, value, conf_keys[k].type == K_U32 ? "an integer" : "a number",
                     conf_keys[k].min, conf_keys[k].max);
            return -1;
        }
        char *base = (char *)c;
        switch (conf_keys[k].type) {
        case K_DBL: *(double *)(base + conf_keys[k].off) = v; break;
        case K_U32: *(uint32_t *)(base + conf_keys[k].off) = (uint32_t)v; break;
        default: c->kind_weight[conf_keys[k].off] = (float)v; break;
        }
        return 0;
    }
    int n = snprintf(errbuf, errlen, "cluster.%s: unknown key; valid keys:", key);
    for (size_t k = 0; k < NKEYS && n > 0 && (size_t)n < errlen; k++)
        n += snprintf(errbuf + n, errlen - (size_t)n, " %s", conf_keys[k].name);
    return -1;
}

int yw_cluster_conf_check(const yw_cluster_conf_t *c, char *errbuf, size_t errlen)
{
    for (size_t k = 0; k < NKEYS; k++) {
        double v = conf_get(c, k);
        if (!(v >= conf_keys[k].min && v <= conf_keys[k].max)) {
            snprintf(errbuf, errlen, "cluster.%s: %g not in [%g, %g]",
                     conf_keys[k].name, v, conf_keys[k].min, conf_keys[k].max);
            return -1;
        }
    }
    if (c->index_terms > c->top_k) {
        snprintf(errbuf, errlen, "cluster.index_terms (%u) must not exceed top_k (%u)",
                 c->index_terms, c->top_k);
        return -1;
    }
    return 0;
}

void yw_cluster_conf_print(const yw_cluster_conf_t *c, FILE *out)
{
    for (size_t k = 0; k < NKEYS; k++)
        fprintf(out, "cluster.%s = %g\n", conf_keys[k].name, conf_get(c, k));
}
