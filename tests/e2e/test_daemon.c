/* test_daemon.c -- yuanwangd end to end, as a separate process.
 *
 * Records produced to Kafka (librdkafka's mock cluster, in this process,
 * over loopback TCP) -> yuanwangd -> a real redis-server started here ->
 * offsets committed.  Then: a malformed record is dead-lettered with its
 * reason and original bytes while the records after it are still
 * processed; a restart processes nothing twice; SIGTERM exits 0. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka_mock.h"
#include "proc.h"
#include "redis_server.h"
#include "yw_test.h"

#define T_HOTLINE "t.hotline"
#define T_GRID "t.grid"
#define T_ONLINE "t.online"
#define T_POLICE "t.police"
#define T_DLQ "t.deadletter"
#define GROUP "yw-e2e"

static char dir[512], cfg_path[600], metrics_path[600], log_path[600];

static void write_config(void)
{
    char text[4096];
    snprintf(text, sizeof text,
             "kafka:\n"
             "  brokers: \"%s\"\n"
             "  group_id: " GROUP "\n"
             "  topics:\n"
             "    hotline: " T_HOTLINE "\n"
             "    grid: " T_GRID "\n"
             "    online: " T_ONLINE "\n"
             "    police: " T_POLICE "\n"
             "  dead_letter_topic: " T_DLQ "\n"
             "  batch_timeout_ms: 20\n"
             "  rdkafka:\n"
             "    fetch.wait.max.ms: \"20\"\n"
             "    auto.commit.interval.ms: \"200\"\n"
             /* The mock cluster ignores LeaveGroup: a restarted member
              * waits out the old one's session. */
             "    session.timeout.ms: \"6000\"\n"
             "    heartbeat.interval.ms: \"500\"\n"
             "redis:\n"
             "  host: 127.0.0.1\n"
             "  port: %d\n"
             "privacy:\n"
             "  hmac_secret: \"e2e-test-secret-0123456789\"\n"
             "stage:\n"
             "  window_hours: 48\n"
             "  thresholds: { blue: 3, yellow: 6, orange: 9, red: 100 }\n"
             "  categories:\n"
             "    - name: 欠薪\n"
             "      pattern: '欠薪|拖欠.{0,6}工资'\n"
             "metrics:\n"
             "  file: \"%s\"\n"
             "  interval_ms: 100\n",
             yw_test_kafka_bootstraps(), yw_test_redis_port(), metrics_path);
    yw_test_write_file(cfg_path, text);
}

/* One hotline record about unpaid wages in 江北区, hour h of 2026-03-01. */
static void produce_wage_record(int i)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"id\":\"HL-E2E-%03d\",\"source\":\"hotline\",\"ts\":\"2026-03-01 %02d:10:00\","
             "\"text\":\"华建劳务公司拖欠我们三个月工资，工友%d人一直讨不到，电话13812345678\","
             "\"district\":\"江北区\",\"street\":\"观音桥街道\",\"person\":\"caller-%d\"}",
             i, i % 24, i, i);
    REQUIRE(yw_test_kafka_produce(T_HOTLINE, 0, "江北区", json, strlen(json)) == 0);
}

static pid_t start_daemon(void)
{
    char *argv[] = { "yuanwangd", "-c", cfg_path, NULL };
    unlink(metrics_path);
    return yw_test_spawn("yuanwangd", argv, log_path);
}

static long long xlen(redisContext *c)
{
    redisReply *r = redisCommand(c, "XLEN yw:v1:alerts");
    long long n = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    if (r)
        freeReplyObject(r);
    return n;
}

