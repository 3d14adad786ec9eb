/* test_redis_sink.c -- yw_redis and the schema-v1 sink against a real
 * redis-server (started by tests/support/redis_server.c).
 *
 * What must hold: pipelined commands land in order; acked only advances over
 * answered commands; an outage keeps every command queued and delivers all
 * of them after Redis is back; alerts land exactly once however often they
 * are sent; summaries are state; AUTH (ACL user and requirepass), unix
 * sockets and db numbers work; a flush never blocks past its timeout. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "redis.h"
#include "redis_server.h"
#include "sink.h"
#include "sink_fixture.h"
#include "yw_test.h"

#define PREFIX "t:"

static void short_pause(void)
{
    /* Polling interval for loops that wait on a condition with a deadline. */
    struct timespec ts = { 0, 5 * 1000000L };
    nanosleep(&ts, NULL);
}

/* Flush until the queue is empty or the deadline passes. 0 when empty. */
static int flush_all(yw_redis_t *r, int64_t ms)
{
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(ms);
    for (;;) {
        int rc = yw_redis_flush(r, 100);
        if (rc == 0)
            return 0;
        if (yw_test_now_ms() >= deadline)
            return rc;
        short_pause();
    }
}

static redisReply *cmd(const char *fmt, const char *arg)
{
    redisContext *c = yw_test_redis_ctx();
    if (!c)
        return NULL;
    return arg ? redisCommand(c, fmt, arg) : redisCommand(c, fmt);
}

static long long cmd_int(const char *fmt, const char *arg)
{
    redisReply *r = cmd(fmt, arg);
    long long v = -1;
    if (r && r->type == REDIS_REPLY_INTEGER)
        v = r->integer;
    if (r)
        freeReplyObject(r);
    return v;
}

/* GET/HGET-style string reply, copied into a static buffer ("(nil)"). */
static const char *cmd_str(const char *fmt, const char *arg)
{
    static char buf[8192];
    redisReply *r = cmd(fmt, arg);
    if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS))
        snprintf(buf, sizeof buf, "%s", r->str);
    else
        snprintf(buf, sizeof buf, "(nil)");
    if (r)
        freeReplyObject(r);
    return buf;
}

static yw_redis_t *make_redis(yw_redis_conf_t *conf)
{
    char err[256];
    yw_redis_t *r = yw_redis_create(conf, err, sizeof err);
    if (!r)
        fprintf(stderr, "yw_redis_create: %s\n", err);
    return r;
}

static uint64_t rpush(yw_redis_t *r, const char *key, int i)
{
    char v[24];
    snprintf(v, sizeof v, "%d", i);
    const char *argv[] = { "RPUSH", key, v };
    return yw_redis_append(r, 3, argv, NULL);
}

static void make_alert(yw_alert_t *a, const char *cluster, yw_level_t level,
                       int64_t t)
{
    memset(a, 0, sizeof *a);
    a->schema_version = YW_SCHEMA_VERSION;
    a->kind = YW_ALERT_CLUSTER;
    snprintf(a->cluster, sizeof a->cluster, "%s", cluster);
    a->level = level;
    a->prev_level = level > YW_LEVEL_NONE ? level - 1 : YW_LEVEL_NONE;
    a->score = 20.0 * level + 1.5;
    a->event_time = t;
    a->first_seen = t - 3600000;
    snprintf(a->title, sizeof a->title, "title %s", cluster);
    a->records = 10 * level;
    a->people = 3 * level;
    a->sources[YW_SRC_HOTLINE] = a->records;
    yw_alert_make_id(a);
}

/* n alerts through s on clusters "<prefix>-0", "<prefix>-1", ... at
 * level (0: levels 1 to 4 in turn), one millisecond apart; the last
 * one's sequence number, or 0 when any was refused. */
static uint64_t send_alerts(yw_sink_t *s, const char *prefix, int n, int level)
{
    uint64_t last = 1;
    for (int i = 0; i < n && last; i++) {
        char id[32];
        snprintf(id, sizeof id, "%s-%d", prefix, i);
        yw_alert_t a;
        make_alert(&a, id, (yw_level_t)(level ? level : 1 + i % 4), 1551449550000LL + i);
        last = yw_sink_alert(s, &a);
    }
    return last;
}

