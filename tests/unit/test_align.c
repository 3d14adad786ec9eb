/* test_align.c -- the partition aligner (lib/align.h): items leave in
 * timestamp order across partitions, in arrival order within one; a
 * partition that could still deliver something older holds the others
 * until it delivers, reaches its end, has delivered later already or has
 * been silent for idle_ms -- longer while the caller says it has more
 * pending or it has not been heard from since its assignment (bounded);
 * a partition another member has holds them until it comes, bounded;
 * max_held bounds what is held; a revoke releases a partition's items
 * unapplied. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "align.h"
#include "yw_test.h"

typedef struct {
    int64_t ts;
    int part, seq;
} item_t;

static int released;

static void release(void *item)
{
    released++;
    free(item);
}

static void push(yw_align_t *a, int part, int64_t ts, int seq, int64_t now)
{
    item_t *it = malloc(sizeof *it);
    REQUIRE(it);
    *it = (item_t){ ts, part, seq };
    REQUIRE(yw_align_push(a, "t", part, ts, it, now) == 0);
}

/* Pop one item: its seq, or -1 when none may go. */
static int pop(yw_align_t *a, int64_t now)
{
    item_t *it = yw_align_pop(a, now);
    if (!it)
        return -1;
    int seq = it->seq;
    free(it);
    return seq;
}

TEST(test_merge_in_timestamp_order)
{
    yw_align_t *a = yw_align_create(1000, 100, release);
    REQUIRE(a);
    yw_align_add_partition(a, "t", 0, 0);
    yw_align_add_partition(a, "t", 1, 0);
    /* Partition 0's whole backlog arrives first (as the consumer hands it
     * over): nothing may go while partition 1, assigned and not silent for
     * long, may still deliver older records. */
    push(a, 0, 10, 1, 5);
    push(a, 0, 30, 3, 5);
    push(a, 0, 50, 5, 5);
    CHECK_EQ_INT(pop(a, 10), -1);
    CHECK_EQ_INT(yw_align_due(a, 10), 1000);    /* partition 1 holds until 0 + 1000 */
    push(a, 1, 20, 2, 20);
    push(a, 1, 40, 4, 20);
    /* Both have items: the oldest heads go first, until partition 1 is
     * empty again and could still deliver something older than 50. */
    CHECK_EQ_INT(pop(a, 30), 1);
    CHECK_EQ_INT(pop(a, 30), 2);
    CHECK_EQ_INT(pop(a, 30), 3);
    CHECK_EQ_INT(pop(a, 30), 4);
    CHECK_EQ_INT(pop(a, 30), -1);
    /* At its end it holds nothing back. */
    yw_align_eof(a, "t", 1, 40);
    CHECK_EQ_INT(pop(a, 40), 5);
    CHECK_EQ_INT(pop(a, 40), -1);
    CHECK_EQ_INT(yw_align_due(a, 40), -1);
    CHECK_EQ_INT((int)yw_align_held(a), 0);
    yw_align_destroy(a);
}

TEST(test_silent_and_later_partitions_do_not_hold)
{
    yw_align_t *a = yw_align_create(1000, 100, release);
    REQUIRE(a);
    yw_align_add_partition(a, "t", 0, 0);
    yw_align_add_partition(a, "t", 1, 0);
    push(a, 0, 100, 1, 10);
    /* Partition 1 never delivers: unheard since its assignment, it holds
     * partition 0 for 10 x idle_ms (test_pending_partition_holds_past_idle). */
    CHECK_EQ_INT(pop(a, 9999), -1);
    CHECK_EQ_INT(pop(a, 10000), 1);
    /* A partition that already delivered later records cannot deliver
     * older ones: it does not hold. */
    push(a, 1, 500, 2, 10100);
    CHECK_EQ_INT(pop(a, 10100), 2);
    push(a, 0, 400, 3, 10200);      /* partition 1 is empty, last at 500 > 400 */
    CHECK_EQ_INT(pop(a, 10200), 3);
    push(a, 0, 600, 4, 10200);      /* now 600 > 500: partition 1 may hold */
    CHECK_EQ_INT(pop(a, 10200), -1);
    CHECK_EQ_INT(pop(a, 11100), 4); /* heard from, silent since 10100: idle_ms */
    yw_align_destroy(a);
}

/* The caller's answer to "does this partition have more pending?" */
static bool more[2];
static int asked;

static bool pending_cb(void *opaque, const char *topic, int32_t partition)
{
    (void)opaque;
    asked++;
    return strcmp(topic, "t") == 0 && partition >= 0 && partition < 2 && more[partition];
}

