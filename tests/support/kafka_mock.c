/* kafka_mock.c -- see kafka_mock.h. */
#include "kafka_mock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kafka.h"
#include "yw_test.h"

static rd_kafka_t *mock_rk;               /* owns the mock cluster */
static rd_kafka_mock_cluster_t *mock;
static char bootstraps[256];
static rd_kafka_t *producer;
static bool force_mock;

/* Names with this start's suffix (real broker): interned, so a pointer
 * stays valid until the next start. */
#define MAX_NAMES 32
static char suffix[64];
static char *names[MAX_NAMES][2];        /* base, suffixed */
static int nnames;

static const char *real_brokers(void)
{
    const char *b = getenv("YW_TEST_KAFKA_BROKERS");
    return !force_mock && b && *b ? b : NULL;
}

bool yw_test_kafka_real(void) { return real_brokers() != NULL; }
void yw_test_kafka_use_mock(void) { force_mock = true; }

const char *yw_test_kafka_name(const char *base)
{
    if (!suffix[0])
        return base;
    for (int i = 0; i < nnames; i++)
        if (!strcmp(names[i][0], base))
            return names[i][1];
    if (nnames == MAX_NAMES) {
        fprintf(stderr, "kafka_mock: more than %d names\n", MAX_NAMES);
        abort();
    }
    size_t len = strlen(base) + strlen(suffix) + 1;
    names[nnames][0] = strdup(base);
    names[nnames][1] = malloc(len);
    snprintf(names[nnames][1], len, "%s%s", base, suffix);
    return names[nnames++][1];
}

static void names_reset(void)
{
    for (int i = 0; i < nnames; i++) {
        free(names[i][0]);
        free(names[i][1]);
    }
    nnames = 0;
    suffix[0] = '\0';
}

/* Wait until the broker's metadata shows topic with `partitions`
 * partitions, each with a leader: CreateTopics returns before every
 * broker knows the topic, and a producer or consumer that asks too early
 * is told it does not exist. */
static int wait_topic_ready(rd_kafka_t *rk, const char *topic, int partitions)
{
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(30000);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    int ok = 0;
    while (!ok && yw_test_now_ms() < deadline) {
        const struct rd_kafka_metadata *md = NULL;
        if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            const struct rd_kafka_metadata_topic *t = md->topic_cnt == 1 ? &md->topics[0] : NULL;
            ok = t && !t->err && t->partition_cnt == partitions;
            for (int p = 0; ok && p < t->partition_cnt; p++)
                ok = !t->partitions[p].err && t->partitions[p].leader >= 0;
            rd_kafka_metadata_destroy(md);
        }
        if (!ok)
            rd_kafka_poll(rk, 100);
    }
    rd_kafka_topic_destroy(rkt);
    if (!ok)
        fprintf(stderr, "kafka: topic %s not ready with %d partitions\n", topic, partitions);
    return ok ? 0 : -1;
}

/* A topic the broker could not create (one that exists already is fine). */
static void report_topic(void *opaque, const char *topic, rd_kafka_resp_err_t err,
                         const char *reason)
{
    (void)opaque;
    if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        fprintf(stderr, "kafka: create %s: %s\n", topic, reason);
}

/* Create the topics on the real broker (admin API); one that exists
 * already is fine if it has the partitions asked for. */
static int real_create_topics(const char *const *topics, int partitions)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, err, sizeof err);
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "kafka: %s\n", err);
        return -1;
    }
    const char *want[MAX_NAMES];
    int n = 0;
    for (; topics && topics[n] && n < MAX_NAMES; n++)
        want[n] = yw_test_kafka_name(topics[n]);
    int rc = yw_kafka_create_topics(rk, want, n, partitions, 1,
                                    (int)yw_test_deadline_ms(30000), report_topic, NULL, err,
                                    sizeof err);
    if (rc < 0)
        fprintf(stderr, "kafka: CreateTopics at %s: %s\n", bootstraps, err);
    rc = rc != 0 ? -1 : 0;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = wait_topic_ready(rk, want[i], partitions);
    rd_kafka_destroy(rk);
    return rc;
}

