/* kafka_group.c -- the consumer group: the rebalance callback (assign
 * at the state's position, revoke after the pipeline's hook, what another
 * member holds) and the consumer's bounded close.  The rest of the Kafka
 * side is in kafka.c; the state they share in kafka_impl.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "kafka_impl.h"
#include "log.h"

static const char *const COMP = "kafka";

/* ---- rebalance ----------------------------------------------------------- */

/* "topic[p] topic[p] ..." into buf (as many as fit). */
static const char *partitions_text(const rd_kafka_topic_partition_list_t *parts, char *buf,
                                   size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < parts->cnt && n + 80 < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s[%d]", i ? " " : "",
                              parts->elems[i].topic, parts->elems[i].partition);
    return buf;
}

static void log_partitions(const char *what,
                           const rd_kafka_topic_partition_list_t *parts)
{
    char buf[1024];
    yw_log_info(COMP, "%s %d partition(s): %s", what, parts->cnt,
                partitions_text(parts, buf, sizeof buf));
}

int64_t ywk_conf_ms(rd_kafka_t *rk, const char *name, int64_t dflt)
{
    char buf[32];
    size_t len = sizeof buf;
    if (rd_kafka_conf_get(rd_kafka_conf(rk), name, buf, &len) != RD_KAFKA_CONF_OK)
        return dflt;
    return strtoll(buf, NULL, 10);
}

/* After an assignment: which partitions of the input topics another member
 * has.  One yuanwangd per group means that member is a process killed
 * less than session.timeout.ms ago -- a crash loop leaves one in the group
 * with part of the partitions until the broker expels it (a real broker
 * did; e2e test_chaos) -- and the aligner holds the partitions we have
 * until theirs come (align.h, yw_align_set_unassigned).  The broker is
 * asked, topic by topic; when it does not answer in time nothing is held. */
static void report_unassigned(yw_kafka_t *k, rd_kafka_t *rk)
{
    if (!k->part_hooks || !k->part_hooks->unassigned)
        return;
    rd_kafka_topic_partition_list_t *mine = NULL, *other = rd_kafka_topic_partition_list_new(8);
    rd_kafka_resp_err_t err = rd_kafka_assignment(rk, &mine);
    /* each input topic by name: "the topics this consumer knows" (a NULL
     * topic) left out ones it had no partition of, with cooperative-sticky */
    for (int s = 0; !err && s < YW_SRC_COUNT; s++) {
        if (!k->topics[s][0])
            continue;
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, k->topics[s], NULL);
        const struct rd_kafka_metadata *md = NULL;
        err = rkt ? rd_kafka_metadata(rk, 0, rkt, &md, 2000) : rd_kafka_last_error();
        for (int t = 0; !err && t < md->topic_cnt; t++) {
            const struct rd_kafka_metadata_topic *mt = &md->topics[t];
            if (mt->err || strcmp(mt->topic, k->topics[s]) != 0)
                continue;       /* a topic that is missing holds nothing back */
            for (int i = 0; i < mt->partition_cnt; i++)
                if (!rd_kafka_topic_partition_list_find(mine, mt->topic, mt->partitions[i].id))
                    rd_kafka_topic_partition_list_add(other, mt->topic, mt->partitions[i].id);
        }
        if (md)
            rd_kafka_metadata_destroy(md);
        if (rkt)
            rd_kafka_topic_destroy(rkt);
    }
    if (err) {
        yw_log_warn(COMP, "cannot list the input's partitions after an assignment: %s "
                    "(partitions another member has are not waited for)", rd_kafka_err2str(err));
        goto out;
    }
    k->st.other_partitions = other->cnt;
    int64_t hold = ywk_conf_ms(rk, "session.timeout.ms", 45000) +
                   2 * ywk_conf_ms(rk, "heartbeat.interval.ms", 3000) + 1000;
    if (other->cnt) {
        char buf[1024];
        yw_log_warn(COMP, "%d partition(s) of the input are another member's: %s; "
                    "the others wait up to %lld ms for them (a process killed less than "
                    "session.timeout.ms ago keeps them until the broker expels it; "
                    "one yuanwangd per consumer group)",
                    other->cnt, partitions_text(other, buf, sizeof buf), (long long)hold);
    }
    k->part_hooks->unassigned(k->part_opaque, other, hold);
out:
    if (mine)
        rd_kafka_topic_partition_list_destroy(mine);
    rd_kafka_topic_partition_list_destroy(other);
}

/* Whether the group rebalances cooperatively, from the configured
 * assignors (librdkafka refuses a mix of eager and cooperative ones).
 * Read once here, not with rd_kafka_rebalance_protocol() in the callback:
 * that asks the group thread and waits with no limit, and in a rebalance
 * callback served by the consumer's close the group can terminate and drop
 * the request, or answer NULL (librdkafka #4041; reported again with 2.1.1). */
bool ywk_conf_cooperative(rd_kafka_t *rk)
{
    char buf[256];
    size_t len = sizeof buf;
    if (rd_kafka_conf_get(rd_kafka_conf(rk), "partition.assignment.strategy", buf, &len) !=
        RD_KAFKA_CONF_OK)
        return false;
    return strstr(buf, "cooperative-sticky") != NULL;
}

/* Take (assign) or give up parts the way the group's protocol asks:
 * incrementally with cooperative rebalancing, the whole assignment with
 * eager. */
