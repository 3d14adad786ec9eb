/* kafka_mock.h -- the Kafka a test talks to, plus the small
 * producer/consumer helpers the tests need to feed it and look at it.
 *
 * By default: librdkafka's in-process mock cluster.  It lives in the test
 * process and listens on real loopback TCP ports, so a daemon started as a
 * child process connects to it like to any broker
 * (yw_test_kafka_bootstraps()).  Mock caveats (DESIGN.md): ~5 MiB
 * retention per partition; keep preloads small.
 *
 * With YW_TEST_KAFKA_BROKERS=HOST:PORT in the environment: that external
 * broker instead (scripts/kafka-broker.sh start).  It is shared and
 * outlives the test, so every yw_test_kafka_start() picks a fresh suffix
 * (pid, time, a counter) and yw_test_kafka_name() appends it to topic
 * names and group ids; the topics are created through the admin API.  A
 * test that needs the mock (rd_kafka_mock_*) calls yw_test_kafka_use_mock()
 * first, or checks yw_test_kafka_real() and skips. */
#ifndef YW_TEST_KAFKA_MOCK_H
#define YW_TEST_KAFKA_MOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* Start a mock cluster of `brokers` brokers, or pick the external broker's
 * new name suffix; create each topic, yw_test_kafka_name(topics[i]), with
 * `partitions` partitions.  topics is NULL-terminated.  Prints which Kafka
 * it uses.  0 or -1. */
int yw_test_kafka_start(int brokers, const char *const *topics, int partitions);
void yw_test_kafka_stop(void);
const char *yw_test_kafka_bootstraps(void);
/* The mock cluster, or NULL on a real broker. */
rd_kafka_mock_cluster_t *yw_test_kafka_cluster(void);
/* True when the tests run against $YW_TEST_KAFKA_BROKERS. */
bool yw_test_kafka_real(void);
/* Ignore $YW_TEST_KAFKA_BROKERS in this process: for tests that inject
 * faults through rd_kafka_mock_*.  Call before yw_test_kafka_start(). */
void yw_test_kafka_use_mock(void);
/* `base` on the mock; base + this start's unique suffix on a real broker.
 * The string stays valid until the next yw_test_kafka_start(). */
const char *yw_test_kafka_name(const char *base);

/* Produce one message and wait for its delivery report.  key may be NULL.
 * partition -1 = partitioner.  0 or -1. */
int yw_test_kafka_produce(const char *topic, int32_t partition, const char *key,
                          const void *value, size_t len);

/* One consumed message (copied). */
typedef struct {
    char *value;
    size_t len;
    int32_t partition;
    int64_t offset;
    char *headers[8][2];         /* name, value (NUL-terminated copies) */
    int nheaders;
} yw_test_msg_t;

/* Read every message of topic (all partitions, from the beginning) until
 * `expect` messages were read or the deadline passes.  Returns how many
 * were read into *out (caller frees with yw_test_kafka_msgs_free). */
int yw_test_kafka_read_all(const char *topic, int expect, int64_t deadline_ms,
                           yw_test_msg_t **out);
void yw_test_kafka_msgs_free(yw_test_msg_t *msgs, int n);
/* Value of header `name` of a consumed message, or NULL. */
const char *yw_test_msg_header(const yw_test_msg_t *m, const char *name);

/* Committed offset of group for topic/partition (-1001 = none). */
int64_t yw_test_kafka_committed(const char *group, const char *topic, int32_t partition);
/* The committed offsets of topic's partitions 0..partitions-1 added up
 * (a partition with none counts 0). */
int64_t yw_test_kafka_committed_sum(const char *group, const char *topic, int partitions);
/* Commit offset for group on topic/partition: joins the group (no other
 * member must be running; on the mock that takes until a member that left
 * has timed out), commits, leaves.  0 or -1. */
int yw_test_kafka_commit(const char *group, const char *topic, int32_t partition,
                         int64_t offset);
/* High watermark (next offset to be written) of a partition, or -1. */
int64_t yw_test_kafka_high_watermark(const char *topic, int32_t partition);

#endif