/* ------------------------------------------------------------------------ */

TEST(test_pipeline_and_acked)
{
    yw_test_sink_t fx;
    YW_TEST_SINK_START(&fx, 16, NULL, 0);    /* depth 16: many pipeline rounds */
    yw_redis_t *r = fx.r;

    CHECK_EQ_INT(yw_redis_acked(r), 0);
    CHECK(!yw_redis_connected(r));
    const int N = 5000;
    for (int i = 0; i < N; i++)
        CHECK_EQ_INT(rpush(r, "list", i), i + 1);   /* seq monotonic from 1 */
    CHECK_EQ_INT(yw_redis_pending(r), N);
    CHECK_EQ_INT(yw_redis_acked(r), 0);             /* nothing answered yet */

    /* Partial progress: acked never passes what has been answered, and
     * answered + pending always adds up. */
    uint64_t prev = 0;
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(10000);
    while (yw_redis_pending(r) > 0 && yw_test_now_ms() < deadline) {
        yw_redis_flush(r, 1);
        uint64_t acked = yw_redis_acked(r);
        CHECK(acked >= prev);
        CHECK_EQ_INT(acked + yw_redis_pending(r), N);
        prev = acked;
    }
    CHECK_EQ_INT(yw_redis_pending(r), 0);
    CHECK_EQ_INT(yw_redis_acked(r), N);
    CHECK(yw_redis_connected(r));
    CHECK_EQ_INT(yw_redis_flush(r, 0), 0);

    CHECK_EQ_INT(cmd_int("LLEN list", NULL), N);
    CHECK_EQ_STR(cmd_str("LINDEX list 0", NULL), "0");
    CHECK_EQ_STR(cmd_str("LINDEX list 4999", NULL), "4999");

    yw_redis_stats_t st;
    yw_redis_stats(r, &st);
    CHECK_EQ_INT(st.appended, N);
    CHECK_EQ_INT(st.written, N);
    CHECK_EQ_INT(st.reply_errors, 0);
    CHECK(st.queue_high_water >= (uint64_t)N);

    /* Binary-safe arguments (argvlen). */
    const char *argv[] = { "SET", "bin", "a\0b" };
    size_t lens[] = { 3, 3, 3 };
    uint64_t seq = yw_redis_append(r, 3, argv, lens);
    CHECK_EQ_INT(seq, N + 1);
    CHECK_EQ_INT(flush_all(r, 5000), 0);
    CHECK_EQ_INT(cmd_int("STRLEN bin", NULL), 3);

    yw_redis_destroy(NULL);
    yw_test_sink_stop(&fx);
}

TEST(test_permanent_error_is_popped)
{
    yw_test_sink_t fx;
    YW_TEST_SINK_START(&fx, 0, NULL, 0);
    yw_redis_t *r = fx.r;

    const char *set[] = { "SET", "str", "x" };
    const char *bad[] = { "LPUSH", "str", "y" };     /* WRONGTYPE */
    const char *after[] = { "SET", "after", "1" };
    yw_redis_append(r, 3, set, NULL);
    uint64_t s_bad = yw_redis_append(r, 3, bad, NULL);
    uint64_t s_after = yw_redis_append(r, 3, after, NULL);
    CHECK_EQ_INT(flush_all(r, 5000), 0);
    CHECK_EQ_INT(yw_redis_acked(r), s_after);
    CHECK(yw_redis_acked(r) > s_bad);
    yw_redis_stats_t st;
    yw_redis_stats(r, &st);
    CHECK_EQ_INT(st.reply_errors, 1);
    CHECK(strstr(yw_redis_last_error(r), "LPUSH") != NULL);
    CHECK(strstr(yw_redis_last_error(r), "WRONGTYPE") != NULL);
    CHECK_EQ_STR(cmd_str("GET after", NULL), "1");
    CHECK_EQ_INT(st.reconnects, 0);                  /* not an outage */

    yw_test_sink_stop(&fx);
}