static void change_assignment(const yw_kafka_t *k, rd_kafka_t *rk,
                              rd_kafka_topic_partition_list_t *parts, bool assign)
{
    const char *what = assign ? "assign" : "unassign";
    if (k->cooperative) {
        rd_kafka_error_t *e = assign ? rd_kafka_incremental_assign(rk, parts)
                                     : rd_kafka_incremental_unassign(rk, parts);
        if (e) {
            yw_log_error(COMP, "incremental %s: %s", what, rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        }
    } else {
        rd_kafka_resp_err_t e = rd_kafka_assign(rk, assign ? parts : NULL);
        if (e)
            yw_log_error(COMP, "%s: %s", what, rd_kafka_err2str(e));
    }
}

/* Every call here that asks librdkafka's group thread (assign, unassign,
 * the assignment) waits for its answer with no limit.  While the consumer
 * closes, the group terminates as soon as the last unassign is done, and a
 * request queued to it in that gap is dropped unanswered: then only the
 * unassign, which the close itself waits for, is asked. */
void ywk_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    yw_kafka_t *k = opaque;

    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        k->st.assigns++;
        log_partitions("assigned", parts);
        /* The shard's state is the truth: start each partition right after
         * the last record it holds, whatever the group committed (a
         * snapshot's offsets are committed after it is written, so they
         * are at or ahead of the commit -- or behind it when the newest
         * snapshot was damaged and an older one was loaded). */
        for (int i = 0; k->deferred && i < parts->cnt; i++) {
            applied_t *a = ywk_applied_find(k, parts->elems[i].topic, parts->elems[i].partition, false);
            if (a && a->last >= 0) {
                parts->elems[i].offset = a->last + 1;
                yw_log_info(COMP, "%s[%d] starts at offset %lld (the state's position)",
                            a->topic, a->partition, (long long)(a->last + 1));
            }
        }
        change_assignment(k, rk, parts, true);
        /* Backpressure holds for new partitions too, and only while it
         * holds: librdkafka keeps a partition's pause flag across its
         * unassignment, and yw_kafka_resume reaches only the partitions
         * assigned then -- one lost while paused, with the resume in the
         * gap, would come back paused for good. */
        if (k->paused)
            rd_kafka_pause_partitions(rk, parts);
        else
            rd_kafka_resume_partitions(rk, parts);
        for (int i = 0; k->part_hooks && k->part_hooks->assigned && i < parts->cnt; i++)
            k->part_hooks->assigned(k->part_opaque, parts->elems[i].topic,
                                    parts->elems[i].partition);
        if (!k->closing)
            report_unassigned(k, rk);
    } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        k->st.revokes++;
        log_partitions(rd_kafka_assignment_lost(rk) ? "lost" : "revoked", parts);
        /* Store what is done before giving the partitions away (with
         * snapshots: the hook writes one first and stores its offsets).
         * The unassign below then commits the stored offsets of the
         * partitions it removes -- librdkafka does that with
         * enable.auto.commit, logged as "unassigned partitions" when it
         * fails -- so the next owner starts where our effects end. */
        if (!rd_kafka_assignment_lost(rk) && k->revoke_hook)
            k->revoke_hook(k->revoke_opaque);
        /* What is held for these partitions was never applied: dropped,
         * the next owner reads it again from the committed offsets. */
        for (int i = 0; k->part_hooks && k->part_hooks->revoked && i < parts->cnt; i++)
            k->part_hooks->revoked(k->part_opaque, parts->elems[i].topic,
                                   parts->elems[i].partition);
        change_assignment(k, rk, parts, false);
    } else {
        yw_log_error(COMP, "rebalance error: %s", rd_kafka_err2str(err));
        rd_kafka_assign(rk, NULL);
    }
    rd_kafka_topic_partition_list_t *now = NULL;
    if (k->closing)
        k->st.assigned_partitions = 0;
    else if (rd_kafka_assignment(rk, &now) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        k->st.assigned_partitions = now->cnt;
        rd_kafka_topic_partition_list_destroy(now);
    }
}

/* ---- close --------------------------------------------------------------- */

/* Close the consumer: serve the last revoke (rebalance_cb: the unassign
 * commits the stored offsets) and leave the group, as
 * rd_kafka_consumer_close does -- but give up after session.timeout.ms +
 * 5 s, since librdkafka 2.0.2's close waits on its queue with no limit.
 * Nothing is lost by leaving then: offsets are committed only for records
 * whose effects are acknowledged, and whatever was not committed is read
 * again at the next start (and skipped if its effects are in the
 * snapshot).  The limit cannot reach into a callback that waits: that is
 * why rebalance_cb asks the group thread nothing it can do without. */
void ywk_consumer_close(rd_kafka_t *rk)
{
    int64_t limit = ywk_conf_ms(rk, "session.timeout.ms", 45000) + 5000;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_error_t *error = q ? rd_kafka_consumer_close_queue(rk, q) : NULL;
    if (!q || error) {
        /* (no queue: close the usual way) */
        if (error) {
            yw_log_warn(COMP, "consumer close: %s", rd_kafka_error_string(error));
            rd_kafka_error_destroy(error);
        } else {
            rd_kafka_resp_err_t err = rd_kafka_consumer_close(rk);
            if (err)
                yw_log_warn(COMP, "consumer close: %s", rd_kafka_err2str(err));
        }
        if (q)
            rd_kafka_queue_destroy(q);
        rd_kafka_destroy(rk);
        return;
    }
    int64_t end = yw_mono_ms() + limit;
    /* the rebalance callback (the revoke's commit) is served from q */
    while (!rd_kafka_consumer_closed(rk) && yw_mono_ms() < end)
        rd_kafka_queue_poll_callback(q, 100);
    bool closed = rd_kafka_consumer_closed(rk);
    rd_kafka_queue_destroy(q);
    if (closed) {
        rd_kafka_destroy(rk);
        return;
    }
    yw_log_error(COMP, "consumer close did not finish in %lld ms (session.timeout.ms + 5 s): "
                 "leaving without it; offsets not yet committed are read again at the next start",
                 (long long)limit);
    rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}
