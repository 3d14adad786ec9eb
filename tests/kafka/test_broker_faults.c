/* test_broker_faults.c -- the broker goes away, and a second daemon joins
 * the group (librdkafka's mock cluster, in this process, injects both).
 *
 * broker down/up: the daemon keeps running through the outage and
 * processes what was produced before and after it, once.
 * rebalance: two daemons in one group split the partitions; every record
 * is applied, every offset committed, no alert is written twice.
 * dead-letter delivery refused: the bad record is produced again until
 * the broker takes it, with one warning for the run of failures. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon_env.h"
#include "kafka_mock.h"
#include "proc.h"
#include "redis_server.h"
#include "yw_test.h"

static yw_test_env_t env;

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
}

static int64_t committed_total(int partitions)
{
    int64_t sum = 0;
    for (int p = 0; p < partitions; p++) {
        int64_t c = yw_test_kafka_committed(T_GROUP, T_HOTLINE, p);
        if (c > 0)
            sum += c;
    }
    return sum;
}

TEST(broker_down_and_up)
{
    int rc = yw_test_env_start(&env, 1, NULL);
    if (rc == YW_TEST_REDIS_MISSING)
        SKIP("redis-server not installed");
    REQUIRE(rc == 0);
    pid_t pid = yw_test_env_daemon(&env);
    REQUIRE(pid > 0);
    for (int i = 0; i < 20; i++)
        REQUIRE(yw_test_produce_wage_record(i, 0) == 0);
    CHECK(yw_test_wait_metric(env.metrics, "yw_records_applied_total", 20,
                              yw_test_deadline_ms(60000)));

    /* The only broker goes down for a while; the daemon must ride it out. */
    REQUIRE(rd_kafka_mock_broker_set_down(yw_test_kafka_cluster(), 1) == 0);
    sleep_ms(3000);
    CHECK(yw_test_wait(pid, 0) == -1);                 /* still running */
    REQUIRE(rd_kafka_mock_broker_set_up(yw_test_kafka_cluster(), 1) == 0);

    for (int i = 20; i < 40; i++)
        REQUIRE(yw_test_produce_wage_record(i, 0) == 0);
    CHECK(yw_test_wait_metric(env.metrics, "yw_records_applied_total", 40,
                              yw_test_deadline_ms(60000)));
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    CHECK_EQ_INT(yw_test_metric(env.metrics, "yw_records_applied_total"), 40);
    CHECK_EQ_INT(yw_test_kafka_committed(T_GROUP, T_HOTLINE, 0), 40);

    /* Same alerts as an uninterrupted offline run over the same input. */
    redisContext *c = yw_test_redis_ctx();
    REQUIRE(c);
    yw_test_alerts_match_backtest(&env, c);
    if (yw_test_failed_checks)
        yw_test_env_dump_log(&env);
    yw_test_env_stop(&env);
}

/* Writes a copy of env's config with its own metrics file. */
static int second_config(const yw_test_env_t *e, char *cfg, size_t cfglen,
                         char *metrics, size_t mlen)
{
    snprintf(cfg, cfglen, "%s/second.yaml", e->dir);
    snprintf(metrics, mlen, "%s/second.prom", e->dir);
    char *text = yw_test_read_file(e->cfg, NULL);
    if (!text)
        return -1;
    char *at = strstr(text, e->metrics);
    if (!at) {
        free(text);
        return -1;
    }
    FILE *f = fopen(cfg, "w");
    if (!f) {
        free(text);
        return -1;
    }
    fprintf(f, "%.*s%s%s", (int)(at - text), text, metrics, at + strlen(e->metrics));
    fclose(f);
    free(text);
    return 0;
}

