/* test_kill9.c -- "Nothing lost": yuanwangd is killed with SIGKILL at
 * random moments while a stream of records flows, and restarted each time;
 * at the end Redis holds exactly what an uninterrupted run computes.
 *
 * Input: generated records with several growing issues (gen_records.h),
 * all on one partition of one topic so the order is the same in every run.
 * Snapshots every few records, so kills land before the first snapshot,
 * between snapshots, in the middle of a batch, of a Redis write or of a
 * snapshot write.  YW_KILL9_ITERATIONS sets the number of kills (default
 * 5; run 20 locally), YW_KILL9_RECORDS the number of records (400).
 *
 * Expected: the alert stream equals `ywctl backtest --alerts` over the
 * same input, id for id, in order, without duplicates; every cluster hash
 * (its JSON summary and drill-down) and the ranking equal what the same
 * shard computes in this process over the same input. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "config.h"
#include "daemon_env.h"
#include "gen_records.h"
#include "kafka_mock.h"
#include "log.h"
#include "proc.h"
#include "record.h"
#include "redis_server.h"
#include "stage.h"
#include "yw_test.h"

static yw_test_env_t env;

static int env_int(const char *name, int def)
{
    const char *v = getenv(name);
    return v && atoi(v) > 0 ? atoi(v) : def;
}

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static unsigned rnd(unsigned n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(rng >> 33) % (n ? n : 1);
}

/* ---- the expected state, computed in process ---------------------------------- */

typedef struct {
    char id[48];
    char *json, *detail;
    bool ranked, forgotten;
    char score[32];
} want_t;

typedef struct {
    want_t *v;
    int n, cap;
    int tz;
} wants_t;

static want_t *want_get(wants_t *w, const char *id)
{
    for (int i = 0; i < w->n; i++)
        if (!strcmp(w->v[i].id, id))
            return &w->v[i];
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->v = realloc(w->v, (size_t)w->cap * sizeof *w->v);
    }
    want_t *x = &w->v[w->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->id, sizeof x->id, "%s", id);
    return x;
}

static void on_summary(void *opaque, const yw_alert_t *a, const char *detail, size_t len)
{
    wants_t *w = opaque;
    want_t *x = want_get(w, a->cluster);
    free(x->json);
    x->json = yw_alert_to_json(a, w->tz, NULL);
    if (detail) {
        free(x->detail);
        x->detail = strndup(detail, len);
    }
    x->ranked = a->level != YW_LEVEL_NONE;
    snprintf(x->score, sizeof x->score, "%.2f", a->score);
}

