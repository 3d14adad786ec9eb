/* test_window.c -- event-time rings: buckets, lateness, roll-over, laziness.
 *
 * Every expected count here is worked out by hand from the times the test
 * adds, never read back from the window's own arithmetic. */
#include "window.h"
#include "yw_test.h"

/* 2024-03-01 00:00 "local" (the window does not care which zone). */
#define T0 (1709251200000LL)
#define H YW_HOUR_MS
#define D YW_DAY_MS

TEST(test_singleton_is_inline)
{
    yw_window_t w;
    yw_window_init(&w);
    int f = yw_window_add(&w, T0 + 5 * 60000, YW_SRC_HOTLINE, false);
    CHECK_EQ_INT(f, YW_WIN_IN_HOURLY | YW_WIN_IN_DAILY);
    CHECK(!yw_window_has_rings(&w));
    CHECK_EQ_INT(yw_window_heap_bytes(&w), 0);
    CHECK_EQ_INT(yw_window_hours(&w, T0 + 30 * 60000, 0, 0, NULL), 1);
    CHECK_EQ_INT(yw_window_days(&w, T0 + 23 * H, 0, 0, NULL), 1);
    CHECK_EQ_INT(yw_window_days(&w, T0 + 25 * H, 0, 0, NULL), 0);
    CHECK_EQ_INT(yw_window_days(&w, T0 + 25 * H, 1, 1, NULL), 1);

    /* Up to YW_WIN_INLINE records stay inline; one more allocates. */
    yw_window_add(&w, T0 + 2 * H, YW_SRC_GRID, false);
    yw_window_add(&w, T0 + 3 * H, YW_SRC_ONLINE, false);
    CHECK(!yw_window_has_rings(&w));
    yw_window_add(&w, T0 + 4 * H, YW_SRC_POLICE, false);
    CHECK(yw_window_has_rings(&w));
    CHECK(yw_window_heap_bytes(&w) > 0);

    /* The promoted records read the same as before. */
    int64_t by[YW_SRC_COUNT] = {0};
    CHECK_EQ_INT(yw_window_hours(&w, T0 + 4 * H, 0, 4, by), 4);
    CHECK_EQ_INT(by[YW_SRC_HOTLINE], 1);
    CHECK_EQ_INT(by[YW_SRC_GRID], 1);
    CHECK_EQ_INT(by[YW_SRC_ONLINE], 1);
    CHECK_EQ_INT(by[YW_SRC_POLICE], 1);
    CHECK_EQ_INT(yw_window_hours(&w, T0 + 4 * H, 0, 1, NULL), 2);  /* 3h, 4h */
    CHECK_EQ_INT(yw_window_total(&w), 4);
    yw_window_free(&w);
    yw_window_free(&w);   /* freeing twice is harmless: back to init */
}

/* The same query answers must come from inline and ring forms. */
TEST(test_inline_and_rings_agree)
{
    int64_t ts[] = { T0 + 1 * H, T0 + 30 * H, T0 + 50 * H };
    yw_window_t a, b;
    yw_window_init(&a);
    yw_window_init(&b);
    for (int i = 0; i < 3; i++)
        yw_window_add(&a, ts[i], YW_SRC_GRID, false);
    /* b: same three, then force rings by a merge of an empty ring window. */
    for (int i = 0; i < 3; i++)
        yw_window_add(&b, ts[i], YW_SRC_GRID, false);
    yw_window_t big;
    yw_window_init(&big);
    for (int i = 0; i < 4; i++)
        yw_window_add(&big, T0 - 200 * D, YW_SRC_GRID, false);  /* far past */
    REQUIRE(yw_window_merge(&b, &big) == 0);
    CHECK(yw_window_has_rings(&b));
    int64_t now = T0 + 50 * H + 10;
    for (int lo = 0; lo < 60; lo += 7)
        CHECK_EQ_INT(yw_window_hours(&a, now, lo, lo + 24, NULL),
                     yw_window_hours(&b, now, lo, lo + 24, NULL));
    CHECK_EQ_INT(yw_window_days(&a, now, 0, 2, NULL), 3);
    CHECK_EQ_INT(yw_window_days(&b, now, 0, 2, NULL), 3);
    CHECK_EQ_INT(yw_window_total(&b), 7);
    yw_window_free(&a);
    yw_window_free(&b);
    yw_window_free(&big);
}

