/* cluster_state.c -- see cluster_state.h. */
#include "cluster_state.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "config.h"
#include "record.h"
#include "stage.h"

typedef struct {
    char id[48];
    char *json;
    bool ranked, forgotten;
} want_t;

struct yw_test_clusters {
    want_t *v;
    int n, cap;
    int tz;
    bool nomem;
};

static want_t *want_get(yw_test_clusters_t *w, const char *id)
{
    for (int i = 0; i < w->n; i++)
        if (!strcmp(w->v[i].id, id))
            return &w->v[i];
    if (w->n == w->cap) {
        int cap = w->cap ? w->cap * 2 : 64;
        want_t *v = realloc(w->v, (size_t)cap * sizeof *v);
        if (!v) {
            w->nomem = true;
            return NULL;
        }
        w->v = v;
        w->cap = cap;
    }
    want_t *x = &w->v[w->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->id, sizeof x->id, "%s", id);
    return x;
}

static void on_summary(void *opaque, const yw_alert_t *a, const char *detail, size_t len)
{
    (void)detail;
    (void)len;
    yw_test_clusters_t *w = opaque;
    want_t *x = want_get(w, a->cluster);
    if (!x)
        return;
    free(x->json);
    x->json = yw_alert_to_json(a, w->tz, NULL);
    x->ranked = a->level != YW_LEVEL_NONE;
}

static void on_forget(void *opaque, const char *cluster)
{
    want_t *x = want_get(opaque, cluster);
    if (!x)
        return;
    x->ranked = false;
    x->forgotten = true;
}

yw_test_clusters_t *yw_test_clusters_expected(const char *cfg_path, char **lines, int n)
{
    char err[256] = "out of memory";
    yw_test_clusters_t *w = calloc(1, sizeof *w);
    yw_config_t *cfg = yw_config_load(cfg_path, NULL);
    yw_decoder_t *dec = cfg ? yw_config_decoder(cfg, err, sizeof err) : NULL;
    yw_shard_t *sh = dec ? yw_shard_create(cfg, err, sizeof err) : NULL;
    bool ok = w && sh;
    if (ok) {
        w->tz = cfg->tz_offset_minutes;
        yw_record_t rec;
        yw_record_init(&rec);
        yw_stage_out_t out = { NULL, on_summary, on_forget, w };
        for (int i = 0; i < n; i++) {
            char reason[256];
            if (yw_record_decode(dec, lines[i], strlen(lines[i]), YW_SRC_HOTLINE, &rec, reason,
                                 sizeof reason) == YW_REC_OK) {
                yw_shard_apply(sh, &rec, &out, NULL);
                yw_shard_flush(sh, &out);
            }
        }
        yw_record_free(&rec);
        ok = !w->nomem;
    }
    if (!ok)
        fprintf(stderr, "cluster_state: %s: %s\n", cfg_path, cfg ? err : "cannot load");
    yw_shard_destroy(sh);
    yw_decoder_destroy(dec);
    yw_config_destroy(cfg);
    if (!ok) {
        yw_test_clusters_free(w);
        return NULL;
    }
    return w;
}

void yw_test_clusters_free(yw_test_clusters_t *w)
{
    if (!w)
        return;
    for (int i = 0; i < w->n; i++)
        free(w->v[i].json);
    free(w->v);
    free(w);
}

/* The value of "key": in a JSON object (up to the next top-level comma). */
static void field_of(const char *json, const char *key, char *out, size_t len)
{
    out[0] = '\0';
    const char *p = json ? strstr(json, key) : NULL;
    if (!p)
        return;
    p += strlen(key);
    size_t n = 0;
    int depth = 0;
    bool str = false;
    for (; *p && n + 1 < len; p++) {
        if (*p == '"' && (n == 0 || p[-1] != '\\'))
            str = !str;
        else if (!str && (*p == '[' || *p == '{'))
            depth++;
        else if (!str && (*p == ']' || *p == '}')) {
            if (depth-- == 0)
                break;
        } else if (!str && depth == 0 && *p == ',')
            break;
        out[n++] = *p;
    }
    out[n] = '\0';
}

static char *hget(redisContext *c, const char *cluster, const char *field)
{
    redisReply *r = redisCommand(c, "HGET yw:v1:cluster:%s %s", cluster, field);
    char *v = r && r->type == REDIS_REPLY_STRING ? strdup(r->str) : NULL;
    if (r)
        freeReplyObject(r);
    return v;
}

int yw_test_clusters_compare(const yw_test_clusters_t *w, redisContext *c,
                             yw_test_clusters_diff_t *out)
{
    static const char *const fields[] = { "\"title\":", "\"level\":", "\"records\":",
                                          "\"people\":", "\"sources\":", "\"places\":",
                                          "\"first_seen\":" };
    memset(out, 0, sizeof *out);
    for (int i = 0; i < w->n; i++) {
        const want_t *x = &w->v[i];
        if (x->forgotten) {
            out->gone++;
        } else {
            out->live++;
            char *json = hget(c, x->id, "json");
            for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
                char gv[512], wv[512];
                field_of(json, fields[k], gv, sizeof gv);
                field_of(x->json, fields[k], wv, sizeof wv);
                if (strcmp(gv, wv) != 0 && out->differ++ < 6)
                    fprintf(stderr, "cluster %s %s redis %s, expected %s\n", x->id, fields[k],
                            gv, wv);
            }
            free(json);
        }
        redisReply *r = redisCommand(c, "ZSCORE yw:v1:clusters:by_score %s", x->id);
        if (!r || c->err) {
            if (r)
                freeReplyObject(r);
            return -1;
        }
        bool in = r->type == REDIS_REPLY_STRING;
        if (in != x->ranked && out->differ++ < 6)
            fprintf(stderr, "cluster %s: ranked %d, expected %d\n", x->id, in, x->ranked);
        out->ranked += in;
        freeReplyObject(r);
    }
    redisReply *r = redisCommand(c, "ZCARD yw:v1:clusters:by_score");
    if (!r || r->type != REDIS_REPLY_INTEGER) {
        if (r)
            freeReplyObject(r);
        return -1;
    }
    if (r->integer != out->ranked && out->differ++ < 6)
        fprintf(stderr, "ranking: %lld clusters, expected %d\n", r->integer, out->ranked);
    freeReplyObject(r);
    return 0;
}
