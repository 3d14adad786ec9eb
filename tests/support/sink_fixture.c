/* sink_fixture.c -- a test's server, connection and sink (sink_fixture.h). */
#include "sink_fixture.h"

#include <stdio.h>
#include <string.h>

int yw_test_sink_start(yw_test_sink_t *fx, int depth, const char *prefix,
                       int64_t stream_maxlen)
{
    memset(fx, 0, sizeof *fx);
    int rc = yw_test_redis_start(NULL);
    if (rc != 0)
        return rc == YW_TEST_REDIS_MISSING ? rc : -1;
    yw_test_redis_conf(&fx->conf);
    if (depth)
        fx->conf.pipeline_depth = depth;
    char err[256];
    fx->r = yw_redis_create(&fx->conf, err, sizeof err);
    if (!fx->r) {
        fprintf(stderr, "yw_redis_create: %s\n", err);
        return -1;
    }
    if (prefix) {
        fx->s = yw_sink_create(fx->r, prefix, stream_maxlen, 480, err, sizeof err);
        if (!fx->s) {
            fprintf(stderr, "yw_sink_create: %s\n", err);
            return -1;
        }
    }
    return 0;
}

void yw_test_sink_stop(yw_test_sink_t *fx)
{
    yw_sink_destroy(fx->s);
    yw_redis_destroy(fx->r);
    fx->s = NULL;
    fx->r = NULL;
    yw_test_redis_cleanup();
}