TEST(test_outage_keeps_everything)
{
    yw_test_sink_t fx;
    YW_TEST_SINK_START(&fx, 64, PREFIX, 0);
    yw_redis_t *r = fx.r;
    yw_sink_t *s = fx.s;

    /* Connected and delivering. */
    yw_alert_t a;
    make_alert(&a, "before", YW_LEVEL_BLUE, 1551449550000LL);
    CHECK(yw_sink_alert(s, &a) > 0);
    CHECK_EQ_INT(flush_all(r, 5000), 0);
    CHECK(yw_redis_connected(r));
    uint64_t acked0 = yw_redis_acked(r);

    /* Redis dies with the connection established. */
    yw_test_redis_kill();
    const int N = 300;
    uint64_t last = send_alerts(s, "c", N, 0);
    CHECK(last > 0);
    for (int i = 0; i < 100; i++)
        rpush(r, "outage:list", i);
    last += 100;

    /* Flushes fail: nothing is popped, acked does not move, and a flush
     * during the backoff returns immediately. */
    int64_t t0 = yw_test_now_ms();
    CHECK(yw_redis_flush(r, 300) == 1);
    CHECK(yw_test_now_ms() - t0 < yw_test_deadline_ms(1000));
    for (int i = 0; i < 20; i++) {
        int64_t t1 = yw_test_now_ms();
        CHECK(yw_redis_flush(r, 50) == 1);
        CHECK(yw_test_now_ms() - t1 < yw_test_deadline_ms(1000));
    }
    /* Keep flushing (each returns at once while backing off) until a
     * reconnect attempt has been made and refused. */
    yw_redis_stats_t st;
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(3000);
    do {
        CHECK(yw_redis_flush(r, 10) == 1);
        yw_redis_stats(r, &st);
        if (st.connect_failures >= 2)
            break;
        short_pause();
    } while (yw_test_now_ms() < deadline);
    CHECK(st.connect_failures >= 2);
    CHECK(!yw_redis_connected(r));
    CHECK_EQ_INT(yw_redis_pending(r), N + 100);
    CHECK_EQ_INT(yw_redis_acked(r), acked0);

    /* Back on the same port (empty: no persistence): everything arrives,
     * scripts are reloaded on the reconnect. */
    REQUIRE(yw_test_redis_start_again() == 0);
    CHECK_EQ_INT(flush_all(r, 10000), 0);
    CHECK_EQ_INT(yw_redis_pending(r), 0);
    CHECK_EQ_INT(yw_redis_acked(r), last);
    CHECK(yw_redis_connected(r));
    CHECK_EQ_INT(cmd_int("XLEN " PREFIX "v1:alerts", NULL), N);
    CHECK_EQ_INT(cmd_int("LLEN outage:list", NULL), 100);
    CHECK_EQ_STR(cmd_str("LINDEX outage:list 99", NULL), "99");
    yw_redis_stats(r, &st);
    CHECK(st.reconnects >= 1);
    CHECK_EQ_INT(st.reply_errors, 0);

    /* Sending the whole batch again (what a replay after a crash does)
     * adds nothing: the markers are there. */
    CHECK(send_alerts(s, "c", N, 0) > 0);
    CHECK_EQ_INT(flush_all(r, 10000), 0);
    CHECK_EQ_INT(cmd_int("XLEN " PREFIX "v1:alerts", NULL), N);

    yw_test_sink_stop(&fx);
}

/* n alerts (as send_alerts) through fx's sink, flushed until Redis has
 * answered some of them (10 s at the most): the rest queued, some of it
 * in flight. */
static void send_partly_answered(yw_test_sink_t *fx, const char *prefix, int n, int level)
{
    CHECK(send_alerts(fx->s, prefix, n, level) > 0);
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(10000);
    while (yw_redis_acked(fx->r) == 0 && yw_test_now_ms() < deadline)
        yw_redis_flush(fx->r, 1);
}

