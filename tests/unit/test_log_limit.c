/* test_log_limit.c -- the rate limit for repeating log lines (log.h), as
 * used for "dead-letter delivery failed ...; will retry" (lib/kafka.c). */
#include <stdint.h>

#include "log.h"
#include "yw_test.h"

TEST(first_passes_then_one_a_minute_with_the_count)
{
    yw_log_limit_t l = { .interval_ms = 60000 };
    uint64_t held = 99;
    int64_t t = 5000;
    CHECK(yw_log_limit_pass(&l, t, &held));
    CHECK_EQ_INT(held, 0);
    /* a retry a second for 59 s: all held back */
    int passed = 0;
    for (int i = 1; i < 60; i++)
        passed += yw_log_limit_pass(&l, t + i * 1000, &held);
    CHECK_EQ_INT(passed, 0);
    /* a minute after the first: passes, saying 59 were held back */
    CHECK(yw_log_limit_pass(&l, t + 60000, &held));
    CHECK_EQ_INT(held, 59);
    CHECK(!yw_log_limit_pass(&l, t + 61000, &held));
    /* the condition cleared: the next episode's first event passes at once */
    yw_log_limit_reset(&l);
    CHECK(yw_log_limit_pass(&l, t + 62000, &held));
    CHECK_EQ_INT(held, 0);
    /* a clock at 0 (monotonic, early boot) still counts as "passed once" */
    yw_log_limit_t z = { .interval_ms = 1000 };
    CHECK(yw_log_limit_pass(&z, 0, &held));
    CHECK(!yw_log_limit_pass(&z, 500, &held));
}

int main(void)
{
    RUN(first_passes_then_one_a_minute_with_the_count);
    return yw_test_done();
}