TEST(test_pending_partition_holds_past_idle)
{
    /* What a real broker showed: partition 1 handed over its first chunk,
     * then its next chunk waited in the consumer's queue behind other
     * partitions' messages while the daemon was busy applying.  Silent for
     * idle_ms, but not idle: its position is below its high watermark. */
    yw_align_t *a = yw_align_create(1000, 100, release);
    REQUIRE(a);
    yw_align_set_pending(a, pending_cb, NULL);
    yw_align_add_partition(a, "t", 0, 0);
    yw_align_add_partition(a, "t", 1, 0);
    push(a, 1, 10, 1, 5);
    push(a, 0, 20, 2, 5);
    push(a, 0, 40, 4, 5);
    CHECK_EQ_INT(pop(a, 10), 1);
    /* Partition 1 is empty, last at 10 < 20: it may hold for idle_ms ... */
    more[1] = true;
    CHECK_EQ_INT(pop(a, 10), -1);
    CHECK_EQ_INT(pop(a, 1004), -1);
    /* ... and past it while it has more pending; come back soon, not at once */
    CHECK_EQ_INT(pop(a, 1006), -1);
    CHECK(asked > 0);
    CHECK_EQ_INT(yw_align_due(a, 1006), 1006 + 5);
    push(a, 1, 30, 3, 1050);
    CHECK_EQ_INT(pop(a, 1050), 2);
    CHECK_EQ_INT(pop(a, 1050), 3);
    /* Silent again (since 1050); nothing pending any more: idle_ms decides. */
    more[1] = false;
    CHECK_EQ_INT(pop(a, 2049), -1);
    CHECK_EQ_INT(pop(a, 2050), 4);

    /* Pending holds for at most 10 x idle_ms of silence (a high watermark
     * that is never reached must not stall the others). */
    push(a, 0, 60, 6, 2100);
    more[1] = true;
    CHECK_EQ_INT(pop(a, 1050 + 9999), -1);
    CHECK_EQ_INT(pop(a, 1050 + 10000), 6);

    /* A partition not heard from since its assignment (no message, no
     * end) is not asked -- its high watermark is not known either -- and
     * holds past idle_ms, up to 10 x idle_ms: its first fetch is not
     * answered yet.  A real broker that had just started answered one
     * partition's 1.1 s after the others', and in that gap they applied
     * five days of records ahead of its first (e2e test_chaos, seed 14). */
    yw_align_add_partition(a, "t", 2, 20000);
    push(a, 0, 70, 7, 20000);
    asked = 0;
    more[1] = false;
    CHECK_EQ_INT(pop(a, 21000), -1);
    CHECK_EQ_INT(yw_align_due(a, 21000), 21000 + 5);
    CHECK_EQ_INT(pop(a, 29999), -1);
    CHECK_EQ_INT(asked, 0);
    CHECK_EQ_INT(pop(a, 30000), 7);
    /* heard from -- its end, nothing older -- it holds no more */
    yw_align_add_partition(a, "t", 3, 30000);
    push(a, 0, 80, 8, 30000);
    CHECK_EQ_INT(pop(a, 30100), -1);
    yw_align_eof(a, "t", 3, 30200);
    CHECK_EQ_INT(pop(a, 30200), 8);
    yw_align_destroy(a);
    more[1] = false;
}

TEST(test_order_within_a_partition)
{
    /* A timestamp that goes back within a partition (clock skew, unknown)
     * keeps the partition's order: items leave in arrival order. */
    yw_align_t *a = yw_align_create(1000, 100, release);
    REQUIRE(a);
    push(a, 0, 50, 1, 0);
    push(a, 0, 20, 2, 0);
    push(a, 0, -1, 3, 0);
    push(a, 1, 30, 4, 0);
    yw_align_eof(a, "t", 0, 0);
    yw_align_eof(a, "t", 1, 0);
    CHECK_EQ_INT(pop(a, 0), 4);     /* 30 < 50 */
    CHECK_EQ_INT(pop(a, 0), 1);
    CHECK_EQ_INT(pop(a, 0), 2);
    CHECK_EQ_INT(pop(a, 0), 3);
    yw_align_destroy(a);
}

