/* test_stage_batch.c -- yw_shard_apply_batch (lib/stage.c) has the effects
 * of one yw_shard_apply per record: the same clusters, the same alert
 * events in the same order, the same summaries, and its applied() call
 * after each record sees the shard as a yw_shard_apply caller would.
 *
 * Two shards on the same config read the same generated stream
 * (tests/support/gen_records.c: growing issues, merges, alerts); one
 * record by record, the other in calls of uneven sizes that cross the
 * YW_SHARD_BATCH boundary and hold bad lines that never reach it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "cluster.h"
#include "config.h"
#include "gen_records.h"
#include "record.h"
#include "score.h"
#include "stage.h"
#include "yw_test.h"

#define NREC 1500

/* Everything a shard said, as one text: alert events and summaries in
 * the order they came, and per record what it joined and the score of
 * that cluster right after it. */
typedef struct {
    char *s;
    size_t len, cap;
    int tz;
    yw_shard_t *sh;       /* for the score right after a record */
    const yw_record_t *recs;
    int records;
} log_t;

static void put(log_t *l, const char *a, size_t n)
{
    if (l->len + n + 2 > l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1 << 16;
        while (cap < l->len + n + 2) cap *= 2;
        char *p = realloc(l->s, cap);
        if (!p) abort();
        l->s = p;
        l->cap = cap;
    }
    memcpy(l->s + l->len, a, n);
    l->len += n;
    l->s[l->len++] = '\n';
    l->s[l->len] = '\0';
}

static void put_alert(log_t *l, const char *what, const yw_alert_t *a)
{
    size_t n;
    char *json = yw_alert_to_json(a, l->tz, &n);
    if (!json) abort();
    put(l, what, strlen(what));
    put(l, json, n);
    free(json);
}

static void on_emit(void *opaque, const yw_alert_t *a) { put_alert(opaque, "emit", a); }

static void on_summary(void *opaque, const yw_alert_t *a, const char *detail, size_t dlen)
{
    put_alert(opaque, "summary", a);
    put(opaque, detail, dlen);
}

static void on_forget(void *opaque, const char *cluster)
{
    char b[64];
    put(opaque, b, (size_t)snprintf(b, sizeof b, "forget %s", cluster));
}

/* What a caller sees right after a record: its assignment and the score
 * its cluster has now. */
static void put_assign(log_t *l, const yw_record_t *rec, const yw_cluster_assign_t *as)
{
    char id[32], b[256];
    yw_cluster_id_format(as->cluster, id, sizeof id);
    double score = -1;
    int level = -1;
    int64_t at = 0;
    yw_score_level(yw_shard_scorer(l->sh), id, &score, &level, &at);
    int n = snprintf(b, sizeof b, "record %s -> %s size %u new %d dup %d merges %u score %.6f level %d",
                     rec->id.s, id, as->size, as->is_new, as->near_dup, as->nmerges, score, level);
    put(l, b, (size_t)n);
    l->records++;
}

static void on_applied(void *opaque, size_t i, const yw_cluster_assign_t *as)
{
    log_t *l = opaque;
    put_assign(l, &l->recs[i], as);
}

typedef struct {
    yw_config_t *cfg;
    yw_decoder_t *dec;
    yw_shard_t *sh;
    log_t log;
    yw_stage_out_t out;
} run_t;

static int run_start(run_t *r)
{
    memset(r, 0, sizeof *r);
    char err[512];
    r->cfg = yw_test_config_repo_rules();
    r->dec = r->cfg ? yw_config_decoder(r->cfg, err, sizeof err) : NULL;
    r->sh = r->dec ? yw_shard_create(r->cfg, err, sizeof err) : NULL;
    if (!r->sh) {
        fprintf(stderr, "run_start: %s\n", err);
        return -1;
    }
    r->log.tz = r->cfg->tz_offset_minutes;
    r->log.sh = r->sh;
    r->out = (yw_stage_out_t){ on_emit, on_summary, on_forget, &r->log };
    return 0;
}

static void run_end(run_t *r)
{
    yw_shard_destroy(r->sh);
    yw_decoder_destroy(r->dec);
    yw_config_destroy(r->cfg);
    free(r->log.s);
}

static int decode(run_t *r, const char *line, yw_record_t *rec)
{
    char reason[256];
    return yw_record_decode(r->dec, line, strlen(line), YW_SRC_HOTLINE, rec, reason,
                            sizeof reason) == YW_REC_OK ? 0 : -1;
}

