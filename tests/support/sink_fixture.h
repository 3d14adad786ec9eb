/* sink_fixture.h -- what the Redis tests start with: a redis-server of the
 * test's own (redis_server.h), a yw_redis connected to it and, if asked
 * for, a schema-v1 sink writing through that connection.
 *
 *     yw_test_sink_t fx;
 *     YW_TEST_SINK_START(&fx, 0, "yw:", 0);    // skips without redis-server
 *     ... fx.r, fx.s, fx.conf ...
 *     yw_test_sink_stop(&fx);
 */
#ifndef YW_TEST_SINK_FIXTURE_H
#define YW_TEST_SINK_FIXTURE_H

#include <stdint.h>

#include "redis.h"
#include "redis_server.h"
#include "sink.h"
#include "yw_test.h"

typedef struct {
    yw_redis_conf_t conf;   /* the connection's settings (yw_test_redis_conf) */
    yw_redis_t *r;
    yw_sink_t *s;           /* NULL when started without a sink */
} yw_test_sink_t;

/* Start a plain server and connect fx->r to it with pipeline depth depth
 * (0: the default); with a sink on it (key prefix prefix, stream_maxlen
 * as yw_sink_create's, times at +08:00) unless prefix is NULL.  0,
 * YW_TEST_REDIS_MISSING, or -1 with the reason on stderr. */
int yw_test_sink_start(yw_test_sink_t *fx, int depth, const char *prefix,
                       int64_t stream_maxlen);

/* Destroy the sink and the connection, stop the server. */
void yw_test_sink_stop(yw_test_sink_t *fx);

/* yw_test_sink_start, or skip the test when redis-server is not installed
 * (a macro: SKIP and REQUIRE return from the test). */
#define YW_TEST_SINK_START(fx, depth, prefix, stream_maxlen) \
    YW_TEST_REQUIRE_STARTED(yw_test_sink_start(fx, depth, prefix, stream_maxlen))

#endif
