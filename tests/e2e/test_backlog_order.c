/* test_backlog_order.c -- a backlog spread over several partitions is
 * applied in event-time order (lib/align.h).
 *
 * 200 hotline records, 30 minutes apart (100 hours in all), dealt to 4
 * partitions in turns of 5 (2.5 hours), wait in Kafka before the daemon
 * starts -- as after an outage.  Unaligned, the consumer mixes the
 * partitions' time ranges, and every record behind the watermark (2 h) is
 * counted late.
 * Aligned: no record is late, and Redis holds exactly the alerts the
 * offline backtest computes over the same records in their time order.  The control run (kafka.align_idle_ms: 0) shows the
 * check can fail: the same backlog then has late records.  And the same
 * holds when a killed process still has half the partitions as the
 * daemon starts (partitions_of_a_dead_member_are_waited_for). */
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

#define N 200
#define PARTS 4

static yw_test_env_t env;

static void record_json(int i, char *json, size_t cap)
{
    int minutes = 10 + 30 * i;
    snprintf(json, cap,
             "{\"id\":\"HL-B-%04d\",\"source\":\"hotline\",\"ts\":\"2026-03-%02d %02d:%02d:00\","
             "\"text\":\"华建劳务公司拖欠我们三个月工资，工友%d人一直讨不到，准备去市政府讨说法\","
             "\"district\":\"江北区\",\"street\":\"观音桥街道\",\"person\":\"caller-%d\"}",
             i, 1 + minutes / 1440, minutes / 60 % 24, minutes % 60, i, i);
}

/* Produce the backlog: records 0-4 to partition 0, 5-9 to partition 1,
 * ..., 20-24 to partition 0 again, so every partition spans the whole time
 * range.  Whatever order a consumer takes the partitions in -- a fetch's
 * worth of each in turn, or one whole partition after the other --, it is
 * then out of time order by far more than the allowed lateness.  (With
 * partition k holding the k-th quarter, a real broker's consumer sometimes
 * delivered the partitions one after the other in partition order, which
 * is time order: the control below saw no late record.)  The records file
 * the backtest reads is in time order. */
#define TURN 5
static void produce_backlog(void)
{
    FILE *f = fopen(env.records, "w");
    REQUIRE(f);
    char json[1024];
    for (int i = 0; i < N; i++) {
        record_json(i, json, sizeof json);
        fprintf(f, "%s\n", json);
    }
    fclose(f);
    for (int i = 0; i < N; i++) {
        record_json(i, json, sizeof json);
        REQUIRE(yw_test_kafka_produce(T_HOTLINE, i / TURN % PARTS, NULL, json, strlen(json)) == 0);
    }
}

/* Run the daemon over the backlog; returns its late-record count. */
static double run_daemon(void)
{
    pid_t pid = yw_test_env_daemon(&env);
    CHECK(pid > 0);
    if (pid <= 0)
        return -1;
    CHECK(yw_test_wait_metric(env.metrics, "yw_records_applied_total", N,
                              yw_test_deadline_ms(60000)));
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    CHECK(yw_test_metric(env.metrics, "yw_kafka_aligned_held") == 0);   /* all applied */
    double late = yw_test_metric(env.metrics, "yw_records_late_total");
    fprintf(stderr, "backlog_order: %.0f of %d records late\n", late, N);
    return late;
}

TEST(backlog_in_event_time_order)
{
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, PARTS, NULL));
    produce_backlog();

    double late = run_daemon();
    CHECK(late == 0);
    redisContext *c = yw_test_redis_ctx();
    REQUIRE(c);
    int ngot = yw_test_alerts_match_backtest(&env, c);
    CHECK(ngot >= 1);
    if (late != 0 || ngot < 1)
        yw_test_env_dump_log(&env);
    yw_test_env_stop(&env);
}

TEST(control_without_alignment)
{
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, PARTS, NULL));
    /* kafka.align_idle_ms: 0 -- the consumer's order */
    FILE *f = fopen(env.cfg, "r");
    REQUIRE(f);
    static char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *k = strstr(buf, "kafka:\n");
    REQUIRE(k == buf);
    f = fopen(env.cfg, "w");
    REQUIRE(f);
    fprintf(f, "kafka:\n  align_idle_ms: 0\n%s", buf + strlen("kafka:\n"));
    fclose(f);
    produce_backlog();

    double late = run_daemon();
    CHECK(late > 0);
    yw_test_env_stop(&env);
}