static void on_forget(void *opaque, const char *cluster)
{
    want_t *x = want_get(opaque, cluster);
    x->ranked = false;
    x->forgotten = true;
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

static int expected_state(char **lines, int n, wants_t *w)
{
    yw_config_t *cfg = yw_config_load(env.cfg, NULL);
    if (!cfg)
        return -1;
    char err[256];
    yw_decoder_t *dec = yw_config_decoder(cfg, err, sizeof err);
    yw_shard_t *sh = yw_shard_create(cfg, err, sizeof err);
    w->tz = cfg->tz_offset_minutes;
    yw_record_t rec;
    yw_record_init(&rec);
    yw_stage_out_t out = { NULL, on_summary, on_forget, w };
    int rc = dec && sh ? 0 : -1;
    for (int i = 0; i < n && rc == 0; i++) {
        char reason[256];
        if (yw_record_decode(dec, lines[i], strlen(lines[i]), YW_SRC_HOTLINE, &rec, reason,
                             sizeof reason) == YW_REC_OK) {
            yw_shard_apply(sh, &rec, &out, NULL);
            yw_shard_flush(sh, &out);
        }
    }
    yw_record_free(&rec);
    yw_shard_destroy(sh);
    yw_decoder_destroy(dec);
    yw_config_destroy(cfg);
    return rc;
}

static char *hget(redisContext *c, const char *cluster, const char *field)
{
    redisReply *r = redisCommand(c, "HGET yw:v1:cluster:%s %s", cluster, field);
    char *v = r && r->type == REDIS_REPLY_STRING ? strdup(r->str) : NULL;
    if (r)
        freeReplyObject(r);
    return v;
}

/* ---- the test ------------------------------------------------------------------- */

TEST(kill9_at_random_moments)
{
    int iterations = env_int("YW_KILL9_ITERATIONS", 5);
    int nrec = env_int("YW_KILL9_RECORDS", 400);
    int rc = yw_test_env_start(&env, 1, NULL);
    if (rc == YW_TEST_REDIS_MISSING)
        SKIP("redis-server not installed");
    REQUIRE(rc == 0);
    char snap[1200];
    snprintf(snap, sizeof snap,
             "snapshot:\n"
             "  dir: \"%s/snap\"\n"
             "  interval_ms: 150\n"
             "  interval_records: 15\n", env.dir);
    REQUIRE(yw_test_env_append(&env, snap) == 0);

    char **lines = NULL;
    REQUIRE(yw_test_gen_records(nrec, 21, 11, &lines) == nrec);
    FILE *f = fopen(env.records, "w");
    REQUIRE(f);
    for (int i = 0; i < nrec; i++)
        fprintf(f, "%s\n", lines[i]);
    fclose(f);

    int produced = 0;
    int64_t t0 = yw_test_now_ms();
    for (int it = 0; it <= iterations; it++) {
        bool last = it == iterations;
        pid_t pid = yw_test_env_daemon(&env);
        REQUIRE(pid > 0);
        int left = nrec - produced;
        int chunk = last ? left : left / (iterations - it + 1);
        if (!last && chunk > 4)
            chunk = chunk / 2 + (int)rnd((unsigned)chunk);
        if (chunk > left)
            chunk = left;
        /* half the chunk, then wait until this daemon works (it joined the
         * group and applied a batch) -- unless the kill is meant to land
         * before it even got its partitions */
        int first = chunk / 2;
        for (int i = 0; i < first; i++, produced++)
            REQUIRE(yw_test_kafka_produce(T_HOTLINE, 0, "k", lines[produced],
                                          strlen(lines[produced])) == 0);
        bool early = !last && rnd(6) == 0;
        if (!early && first > 0)
            CHECK(yw_test_wait_metric(env.metrics, "yw_batches_total", 1,
                                      yw_test_deadline_ms(60000)));
        /* the rest one by one while it runs; SIGKILL after a random one */
        int kill_at = last ? -1 : (int)rnd((unsigned)(chunk - first + 1));
        for (int i = first; i < chunk; i++, produced++) {
            if (i - first == kill_at)
                break;
            REQUIRE(yw_test_kafka_produce(T_HOTLINE, 0, "k", lines[produced],
                                          strlen(lines[produced])) == 0);
        }
        if (!last) {
            CHECK(yw_test_stop(pid, SIGKILL, yw_test_deadline_ms(10000)) == 128 + SIGKILL);
            continue;
        }
        /* the uninterrupted end: everything applied, in a snapshot, committed */
        bool done = false;
        int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(90000);
        while (!done && yw_test_now_ms() < deadline) {
            done = yw_test_kafka_committed(T_GROUP, T_HOTLINE, 0) == nrec;
        }
        CHECK(done);
        CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    }
    fprintf(stderr, "kill9: %d kills, %d records, %.1f s\n", iterations, nrec,
            (double)(yw_test_now_ms() - t0) / 1000);

    redisContext *c = yw_test_redis_ctx();
    REQUIRE(c);
    static char got[4096][40], want[4096][40];
    int ngot = yw_test_stream_alert_ids(c, got, 4096);
    int nwant = yw_test_backtest_alert_ids(&env, want, 4096);
    fprintf(stderr, "kill9: %d alerts in Redis, %d from the backtest\n", ngot, nwant);
    CHECK(nwant >= 3);
    CHECK_EQ_INT(ngot, nwant);
    int diff = 0;
    for (int i = 0; i < ngot && i < nwant; i++)
        if (strcmp(got[i], want[i]) != 0 && diff++ < 5)
            fprintf(stderr, "alert #%d: %s, expected %s\n", i, got[i], want[i]);
    CHECK_EQ_INT(diff, 0);
    for (int i = 0; i < ngot; i++)
        for (int j = i + 1; j < ngot; j++)
            if (!strcmp(got[i], got[j])) {
                fprintf(stderr, "alert %s twice\n", got[i]);
                CHECK(0);
            }

    /* every cluster hash and the ranking, as an uninterrupted shard has them */
    wants_t w = { 0 };
    REQUIRE(expected_state(lines, nrec, &w) == 0);
    int bad = 0, ranked = 0;
    for (int i = 0; i < w.n; i++) {
        /* Summaries are written once per batch, so score, signals and
         * event time reflect where a batch ended; what the records make of
         * a cluster does not depend on it: title, level (every change is
         * written), records, people, sources, places, first seen. */
        static const char *const fields[] = { "\"title\":", "\"level\":", "\"records\":",
                                              "\"people\":", "\"sources\":", "\"places\":",
                                              "\"first_seen\":" };
        char *json = hget(c, w.v[i].id, "json");
        /* a cluster that is gone: its hash holds its state as of the last
         * batch that flushed it before the forget (batching); only its
         * absence from the ranking is checked */
        for (size_t k = 0; k < sizeof fields / sizeof fields[0] && !w.v[i].forgotten; k++) {
            char gv[512], wv[512];
            field_of(json, fields[k], gv, sizeof gv);
            field_of(w.v[i].json, fields[k], wv, sizeof wv);
            if (strcmp(gv, wv) != 0 && bad++ < 6)
                fprintf(stderr, "cluster %s %s redis %s, expected %s\n", w.v[i].id, fields[k],
                        gv, wv);
        }
        redisReply *r = redisCommand(c, "ZSCORE yw:v1:clusters:by_score %s", w.v[i].id);
        bool in = r && r->type == REDIS_REPLY_STRING;
        if (in != w.v[i].ranked && bad++ < 6)
            fprintf(stderr, "cluster %s: ranked %d, expected %d\n", w.v[i].id, in, w.v[i].ranked);
        ranked += in;
        if (r)
            freeReplyObject(r);
        free(json);
        free(w.v[i].json);
        free(w.v[i].detail);
    }
    int gone = 0;
    for (int i = 0; i < w.n; i++)
        gone += w.v[i].forgotten;
    fprintf(stderr, "kill9: %d live cluster hashes compared, %d gone (not ranked), %d ranked, "
            "%d differ\n", w.n - gone, gone, ranked, bad);
    CHECK(w.n - gone >= 5);
    CHECK_EQ_INT(bad, 0);
    redisReply *r = redisCommand(c, "ZCARD yw:v1:clusters:by_score");
    CHECK(r && r->type == REDIS_REPLY_INTEGER && r->integer == ranked);
    if (r)
        freeReplyObject(r);
    free(w.v);

    if (yw_test_failed_checks)
        yw_test_env_dump_log(&env);
    yw_test_gen_free(lines, nrec);
    yw_test_env_stop(&env);
}

int main(void)
{
    yw_log_set_level(YW_LOG_WARN);
    RUN(kill9_at_random_moments);
    return yw_test_done();
}
