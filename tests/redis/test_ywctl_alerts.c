/* test_ywctl_alerts.c -- `ywctl alerts tail` works the analysts' queue;
 * `ywctl cluster show` lists a cluster's related clusters.
 *
 * Alerts written by the real sink into a real redis-server; ywctl runs as
 * a separate process: highest level first within a batch, each alert
 * acknowledged once shown (so a second analyst does not get it again),
 * and an alert shown but not acknowledged (--no-ack: a crash) comes back
 * to the same consumer first. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "redis.h"
#include "redis_server.h"
#include "sink.h"
#include "sink_fixture.h"
#include "yw_test.h"

static char cfg_path[600];

static void make_alert(yw_alert_t *a, const char *cluster, yw_level_t level, double score)
{
    memset(a, 0, sizeof *a);
    a->schema_version = YW_SCHEMA_VERSION;
    a->kind = YW_ALERT_CLUSTER;
    snprintf(a->cluster, sizeof a->cluster, "%s", cluster);
    snprintf(a->title, sizeof a->title, "测试 %s", cluster);
    a->level = level;
    a->prev_level = YW_LEVEL_NONE;
    a->score = score;
    a->event_time = 1772323200000LL;
    yw_alert_make_id(a);
}

/* Run ywctl with args; returns its stdout (caller frees). */
static char *ywctl(const char *args)
{
    const char *bdir = getenv("YW_BUILD_DIR");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s/ywctl %s -c %s", bdir ? bdir : YW_BUILD_DIR, args, cfg_path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *out = calloc(1, cap);
    size_t r;
    while ((r = fread(out + n, 1, cap - n - 1, p)) > 0)
        n += r;
    int rc = pclose(p);
    if (rc != 0)
        fprintf(stderr, "ywctl %s exited %d\n", args, rc);
    return out;
}

/* The "level" values in JSON output lines, in order, joined by ','. */
static void levels_of(const char *out, char *buf, size_t len)
{
    buf[0] = '\0';
    for (const char *p = out; (p = strstr(p, "\"level\":\"")); p += 9) {
        const char *q = p + 9, *e = strchr(q, '"');
        if (!e)
            break;
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, "%s%.*s", n ? "," : "", (int)(e - q), q);
    }
}

/* A config (cfg_path, in a new directory returned, caller frees)
 * pointing ywctl at the test's redis-server; NULL on failure. */
static char *write_config(void)
{
    char *dir = yw_test_tmpdir();
    if (!dir)
        return NULL;
    snprintf(cfg_path, sizeof cfg_path, "%s/c.yaml", dir);
    FILE *f = fopen(cfg_path, "w");
    if (!f) {
        free(dir);
        return NULL;
    }
    fprintf(f, "redis:\n  host: 127.0.0.1\n  port: %d\nprivacy:\n  hmac_secret: \"0123456789abcdef0123\"\n"
            "rules:\n  paths: [\"%s/rules\"]\n", yw_test_redis_port(), YW_SOURCE_DIR);
    fclose(f);
    return dir;
}

/* Wait until Redis has taken everything the sink wrote: true when it has. */
static bool flushed(yw_redis_t *r)
{
    int64_t end = yw_test_now_ms() + yw_test_deadline_ms(5000);
    while (yw_redis_flush(r, 100) != 0 && yw_test_now_ms() < end)
        ;
    return yw_redis_pending(r) == 0;
}