/* After a crash loop -- yuanwangd killed, restarted, killed again before
 * its first assignment, restarted -- the group still has a dead member
 * when the last daemon's assignment comes, and the dead member has part
 * of the partitions until the broker expels it, session.timeout.ms later.
 * A real broker split them so in e2e test_chaos (seed 103101785): the
 * daemon applied the partitions it had, days ahead in event time, and 912
 * records of the others came late.  Here the dead member is made on
 * purpose: a "ghost" yuanwangd whose Redis does not exist (so it commits
 * nothing) joins the group first, keeps its share while the daemon joins,
 * and is then killed with SIGKILL (no LeaveGroup).  Expected: the daemon
 * starts with only some partitions, waits for the ghost's
 * (yw_align_set_unassigned), and applies the backlog with no record late
 * and the backtest's alerts. */
TEST(partitions_of_a_dead_member_are_waited_for)
{
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, PARTS, NULL));
    produce_backlog();
    char cfg[700], metrics[700], log[700], redis[800];
    snprintf(redis, sizeof redis, "  unix_socket: \"%s/no-redis.sock\"\n", env.dir);
    REQUIRE(yw_test_env_variant(&env, "ghost", NULL, redis, cfg, sizeof cfg, metrics,
                                sizeof metrics) == 0);
    snprintf(log, sizeof log, "%s/ghost.log", env.dir);
    char *argv[] = { "yuanwangd", "-c", cfg, NULL };
    pid_t ghost = yw_test_spawn("yuanwangd", argv, log);
    REQUIRE(ghost > 0);
    CHECK(yw_test_wait_metric(metrics, "yw_kafka_assigned_partitions", 1,
                              yw_test_deadline_ms(60000)));

    pid_t pid = yw_test_env_daemon(&env);
    REQUIRE(pid > 0);
    CHECK(yw_test_wait_metric(env.metrics, "yw_kafka_assigned_partitions", 1,
                              yw_test_deadline_ms(60000)));
    double first = yw_test_metric(env.metrics, "yw_kafka_assigned_partitions");
    fprintf(stderr, "dead_member: the daemon's first assignment: %.0f of %d partitions\n",
            first, 4 * PARTS);
    CHECK(first < 4 * PARTS);        /* the ghost has the rest ... */
    CHECK(yw_test_wait_metric(env.metrics, "yw_kafka_other_partitions", 4 * PARTS - first,
                              yw_test_deadline_ms(5000)));    /* ... and the daemon knows */
    CHECK_EQ_INT(yw_test_stop(ghost, SIGKILL, yw_test_deadline_ms(10000)), 128 + SIGKILL);

    CHECK(yw_test_wait_metric(env.metrics, "yw_records_applied_total", N,
                              yw_test_deadline_ms(60000)));
    /* the ghost expelled, every partition is the daemon's */
    CHECK(yw_test_wait_metric_at_most(env.metrics, "yw_kafka_other_partitions", 0,
                                      yw_test_deadline_ms(30000)));
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    double late = yw_test_metric(env.metrics, "yw_records_late_total");
    fprintf(stderr, "dead_member: %.0f of %d records late\n", late, N);
    CHECK(late == 0);
    redisContext *c = yw_test_redis_ctx();
    REQUIRE(c);
    CHECK(yw_test_alerts_match_backtest(&env, c) >= 1);
    for (int i = 0; i < PARTS; i++)     /* every partition committed to its end */
        CHECK_EQ_INT(yw_test_kafka_committed(T_GROUP, T_HOTLINE, i), N / PARTS);
    if (yw_test_failed_checks) {
        char *g = yw_test_read_file(log, NULL);
        fprintf(stderr, "---- ghost ----\n%s\n", g ? g : "");
        free(g);
    }
    yw_test_env_finish(&env);
}

int main(void)
{
    RUN(backlog_in_event_time_order);
    RUN(control_without_alignment);
    RUN(partitions_of_a_dead_member_are_waited_for);
    return yw_test_done();
}
