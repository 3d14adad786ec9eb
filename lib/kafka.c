/* kafka.c -- consumer, offset bookkeeping, backpressure and the
 * dead-letter producer; the group's rebalances and the close are in
 * kafka_group.c, the state both share in kafka_impl.h.  See kafka.h for
 * the delivery contract. */
#include "kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"

#include "kafka_impl.h"

static const char *const COMP = "kafka";

/* ---- logging and errors ------------------------------------------------ */

/* The consumer logs as [kafka], the dead-letter producer as [dlq]. */
static const char *comp_of(const rd_kafka_t *rk)
{
    return rd_kafka_type(rk) == RD_KAFKA_PRODUCER ? "dlq" : COMP;
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf)
{
    /* syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug. */
    yw_log_level_t l = level <= 3 ? YW_LOG_ERROR : level == 4 ? YW_LOG_WARN
                     : level <= 6 ? YW_LOG_INFO : YW_LOG_DEBUG;
    /* Connection failures reach error_cb too (as _TRANSPORT, at warn):
     * one line per event is enough. */
    if (strcmp(fac, "FAIL") == 0)
        l = YW_LOG_DEBUG;
    yw_log(l, comp_of(rk), "%s: %s", fac, buf);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[512];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, buf, sizeof buf);
        yw_log_error(comp_of(rk), "fatal error %s: %s", rd_kafka_err2name(orig), buf);
        return;
    }
    /* Transport and all-brokers-down errors are retried by librdkafka. */
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        yw_log_warn(comp_of(rk), "all brokers down (%s); retrying", reason);
    else
        yw_log_warn(comp_of(rk), "%s: %s", rd_kafka_err2name(err), reason);
}

/* ---- dead-letter producer ---------------------------------------------- */

static void dlq_msg_free(dlq_msg_t *m)
{
    if (!m)
        return;
    free(m->payload);
    free(m->key);
    free(m->reason);
    free(m->error_name);
    free(m->topic);
    free(m);
}

static int dlq_produce(yw_kafka_t *k, dlq_msg_t *m)
{
    char part[16], off[24];
    snprintf(part, sizeof part, "%d", m->partition);
    snprintf(off, sizeof off, "%lld", (long long)m->offset);
    rd_kafka_resp_err_t err = rd_kafka_producev(
        k->dlq,
        RD_KAFKA_V_TOPIC(k->dlq_topic),
        RD_KAFKA_V_VALUE(m->payload, m->len),
        RD_KAFKA_V_KEY(m->key, m->keylen),
        RD_KAFKA_V_HEADER("yw.error", m->error_name, -1),
        RD_KAFKA_V_HEADER("yw.reason", m->reason, -1),
        RD_KAFKA_V_HEADER("yw.topic", m->topic, -1),
        RD_KAFKA_V_HEADER("yw.partition", part, -1),
        RD_KAFKA_V_HEADER("yw.offset", off, -1),
        RD_KAFKA_V_OPAQUE(m),
        RD_KAFKA_V_END);
    if (err)
        return -1;
    k->dlq_outstanding++;
    return 0;
}

static int retry_push(yw_kafka_t *k, dlq_msg_t *m)
{
    if (k->nretry == k->cretry) {
        size_t nc = k->cretry ? k->cretry * 2 : 16;
        dlq_msg_t **nr = realloc(k->retry, nc * sizeof *nr);
        if (!nr)
            return -1;
        k->retry = nr;
        k->cretry = nc;
    }
    k->retry[k->nretry++] = m;
    return 0;
}

