/* kafka_impl.h -- the Kafka side's private state, shared by kafka.c
 * (construction, consuming, offsets, backpressure, dead letters) and
 * kafka_group.c (the consumer group: rebalances and the close).  Not part
 * of the library's API: include kafka.h instead. */
#ifndef YW_KAFKA_IMPL_H
#define YW_KAFKA_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "kafka.h"
#include "log.h"

/* Last applied offset of one partition. */
typedef struct {
    char *topic;
    int32_t partition;
    int64_t last;
    int64_t listed_hi;       /* end offset asked for while paused, -1: none */
} applied_t;

/* One dead-letter message kept until the broker acknowledged it, so a
 * failed delivery can be produced again (never dropped). */
typedef struct dlq_msg {
    char *payload;
    size_t len;
    char *key;
    size_t keylen;
    char *reason, *error_name, *topic;
    int32_t partition;
    int64_t offset;
} dlq_msg_t;

struct yw_kafka {
    rd_kafka_t *rk;          /* consumer */
    rd_kafka_t *dlq;         /* dead-letter producer */
    char *dlq_topic;
    char *topics[YW_SRC_COUNT];
    applied_t *applied;
    size_t napplied, capplied;
    dlq_msg_t **retry;       /* failed deliveries to produce again */
    size_t nretry, cretry;
    long dlq_outstanding;
    /* "dead-letter delivery failed" repeats once per retry (about once a
     * second with the topic missing): first one, then one a minute. */
    yw_log_limit_t dlq_warn;
    uint64_t dlq_fail_run;   /* failures since the last success */
    bool paused;
    bool deferred;           /* offsets stored at snapshots only */
    bool cooperative;        /* the group's rebalance protocol (conf_cooperative) */
    bool closing;            /* consumer_close has begun */
    void (*revoke_hook)(void *opaque);
    void *revoke_opaque;
    const yw_kafka_part_hooks_t *part_hooks;    /* assigned / revoked / at end */
    void *part_opaque;
    yw_kafka_stats_t st;
};

/* kafka.c: partition's bookkeeping, created when asked and missing. */
applied_t *ywk_applied_find(yw_kafka_t *k, const char *topic, int32_t part, bool create);

/* kafka_group.c */
/* A millisecond librdkafka property of rk, dflt when unset. */
int64_t ywk_conf_ms(rd_kafka_t *rk, const char *name, int64_t dflt);
/* Whether the configured assignors rebalance cooperatively. */
bool ywk_conf_cooperative(rd_kafka_t *rk);
/* The consumer's rebalance callback (opaque: the yw_kafka_t). */
void ywk_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *parts, void *opaque);
/* Close the consumer, bounded; destroys rk. */
void ywk_consumer_close(rd_kafka_t *rk);

#endif