TEST(rebalance_between_two_daemons)
{
    enum { PARTS = 4, N = 240 };
    int rc = yw_test_env_start(&env, PARTS, NULL);
    if (rc == YW_TEST_REDIS_MISSING)
        SKIP("redis-server not installed");
    REQUIRE(rc == 0);
    char cfg2[700], metrics2[700], log2[700];
    REQUIRE(second_config(&env, cfg2, sizeof cfg2, metrics2, sizeof metrics2) == 0);
    snprintf(log2, sizeof log2, "%s/second.log", env.dir);

    pid_t a = yw_test_env_daemon(&env);
    REQUIRE(a > 0);
    int n = 0;
    for (; n < N / 2; n++)
        REQUIRE(yw_test_produce_wage_record(n, n % PARTS) == 0);
    CHECK(yw_test_wait_metric(env.metrics, "yw_records_applied_total", 1,
                              yw_test_deadline_ms(60000)));

    /* A second member joins: the group rebalances while records flow. */
    char *argv[] = { "yuanwangd", "-c", cfg2, NULL };
    pid_t b = yw_test_spawn("yuanwangd", argv, log2);
    REQUIRE(b > 0);
    for (; n < N; n++) {
        REQUIRE(yw_test_produce_wage_record(n, n % PARTS) == 0);
        sleep_ms(20);
    }
    CHECK(yw_test_wait_metric(metrics2, "yw_kafka_assigned_partitions", 1,
                              yw_test_deadline_ms(60000)));
    /* Everything committed by the pair, then both stop cleanly. */
    int64_t end = yw_test_now_ms() + yw_test_deadline_ms(90000);
    while (committed_total(PARTS) < N && yw_test_now_ms() < end)
        sleep_ms(200);
    CHECK_EQ_INT(yw_test_stop(b, SIGTERM, yw_test_deadline_ms(30000)), 0);
    CHECK_EQ_INT(yw_test_stop(a, SIGTERM, yw_test_deadline_ms(30000)), 0);
    CHECK_EQ_INT(committed_total(PARTS), N);

    double applied = yw_test_metric(env.metrics, "yw_records_applied_total") +
                     yw_test_metric(metrics2, "yw_records_applied_total");
    CHECK(applied >= N);          /* at least once: a revoke may re-deliver */
    CHECK(yw_test_metric(env.metrics, "yw_kafka_rebalance_revoke_total") >= 1);

    /* No alert twice in the stream. */
    static char ids[512][40];
    redisContext *c = yw_test_redis_ctx();
    REQUIRE(c);
    int k = yw_test_stream_alert_ids(c, ids, 512);
    CHECK(k >= 1);
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++)
            CHECK(strcmp(ids[i], ids[j]) != 0);
    if (yw_test_failed_checks) {
        yw_test_env_dump_log(&env);
        char *l2 = yw_test_read_file(log2, NULL);
        fprintf(stderr, "---- second daemon ----\n%s\n", l2 ? l2 : "");
        free(l2);
    }
    yw_test_env_stop(&env);
}

/* Lines of the file at path that contain needle. */
static int count_lines_with(const char *path, const char *needle)
{
    char *text = yw_test_read_file(path, NULL);
    int n = 0;
    for (const char *p = text; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    free(text);
    return n;
}

/* The broker refuses the dead letter's first five deliveries (a
 * permanent error each time, so librdkafka does not retry by itself):
 * the daemon produces it again until it is taken, warns once for the run
 * (the limiter holds the rest for a minute), says when it got through, and
 * only then commits the bad record's offset. */
TEST(deadletter_refused_then_taken)
{
    int rc = yw_test_env_start(&env, 1, NULL);
    if (rc == YW_TEST_REDIS_MISSING)
        SKIP("redis-server not installed");
    REQUIRE(rc == 0);
    /* produced before the refusals are armed: they hit every producer */
    const char *bad = "{\"id\":\"HL-BAD\"";
    REQUIRE(yw_test_kafka_produce(T_HOTLINE, 0, NULL, bad, strlen(bad)) == 0);
    rd_kafka_mock_push_request_errors(yw_test_kafka_cluster(), 0 /* Produce */, 5,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    pid_t pid = yw_test_env_daemon(&env);
    REQUIRE(pid > 0);
    const char *M = env.metrics;
    CHECK(yw_test_wait_metric(M, "yw_deadletter_delivered_total", 1, yw_test_deadline_ms(30000)));
    CHECK_EQ_INT(yw_test_metric(M, "yw_deadletter_failed_total"), 5);
    CHECK(yw_test_wait_file_contains(env.log, "dead-letter delivery succeeded after 5 failed "
                                     "attempt(s)", yw_test_deadline_ms(5000)));
    CHECK_EQ_INT(count_lines_with(env.log, "dead-letter delivery failed"), 1);
    int64_t deadline = yw_test_now_ms() + 20000;
    while (committed_total(1) < 1 && yw_test_now_ms() < deadline)
        sleep_ms(100);
    CHECK_EQ_INT(committed_total(1), 1);
    /* the dead letter itself is on the topic once */
    CHECK_EQ_INT(yw_test_kafka_high_watermark(T_DLQ, 0), 1);
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    if (yw_test_failed_checks)
        yw_test_env_dump_log(&env);
    yw_test_env_stop(&env);
}

int main(void)
{
    /* These tests inject faults through rd_kafka_mock_*: always the mock. */
    yw_test_kafka_use_mock();
    RUN(broker_down_and_up);
    RUN(rebalance_between_two_daemons);
    RUN(deadletter_refused_then_taken);
    return yw_test_done();
}
