/* test_rebalance.c -- two daemons in one consumer group: the second joins
 * while records flow, the group rebalances, then both stop, the second
 * first -- the first is stopped while the group rebalances after the
 * second has left.  Every record is applied, every offset committed, no
 * alert is written twice, and both stop cleanly on SIGTERM.
 *
 * Run with the default (eager) assignors and with cooperative-sticky, on
 * librdkafka's mock cluster or, under scripts/test-real-kafka.sh, on a
 * real broker.  Stop 24's stop that never ended (docs/decisions.md
 * "Open") was this test's first daemon, on the mock under ASan. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon_env.h"
#include "kafka_mock.h"
#include "proc.h"
#include "redis_server.h"
#include "yw_test.h"

static yw_test_env_t env;

/* extra_rdkafka: lines for both daemons' kafka.rdkafka (the assignor). */
static void two_daemons(const char *extra_rdkafka)
{
    enum { PARTS = 4, N = 240 };
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, PARTS, extra_rdkafka));
    char cfg2[700], metrics2[700], log2[700];
    REQUIRE(yw_test_env_variant(&env, "second", NULL, NULL, cfg2, sizeof cfg2, metrics2,
                                sizeof metrics2) == 0);
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
        yw_test_sleep_ms(20);
    }
    CHECK(yw_test_wait_metric(metrics2, "yw_kafka_assigned_partitions", 1,
                              yw_test_deadline_ms(60000)));
    /* Everything committed by the pair, then both stop cleanly. */
    int64_t end = yw_test_now_ms() + yw_test_deadline_ms(90000);
    while (yw_test_kafka_committed_sum(T_GROUP, T_HOTLINE, PARTS) < N && yw_test_now_ms() < end)
        yw_test_sleep_ms(200);
    CHECK_EQ_INT(yw_test_stop(b, SIGTERM, yw_test_deadline_ms(30000)), 0);
    CHECK_EQ_INT(yw_test_stop(a, SIGTERM, yw_test_deadline_ms(30000)), 0);
    CHECK_EQ_INT(yw_test_kafka_committed_sum(T_GROUP, T_HOTLINE, PARTS), N);

    double applied = yw_test_metric(env.metrics, "yw_records_applied_total") +
                     yw_test_metric(metrics2, "yw_records_applied_total");
    CHECK(applied >= N);          /* at least once: a revoke may re-deliver */
    CHECK(yw_test_metric(env.metrics, "yw_kafka_rebalance_revoke_total") >= 1);
    /* the protocol the daemons say they use is the one asked for */
    const char *proto = extra_rdkafka && strstr(extra_rdkafka, "cooperative")
                            ? "; cooperative rebalancing)" : "; eager rebalancing)";
    CHECK(yw_test_count_in_file(env.log, proto) == 1);
    CHECK(yw_test_count_in_file(log2, proto) == 1);

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

/* The default assignors (range, roundrobin): an eager rebalance revokes
 * every partition and assigns them again. */
TEST(rebalance_between_two_daemons)
{
    two_daemons(NULL);
}

/* cooperative-sticky, as config/yuanwang.yaml ships: only the partitions
 * that move are revoked, through incremental assign and unassign. */
TEST(rebalance_between_two_daemons_cooperative)
{
    two_daemons("    partition.assignment.strategy: cooperative-sticky\n");
}

int main(void)
{
    RUN(rebalance_between_two_daemons);
    RUN(rebalance_between_two_daemons_cooperative);
    return yw_test_done();
}