TEST(test_kill_mid_stream)
{
    /* Kill while a large batch is being written and answered: whatever was
     * in flight is re-sent; RPUSH is not idempotent, so the list may hold
     * some values twice, but none is missing and acked never lies. */
    yw_test_sink_t fx;
    YW_TEST_SINK_START(&fx, 0, PREFIX, 0);
    yw_redis_t *r = fx.r;
    REQUIRE(yw_redis_flush(r, 2000) == 0);           /* connect */

    const int N = 20000;
    /* Let part of the batch be answered, then kill with the rest queued
     * and some of it in flight. */
    send_partly_answered(&fx, "m", N, YW_LEVEL_YELLOW);
    CHECK(yw_redis_acked(r) > 0);
    CHECK(yw_redis_pending(r) > 0);
    yw_test_redis_kill();
    uint64_t acked = yw_redis_acked(r);
    CHECK(yw_redis_flush(r, 200) != 0);
    CHECK(yw_redis_pending(r) > 0);
    CHECK_EQ_INT(yw_redis_acked(r), acked);
    CHECK_EQ_INT(yw_redis_acked(r) + yw_redis_pending(r), N);

    REQUIRE(yw_test_redis_start_again() == 0);
    CHECK_EQ_INT(flush_all(r, 20000), 0);
    CHECK_EQ_INT(yw_redis_acked(r), N);
    /* The restarted server is empty: it holds exactly the alerts that were
     * not acknowledged before the kill, each once. */
    CHECK_EQ_INT(cmd_int("XLEN " PREFIX "v1:alerts", NULL), N - (long long)acked);

    yw_test_sink_stop(&fx);
}

TEST(test_connection_drop_resends_exactly_once)
{
    /* The server stays up but drops our connection with commands in
     * flight: some of them ran and their replies were lost.  They are sent
     * again, and the seen-markers keep the stream free of duplicates. */
    yw_test_sink_t fx;
    YW_TEST_SINK_START(&fx, 0, PREFIX, 0);
    yw_redis_t *r = fx.r;
    REQUIRE(yw_redis_flush(r, 2000) == 0);
    REQUIRE(yw_test_redis_ctx() != NULL);

    const int N = 20000;
    send_partly_answered(&fx, "d", N, YW_LEVEL_RED);
    CHECK(yw_redis_pending(r) > 0);
    /* SKIPME yes (the default): only the sink's connection is killed. */
    CHECK(cmd_int("CLIENT KILL TYPE normal", NULL) >= 1);
    CHECK_EQ_INT(flush_all(r, 20000), 0);
    CHECK_EQ_INT(yw_redis_acked(r), N);
    yw_redis_stats_t st;
    yw_redis_stats(r, &st);
    CHECK(st.reconnects >= 1);
    CHECK_EQ_INT(cmd_int("XLEN " PREFIX "v1:alerts", NULL), N);

    yw_test_sink_stop(&fx);
}

