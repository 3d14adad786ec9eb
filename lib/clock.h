/* clock.h -- the monotonic clock in milliseconds, for timeouts, backoff
 * and rate limits (never for event time, which records carry). */
#ifndef YW_CLOCK_H
#define YW_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t yw_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