TEST(end_to_end)
{
    int rc = yw_test_redis_start(NULL);
    if (rc == YW_TEST_REDIS_MISSING)
        SKIP("redis-server not installed");
    REQUIRE(rc == 0);
    const char *topics[] = { T_HOTLINE, T_GRID, T_ONLINE, T_POLICE, T_DLQ, NULL };
    REQUIRE(yw_test_kafka_start(1, topics, 1) == 0);
    char *tmp = yw_test_tmpdir();
    REQUIRE(tmp);
    snprintf(dir, sizeof dir, "%s", tmp);
    free(tmp);
    snprintf(cfg_path, sizeof cfg_path, "%s/e2e.yaml", dir);
    snprintf(metrics_path, sizeof metrics_path, "%s/metrics.prom", dir);
    snprintf(log_path, sizeof log_path, "%s/yuanwangd.log", dir);
    write_config();

    /* 5 good records, one malformed, 5 more: 11 messages on one partition. */
    for (int i = 0; i < 5; i++)
        produce_wage_record(i);
    const char *bad = "{\"id\":\"HL-BAD\",\"text\":\"没有时间字段\"";   /* truncated JSON */
    REQUIRE(yw_test_kafka_produce(T_HOTLINE, 0, NULL, bad, strlen(bad)) == 0);
    for (int i = 5; i < 10; i++)
        produce_wage_record(i);

    pid_t pid = start_daemon();
    REQUIRE(pid > 0);
    bool consumed = yw_test_wait_metric(metrics_path, "yw_records_consumed_total", 11,
                                        yw_test_deadline_ms(60000));
    CHECK(consumed);
    CHECK(yw_test_wait_metric(metrics_path, "yw_batches_total", 1, yw_test_deadline_ms(10000)));
    CHECK_EQ_INT(yw_test_metric(metrics_path, "yw_records_applied_total"), 10);

    /* Clean stop: exit 0, offsets committed for everything. */
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    CHECK_EQ_INT(yw_test_kafka_committed(GROUP, T_HOTLINE, 0), 11);

    /* Redis: 10 wage records cross blue (3), yellow (6), orange (9):
     * exactly three alerts, and a summary that counts all ten. */
    redisContext *c = yw_test_redis_ctx();
    REQUIRE(c);
    CHECK_EQ_INT(xlen(c), 3);
    redisReply *r = redisCommand(c, "XRANGE yw:v1:alerts - +");
    REQUIRE(r && r->type == REDIS_REPLY_ARRAY && r->elements == 3);
    const char *want[] = { "blue", "yellow", "orange" };
    char cluster[64] = "";
    for (size_t i = 0; i < 3; i++) {
        redisReply *fv = r->element[i]->element[1];
        const char *json = NULL, *level = NULL;
        for (size_t j = 0; j + 1 < fv->elements; j += 2) {
            if (!strcmp(fv->element[j]->str, "alert"))
                json = fv->element[j + 1]->str;
            if (!strcmp(fv->element[j]->str, "level"))
                level = fv->element[j + 1]->str;
            if (!strcmp(fv->element[j]->str, "cluster"))
                snprintf(cluster, sizeof cluster, "%s", fv->element[j + 1]->str);
        }
        REQUIRE(json && level);
        CHECK_EQ_STR(level, want[i]);
        CHECK(strstr(json, "\"schema_version\":1") != NULL);
        CHECK(strstr(json, "江北区") != NULL);
        /* Personal data never reaches Redis in clear. */
        CHECK(strstr(json, "13812345678") == NULL);
        CHECK(strstr(json, "caller-") == NULL);
    }
    freeReplyObject(r);
    r = redisCommand(c, "HGET yw:v1:cluster:%s records", cluster);
    CHECK(r && r->type == REDIS_REPLY_STRING && strcmp(r->str, "10") == 0);
    if (r)
        freeReplyObject(r);

    /* The malformed record is in the dead-letter topic, bytes intact, with
     * its reason and where it came from. */
    yw_test_msg_t *msgs;
    int n = yw_test_kafka_read_all(T_DLQ, 1, yw_test_deadline_ms(10000), &msgs);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK(msgs[0].len == strlen(bad) && memcmp(msgs[0].value, bad, msgs[0].len) == 0);
        CHECK_EQ_STR(yw_test_msg_header(&msgs[0], "yw.error"), "bad_json");
        CHECK(yw_test_msg_header(&msgs[0], "yw.reason") != NULL);
        CHECK_EQ_STR(yw_test_msg_header(&msgs[0], "yw.topic"), T_HOTLINE);
        CHECK_EQ_STR(yw_test_msg_header(&msgs[0], "yw.offset"), "5");
    }
    yw_test_kafka_msgs_free(msgs, n);

    /* Restart: the committed offsets hold, nothing is read again.  One new
     * record is the only thing consumed, and no alert is duplicated. */
    pid = start_daemon();
    REQUIRE(pid > 0);
    produce_wage_record(10);
    CHECK(yw_test_wait_metric(metrics_path, "yw_records_consumed_total", 1,
                              yw_test_deadline_ms(60000)));
    CHECK(yw_test_wait_metric(metrics_path, "yw_batches_total", 1, yw_test_deadline_ms(10000)));
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    CHECK_EQ_INT(yw_test_metric(metrics_path, "yw_records_consumed_total"), 1);
    CHECK_EQ_INT(yw_test_metric(metrics_path, "yw_records_skipped_total"), 0);
    CHECK_EQ_INT(xlen(c), 3);
    CHECK_EQ_INT(yw_test_kafka_committed(GROUP, T_HOTLINE, 0), 12);

    if (yw_test_failed_checks) {
        char *log = yw_test_read_file(log_path, NULL);
        fprintf(stderr, "---- yuanwangd log ----\n%s\n", log ? log : "(none)");
        free(log);
    }
    yw_test_kafka_stop();
    yw_test_redis_cleanup();
}

int main(void)
{
    RUN(end_to_end);
    return yw_test_done();
}