TEST(test_hourly_rollover_and_gaps)
{
    yw_window_t w;
    yw_window_init(&w);
    /* 10 records in hour 0, 5 in hour 1. */
    for (int i = 0; i < 10; i++)
        yw_window_add(&w, T0 + i * 1000, YW_SRC_HOTLINE, false);
    for (int i = 0; i < 5; i++)
        yw_window_add(&w, T0 + H + i * 1000, YW_SRC_HOTLINE, false);
    CHECK_EQ_INT(yw_window_hours(&w, T0 + H, 0, 0, NULL), 5);
    CHECK_EQ_INT(yw_window_hours(&w, T0 + H, 1, 1, NULL), 10);
    /* 95 hours later hour 0 is still the tail of a 96-hour ring. */
    yw_window_add(&w, T0 + 95 * H, YW_SRC_HOTLINE, false);
    CHECK_EQ_INT(yw_window_hours(&w, T0 + 95 * H, 0, 95, NULL), 16);
    /* One more hour pushes hour 0 out; hour 1 stays. */
    yw_window_add(&w, T0 + 96 * H, YW_SRC_HOTLINE, false);
    CHECK_EQ_INT(yw_window_hours(&w, T0 + 96 * H, 0, 200, NULL), 7);
    /* A gap longer than the ring clears everything old... */
    yw_window_add(&w, T0 + 1000 * H, YW_SRC_GRID, false);
    CHECK_EQ_INT(yw_window_hours(&w, T0 + 1000 * H, 0, 95, NULL), 1);
    /* ...and a stale slot of the same residue does not resurface. */
    CHECK_EQ_INT(yw_window_hours(&w, T0 + 1000 * H, 1, 95, NULL), 0);
    /* Daily: day 0 (15 records: hours 0 and 1), day 3 (95h), day 4 (96h),
     * day 41 (1000h = 41 d 16 h): all within 64 days. */
    CHECK_EQ_INT(yw_window_days(&w, T0 + 1000 * H, 0, 63, NULL), 18);
    CHECK_EQ_INT(yw_window_days(&w, T0 + 1000 * H, 41, 41, NULL), 15);
    /* 100 days on, the daily ring has rolled over completely too. */
    yw_window_add(&w, T0 + 100 * D + 1000 * H, YW_SRC_GRID, false);
    CHECK_EQ_INT(yw_window_days(&w, T0 + 100 * D + 1000 * H, 0, 63, NULL), 1);
    CHECK_EQ_INT(yw_window_total(&w), 19);
    /* Queries ahead of the head see empty buckets, not stale ones. */
    CHECK_EQ_INT(yw_window_hours(&w, T0 + 100 * D + 1100 * H, 0, 23, NULL), 0);
    yw_window_free(&w);
}

TEST(test_late_records)
{
    yw_window_t w;
    yw_window_init(&w);
    for (int i = 0; i < 5; i++)
        yw_window_add(&w, T0 + 10 * H, YW_SRC_HOTLINE, false);
    /* Late by 3 hours: daily yes, hourly no. */
    int f = yw_window_add(&w, T0 + 7 * H, YW_SRC_ONLINE, true);
    CHECK_EQ_INT(f, YW_WIN_IN_DAILY);
    CHECK_EQ_INT(yw_window_hours(&w, T0 + 10 * H, 0, 23, NULL), 5);
    int64_t by[YW_SRC_COUNT] = {0};
    CHECK_EQ_INT(yw_window_days(&w, T0 + 10 * H, 0, 0, by), 6);
    CHECK_EQ_INT(by[YW_SRC_ONLINE], 1);
    CHECK_EQ_INT(w.late, 1);
    /* Late beyond the daily ring: only the totals know it. */
    f = yw_window_add(&w, T0 - 90 * D, YW_SRC_ONLINE, true);
    CHECK_EQ_INT(f, 0);
    CHECK_EQ_INT(yw_window_days(&w, T0 + 10 * H, 0, 63, NULL), 6);
    CHECK_EQ_INT(yw_window_total(&w), 7);
    CHECK_EQ_INT(w.late, 2);

    /* Inline form: a late inline record is excluded from hourly sums. */
    yw_window_t s;
    yw_window_init(&s);
    yw_window_add(&s, T0, YW_SRC_GRID, true);
    CHECK_EQ_INT(yw_window_hours(&s, T0, 0, 5, NULL), 0);
    CHECK_EQ_INT(yw_window_days(&s, T0, 0, 0, NULL), 1);
    yw_window_free(&w);
    yw_window_free(&s);
}

