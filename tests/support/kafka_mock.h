/* kafka_mock.h -- librdkafka's in-process mock cluster for tests, plus the
 * small producer/consumer helpers the tests need to feed it and look at it.
 *
 * The cluster lives in the test process and listens on real loopback TCP
 * ports, so a daemon started as a child process connects to it like to any
 * broker (yw_test_kafka_bootstraps()).  Mock caveats (DESIGN.md): ~5 MiB
 * retention per partition; keep preloads small. */
#ifndef YW_TEST_KAFKA_MOCK_H
#define YW_TEST_KAFKA_MOCK_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* Start a cluster of `brokers` brokers; create each topic with `partitions`
 * partitions.  topics is NULL-terminated.  0 or -1. */
int yw_test_kafka_start(int brokers, const char *const *topics, int partitions);
void yw_test_kafka_stop(void);
const char *yw_test_kafka_bootstraps(void);
rd_kafka_mock_cluster_t *yw_test_kafka_cluster(void);

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
/* High watermark (next offset to be written) of a partition, or -1. */
int64_t yw_test_kafka_high_watermark(const char *topic, int32_t partition);

#endif
