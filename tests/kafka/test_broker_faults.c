/* test_broker_faults.c -- the broker goes away or refuses requests
 * (librdkafka's mock cluster, in this process, injects both).  Two
 * daemons in one group: tests/e2e/test_rebalance.c.
 *
 * broker down/up: the daemon keeps running through the outage and
 * processes what was produced before and after it, once.
 * dead-letter delivery refused: the bad record is produced again until
 * the broker takes it, with one warning for the run of failures.
 * replay through a refused batch: `ywctl replay` keeps a partition's
 * order when the broker refuses a batch with a retriable error. */
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

TEST(broker_down_and_up)
{
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, 1, NULL));
    pid_t pid = yw_test_env_daemon(&env);
    REQUIRE(pid > 0);
    for (int i = 0; i < 20; i++)
        REQUIRE(yw_test_produce_wage_record(i, 0) == 0);
    CHECK(yw_test_wait_metric(env.metrics, "yw_records_applied_total", 20,
                              yw_test_deadline_ms(60000)));

    /* The only broker goes down for a while; the daemon must ride it out. */
    REQUIRE(rd_kafka_mock_broker_set_down(yw_test_kafka_cluster(), 1) == 0);
    yw_test_sleep_ms(3000);
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
    yw_test_env_finish(&env);
}

/* Redis goes down: the daemon pauses its partitions.  The broker goes
 * down too, for longer than the session: the partitions are lost.  Redis
 * comes back while they are: the daemon resumes -- its assignment, which
 * is empty then.  The broker comes back and the partitions are assigned
 * again: they must be fetched.  librdkafka keeps a partition's pause flag
 * across its unassignment, so until the daemon set every assigned
 * partition's pause state to its own they came back paused and it read
 * nothing more, for good (found by e2e test_chaos, seed 14). */
TEST(paused_partitions_lost_and_assigned_again)
{
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, 1, NULL));
    REQUIRE(yw_test_redis_keep_data() == 0);     /* the alerts survive the restart */
    pid_t pid = yw_test_env_daemon_ready(&env);
    REQUIRE(pid > 0);
    for (int i = 0; i < 10; i++)
        REQUIRE(yw_test_produce_wage_record(i, 0) == 0);
    CHECK(yw_test_wait_metric(env.metrics, "yw_records_applied_total", 10,
                              yw_test_deadline_ms(30000)));

    yw_test_redis_stop();
    for (int i = 10; i < 15; i++)
        REQUIRE(yw_test_produce_wage_record(i, 0) == 0);
    CHECK(yw_test_wait_metric(env.metrics, "yw_kafka_paused", 1, yw_test_deadline_ms(10000)));
    REQUIRE(rd_kafka_mock_broker_set_down(yw_test_kafka_cluster(), 1) == 0);
    /* the session (6 s) runs out: the partitions are lost */
    CHECK(yw_test_wait_metric_at_most(env.metrics, "yw_kafka_assigned_partitions", 0,
                                      yw_test_deadline_ms(30000)));
    REQUIRE(yw_test_redis_start_again() == 0);
    CHECK(yw_test_wait_metric(env.metrics, "yw_kafka_resumes_total", 1,
                              yw_test_deadline_ms(10000)));
    /* Records 10-14 are applied now if they were fetched before the
     * pause, else only once the partitions are back: on a loaded machine
     * the pause can come first (seen 1 run in 5 under two CPU hogs), so
     * they are counted at the end, with the rest. */
    REQUIRE(rd_kafka_mock_broker_set_up(yw_test_kafka_cluster(), 1) == 0);
    CHECK(yw_test_wait_metric(env.metrics, "yw_kafka_assigned_partitions", 1,
                              yw_test_deadline_ms(30000)));

    for (int i = 15; i < 20; i++)
        REQUIRE(yw_test_produce_wage_record(i, 0) == 0);
    CHECK(yw_test_wait_metric(env.metrics, "yw_records_applied_total", 20,
                              yw_test_deadline_ms(20000)));
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    CHECK_EQ_INT(yw_test_kafka_committed(T_GROUP, T_HOTLINE, 0), 20);
    redisContext *c = yw_test_redis_ctx();
    REQUIRE(c);
    yw_test_alerts_match_backtest(&env, c);
    yw_test_env_finish(&env);
}

/* The broker refuses the dead letter's first five deliveries (a
 * permanent error each time, so librdkafka does not retry by itself):
 * the daemon produces it again until it is taken, warns once for the run
 * (the limiter holds the rest for a minute), says when it got through, and
 * only then commits the bad record's offset. */