/* Every seventh line broken: the batched run drops it between good ones. */
static const char *line_at(char **lines, int i)
{
    return i % 7 == 3 ? "{\"id\":\"broken\"" : lines[i];
}

TEST(batches_do_what_single_records_do)
{
    char **lines;
    REQUIRE(yw_test_gen_records(NREC, 40, 7, &lines) == NREC);
    run_t one, bat;
    REQUIRE(run_start(&one) == 0);
    REQUIRE(run_start(&bat) == 0);

    /* record by record, a flush every 100 lines (the daemon's batches) */
    yw_record_t rec;
    yw_record_init(&rec);
    for (int i = 0; i < NREC; i++) {
        if (decode(&one, line_at(lines, i), &rec) == 0) {
            yw_cluster_assign_t as;
            REQUIRE(yw_shard_apply(one.sh, &rec, &one.out, &as) == 0);
            put_assign(&one.log, &rec, &as);
        }
        if (i % 100 == 99 || i == NREC - 1)
            yw_shard_flush(one.sh, &one.out);
    }
    yw_record_free(&rec);

    /* the same lines in calls of 1, 2, 3, ..., 80 decoded records (over
     * YW_SHARD_BATCH from 33 on), the same flushes */
    yw_record_t *recs = calloc(100, sizeof *recs);
    REQUIRE(recs);
    for (int k = 0; k < 100; k++) yw_record_init(&recs[k]);
    bat.log.recs = recs;
    int n = 0, want = 1, calls = 0, over = 0;
    for (int i = 0; i < NREC; i++) {
        if (decode(&bat, line_at(lines, i), &recs[n]) == 0) n++;
        bool flush = i % 100 == 99 || i == NREC - 1;
        if (n == want || (flush && n)) {
            REQUIRE(yw_shard_apply_batch(bat.sh, recs, (size_t)n, &bat.out, on_applied,
                                         &bat.log) == 0);
            over += n > YW_SHARD_BATCH;
            calls++;
            n = 0;
            want = want % 80 + 1;
        }
        if (flush)
            yw_shard_flush(bat.sh, &bat.out);
    }
    for (int k = 0; k < 100; k++) yw_record_free(&recs[k]);
    free(recs);

    CHECK(over > 0);                              /* the batch boundary was crossed */
    CHECK(calls > 30);
    CHECK_EQ_INT(bat.log.records, one.log.records);
    CHECK(one.log.records > NREC * 3 / 4);
    /* the stream exercised what must stay the same */
    CHECK(strstr(one.log.s, "emit\n") != NULL);
    CHECK(strstr(one.log.s, "forget ") != NULL);
    CHECK(strstr(one.log.s, "merges 1") != NULL);
    REQUIRE(one.log.s && bat.log.s);
    if (strcmp(one.log.s, bat.log.s) != 0) {
        size_t d = 0;
        while (one.log.s[d] == bat.log.s[d]) d++;
        size_t from = d > 200 ? d - 200 : 0;
        fprintf(stderr, "first difference at byte %zu:\n  one: %.400s\n  bat: %.400s\n", d,
                one.log.s + from, bat.log.s + from);
    }
    CHECK(strcmp(one.log.s, bat.log.s) == 0);
    run_end(&one);
    run_end(&bat);
    yw_test_gen_free(lines, NREC);
}

/* A call with no records does nothing; applied() may be NULL. */
TEST(empty_and_no_callback)
{
    run_t r;
    REQUIRE(run_start(&r) == 0);
    CHECK_EQ_INT(yw_shard_apply_batch(r.sh, NULL, 0, &r.out, on_applied, &r.log), 0);
    CHECK_EQ_INT((long long)r.log.len, 0);
    char **lines;
    REQUIRE(yw_test_gen_records(40, 2, 3, &lines) == 40);
    yw_record_t recs[40];
    for (int k = 0; k < 40; k++) {
        yw_record_init(&recs[k]);
        REQUIRE(decode(&r, lines[k], &recs[k]) == 0);
    }
    CHECK_EQ_INT(yw_shard_apply_batch(r.sh, recs, 40, &r.out, NULL, NULL), 0);
    yw_shard_stats_t st;
    yw_shard_stats(r.sh, &st);
    CHECK_EQ_INT(st.records, 40);
    for (int k = 0; k < 40; k++) yw_record_free(&recs[k]);
    yw_test_gen_free(lines, 40);
    run_end(&r);
}

int main(void)
{
    RUN(batches_do_what_single_records_do);
    RUN(empty_and_no_callback);
    return yw_test_done();
}