int yw_test_kafka_start(int brokers, const char *const *topics, int partitions)
{
    names_reset();
    const char *real = real_brokers();
    if (real) {
        static unsigned seq;
        snprintf(bootstraps, sizeof bootstraps, "%s", real);
        snprintf(suffix, sizeof suffix, "-%ld-%lld-%u", (long)getpid(),
                 (long long)time(NULL), seq++);
        fprintf(stderr, "kafka: real broker %s (YW_TEST_KAFKA_BROKERS), names suffixed %s\n",
                bootstraps, suffix);
        return real_create_topics(topics, partitions);
    }
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
    if (!(mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err))) {
        fprintf(stderr, "mock: %s\n", err);
        return -1;
    }
    if (!(mock = rd_kafka_mock_cluster_new(mock_rk, brokers)))
        return -1;
    for (int i = 0; topics && topics[i]; i++)
        if (rd_kafka_mock_topic_create(mock, topics[i], partitions, 1))
            return -1;
    snprintf(bootstraps, sizeof bootstraps, "%s", rd_kafka_mock_cluster_bootstraps(mock));
    fprintf(stderr, "kafka: librdkafka mock cluster at %s (%d broker%s)%s\n", bootstraps,
            brokers, brokers == 1 ? "" : "s",
            getenv("YW_TEST_KAFKA_BROKERS") ? "; this test ignores YW_TEST_KAFKA_BROKERS" : "");
    return 0;
}

void yw_test_kafka_stop(void)
{
    if (producer) {
        rd_kafka_flush(producer, 5000);
        rd_kafka_destroy(producer);
        producer = NULL;
    }
    if (mock)
        rd_kafka_mock_cluster_destroy(mock);
    mock = NULL;
    if (mock_rk)
        rd_kafka_destroy(mock_rk);
    mock_rk = NULL;
}

const char *yw_test_kafka_bootstraps(void) { return bootstraps; }
rd_kafka_mock_cluster_t *yw_test_kafka_cluster(void) { return mock; }

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    (void)rk;
    (void)opaque;
    int *result = rkm->_private;
    if (result)
        *result = rkm->err ? -1 : 1;
}

int yw_test_kafka_produce(const char *topic, int32_t partition, const char *key,
                          const void *value, size_t len)
{
    char err[256];
    if (!producer) {
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, err, sizeof err);
        rd_kafka_conf_set(conf, "linger.ms", "0", err, sizeof err);
        rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
        if (!(producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err)))
            return -1;
    }
    int result = 0;
    rd_kafka_resp_err_t e = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
        RD_KAFKA_V_VALUE((void *)value, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_OPAQUE(&result), RD_KAFKA_V_END);
    if (e)
        return -1;
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(10000);
    while (!result && yw_test_now_ms() < deadline)
        rd_kafka_poll(producer, 50);
    return result == 1 ? 0 : -1;
}

static rd_kafka_t *plain_consumer(const char *group)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    rd_kafka_conf_set(conf, "fetch.wait.max.ms", "20", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (rk)
        rd_kafka_poll_set_consumer(rk);
    return rk;
}

static int partition_count(rd_kafka_t *rk, const char *topic)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    int n = -1;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (md->topic_cnt == 1)
            n = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(rkt);
    return n;
}

