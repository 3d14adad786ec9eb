/* redis_server.h -- a real redis-server for one test program.
 *
 * Starts `redis-server` ($YW_REDIS_SERVER, else from PATH, else
 * /usr/bin/redis-server) as a child process on a free 127.0.0.1 port with
 * persistence off, in a fresh temporary directory (its log is
 * <dir>/redis.log), and waits until it answers PING.  One server per test
 * process; it is killed at exit if the test forgets (and, through
 * PR_SET_PDEATHSIG, if the test itself dies).
 *
 * Outage tests: yw_test_redis_kill() (SIGKILL) or yw_test_redis_stop()
 * (SIGTERM), then yw_test_redis_start_again() brings a new server up on the
 * SAME port and socket path with the same options (empty: nothing is saved,
 * unless yw_test_redis_keep_data() turned the append-only file on).
 *
 * Typical use:
 *
 *     YW_TEST_REQUIRE_STARTED(yw_test_redis_start(NULL));
 *     yw_redis_conf_t conf;
 *     yw_test_redis_conf(&conf);          // host/port (+ user/password)
 *     ...
 *     redisContext *c = yw_test_redis_ctx();   // for assertions
 *     ...
 *     yw_test_redis_cleanup();
 *
 * Waits use yw_test_deadline_ms(), so $YW_TEST_TIMEOUT_SCALE applies. */
#ifndef YW_TEST_REDIS_SERVER_H
#define YW_TEST_REDIS_SERVER_H

#include <stdbool.h>

#include <hiredis.h>

#include "redis.h"

#define YW_TEST_REDIS_MISSING (-2)   /* no redis-server binary: SKIP */

/* With opts.auth the default user needs YW_TEST_REDIS_PASSWORD
 * (--requirepass) and the ACL user YW_TEST_REDIS_USER exists with
 * YW_TEST_REDIS_USER_PASSWORD and full rights. */
#define YW_TEST_REDIS_PASSWORD      "yw-default-secret"
#define YW_TEST_REDIS_USER          "ywtest"
#define YW_TEST_REDIS_USER_PASSWORD "yw-user-secret"

typedef struct {
    bool auth;          /* --requirepass + an ACL user (see above) */
    bool unix_socket;   /* also listen on <dir>/redis.sock */
} yw_test_redis_opts_t;

/* Start the server (opts may be NULL: TCP only, no auth).  0 when it
 * answers PING; YW_TEST_REDIS_MISSING; -1 on failure (reason on stderr,
 * with the tail of the server log). */
int yw_test_redis_start(const yw_test_redis_opts_t *opts);

/* Skip the test when redis-server is not installed, else REQUIRE that
 * start (yw_test_redis_start, or a test bed's start on top of it:
 * sink_fixture.h, daemon_env.h) returned 0.  A macro: SKIP and REQUIRE
 * return from the test. */
#define YW_TEST_REQUIRE_STARTED(start)                                     \
    do {                                                                    \
        int rc_ = (start);                                                  \
        if (rc_ == YW_TEST_REDIS_MISSING)                                   \
            SKIP("redis-server not installed");                             \
        REQUIRE(rc_ == 0);                                                  \
    } while (0)

/* Same port, socket path and options as the last start.  0 or -1. */
int yw_test_redis_start_again(void);

/* From now on the server keeps its data across stop or kill and
 * start_again: the append-only file is turned on in the running server
 * (CONFIG SET; returns once its first rewrite is done) and in every
 * restart.  appendfsync everysec: what the server acknowledged has been
 * written to the file before the reply, so even SIGKILL loses none of it
 * (the page cache outlives the process; a machine crash is another
 * matter).  0 or -1. */
int yw_test_redis_keep_data(void);

/* SIGTERM / SIGKILL and reap.  Safe when not running. */
void yw_test_redis_stop(void);
void yw_test_redis_kill(void);

/* Stop it and remove its directory.  Safe to call twice. */
void yw_test_redis_cleanup(void);

bool yw_test_redis_running(void);
int yw_test_redis_port(void);
/* The unix socket path ("" unless opts.unix_socket). */
const char *yw_test_redis_socket(void);
/* The server's temporary directory. */
const char *yw_test_redis_dir(void);

/* Defaults plus this server's host and port; with auth, the ACL user and its
 * password.  The strings are static (valid until cleanup). */
void yw_test_redis_conf(yw_redis_conf_t *conf);

/* A blocking connection for assertions, authenticated as the ACL user when
 * auth is on, db 0.  Cached: do not free; reconnected after a restart.
 * NULL if the server is not reachable. */
redisContext *yw_test_redis_ctx(void);

#endif