TEST(deadletter_refused_then_taken)
{
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, 1, NULL));
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
    /* librdkafka backs off its metadata requests for a topic that
     * refused, up to ~20 s apart: the five refusals took 28 s of the 30
     * this allowed on stop 16's machine, and 30.5 s once under a
     * parallel ctest */
    CHECK(yw_test_wait_metric(M, "yw_deadletter_delivered_total", 1, yw_test_deadline_ms(90000)));
    CHECK_EQ_INT(yw_test_metric(M, "yw_deadletter_failed_total"), 5);
    CHECK(yw_test_wait_file_contains(env.log, "dead-letter delivery succeeded after 5 failed "
                                     "attempt(s)", yw_test_deadline_ms(5000)));
    CHECK_EQ_INT(yw_test_count_in_file(env.log, "dead-letter delivery failed"), 1);
    int64_t deadline = yw_test_now_ms() + 20000;
    while (yw_test_kafka_committed_sum(T_GROUP, T_HOTLINE, 1) < 1 && yw_test_now_ms() < deadline)
        yw_test_sleep_ms(100);
    CHECK_EQ_INT(yw_test_kafka_committed_sum(T_GROUP, T_HOTLINE, 1), 1);
    /* the dead letter itself is on the topic once */
    CHECK_EQ_INT(yw_test_kafka_high_watermark(T_DLQ, 0), 1);
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    yw_test_env_finish(&env);
}

/* The broker answers the first Produce with "Not leader for partition"
 * (what a just-started broker says on its just-created topics) while
 * `ywctl replay` has more batches in flight.  Without an idempotent
 * producer the refused batch is retried behind the later ones and the
 * partition's log is out of the file's order (the daemon then counts the
 * overtaken records late: docs/decisions.md, "Alignment on a broker that
 * has just started"); with one, the log is the file.  NO_IDEMPOTENCE=1
 * runs the same with enable.idempotence off, to see the test fail. */
static bool no_idempotence(void)
{
    const char *v = getenv("NO_IDEMPOTENCE");
    return v && strcmp(v, "1") == 0;
}

TEST(replay_keeps_order_through_a_refused_batch)
{
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, 1, no_idempotence() ?
                                              "    enable.idempotence: \"false\"\n" : NULL));
    enum { N = 400 };
    char path[700];
    snprintf(path, sizeof path, "%s/replay.jsonl", env.dir);
    FILE *f = fopen(path, "w");
    REQUIRE(f != NULL);
    for (int i = 0; i < N; i++)
        fprintf(f, "{\"id\":\"RP-%04d\",\"source\":\"hotline\",\"ts\":\"2026-03-%02d %02d:%02d:00\","
                "\"text\":\"第%d条：小区停水三天，物业不管。\"}\n",
                i, 1 + i / 240, i / 10 % 24, i % 10 * 6, i);
    REQUIRE(fclose(f) == 0);
    /* The refusal comes back after 300 ms: meanwhile the batches behind
     * it (400 records at 4,000 a second, linger.ms 5) are sent and taken. */
    rd_kafka_mock_broker_push_request_error_rtts(yw_test_kafka_cluster(), 1, 0 /* Produce */, 1,
                                                 RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 300);
    char *argv[] = { "ywctl", "replay", "-c", env.cfg, "--input", path,
                     "--rate", "4000", NULL };
    pid_t pid = yw_test_spawn("ywctl", argv, env.log);
    REQUIRE(pid > 0);
    CHECK_EQ_INT(yw_test_wait(pid, yw_test_deadline_ms(60000)), 0);

    yw_test_msg_t *msgs = NULL;
    int n = yw_test_kafka_read_all(T_HOTLINE, N, yw_test_deadline_ms(30000), &msgs);
    CHECK_EQ_INT(n, N);           /* each once: no loss, no duplicate */
    int out_of_order = 0, first_bad = -1;
    for (int i = 0; i < n; i++) {
        char want[32];
        /* replay sends each line's bytes as they are */
        int wl = snprintf(want, sizeof want, "{\"id\":\"RP-%04d\"", i);
        bool ok = msgs[i].offset == i && msgs[i].len > (size_t)wl &&
                  memcmp(msgs[i].value, want, (size_t)wl) == 0;
        if (!ok && out_of_order++ == 0)
            first_bad = i;
    }
    if (out_of_order)
        fprintf(stderr, "  %d of %d records not at their file position (first at offset %d: %.*s)\n",
                out_of_order, n, first_bad, (int)(msgs[first_bad].len < 40 ? msgs[first_bad].len : 40),
                msgs[first_bad].value);
    CHECK_EQ_INT(out_of_order, 0);
    yw_test_kafka_msgs_free(msgs, n);
    yw_test_env_finish(&env);
}

int main(void)
{
    /* These tests inject faults through rd_kafka_mock_*: always the mock. */
    yw_test_kafka_use_mock();
    RUN(broker_down_and_up);
    RUN(paused_partitions_lost_and_assigned_again);
    RUN(deadletter_refused_then_taken);
    RUN(replay_keeps_order_through_a_refused_batch);
    return yw_test_done();
}