TEST(test_unassigned_partition_holds_until_it_comes)
{
    /* After a crash loop a real broker gave the restarted daemon partitions
     * 0 of each topic; partitions 1 stayed with a killed process until its
     * session expired, 6 s later, and by then the daemon had applied
     * partitions 0 days ahead: 912 late records (e2e test_chaos, seed
     * 103101785).  Another member's partition holds like an unheard one,
     * up to hold_ms from when it was first reported. */
    yw_align_t *a = yw_align_create(1000, 100, release);
    REQUIRE(a);
    yw_align_add_partition(a, "t", 0, 0);
    const yw_align_part_t other[] = { { "t", 1 } };
    REQUIRE(yw_align_set_unassigned(a, other, 1, 0, 8000) == 0);
    push(a, 0, 50, 1, 10);
    push(a, 0, 60, 2, 10);
    yw_align_eof(a, "t", 0, 20);
    CHECK_EQ_INT(pop(a, 7999), -1);
    CHECK_EQ_INT(yw_align_due(a, 7999), 8000);
    /* Reported again by a later rebalance (cooperative-sticky assigns in
     * two): the hold runs from the latest report, as the dead member's
     * session does from the latest rebalance. */
    REQUIRE(yw_align_set_unassigned(a, other, 1, 5000, 8000) == 0);
    CHECK_EQ_INT(pop(a, 8500), -1);
    CHECK_EQ_INT(yw_align_due(a, 8500), 13000);
    /* The expelled member's partition comes to us with older records:
     * they go first, although they came last. */
    yw_align_add_partition(a, "t", 1, 7000);
    REQUIRE(yw_align_set_unassigned(a, NULL, 0, 7000, 8000) == 0);
    push(a, 1, 30, 3, 7100);
    push(a, 1, 55, 4, 7100);
    yw_align_eof(a, "t", 1, 7100);
    CHECK_EQ_INT(pop(a, 7100), 3);
    CHECK_EQ_INT(pop(a, 7100), 1);
    CHECK_EQ_INT(pop(a, 7100), 4);
    CHECK_EQ_INT(pop(a, 7100), 2);
    CHECK_EQ_INT(pop(a, 7100), -1);

    /* A partition that stays another's (a live member: a second daemon)
     * holds no longer than hold_ms after an assignment; one dropped from
     * the set holds no more. */
    const yw_align_part_t two[] = { { "t", 2 }, { "t", 3 } };
    REQUIRE(yw_align_set_unassigned(a, two, 2, 10000, 8000) == 0);
    push(a, 0, 70, 5, 10000);
    CHECK_EQ_INT(pop(a, 17999), -1);
    CHECK_EQ_INT(pop(a, 18000), 5);
    push(a, 0, 80, 6, 20000);
    const yw_align_part_t three[] = { { "t", 3 } };
    REQUIRE(yw_align_set_unassigned(a, three, 1, 20000, 8000) == 0);
    CHECK_EQ_INT(pop(a, 20000), -1);    /* partition 3 holds again, from this assignment */
    CHECK_EQ_INT(pop(a, 27999), -1);
    REQUIRE(yw_align_set_unassigned(a, NULL, 0, 21000, 8000) == 0);
    CHECK_EQ_INT(pop(a, 21000), 6);     /* out of the set: nothing holds */
    push(a, 0, 90, 7, 21000);
    yw_align_add_partition(a, "t", 3, 21000);   /* assigned: an ordinary partition */
    CHECK_EQ_INT(pop(a, 21000), -1);
    yw_align_eof(a, "t", 3, 21000);
    CHECK_EQ_INT(pop(a, 21000), 7);
    CHECK_EQ_INT((int)yw_align_held(a), 0);
    yw_align_destroy(a);
}

TEST(test_bounds_revoke_and_off)
{
    /* max_held: at the bound the oldest goes although partition 1 may
     * still hold. */
    yw_align_t *a = yw_align_create(1000, 3, release);
    REQUIRE(a);
    yw_align_add_partition(a, "t", 1, 0);
    push(a, 0, 10, 1, 0);
    push(a, 0, 20, 2, 0);
    CHECK_EQ_INT(pop(a, 0), -1);
    push(a, 0, 30, 3, 0);
    CHECK_EQ_INT(pop(a, 0), 1);
    CHECK_EQ_INT(pop(a, 0), -1);    /* 2 held < 3 again */
    /* A revoke releases the partition's items, unapplied; the partition
     * no longer holds the others. */
    push(a, 1, 40, 4, 0);
    push(a, 1, 45, 5, 0);
    released = 0;
    yw_align_drop_partition(a, "t", 0);
    CHECK_EQ_INT(released, 2);
    CHECK_EQ_INT((int)yw_align_held(a), 2);
    CHECK_EQ_INT(pop(a, 0), 4);
    CHECK_EQ_INT(pop(a, 0), 5);
    /* Destroying releases what is left. */
    push(a, 1, 50, 6, 0);
    released = 0;
    yw_align_destroy(a);
    CHECK_EQ_INT(released, 1);

    /* idle_ms 0: no alignment, arrival order. */
    a = yw_align_create(0, 100, release);
    REQUIRE(a);
    yw_align_add_partition(a, "t", 1, 0);
    push(a, 0, 50, 1, 0);
    CHECK_EQ_INT(pop(a, 0), 1);
    yw_align_destroy(a);
}

int main(void)
{
    RUN(test_merge_in_timestamp_order);
    RUN(test_silent_and_later_partitions_do_not_hold);
    RUN(test_pending_partition_holds_past_idle);
    RUN(test_order_within_a_partition);
    RUN(test_unassigned_partition_holds_until_it_comes);
    RUN(test_bounds_revoke_and_off);
    return yw_test_done();
}
