/* test_redis_outage.c -- Redis goes away for 30 s while records flow.
 *
 * The daemon must keep the records' effects queued, pause its partitions
 * (and keep polling, so the group stays), commit nothing it has not
 * written, and deliver everything exactly once when Redis is back. */
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

TEST(redis_outage_pauses_and_delivers_everything)
{
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, 1, NULL));
    pid_t pid = yw_test_env_daemon_ready(&env);
    REQUIRE(pid > 0);

    /* Redis down, then 12 records arrive, trickling in while the daemon
     * waits for Redis and before it pauses (messages polled in that wait
     * must be kept, not dropped), and 12 more after it paused. */
    yw_test_redis_stop();
    for (int i = 0; i < 12; i++) {
        REQUIRE(yw_test_produce_wage_record(i, 0) == 0);
        struct timespec ts = { 0, 40 * 1000000 };
        nanosleep(&ts, NULL);
    }
    CHECK(yw_test_wait_metric(env.metrics, "yw_kafka_paused", 1, yw_test_deadline_ms(10000)));
    /* Redis stays down for 30 s ($YW_TEST_REDIS_OUTAGE_MS) while records
     * keep arriving, four a second. */
    const char *ms = getenv("YW_TEST_REDIS_OUTAGE_MS");
    int64_t outage_end = yw_test_now_ms() + (ms ? atol(ms) : 30000);
    int n = 12;
    while (yw_test_now_ms() < outage_end) {
        REQUIRE(yw_test_produce_wage_record(n++, 0) == 0);
        struct timespec ts = { 0, 250 * 1000000 };
        nanosleep(&ts, NULL);
    }
    CHECK(yw_test_wait(pid, 0) == -1);                 /* still running */
    CHECK_EQ_INT(yw_test_metric(env.metrics, "yw_kafka_paused"), 1);
    /* Nothing is committed while its effects are not in Redis. */
    int64_t committed = yw_test_kafka_committed(T_GROUP, T_HOTLINE, 0);
    CHECK(committed < 1);
    CHECK_EQ_INT(yw_test_metric(env.metrics, "yw_batches_total"), 0);

    /* Redis back (empty: it saves nothing): everything is delivered. */
    REQUIRE(yw_test_redis_start_again() == 0);
    CHECK(yw_test_wait_metric(env.metrics, "yw_batches_total", 1, yw_test_deadline_ms(30000)));
    CHECK(yw_test_wait_metric(env.metrics, "yw_kafka_resumes_total", 1, yw_test_deadline_ms(10000)));
    CHECK(yw_test_metric(env.metrics, "yw_kafka_pauses_total") >= 1);
    CHECK(yw_test_metric(env.metrics, "yw_redis_reconnects_total") >= 1);
    CHECK_EQ_INT(yw_test_metric(env.metrics, "yw_kafka_paused"), 0);
    CHECK(yw_test_wait_metric(env.metrics, "yw_records_applied_total", n,
                              yw_test_deadline_ms(30000)));
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    CHECK_EQ_INT(yw_test_metric(env.metrics, "yw_records_applied_total"), n);
    CHECK_EQ_INT(yw_test_kafka_committed(T_GROUP, T_HOTLINE, 0), n);

    /* Exactly the alerts of an uninterrupted offline run over the same
     * input: none lost in the outage, none duplicated by re-sends. */
    redisContext *c = yw_test_redis_ctx();
    REQUIRE(c);
    yw_test_alerts_match_backtest(&env, c);
    CHECK_EQ_INT(yw_test_last_alert_cluster_records(c), n);

    char *log = yw_test_read_file(env.log, NULL);
    CHECK(log && strstr(log, "paused all assigned partitions") != NULL);
    CHECK(log && strstr(log, "resumed all assigned partitions") != NULL);
    free(log);
    yw_test_env_finish(&env);
}

int main(void)
{
    RUN(redis_outage_pauses_and_delivers_everything);
    return yw_test_done();
}