TEST(test_alert_exactly_once_and_published)
{
    yw_test_sink_t fx;
    YW_TEST_SINK_START(&fx, 0, PREFIX, 1000);
    yw_redis_t *r = fx.r;
    yw_sink_t *s = fx.s;

    /* A live subscriber on the channel. */
    char cerr[256];
    redisContext *sub = yw_redis_connect_sync(&fx.conf, cerr, sizeof cerr);
    REQUIRE(sub);
    redisReply *rep = redisCommand(sub, "SUBSCRIBE " PREFIX "v1:alerts:live");
    REQUIRE(rep);
    freeReplyObject(rep);

    yw_alert_t a, b;
    make_alert(&a, "c-7", YW_LEVEL_ORANGE, 1551449550000LL);
    make_alert(&b, "c-7", YW_LEVEL_RED, 1551449560000LL);
    CHECK(yw_sink_alert(s, &a) > 0);
    CHECK(yw_sink_alert(s, &a) > 0);      /* re-sent: must not duplicate */
    CHECK(yw_sink_alert(s, &b) > 0);
    CHECK(yw_sink_alert(s, &a) > 0);
    CHECK_EQ_INT(flush_all(r, 5000), 0);

    CHECK_EQ_INT(cmd_int("XLEN " PREFIX "v1:alerts", NULL), 2);
    char seen[128];
    yw_sink_key(seen, sizeof seen, PREFIX, YW_KEY_ALERT_SEEN, a.alert_id);
    CHECK_EQ_STR(cmd_str("GET %s", seen), "1");
    long long ttl = cmd_int("TTL %s", seen);
    CHECK(ttl > 29 * 24 * 3600 && ttl <= 30 * 24 * 3600);

    /* The stream entry carries the JSON and the index fields. */
    redisReply *x = cmd("XRANGE " PREFIX "v1:alerts - + COUNT 1", NULL);
    REQUIRE(x && x->type == REDIS_REPLY_ARRAY && x->elements == 1);
    redisReply *fields = x->element[0]->element[1];
    REQUIRE(fields->elements == 8);
    CHECK_EQ_STR(fields->element[0]->str, "alert");
    char *json = yw_alert_to_json(&a, 480, NULL);
    CHECK_EQ_STR(fields->element[1]->str, json);
    CHECK_EQ_STR(fields->element[2]->str, "alert_id");
    CHECK_EQ_STR(fields->element[3]->str, a.alert_id);
    CHECK_EQ_STR(fields->element[4]->str, "level");
    CHECK_EQ_STR(fields->element[5]->str, "orange");
    CHECK_EQ_STR(fields->element[6]->str, "cluster");
    CHECK_EQ_STR(fields->element[7]->str, "c-7");
    freeReplyObject(x);

    /* Exactly two messages on the channel, the first being a's JSON. */
    struct timeval tv = { 0, 300 * 1000 };
    redisSetTimeout(sub, tv);
    int msgs = 0;
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(3000);
    while (yw_test_now_ms() < deadline) {
        void *p = NULL;
        if (redisGetReply(sub, &p) != REDIS_OK)
            break;                                   /* read timeout: done */
        redisReply *m = p;
        if (m->type == REDIS_REPLY_ARRAY && m->elements == 3) {
            if (msgs == 0)
                CHECK_EQ_STR(m->element[2]->str, json);
            msgs++;
        }
        freeReplyObject(m);
        if (msgs == 2) {
            /* Any third message would already be in flight; wait one
             * read timeout to see it. */
            void *q = NULL;
            if (redisGetReply(sub, &q) == REDIS_OK) {
                msgs++;
                freeReplyObject(q);
            }
            break;
        }
    }
    CHECK_EQ_INT(msgs, 2);
    redisFree(sub);
    free(json);

    /* Analysts' consumer group reads it. */
    redisReply *g = cmd("XGROUP CREATE " PREFIX "v1:alerts " YW_ANALYST_GROUP " 0", NULL);
    CHECK(g && g->type == REDIS_REPLY_STATUS);
    if (g)
        freeReplyObject(g);
    g = cmd("XREADGROUP GROUP " YW_ANALYST_GROUP " alice COUNT 10 STREAMS "
            PREFIX "v1:alerts >", NULL);
    CHECK(g && g->type == REDIS_REPLY_ARRAY && g->elements == 1 &&
          g->element[0]->element[1]->elements == 2);
    if (g)
        freeReplyObject(g);

    yw_test_sink_stop(&fx);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* All fields of a hash as one "k=v;" string, sorted by field (HGETALL's
 * order is an encoding detail). */
static char *hash_dump(const char *key)
{
    redisReply *h = cmd("HGETALL %s", key);
    if (!h || h->type != REDIS_REPLY_ARRAY) {
        if (h)
            freeReplyObject(h);
        return NULL;
    }
    size_t n = h->elements / 2, cap = 16384, len = 0;
    char **pairs = calloc(n ? n : 1, sizeof *pairs);
    char *out = calloc(1, cap);
    for (size_t i = 0; pairs && i < n; i++) {
        size_t plen = strlen(h->element[2 * i]->str) +
                      strlen(h->element[2 * i + 1]->str) + 3;
        pairs[i] = malloc(plen);
        if (pairs[i])
            snprintf(pairs[i], plen, "%s=%s;", h->element[2 * i]->str,
                     h->element[2 * i + 1]->str);
    }
    freeReplyObject(h);
    if (pairs)
        qsort(pairs, n, sizeof *pairs, cmp_str);
    for (size_t i = 0; pairs && out && i < n; i++) {
        if (pairs[i])
            len += (size_t)snprintf(out + len, len < cap ? cap - len : 0,
                                    "%s", pairs[i]);
        free(pairs[i]);
    }
    free(pairs);
    return out;
}

TEST(test_summary_is_state)
{
    yw_test_sink_t fx;
    YW_TEST_SINK_START(&fx, 0, PREFIX, 0);
    yw_redis_t *r = fx.r;
    yw_sink_t *s = fx.s;

    yw_alert_t a;
    make_alert(&a, "c-9", YW_LEVEL_YELLOW, 1551449550000LL);
    a.score = 47.256;
    CHECK(yw_sink_summary(s, &a) > 0);
    CHECK_EQ_INT(flush_all(r, 5000), 0);
    char key[128];
    yw_sink_key(key, sizeof key, PREFIX, YW_KEY_CLUSTER, "c-9");
    char *once = hash_dump(key);
    REQUIRE(once);

    CHECK(yw_sink_summary(s, &a) > 0);
    CHECK(yw_sink_summary(s, &a) > 0);
    CHECK_EQ_INT(flush_all(r, 5000), 0);
    char *thrice = hash_dump(key);
    CHECK_EQ_STR(thrice, once);
    free(thrice);
    free(once);

    CHECK_EQ_STR(cmd_str("HGET %s level", key), "yellow");
    CHECK_EQ_STR(cmd_str("HGET %s score", key), "47.26");
    CHECK_EQ_STR(cmd_str("HGET %s title", key), "title c-9");
    CHECK_EQ_STR(cmd_str("HGET %s records", key), "20");
    CHECK_EQ_STR(cmd_str("HGET %s people", key), "6");
    CHECK_EQ_STR(cmd_str("HGET %s first_seen", key), "2019-03-01T21:12:30+08:00");
    CHECK_EQ_STR(cmd_str("HGET %s last_event_time", key), "2019-03-01T22:12:30+08:00");
    CHECK_EQ_STR(cmd_str("HGET %s updated_at_event", key), "1551449550000");
    char *json = yw_alert_to_json(&a, 480, NULL);
    CHECK_EQ_STR(cmd_str("HGET %s json", key), json);
    free(json);
    CHECK_EQ_INT(cmd_int("HLEN %s", key), 9);
    long long ttl = cmd_int("TTL %s", key);
    CHECK(ttl > 0 && ttl <= YW_SINK_CLUSTER_TTL_S);
    CHECK_EQ_INT(cmd_int("ZCARD " PREFIX "v1:clusters:by_score", NULL), 1);
    /* Redis 7.0 prints scores with %.17g: compare the numbers. */
    CHECK(strtod(cmd_str("ZSCORE " PREFIX "v1:clusters:by_score %s", "c-9"), NULL) == 47.26);

    /* Newer state replaces, never adds. */
    a.score = 80;
    a.level = YW_LEVEL_RED;
    a.records = 99;
    yw_sink_summary(s, &a);
    CHECK_EQ_INT(flush_all(r, 5000), 0);
    CHECK_EQ_STR(cmd_str("HGET %s records", key), "99");
    CHECK(strtod(cmd_str("ZSCORE " PREFIX "v1:clusters:by_score %s", "c-9"), NULL) == 80);

    /* Level none leaves the ranking; the hash stays for drill-down. */
    a.level = YW_LEVEL_NONE;
    a.score = 3;
    yw_sink_summary(s, &a);
    CHECK_EQ_INT(flush_all(r, 5000), 0);
    CHECK_EQ_INT(cmd_int("ZCARD " PREFIX "v1:clusters:by_score", NULL), 0);
    CHECK_EQ_STR(cmd_str("HGET %s level", key), "none");

    /* forget: out of the ranking. */
    a.level = YW_LEVEL_BLUE;
    yw_sink_summary(s, &a);
    yw_sink_forget(s, "c-9");
    CHECK_EQ_INT(flush_all(r, 5000), 0);
    CHECK_EQ_INT(cmd_int("ZCARD " PREFIX "v1:clusters:by_score", NULL), 0);

    yw_sink_stats_t st;
    yw_sink_stats(s, &st);
    CHECK_EQ_INT(st.summaries, 6);
    CHECK_EQ_INT(st.failures, 0);

    yw_sink_destroy(NULL);
    yw_test_sink_stop(&fx);
}

TEST(test_auth)
{
    yw_test_redis_opts_t opts = { .auth = true };
    YW_TEST_REQUIRE_STARTED(yw_test_redis_start(&opts));

    /* ACL user + password. */
    yw_redis_conf_t conf;
    yw_test_redis_conf(&conf);
    yw_redis_t *r = make_redis(&conf);
    REQUIRE(r);
    const char *set[] = { "SET", "who", "acl" };
    yw_redis_append(r, 3, set, NULL);
    CHECK_EQ_INT(flush_all(r, 5000), 0);
    CHECK_EQ_STR(cmd_str("GET who", NULL), "acl");
    yw_redis_destroy(r);

    /* The default user with requirepass (AUTH <password>). */
    yw_test_redis_conf(&conf);
    conf.user = NULL;
    conf.password = YW_TEST_REDIS_PASSWORD;
    r = make_redis(&conf);
    REQUIRE(r);
    const char *set2[] = { "SET", "who", "default" };
    yw_redis_append(r, 3, set2, NULL);
    CHECK_EQ_INT(flush_all(r, 5000), 0);
    CHECK_EQ_STR(cmd_str("GET who", NULL), "default");
    yw_redis_destroy(r);

    /* A wrong password: ESETUP, nothing popped, retried with backoff; once
     * the server accepts the password (operator fixes the ACL), everything
     * is delivered without a restart. */
    yw_test_redis_conf(&conf);
    conf.password = "not-the-password";
    r = make_redis(&conf);
    REQUIRE(r);
    const char *set3[] = { "SET", "who", "fixed" };
    uint64_t seq = yw_redis_append(r, 3, set3, NULL);
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(3000);
    int rc;
    while ((rc = yw_redis_flush(r, 100)) != YW_REDIS_ESETUP &&
           yw_test_now_ms() < deadline)
        short_pause();
    CHECK_EQ_INT(rc, YW_REDIS_ESETUP);
    CHECK_EQ_INT(yw_redis_pending(r), 1);
    CHECK_EQ_INT(yw_redis_acked(r), 0);
    CHECK(!yw_redis_connected(r));
    CHECK(strstr(yw_redis_last_error(r), "AUTH") != NULL);
    CHECK(strstr(yw_redis_last_error(r), "not-the-password") == NULL);
    redisReply *fix = cmd("ACL SETUSER " YW_TEST_REDIS_USER " >not-the-password", NULL);
    CHECK(fix && fix->type == REDIS_REPLY_STATUS);
    if (fix)
        freeReplyObject(fix);
    CHECK_EQ_INT(flush_all(r, 5000), 0);
    CHECK_EQ_INT(yw_redis_acked(r), seq);
    CHECK_EQ_STR(cmd_str("GET who", NULL), "fixed");
    yw_redis_destroy(r);

    /* The synchronous helper reports a bad password. */
    yw_test_redis_conf(&conf);
    conf.password = "nope";
    char err[256];
    redisContext *c = yw_redis_connect_sync(&conf, err, sizeof err);
    CHECK(c == NULL);
    CHECK(strstr(err, "AUTH") != NULL);
    if (c)
        redisFree(c);

    yw_test_redis_cleanup();
}

TEST(test_unix_socket_and_db)
{
    yw_test_redis_opts_t opts = { .unix_socket = true };
    YW_TEST_REQUIRE_STARTED(yw_test_redis_start(&opts));

    yw_redis_conf_t conf;
    yw_test_redis_conf(&conf);
    conf.host = "no-such-host.invalid";   /* must not be used */
    conf.port = 1;
    conf.unix_socket = yw_test_redis_socket();
    conf.db = 3;
    yw_redis_t *r = make_redis(&conf);
    REQUIRE(r);
    CHECK(strncmp(yw_redis_endpoint(r), "unix:", 5) == 0);
    char err[256];
    yw_sink_t *s = yw_sink_create(r, PREFIX, 0, 480, err, sizeof err);
    REQUIRE(s);
    yw_alert_t a;
    make_alert(&a, "u-1", YW_LEVEL_BLUE, 1551449550000LL);
    yw_sink_alert(s, &a);
    const char *set[] = { "SET", "where", "db3" };
    yw_redis_append(r, 3, set, NULL);
    CHECK_EQ_INT(flush_all(r, 5000), 0);

    CHECK_EQ_STR(cmd_str("GET where", NULL), "(nil)");      /* not in db 0 */
    CHECK_EQ_STR(cmd_str("SELECT 3", NULL), "OK");
    CHECK_EQ_STR(cmd_str("GET where", NULL), "db3");
    CHECK_EQ_INT(cmd_int("XLEN " PREFIX "v1:alerts", NULL), 1);
    CHECK_EQ_STR(cmd_str("SELECT 0", NULL), "OK");

    yw_sink_destroy(s);
    yw_redis_destroy(r);
    yw_test_redis_cleanup();
}

TEST(test_full_and_no_server)
{
    /* No server at all: create works, flush returns promptly, the queue
     * reports full at queue_max and keeps accepting (never drops). */
    yw_redis_conf_t conf;
    yw_redis_conf_defaults(&conf);
    conf.host = "127.0.0.1";
    conf.port = 1;                        /* nothing listens there */
    conf.queue_max = 10;
    conf.retry_backoff_ms = 50;
    conf.retry_backoff_max_ms = 100;
    yw_redis_t *r = make_redis(&conf);
    REQUIRE(r);
    for (int i = 0; i < 9; i++)
        rpush(r, "l", i);
    CHECK(!yw_redis_full(r));
    rpush(r, "l", 9);
    CHECK(yw_redis_full(r));
    CHECK_EQ_INT(rpush(r, "l", 10), 11);
    int64_t t0 = yw_test_now_ms();
    for (int i = 0; i < 10; i++)
        CHECK_EQ_INT(yw_redis_flush(r, 20), 1);
    CHECK(yw_test_now_ms() - t0 < yw_test_deadline_ms(2000));
    CHECK_EQ_INT(yw_redis_pending(r), 11);
    CHECK(!yw_redis_connected(r));
    CHECK(yw_redis_retry_in_ms(r) <= 100);
    /* Backoff is honoured: after the wait it reports, a flush tries again. */
    yw_redis_stats_t st0, st1;
    yw_redis_stats(r, &st0);
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(2000);
    while (yw_redis_retry_in_ms(r) > 0 && yw_test_now_ms() < deadline)
        short_pause();
    yw_redis_flush(r, 0);
    yw_redis_stats(r, &st1);
    CHECK_EQ_INT(st1.connect_failures, st0.connect_failures + 1);
    yw_redis_destroy(r);

    char err[128];
    conf.port = 70000;
    CHECK(yw_redis_create(&conf, err, sizeof err) == NULL);
    CHECK(strstr(err, "port") != NULL);
}

int main(void)
{
    RUN(test_pipeline_and_acked);
    RUN(test_permanent_error_is_popped);
    RUN(test_outage_keeps_everything);
    RUN(test_kill_mid_stream);
    RUN(test_connection_drop_resends_exactly_once);
    RUN(test_alert_exactly_once_and_published);
    RUN(test_summary_is_state);
    RUN(test_auth);
    RUN(test_unix_socket_and_db);
    RUN(test_full_and_no_server);
    return yw_test_done();
}