TEST(test_out_of_order_within_ring)
{
    /* Event time, not arrival order: an earlier record after a later one
     * goes to its own bucket. */
    yw_window_t w;
    yw_window_init(&w);
    for (int i = 0; i < 4; i++)
        yw_window_add(&w, T0 + 5 * H, YW_SRC_HOTLINE, false);
    yw_window_add(&w, T0 + 2 * H, YW_SRC_HOTLINE, false);
    CHECK_EQ_INT(yw_window_hours(&w, T0 + 5 * H, 3, 3, NULL), 1);
    CHECK_EQ_INT(yw_window_hours(&w, T0 + 5 * H, 0, 0, NULL), 4);
    yw_window_free(&w);
}

TEST(test_merge_rings)
{
    yw_window_t a, b;
    yw_window_init(&a);
    yw_window_init(&b);
    for (int i = 0; i < 6; i++)
        yw_window_add(&a, T0 + i * H, YW_SRC_HOTLINE, false);
    for (int i = 0; i < 6; i++)
        yw_window_add(&b, T0 + (i + 3) * H, YW_SRC_GRID, false);
    REQUIRE(yw_window_merge(&a, &b) == 0);
    int64_t by[YW_SRC_COUNT] = {0};
    CHECK_EQ_INT(yw_window_hours(&a, T0 + 8 * H, 0, 8, by), 12);
    CHECK_EQ_INT(by[YW_SRC_HOTLINE], 6);
    CHECK_EQ_INT(by[YW_SRC_GRID], 6);
    CHECK_EQ_INT(yw_window_hours(&a, T0 + 8 * H, 3, 5, NULL), 6);
    CHECK_EQ_INT(yw_window_total(&a), 12);

    /* Merging a window whose head is far ahead rolls `into` forward. */
    yw_window_t c;
    yw_window_init(&c);
    for (int i = 0; i < 4; i++)
        yw_window_add(&c, T0 + 200 * H, YW_SRC_POLICE, false);
    REQUIRE(yw_window_merge(&a, &c) == 0);
    CHECK_EQ_INT(yw_window_hours(&a, T0 + 200 * H, 0, 95, NULL), 4);
    CHECK_EQ_INT(yw_window_days(&a, T0 + 200 * H, 0, 63, NULL), 16);
    yw_window_free(&a);
    yw_window_free(&b);
    yw_window_free(&c);
}

TEST(test_bucket_floor)
{
    CHECK_EQ_INT(yw_window_bucket(-1, H), -1);
    CHECK_EQ_INT(yw_window_bucket(-H, H), -1);
    CHECK_EQ_INT(yw_window_bucket(-H - 1, H), -2);
    CHECK_EQ_INT(yw_window_bucket(0, H), 0);
    CHECK_EQ_INT(yw_window_bucket(H - 1, H), 0);
}

int main(void)
{
    RUN(test_singleton_is_inline);
    RUN(test_inline_and_rings_agree);
    RUN(test_hourly_rollover_and_gaps);
    RUN(test_late_records);
    RUN(test_out_of_order_within_ring);
    RUN(test_merge_rings);
    RUN(test_bucket_floor);
    return yw_test_done();
}