int yw_test_kafka_read_all(const char *topic, int expect, int64_t deadline_ms,
                           yw_test_msg_t **out)
{
    rd_kafka_t *rk = plain_consumer(yw_test_kafka_name("yw-test-reader"));
    *out = NULL;
    if (!rk)
        return 0;
    int np = partition_count(rk, topic);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(np > 0 ? np : 1);
    for (int p = 0; p < np; p++)
        rd_kafka_topic_partition_list_add(parts, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);

    int n = 0, cap = 16;
    yw_test_msg_t *msgs = calloc((size_t)cap, sizeof *msgs);
    int64_t deadline = yw_test_now_ms() + deadline_ms;
    while (n < expect && yw_test_now_ms() < deadline) {
        rd_kafka_message_t *rkm = rd_kafka_consumer_poll(rk, 100);
        if (!rkm)
            continue;
        if (!rkm->err) {
            if (n == cap) {
                cap *= 2;
                msgs = realloc(msgs, (size_t)cap * sizeof *msgs);
            }
            yw_test_msg_t *m = &msgs[n++];
            memset(m, 0, sizeof *m);
            m->value = malloc(rkm->len + 1);
            memcpy(m->value, rkm->payload, rkm->len);
            m->value[rkm->len] = '\0';
            m->len = rkm->len;
            m->partition = rkm->partition;
            m->offset = rkm->offset;
            rd_kafka_headers_t *hdrs = NULL;
            if (rd_kafka_message_headers(rkm, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const char *name;
                const void *val;
                size_t vlen;
                for (size_t i = 0; m->nheaders < 8 &&
                     !rd_kafka_header_get_all(hdrs, i, &name, &val, &vlen); i++) {
                    m->headers[m->nheaders][0] = strdup(name);
                    m->headers[m->nheaders][1] = strndup(val ? val : "", vlen);
                    m->nheaders++;
                }
            }
        }
        rd_kafka_message_destroy(rkm);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    *out = msgs;
    return n;
}

void yw_test_kafka_msgs_free(yw_test_msg_t *msgs, int n)
{
    for (int i = 0; i < n; i++) {
        free(msgs[i].value);
        for (int h = 0; h < msgs[i].nheaders; h++) {
            free(msgs[i].headers[h][0]);
            free(msgs[i].headers[h][1]);
        }
    }
    free(msgs);
}

const char *yw_test_msg_header(const yw_test_msg_t *m, const char *name)
{
    for (int h = 0; h < m->nheaders; h++)
        if (strcmp(m->headers[h][0], name) == 0)
            return m->headers[h][1];
    return NULL;
}

int64_t yw_test_kafka_committed(const char *group, const char *topic, int32_t partition)
{
    rd_kafka_t *rk = plain_consumer(group);
    if (!rk)
        return -1;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic, partition);
    int64_t off = -1;
    if (rd_kafka_committed(rk, parts, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR)
        off = parts->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_destroy(rk);
    return off;
}

int64_t yw_test_kafka_committed_sum(const char *group, const char *topic, int partitions)
{
    int64_t sum = 0;
    for (int p = 0; p < partitions; p++) {
        int64_t c = yw_test_kafka_committed(group, topic, p);
        if (c > 0)
            sum += c;
    }
    return sum;
}

int yw_test_kafka_commit(const char *group, const char *topic, int32_t partition,
                         int64_t offset)
{
    /* As a member: the mock refuses a commit from outside a group it
     * knows (UNKNOWN_MEMBER_ID), even one whose members have left.  A
     * short session: the mock ignores LeaveGroup, and the next member
     * waits until this one has timed out. */
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "session.timeout.ms", "6000", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "heartbeat.interval.ms", "500", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk)
        return -1;
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(30000);
    bool assigned = false;
    while (!err && !assigned && yw_test_now_ms() < deadline) {
        rd_kafka_message_t *rkm = rd_kafka_consumer_poll(rk, 100);
        if (rkm)
            rd_kafka_message_destroy(rkm);
        rd_kafka_topic_partition_list_t *now = NULL;
        if (rd_kafka_assignment(rk, &now) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            for (int i = 0; i < now->cnt; i++)
                assigned |= now->elems[i].partition == partition &&
                            !strcmp(now->elems[i].topic, topic);
            rd_kafka_topic_partition_list_destroy(now);
        }
    }
    if (!err && !assigned)
        err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    if (!err) {
        rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(parts, topic, partition)->offset = offset;
        err = rd_kafka_commit(rk, parts, 0);
        if (!err && parts->elems[0].err)
            err = parts->elems[0].err;
        rd_kafka_topic_partition_list_destroy(parts);
    }
    if (err)
        fprintf(stderr, "kafka: commit %s[%d]@%lld for %s: %s\n", topic, (int)partition,
                (long long)offset, group, rd_kafka_err2str(err));
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return err ? -1 : 0;
}

int64_t yw_test_kafka_high_watermark(const char *topic, int32_t partition)
{
    rd_kafka_t *rk = plain_consumer(yw_test_kafka_name("yw-test-wm"));
    if (!rk)
        return -1;
    int64_t lo, hi = -1;
    if (rd_kafka_query_watermark_offsets(rk, topic, partition, &lo, &hi, 10000))
        hi = -1;
    rd_kafka_destroy(rk);
    return hi;
}