static void dlq_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    (void)rk;
    yw_kafka_t *k = opaque;
    dlq_msg_t *m = rkm->_private;
    k->dlq_outstanding--;
    if (rkm->err) {
        k->st.dlq_failed++;
        k->dlq_fail_run++;
        uint64_t held;
        if (yw_log_limit_pass(&k->dlq_warn, yw_mono_ms(), &held)) {
            if (held)
                yw_log_warn(COMP, "dead-letter delivery failed (%s); will retry "
                            "(%llu more failure(s) since the last warning; next one in a minute "
                            "at the earliest)", rd_kafka_err2str(rkm->err),
                            (unsigned long long)held);
            else
                yw_log_warn(COMP, "dead-letter delivery failed (%s); will retry",
                            rd_kafka_err2str(rkm->err));
        }
        if (retry_push(k, m) != 0) {
            yw_log_error(COMP, "out of memory keeping a dead-letter message");
            dlq_msg_free(m);
        }
        return;
    }
    k->st.dlq_produced++;
    if (k->dlq_fail_run) {
        yw_log_info(COMP, "dead-letter delivery succeeded after %llu failed attempt(s)",
                    (unsigned long long)k->dlq_fail_run);
        k->dlq_fail_run = 0;
        yw_log_limit_reset(&k->dlq_warn);
    }
    dlq_msg_free(m);
}

int yw_kafka_dlq(yw_kafka_t *k, const rd_kafka_message_t *rkm,
                 const char *error_name, const char *reason)
{
    dlq_msg_t *m = calloc(1, sizeof *m);
    if (!m)
        return -1;
    m->len = rkm->len;
    m->payload = malloc(rkm->len ? rkm->len : 1);
    m->keylen = rkm->key_len;
    m->key = rkm->key_len ? malloc(rkm->key_len) : NULL;
    m->reason = strdup(reason);
    m->error_name = strdup(error_name);
    m->topic = strdup(rd_kafka_topic_name(rkm->rkt));
    m->partition = rkm->partition;
    m->offset = rkm->offset;
    if (!m->payload || (rkm->key_len && !m->key) || !m->reason ||
        !m->error_name || !m->topic) {
        dlq_msg_free(m);
        return -1;
    }
    if (rkm->len)
        memcpy(m->payload, rkm->payload, rkm->len);
    if (rkm->key_len)
        memcpy(m->key, rkm->key, rkm->key_len);
    if (dlq_produce(k, m) != 0) {
        /* Local queue full or similar: keep it and try again in wait(). */
        if (retry_push(k, m) != 0) {
            dlq_msg_free(m);
            return -1;
        }
    }
    return 0;
}

int yw_kafka_dlq_wait(yw_kafka_t *k, int timeout_ms)
{
    rd_kafka_poll(k->dlq, 0);
    while (k->dlq_outstanding > 0 || k->nretry > 0) {
        /* Produce again what failed, then wait for acknowledgements. */
        size_t n = k->nretry;
        k->nretry = 0;
        for (size_t i = 0; i < n; i++)
            if (dlq_produce(k, k->retry[i]) != 0)
                retry_push(k, k->retry[i]);
        if (timeout_ms <= 0)
            return -1;
        int step = timeout_ms < 100 ? timeout_ms : 100;
        rd_kafka_flush(k->dlq, step);
        rd_kafka_poll(k->dlq, 0);
        timeout_ms -= step;
    }
    return 0;
}

/* ---- construction ------------------------------------------------------ */

/* Consumer-only properties: kafka.rdkafka.* applies to the consumer and to
 * the producers, and a producer given one of these logs a CONFWARN at every
 * start.  Prefixes of librdkafka's consumer ("C") properties. */
static const char *const consumer_only[] = {
    "group.", "session.timeout.ms", "heartbeat.interval.ms", "partition.assignment.strategy",
    "max.poll.interval.ms", "enable.auto.", "auto.commit.", "auto.offset.reset",
    "queued.", "fetch.", "offset.store.", "enable.partition.eof", "check.crcs",
    "isolation.level", "consume.callback.max.messages", "coordinator.query.interval.ms",
    "allow.auto.create.topics", "client.rack", NULL,
};

/* And the other way round: the consumer given one of librdkafka's
 * producer ("P") properties -- enable.idempotence or linger.ms for the
 * dead-letter producer -- logs a CONFWARN at every start. */
