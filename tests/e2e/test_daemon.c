/* test_daemon.c -- yuanwangd end to end, as a separate process.
 *
 * Records produced to Kafka (librdkafka's mock cluster, in this process,
 * over loopback TCP; or $YW_TEST_KAFKA_BROKERS) -> yuanwangd -> a real redis-server started here ->
 * offsets committed.  Then: a malformed record is dead-lettered with its
 * reason and original bytes while the records after it are still
 * processed; a restart processes nothing twice; SIGTERM exits 0. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon_env.h"
#include "kafka_mock.h"
#include "proc.h"
#include "redis_server.h"
#include "yw_test.h"

#define GROUP T_GROUP

static yw_test_env_t env;

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
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, 1, NULL));
    const char *metrics_path = env.metrics;

    /* 5 good records, one malformed, 5 more: 11 messages on one partition. */
    for (int i = 0; i < 5; i++)
        REQUIRE(yw_test_produce_wage_record(i, 0) == 0);
    const char *bad = "{\"id\":\"HL-BAD\",\"text\":\"没有时间字段\"";   /* truncated JSON */
    REQUIRE(yw_test_kafka_produce(T_HOTLINE, 0, NULL, bad, strlen(bad)) == 0);
    for (int i = 5; i < 10; i++)
        REQUIRE(yw_test_produce_wage_record(i, 0) == 0);

    pid_t pid = yw_test_env_daemon(&env);
    REQUIRE(pid > 0);
    bool consumed = yw_test_wait_metric(metrics_path, "yw_records_consumed_total", 11,
                                        yw_test_deadline_ms(60000));
    CHECK(consumed);
    CHECK(yw_test_wait_metric(metrics_path, "yw_batches_total", 1, yw_test_deadline_ms(10000)));
    CHECK_EQ_INT(yw_test_metric(metrics_path, "yw_records_applied_total"), 10);

    /* Clean stop: exit 0, offsets committed for everything. */
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    CHECK_EQ_INT(yw_test_kafka_committed(GROUP, T_HOTLINE, 0), 11);

    /* Redis holds exactly the alerts the offline backtest computes over the
     * same ten records (the same shard code, in the same order): the same
     * ids, in the same order, none missing, none duplicated.  Ten reports
     * of one company's unpaid wages must raise at least one alert. */
    redisContext *c = yw_test_redis_ctx();
    REQUIRE(c);
    int ngot = yw_test_alerts_match_backtest(&env, c);
    redisReply *r = redisCommand(c, "XRANGE yw:v1:alerts - +");
    REQUIRE(r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1);
    char cluster[64] = "";
    for (size_t i = 0; i < r->elements; i++) {
        redisReply *fv = r->element[i]->element[1];
        const char *json = NULL;
        for (size_t j = 0; j + 1 < fv->elements; j += 2) {
            if (!strcmp(fv->element[j]->str, "alert"))
                json = fv->element[j + 1]->str;
            if (!strcmp(fv->element[j]->str, "cluster"))
                snprintf(cluster, sizeof cluster, "%s", fv->element[j + 1]->str);
        }
        REQUIRE(json);
        CHECK(strstr(json, "\"schema_version\":1") != NULL);
        CHECK(strstr(json, "\"signals\":[{") != NULL);      /* says why */
        /* Personal data never reaches Redis in clear. */
        CHECK(strstr(json, "13812345678") == NULL);
        CHECK(strstr(json, "caller-") == NULL);
    }
    freeReplyObject(r);
    /* One concrete issue: all ten in one cluster, whose summary counts them
     * and whose drill-down samples are masked. */
    r = redisCommand(c, "HMGET yw:v1:cluster:%s records detail", cluster);
    REQUIRE(r && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    CHECK(r->element[0]->type == REDIS_REPLY_STRING && strcmp(r->element[0]->str, "10") == 0);
    CHECK(r->element[1]->type == REDIS_REPLY_STRING && strstr(r->element[1]->str, "华建劳务") != NULL);
    CHECK(r->element[1]->type == REDIS_REPLY_STRING && strstr(r->element[1]->str, "13812345678") == NULL);
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
    pid = yw_test_env_daemon(&env);
    REQUIRE(pid > 0);
    REQUIRE(yw_test_produce_wage_record(10, 0) == 0);
    CHECK(yw_test_wait_metric(metrics_path, "yw_records_consumed_total", 1,
                              yw_test_deadline_ms(60000)));
    CHECK(yw_test_wait_metric(metrics_path, "yw_batches_total", 1, yw_test_deadline_ms(10000)));
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    CHECK_EQ_INT(yw_test_metric(metrics_path, "yw_records_consumed_total"), 1);
    CHECK_EQ_INT(yw_test_metric(metrics_path, "yw_records_skipped_total"), 0);
    CHECK_EQ_INT(xlen(c), ngot);
    CHECK_EQ_INT(yw_test_kafka_committed(GROUP, T_HOTLINE, 0), 12);

    yw_test_env_finish(&env);
}

int main(void)
{
    RUN(end_to_end);
    return yw_test_done();
}
