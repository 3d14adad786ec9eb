/* align.h -- event-time alignment of Kafka partitions.
 *
 * The consumer hands over a partition's messages in whole fetched chunks:
 * after a restart or an outage, with a backlog in 16 partitions, the
 * daemon would read one partition's three weeks, then the next one's, and
 * nearly every record after the first partition would be "late" (behind
 * the watermark): scored without its hourly buckets, clusters frozen at
 * their last evaluation time -- not the alerts that living through the
 * same records gives (the backtest's).  The aligner holds what the
 * consumer delivers in one queue per partition and releases it in
 * event-time order across partitions, the way Kafka Streams does: the head
 * with the smallest timestamp goes when no other partition could still
 * deliver something older -- it has a message waiting, has reached its
 * end (EOF), has already delivered a later timestamp, or has been silent
 * for idle_ms -- unless the caller says it still has messages pending
 * (fetched or on the broker, not yet handed over: yw_align_set_pending),
 * in which case its silence is the caller being busy, not the partition
 * being idle, or it has not been heard from at all since its assignment
 * (its first fetch is not answered yet: a broker that has just started);
 * those two hold for at most ten times idle_ms.  At most max_held
 * messages are held; past that the oldest goes regardless.  Within a
 * partition the order is the consumer's (offsets stay in order).
 *
 * Generic: items are opaque pointers with a timestamp, released through
 * a callback when dropped; pipeline.c uses it with rd_kafka_message_t and
 * each record's own event time, peeked from the payload (yw_time_peek) --
 * not the Kafka timestamp, which is when the record was produced, and a
 * producer that sends one partition's backlog after the other's gives
 * produce times in no useful order. */
#ifndef YW_ALIGN_H
#define YW_ALIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct yw_align yw_align_t;

/* idle_ms <= 0: no alignment (every item goes at once, in arrival order). */
yw_align_t *yw_align_create(int64_t idle_ms, size_t max_held,
                            void (*release)(void *item));
/* Releases every item still held. */
void yw_align_destroy(yw_align_t *a);

/* A partition was assigned: until it delivers or reaches its end it holds
 * the others back, for at most ten times idle_ms. */
int yw_align_add_partition(yw_align_t *a, const char *topic, int32_t partition,
                           int64_t now_ms);
/* A partition was revoked: its held items are released, unapplied. */
void yw_align_drop_partition(yw_align_t *a, const char *topic, int32_t partition);
/* Partitions of the input that exist but are assigned to another member
 * of the group, replacing the previous such set.  With one yuanwangd per
 * group that member is a process killed within session.timeout.ms: after
 * a crash loop the group keeps the dead member, and part of the
 * partitions with it, until the broker expels it -- and the daemon
 * applying only the partitions it has would race days ahead in event
 * time, making every record of the others late when they come.  So an
 * unassigned partition holds the others back like one not heard from, for
 * at most hold_ms from this call (the caller calls after every
 * assignment: a dead member is expelled within its session of the
 * group's latest rebalance); assigned, it is an ordinary partition.  A
 * partition assigned now is left alone.  0, or -1 on allocation failure. */
typedef struct {
    const char *topic;
    int32_t partition;
} yw_align_part_t;
int yw_align_set_unassigned(yw_align_t *a, const yw_align_part_t *parts, size_t n,
                            int64_t now_ms, int64_t hold_ms);
/* The partition has nothing more for now (Kafka's PARTITION_EOF). */
void yw_align_eof(yw_align_t *a, const char *topic, int32_t partition, int64_t now_ms);

/* Hold an item (ownership passes to the aligner).  ts: its timestamp, or
 * < 0 when unknown (it then keeps its partition's last timestamp).
 * Returns 0, or -1 on allocation failure (the item is not taken). */
int yw_align_push(yw_align_t *a, const char *topic, int32_t partition, int64_t ts,
                  void *item, int64_t now_ms);
/* The next item in timestamp order, or NULL when none may go yet. */
void *yw_align_pop(yw_align_t *a, int64_t now_ms);
/* When a held item could go at the latest if nothing else arrives (the
 * earliest moment a silent partition stops holding), or -1 when nothing
 * is held. */
int64_t yw_align_due(const yw_align_t *a, int64_t now_ms);

size_t yw_align_held(const yw_align_t *a);

/* Asked about a partition that has delivered before, has nothing held
 * and has been silent for idle_ms: true if it is known to have more
 * messages than it has handed over (e.g. consumer position < the high
 * watermark) -- it then keeps holding the others back (up to max_held).
 * Optional; without it idle_ms alone decides.  It holds for at most ten
 * times idle_ms of silence. */
typedef bool (*yw_align_pending_fn)(void *opaque, const char *topic, int32_t partition);
void yw_align_set_pending(yw_align_t *a, yw_align_pending_fn fn, void *opaque);

#endif