static const char *const producer_only[] = {
    "enable.idempotence", "enable.gapless.guarantee", "transactional.id",
    "transaction.timeout.ms", "queue.buffering.", "linger.ms", "message.send.max.retries",
    "retries", "retry.backoff.ms", "compression.", "batch.", "delivery.report.only.error",
    "sticky.partitioning.linger.ms", "request.required.acks", "acks", "request.timeout.ms",
    "message.timeout.ms", "delivery.timeout.ms", "queuing.strategy", "produce.offset.report",
    "partitioner", NULL,
};

static bool has_prefix_in(const char *const *list, const char *name)
{
    for (int i = 0; list[i]; i++)
        if (strncmp(name, list[i], strlen(list[i])) == 0)
            return true;
    return false;
}

static int conf_apply(rd_kafka_conf_t *conf, const yw_config_t *cfg,
                      bool producer, char *errbuf, size_t errlen)
{
    if (rd_kafka_conf_set(conf, "bootstrap.servers", cfg->kafka_brokers,
                          errbuf, errlen) != RD_KAFKA_CONF_OK)
        return -1;
    for (size_t i = 0; i < cfg->kafka_rdkafka_count; i++) {
        const yw_kv_t *kv = &cfg->kafka_rdkafka[i];
        if (has_prefix_in(producer ? consumer_only : producer_only, kv->key))
            continue;
        char e[256];
        if (rd_kafka_conf_set(conf, kv->key, kv->value, e, sizeof e) !=
            RD_KAFKA_CONF_OK) {
            snprintf(errbuf, errlen, "kafka.rdkafka.%s: %s", kv->key, e);
            return -1;
        }
    }
    return 0;
}

int yw_kafka_conf_apply(rd_kafka_conf_t *conf, const yw_config_t *cfg,
                        char *errbuf, size_t errlen)
{
    return conf_apply(conf, cfg, false, errbuf, errlen);
}

int yw_kafka_conf_apply_producer(rd_kafka_conf_t *conf, const yw_config_t *cfg,
                                 char *errbuf, size_t errlen)
{
    return conf_apply(conf, cfg, true, errbuf, errlen);
}

static int conf_set(rd_kafka_conf_t *conf, const char *name, const char *val,
                    char *errbuf, size_t errlen)
{
    char e[256];
    if (rd_kafka_conf_set(conf, name, val, e, sizeof e) != RD_KAFKA_CONF_OK) {
        snprintf(errbuf, errlen, "%s: %s", name, e);
        return -1;
    }
    return 0;
}

/* Defaults first, so kafka.rdkafka.* can override them.  Idempotent:
 * without it a batch refused with a retriable error -- "Not leader for
 * partition", which a just-started broker answers on its just-created
 * topics -- is sent again behind the batches that followed it, so a
 * partition's log no longer holds the order records were produced in
 * (the demo's replay on a cold broker: 9-36 records late;
 * docs/decisions.md).  Idempotence keeps the order through retries and
 * drops their duplicates; librdkafka then sets acks=all. */
int yw_kafka_conf_producer(rd_kafka_conf_t *conf, const yw_config_t *cfg, char *errbuf,
                           size_t errlen)
{
    if (conf_set(conf, "enable.idempotence", "true", errbuf, errlen) ||
        conf_set(conf, "linger.ms", "5", errbuf, errlen))
        return -1;
    return yw_kafka_conf_apply_producer(conf, cfg, errbuf, errlen);
}

static rd_kafka_t *make_consumer(yw_kafka_t *k, const yw_config_t *cfg,
                                 char *errbuf, size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* Defaults first, so kafka.rdkafka.* can override them ... */
    if (conf_set(conf, "auto.offset.reset", "earliest", errbuf, errlen) ||
        yw_kafka_conf_apply(conf, cfg, errbuf, errlen) ||
        /* the end of a partition tells the partition aligner (align.h) it
         * holds nothing back */
        conf_set(conf, "enable.partition.eof", "true", errbuf, errlen) ||
        /* ... and the delivery contract last, so nothing can override it. */
        conf_set(conf, "group.id", cfg->kafka_group_id, errbuf, errlen) ||
        conf_set(conf, "enable.auto.offset.store", "false", errbuf, errlen) ||
        conf_set(conf, "enable.auto.commit", "true", errbuf, errlen)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_conf_set_rebalance_cb(conf, ywk_rebalance_cb);
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errbuf, errlen);
    if (!rk)
        rd_kafka_conf_destroy(conf);
    return rk;
}