TEST(tail_orders_acks_and_redelivers)
{
    yw_test_sink_t fx;
    YW_TEST_SINK_START(&fx, 0, "yw:", 1000);
    char *dir = write_config();
    REQUIRE(dir);
    yw_alert_t a;
    make_alert(&a, "c-1", YW_LEVEL_BLUE, 20);
    yw_sink_alert(fx.s, &a);
    make_alert(&a, "c-2", YW_LEVEL_RED, 90);
    yw_sink_alert(fx.s, &a);
    make_alert(&a, "c-3", YW_LEVEL_YELLOW, 40);
    yw_sink_alert(fx.s, &a);
    make_alert(&a, "c-4", YW_LEVEL_RED, 95);
    yw_sink_alert(fx.s, &a);
    REQUIRE(flushed(fx.r));

    /* Analyst A shows one alert without acknowledging it (then "crashes"). */
    char levels[256];
    char *out = ywctl("alerts tail --json --consumer A --count 1 --no-ack --timeout-ms 3000");
    REQUIRE(out);
    levels_of(out, levels, sizeof levels);
    CHECK_EQ_STR(levels, "red");
    CHECK(strstr(out, "\"cluster\":\"c-4\"") != NULL);   /* score 95 before 90 */
    free(out);

    /* A again: the unacknowledged one first, then the rest by priority. */
    out = ywctl("alerts tail --json --consumer A --count 4 --timeout-ms 3000");
    REQUIRE(out);
    levels_of(out, levels, sizeof levels);
    CHECK_EQ_STR(levels, "red,red,yellow,blue");
    free(out);

    /* Analyst B shares the queue: nothing is left for B. */
    out = ywctl("alerts tail --json --consumer B --timeout-ms 1500");
    REQUIRE(out);
    CHECK_EQ_STR(out, "");
    free(out);

    /* All acknowledged. */
    redisContext *c = yw_test_redis_ctx();
    REQUIRE(c);
    redisReply *rep = redisCommand(c, "XPENDING yw:v1:alerts analysts");
    CHECK(rep && rep->type == REDIS_REPLY_ARRAY && rep->element[0]->integer == 0);
    if (rep)
        freeReplyObject(rep);

    /* list shows everything in stream order, readable. */
    out = ywctl("alerts list --from-start --timeout-ms 1000");
    REQUIRE(out);
    const char *p1 = strstr(out, "BLUE"), *p2 = strstr(out, "测试 c-4");
    CHECK(p1 && p2 && p1 < p2);
    free(out);

    free(dir);
    yw_test_sink_stop(&fx);
}

/* `ywctl cluster show` lists a cluster's related clusters with what their
 * own summaries say, and says so when one has no summary any more. */
TEST(cluster_show_lists_related)
{
    yw_test_sink_t fx;
    YW_TEST_SINK_START(&fx, 0, "yw:", 1000);
    char *dir = write_config();
    REQUIRE(dir);
    yw_alert_t a;
    make_alert(&a, "c-000151", YW_LEVEL_ORANGE, 70);
    a.records = 215;
    snprintf(a.related[0], sizeof a.related[0], "c-000405");
    snprintf(a.related[1], sizeof a.related[1], "c-000999");    /* no summary */
    a.nrelated = 2;
    yw_sink_summary(fx.s, &a);
    make_alert(&a, "c-000405", YW_LEVEL_YELLOW, 55);
    a.records = 27;
    snprintf(a.related[0], sizeof a.related[0], "c-000151");
    a.nrelated = 1;
    yw_sink_summary(fx.s, &a);
    REQUIRE(flushed(fx.r));

    char *out = ywctl("cluster show c-000151");
    REQUIRE(out);
    CHECK(strstr(out, "related (same estate or company):") != NULL);
    CHECK(strstr(out, "    c-000405  YELLOW 27 records  测试 c-000405\n") != NULL);
    CHECK(strstr(out, "    c-000999  (no summary in Redis") != NULL);
    free(out);
    out = ywctl("cluster show c-000405");
    REQUIRE(out);
    CHECK(strstr(out, "    c-000151  ORANGE 215 records  测试 c-000151\n") != NULL);
    free(out);

    free(dir);
    yw_test_sink_stop(&fx);
}

int main(void)
{
    RUN(tail_orders_acks_and_redelivers);
    RUN(cluster_show_lists_related);
    return yw_test_done();
}
