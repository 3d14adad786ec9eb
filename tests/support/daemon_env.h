/* daemon_env.h -- a yuanwangd test bed: a temporary directory, a config
 * pointing at this test's Kafka (the mock cluster, or $YW_TEST_KAFKA_BROKERS:
 * kafka_mock.h) and redis-server, the daemon
 * as a child process, and its metrics file.
 *
 * Topics are t.hotline, t.grid, t.online, t.police and t.deadletter (plus
 * a suffix on a real broker: use the T_* names); the
 * rules are the repository's rules/, clustering and scoring at their
 * defaults.  Every record produced through yw_test_produce_wage_record()
 * is also appended to env->records, so a test can run `ywctl backtest`
 * over exactly the input the daemon saw and compare the alerts. */
#ifndef YW_TEST_DAEMON_ENV_H
#define YW_TEST_DAEMON_ENV_H

#include <stdbool.h>
#include <sys/types.h>

#include "kafka_mock.h"

/* Topic names and the daemon's group id: as written on the mock, with this
 * start's unique suffix on a real broker (kafka_mock.h). */
#define T_HOTLINE yw_test_kafka_name("t.hotline")
#define T_GRID yw_test_kafka_name("t.grid")
#define T_ONLINE yw_test_kafka_name("t.online")
#define T_POLICE yw_test_kafka_name("t.police")
#define T_DLQ yw_test_kafka_name("t.deadletter")
#define T_GROUP yw_test_kafka_name("yw-test")

typedef struct {
    char dir[512];
    char cfg[600];
    char metrics[600];
    char log[600];
    char records[600];
} yw_test_env_t;

/* Start redis-server and Kafka (partitions per topic), make the
 * directory and write the config; extra_yaml (may be NULL) is appended to
 * the kafka.rdkafka section.  0, YW_TEST_REDIS_MISSING, or -1. */
int yw_test_env_start(yw_test_env_t *env, int partitions, const char *extra_rdkafka);
void yw_test_env_stop(yw_test_env_t *env);

/* Append YAML (whole top-level sections) to env->cfg.  0 or -1. */
int yw_test_env_append(yw_test_env_t *env, const char *yaml);

/* A second daemon's config: a copy of env->cfg as DIR/NAME.yaml (into
 * cfg) with its own metrics file DIR/NAME.prom (into metrics) and, when
 * not NULL, kafka_lines and redis_lines (indented YAML lines, each ending
 * in a newline) added at the top of the kafka and redis sections.  0 or -1. */
int yw_test_env_variant(const yw_test_env_t *env, const char *name, const char *kafka_lines,
                        const char *redis_lines, char *cfg, size_t cfglen, char *metrics,
                        size_t mlen);
/* Start yuanwangd -c env->cfg (removes the old metrics file first). */
pid_t yw_test_env_daemon(yw_test_env_t *env);
/* Print the daemon's log to stderr (call when a check failed). */
void yw_test_env_dump_log(const yw_test_env_t *env);
/* yw_test_env_stop, after the daemon's log if a check of the test failed. */
void yw_test_env_finish(yw_test_env_t *env);

/* One hotline record about unpaid wages in 江北区, id HL-T-<i> (also
 * appended to the records file of the last started env). */
int yw_test_produce_wage_record(int i, int partition);

#include <hiredis.h>
/* alert_ids, in order, that `ywctl backtest --alerts` computes over
 * env->records, or that the Redis stream holds.  Count, or -1. */
int yw_test_backtest_alert_ids(const yw_test_env_t *env, char ids[][40], int cap);
int yw_test_stream_alert_ids(redisContext *c, char ids[][40], int cap);
/* CHECKs that the Redis stream holds exactly the backtest's alerts over
 * env->records, same ids in the same order (and at least one); returns
 * how many the stream holds. */
int yw_test_alerts_match_backtest(const yw_test_env_t *env, redisContext *c);
/* Stricter: CHECKs that the `alert` field of every stream entry equals
 * the line `ywctl backtest --alerts` writes for it over env->records,
 * byte for byte (ids, scores, record counts, signals), in order, that
 * there are at least min_alerts, and that no alert id is in the stream
 * twice; prints the first differences.  Returns how many the stream
 * holds, or -1. */
int yw_test_alerts_equal_backtest(const yw_test_env_t *env, redisContext *c, int min_alerts);
/* The `records` field of the summary hash of the cluster named by the
 * newest alert in the stream, or -1. */
long yw_test_last_alert_cluster_records(redisContext *c);
/* Start the daemon and wait (CHECKed) until it has partitions and Redis. */
pid_t yw_test_env_daemon_ready(yw_test_env_t *env);

#endif