static rd_kafka_t *make_producer(yw_kafka_t *k, const yw_config_t *cfg,
                                 char *errbuf, size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (yw_kafka_conf_producer(conf, cfg, errbuf, errlen)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_conf_set_dr_msg_cb(conf, dlq_dr_cb);
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, errlen);
    if (!rk)
        rd_kafka_conf_destroy(conf);
    return rk;
}

yw_kafka_t *yw_kafka_create(const yw_config_t *cfg, char *errbuf, size_t errlen)
{
    yw_kafka_t *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    k->dlq_warn.interval_ms = 60000;
    k->dlq_topic = strdup(cfg->kafka_dead_letter_topic);
    for (int s = 0; s < YW_SRC_COUNT; s++)
        k->topics[s] = strdup(cfg->kafka_topics[s] ? cfg->kafka_topics[s] : "");
    if (!(k->rk = make_consumer(k, cfg, errbuf, errlen)))
        goto fail;
    k->cooperative = ywk_conf_cooperative(k->rk);
    if (!(k->dlq = make_producer(k, cfg, errbuf, errlen)))
        goto fail;
    rd_kafka_poll_set_consumer(k->rk);

    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(4);
    for (int s = 0; s < YW_SRC_COUNT; s++)
        if (k->topics[s][0])
            rd_kafka_topic_partition_list_add(sub, k->topics[s], RD_KAFKA_PARTITION_UA);
    if (sub->cnt == 0) {
        rd_kafka_topic_partition_list_destroy(sub);
        snprintf(errbuf, errlen, "no topics configured under kafka.topics");
        goto fail;
    }
    rd_kafka_resp_err_t err = rd_kafka_subscribe(k->rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (err) {
        snprintf(errbuf, errlen, "subscribe: %s", rd_kafka_err2str(err));
        goto fail;
    }
    yw_log_info(COMP, "consumer group '%s' subscribed to %s %s %s %s (brokers %s; %s rebalancing)",
                cfg->kafka_group_id, k->topics[0], k->topics[1], k->topics[2],
                k->topics[3], cfg->kafka_brokers, k->cooperative ? "cooperative" : "eager");
    return k;

fail:
    yw_kafka_destroy(k);
    return NULL;
}

void yw_kafka_destroy(yw_kafka_t *k)
{
    if (!k)
        return;
    if (k->rk) {
        k->closing = true;
        ywk_consumer_close(k->rk);
    }
    if (k->dlq) {
        if (yw_kafka_dlq_wait(k, 10000) != 0)
            yw_log_error(COMP, "%ld dead-letter message(s) not acknowledged at "
                         "shutdown; their source offsets were not committed",
                         k->dlq_outstanding + (long)k->nretry);
        rd_kafka_destroy(k->dlq);
    }
    for (size_t i = 0; i < k->nretry; i++)
        dlq_msg_free(k->retry[i]);
    free(k->retry);
    for (size_t i = 0; i < k->napplied; i++)
        free(k->applied[i].topic);
    free(k->applied);
    for (int s = 0; s < YW_SRC_COUNT; s++)
        free(k->topics[s]);
    free(k->dlq_topic);
    free(k);
}

/* ---- consuming ----------------------------------------------------------- */

rd_kafka_message_t *yw_kafka_poll(yw_kafka_t *k, int timeout_ms)
{
    rd_kafka_poll(k->dlq, 0);           /* serve dead-letter delivery reports */
    rd_kafka_message_t *rkm = rd_kafka_consumer_poll(k->rk, timeout_ms);
    if (!rkm)
        return NULL;
    if (rkm->err) {
        if (rkm->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            yw_log_warn(COMP, "consumer: %s", rd_kafka_message_errstr(rkm));
        else if (k->part_hooks && k->part_hooks->at_end && rkm->rkt)
            k->part_hooks->at_end(k->part_opaque, rd_kafka_topic_name(rkm->rkt),
                                  rkm->partition);
        rd_kafka_message_destroy(rkm);
        return NULL;
    }
    return rkm;
}

bool yw_kafka_partition_pending(yw_kafka_t *k, const char *topic, int32_t partition)
{
    int64_t low, high;
    if (rd_kafka_get_watermark_offsets(k->rk, topic, partition, &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR || high < 0)
        return false;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    if (!l)
        return false;
    rd_kafka_topic_partition_list_add(l, topic, partition);
    bool more = false;
    if (rd_kafka_position(k->rk, l) == RD_KAFKA_RESP_ERR_NO_ERROR && !l->elems[0].err &&
        l->elems[0].offset >= 0)
        more = l->elems[0].offset < high;
    rd_kafka_topic_partition_list_destroy(l);
    return more;
}

int64_t yw_kafka_lag(yw_kafka_t *k)
{
    rd_kafka_topic_partition_list_t *l = NULL;
    if (rd_kafka_assignment(k->rk, &l) != RD_KAFKA_RESP_ERR_NO_ERROR || !l)
        return 0;
    int64_t lag = 0;
    if (l->cnt > 0 && rd_kafka_position(k->rk, l) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < l->cnt; i++) {
            const rd_kafka_topic_partition_t *e = &l->elems[i];
            int64_t low, high;
            if (rd_kafka_get_watermark_offsets(k->rk, e->topic, e->partition, &low, &high) !=
                    RD_KAFKA_RESP_ERR_NO_ERROR)
                high = -1;
            const applied_t *a = ywk_applied_find(k, e->topic, e->partition, false);
            if (a && a->listed_hi > high)       /* asked for while paused */
                high = a->listed_hi;
            if (high < 0)
                continue;
            int64_t next = a && a->last >= 0 ? a->last + 1 : e->err ? -1 : e->offset;
            if (next >= 0 && high > next)
                lag += high - next;
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
    return lag;
}

int yw_kafka_refresh_paused_watermarks(yw_kafka_t *k, int timeout_ms)
{
    if (!k->paused)
        return 0;
    rd_kafka_topic_partition_list_t *l = NULL;
    if (rd_kafka_assignment(k->rk, &l) != RD_KAFKA_RESP_ERR_NO_ERROR || !l)
        return -1;
    int rc = 0;
    if (l->cnt > 0) {
        /* offsets_for_times reads each offset as a timestamp; -1 asks
         * ListOffsets for the latest offset, the end of the log */
        for (int i = 0; i < l->cnt; i++)
            l->elems[i].offset = -1;
        if (rd_kafka_offsets_for_times(k->rk, l, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            rc = -1;
        } else {
            for (int i = 0; i < l->cnt; i++) {
                const rd_kafka_topic_partition_t *e = &l->elems[i];
                if (e->err || e->offset < 0)
                    continue;
                applied_t *a = ywk_applied_find(k, e->topic, e->partition, true);
                if (a && e->offset > a->listed_hi)
                    a->listed_hi = e->offset;
            }
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

int yw_kafka_create_topics(rd_kafka_t *rk, const char *const *names, int n, int partitions,
                           int replication, int timeout_ms, yw_kafka_topic_fn fn,
                           void *opaque, char *errbuf, size_t errlen)
{
    rd_kafka_NewTopic_t **nt = calloc(n > 0 ? (size_t)n : 1, sizeof *nt);
    if (!nt) {
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    int made = 0, rc = -1;
    for (; made < n; made++)
        if (!(nt[made] = rd_kafka_NewTopic_new(names[made], partitions, replication, errbuf,
                                               errlen)))
            goto out;
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    /* request_timeout bounds the whole call, including waiting for a broker
     * that is not up yet; operation_timeout lets the controller finish the
     * creation before it answers. */
    rd_kafka_AdminOptions_set_request_timeout(opt, timeout_ms, errbuf, errlen);
    rd_kafka_AdminOptions_set_operation_timeout(opt, timeout_ms, errbuf, errlen);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, nt, (size_t)n, opt, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 5000);
    if (!ev) {
        snprintf(errbuf, errlen, "no answer from the broker in %d ms", timeout_ms);
    } else if (rd_kafka_event_error(ev)) {
        snprintf(errbuf, errlen, "%s", rd_kafka_event_error_string(ev));
    } else {
        rc = 0;
        size_t cnt;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
        for (size_t i = 0; i < cnt; i++) {
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);
            const char *why = rd_kafka_topic_result_error_string(res[i]);
            if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
                rc = 1;
            if (fn)
                fn(opaque, rd_kafka_topic_result_name(res[i]), e,
                   why ? why : rd_kafka_err2str(e));
        }
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opt);
out:
    while (made > 0)
        rd_kafka_NewTopic_destroy(nt[--made]);
    free(nt);
    return rc;
}

void yw_kafka_release(rd_kafka_message_t *rkm)
{
    if (rkm)
        rd_kafka_message_destroy(rkm);
}

yw_source_t yw_kafka_topic_source(const yw_kafka_t *k, const char *topic)
{
    for (int s = 0; s < YW_SRC_COUNT; s++)
        if (k->topics[s][0] && strcmp(k->topics[s], topic) == 0)
            return (yw_source_t)s;
    return YW_SRC_UNKNOWN;
}

applied_t *ywk_applied_find(yw_kafka_t *k, const char *topic, int32_t part,
                               bool create)
{
    for (size_t i = 0; i < k->napplied; i++)
        if (k->applied[i].partition == part && strcmp(k->applied[i].topic, topic) == 0)
            return &k->applied[i];
    if (!create)
        return NULL;
    if (k->napplied == k->capplied) {
        size_t nc = k->capplied ? k->capplied * 2 : 16;
        applied_t *na = realloc(k->applied, nc * sizeof *na);
        if (!na)
            return NULL;
        k->applied = na;
        k->capplied = nc;
    }
    applied_t *a = &k->applied[k->napplied];
    if (!(a->topic = strdup(topic)))
        return NULL;
    a->partition = part;
    a->last = -1;
    a->listed_hi = -1;
    k->napplied++;
    return a;
}

bool yw_kafka_seen(yw_kafka_t *k, const rd_kafka_message_t *rkm)
{
    applied_t *a = ywk_applied_find(k, rd_kafka_topic_name(rkm->rkt), rkm->partition, false);
    if (a && rkm->offset <= a->last) {
        k->st.skipped_redelivered++;
        return true;
    }
    return false;
}

void yw_kafka_mark_applied(yw_kafka_t *k, const rd_kafka_message_t *rkm)
{
    applied_t *a = ywk_applied_find(k, rd_kafka_topic_name(rkm->rkt), rkm->partition, true);
    if (a && rkm->offset > a->last)
        a->last = rkm->offset;
}

void yw_kafka_mark_done(yw_kafka_t *k, const rd_kafka_message_t *rkm)
{
    yw_kafka_mark_applied(k, rkm);
    if (k->deferred)
        return;
    /* Stores offset+1 for the background committer. */
    rd_kafka_resp_err_t err = rd_kafka_offset_store(rkm->rkt, rkm->partition, rkm->offset);
    if (err && err != RD_KAFKA_RESP_ERR__STATE)
        yw_log_warn(COMP, "offset store %s[%d]@%lld: %s", rd_kafka_topic_name(rkm->rkt),
                    rkm->partition, (long long)rkm->offset, rd_kafka_err2str(err));
}

/* ---- backpressure ------------------------------------------------------ */

static void pause_resume(yw_kafka_t *k, bool pause)
{
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (rd_kafka_assignment(k->rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
    if (pause)
        rd_kafka_pause_partitions(k->rk, parts);
    else
        rd_kafka_resume_partitions(k->rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
}

void yw_kafka_pause(yw_kafka_t *k)
{
    if (k->paused)
        return;
    pause_resume(k, true);
    k->paused = true;
    k->st.pauses++;
    yw_log_warn(COMP, "paused all assigned partitions (backpressure)");
}

void yw_kafka_resume(yw_kafka_t *k)
{
    if (!k->paused)
        return;
    pause_resume(k, false);
    k->paused = false;
    k->st.resumes++;
    yw_log_info(COMP, "resumed all assigned partitions");
}

int yw_kafka_commit(yw_kafka_t *k)
{
    rd_kafka_resp_err_t err = rd_kafka_commit(k->rk, NULL, 0);
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        yw_log_warn(COMP, "commit: %s", rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

int yw_kafka_fatal(yw_kafka_t *k, char *errbuf, size_t errlen)
{
    return rd_kafka_fatal_error(k->rk, errbuf, errlen) != RD_KAFKA_RESP_ERR_NO_ERROR;
}

void yw_kafka_get_stats(const yw_kafka_t *k, yw_kafka_stats_t *st)
{
    *st = k->st;
    st->paused = k->paused;
}

rd_kafka_t *yw_kafka_handle(yw_kafka_t *k) { return k->rk; }

/* ---- snapshots ------------------------------------------------------------ */

void yw_kafka_set_deferred(yw_kafka_t *k, bool deferred)
{
    k->deferred = deferred;
}

void yw_kafka_set_revoke_hook(yw_kafka_t *k, void (*hook)(void *opaque), void *opaque)
{
    k->revoke_hook = hook;
    k->revoke_opaque = opaque;
}

void yw_kafka_set_partition_hooks(yw_kafka_t *k, const yw_kafka_part_hooks_t *hooks,
                                  void *opaque)
{
    k->part_hooks = hooks;
    k->part_opaque = opaque;
}

rd_kafka_topic_partition_list_t *yw_kafka_positions(const yw_kafka_t *k)
{
    rd_kafka_topic_partition_list_t *l = NULL;
    for (size_t i = 0; i < k->napplied; i++) {
        if (k->applied[i].last < 0)
            continue;
        if (!l && !(l = rd_kafka_topic_partition_list_new((int)k->napplied)))
            return NULL;
        rd_kafka_topic_partition_list_add(l, k->applied[i].topic, k->applied[i].partition)
            ->offset = k->applied[i].last + 1;
    }
    return l;
}

int yw_kafka_restore_positions(yw_kafka_t *k, const rd_kafka_topic_partition_list_t *pos)
{
    for (int i = 0; pos && i < pos->cnt; i++) {
        applied_t *a = ywk_applied_find(k, pos->elems[i].topic, pos->elems[i].partition, true);
        if (!a)
            return -1;
        a->last = pos->elems[i].offset - 1;
    }
    return 0;
}

int yw_kafka_store_offsets(yw_kafka_t *k, const rd_kafka_topic_partition_list_t *pos,
                           bool sync)
{
    if (!pos || pos->cnt == 0)
        return 0;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_copy(pos);
    if (!l)
        return -1;
    /* Partitions not assigned now answer __STATE: their new owner starts
     * from what was committed before (nothing to store for them). */
    rd_kafka_resp_err_t err = rd_kafka_offsets_store(k->rk, l);
    int stored = 0;
    for (int i = 0; i < l->cnt; i++)
        if (!l->elems[i].err)
            stored++;
        else if (l->elems[i].err != RD_KAFKA_RESP_ERR__STATE)
            yw_log_warn(COMP, "offset store %s[%d]@%lld: %s", l->elems[i].topic,
                        l->elems[i].partition, (long long)l->elems[i].offset,
                        rd_kafka_err2str(l->elems[i].err));
    rd_kafka_topic_partition_list_destroy(l);
    if (err && err != RD_KAFKA_RESP_ERR__STATE && err != RD_KAFKA_RESP_ERR__INVALID_ARG)
        yw_log_warn(COMP, "offsets store: %s", rd_kafka_err2str(err));
    if (!stored)
        return 0;
    rd_kafka_resp_err_t cerr = rd_kafka_commit(k->rk, NULL, sync ? 0 : 1);
    if (cerr && cerr != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        /* Stored offsets stay stored: the background committer retries. */
        yw_log_warn(COMP, "commit: %s", rd_kafka_err2str(cerr));
        return -1;
    }
    return 0;
}
