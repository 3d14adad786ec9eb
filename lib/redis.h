/* redis.h -- one Redis connection with an owned, ordered write queue.
 *
 * The sink formats commands and appends them here; yw_redis_flush() does all
 * network I/O: it (re)connects, authenticates, selects the db, loads the
 * registered Lua scripts, then writes queued commands pipelined and pops
 * each one only when its reply has arrived.
 *
 * Delivery rules (what callers may rely on):
 *   - yw_redis_append() copies the command; it never refuses for lack of
 *     Redis, only for lack of memory.  Each command gets a sequence number,
 *     monotonic from 1.
 *   - yw_redis_acked() is the highest seq such that it and every earlier
 *     command have been written and answered.  Offsets may be committed for
 *     effects up to that seq, never before.
 *   - On an I/O error, an I/O timeout (no progress for io_timeout_ms with
 *     replies outstanding) or a retriable error reply, the connection is
 *     closed and every unanswered command stays queued; it is re-sent after
 *     the reconnect.  Commands may therefore run twice: they must be
 *     idempotent (sink.c makes them so).
 *   - Retriable error replies: NOSCRIPT (scripts are reloaded on reconnect),
 *     LOADING, BUSY, READONLY, MASTERDOWN, TRYAGAIN, OOM, CLUSTERDOWN.  Redis being out of
 *     memory is an outage, not a reason to drop an alert: the queue fills
 *     and the daemon pauses Kafka until it clears.
 *   - Any other error reply (WRONGTYPE, ERR syntax, ...) is permanent: the
 *     same bytes would fail again forever.  It is logged at error level with
 *     the command name, counted in stats.reply_errors, and the command is
 *     popped (so acked advances past it).
 *   - Reconnects back off exponentially with jitter between
 *     retry_backoff_ms and retry_backoff_max_ms.  A flush during the backoff
 *     returns at once; flush never waits longer than its timeout.
 *   - Handshake rejections (AUTH, SELECT or SCRIPT LOAD answered with an
 *     error) are configuration problems: flush logs them at error level
 *     (once per distinct message) and returns YW_REDIS_ESETUP, but keeps
 *     the queue and keeps retrying with backoff, because an operator can fix
 *     an ACL or password on the server side without restarting us.  The
 *     daemon does so at start-up too: it logs the rejection and waits.
 *
 * Not thread-safe: one owner thread calls everything. */
#ifndef YW_REDIS_H
#define YW_REDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis.h>

#include "config.h"

typedef struct {
    const char *host;              /* default "127.0.0.1" */
    int port;                      /* default 6379 */
    const char *unix_socket;       /* wins over host/port when non-empty */
    const char *user;              /* ACL user; NULL/"" = AUTH <password> */
    const char *password;          /* NULL/"" = no AUTH */
    int db;                        /* SELECT when != 0 */
    int connect_timeout_ms;        /* per connection attempt (default 2000) */
    int io_timeout_ms;             /* no reply progress -> reconnect (default 10000) */
    int retry_backoff_ms;          /* first retry delay (default 100) */
    int retry_backoff_max_ms;      /* cap (default 5000) */
    int pipeline_depth;            /* commands in flight (default 256) */
    size_t queue_max;              /* yw_redis_full() threshold (default 100000) */
} yw_redis_conf_t;

typedef struct yw_redis yw_redis_t;

typedef struct {
    uint64_t appended;             /* commands accepted by append */
    uint64_t written;              /* commands answered (popped), incl. errors */
    uint64_t reply_errors;         /* permanent error replies (command dropped) */
    uint64_t retriable_errors;     /* retriable error replies (command kept) */
    uint64_t reconnects;           /* successful connects after a loss/failure */
    uint64_t connect_failures;     /* failed connect or handshake attempts */
    uint64_t queue_high_water;     /* most commands ever queued at once */
} yw_redis_stats_t;

/* Flush result codes (besides 0 = queue empty, 1 = commands remain). */
#define YW_REDIS_ESETUP (-1)       /* handshake rejected; still retrying */

/* Fill conf with the defaults above. */
void yw_redis_conf_defaults(yw_redis_conf_t *conf);
/* Defaults, then the redis_* fields of cfg.  The strings point into cfg, so
 * cfg must outlive conf (yw_redis_create copies them). */
void yw_redis_conf_from_config(const yw_config_t *cfg, yw_redis_conf_t *conf);

/* Does not connect (Redis need not be up); the first flush does.  Copies
 * conf.  NULL with a message in errbuf on bad conf or ENOMEM. */
yw_redis_t *yw_redis_create(const yw_redis_conf_t *conf, char *errbuf,
                            size_t errlen);
/* Closes the connection and frees queued commands (unsent ones are lost:
 * flush until yw_redis_pending() is 0 first).  NULL is a no-op. */
void yw_redis_destroy(yw_redis_t *r);

/* Register a Lua script: its SHA1 (computed locally) goes to sha_out and it
 * is SCRIPT LOADed on every (re)connect before any queued command is sent,
 * so EVALSHA <sha> appended at any time is safe.  Registering a script
 * forces a reconnect if connected.  0 or -1 (ENOMEM). */
int yw_redis_script(yw_redis_t *r, const char *lua, char sha_out[41]);

/* Format (redisFormatCommandArgv) and copy one command into the queue.
 * argvlen may be NULL (then strlen is used).  Returns its sequence number
 * (>= 1), or 0 on failure (ENOMEM / bad arguments). */
uint64_t yw_redis_append(yw_redis_t *r, int argc, const char **argv,
                         const size_t *argvlen);

/* Do I/O for at most timeout_ms (0 = only what needs no waiting).  Returns
 * 0 when the queue is empty, 1 when commands remain (not connected, in
 * backoff, or out of time), YW_REDIS_ESETUP (see above). */
int yw_redis_flush(yw_redis_t *r, int timeout_ms);

uint64_t yw_redis_acked(const yw_redis_t *r);
/* Commands appended and not yet answered. */
size_t yw_redis_pending(const yw_redis_t *r);
/* pending >= queue_max: the caller should stop producing (pause Kafka). */
bool yw_redis_full(const yw_redis_t *r);
bool yw_redis_connected(const yw_redis_t *r);
/* While disconnected: ms until the next connect attempt is due (0 = the
 * next flush tries).  0 when connected.  Flush returns at once during the
 * backoff, so a caller that loops on flush should wait on its other work
 * (e.g. poll Kafka) for this long rather than spin. */
int yw_redis_retry_in_ms(const yw_redis_t *r);
void yw_redis_stats(const yw_redis_t *r, yw_redis_stats_t *st);
/* Last connection or reply error text ("" when none). */
const char *yw_redis_last_error(const yw_redis_t *r);
/* "127.0.0.1:6379" or "unix:/path" (for logs and ywctl). */
const char *yw_redis_endpoint(const yw_redis_t *r);

/* Synchronous helper for tools and tests: a blocking context, connected,
 * authenticated and with the db selected (timeouts: connect_timeout_ms for
 * connect, io_timeout_ms for commands).  NULL with a message on failure.
 * Free with redisFree(). */
redisContext *yw_redis_connect_sync(const yw_redis_conf_t *conf, char *err,
                                    size_t errlen);

#endif
