/* redis.c -- one Redis connection and its ordered write queue (redis.h).
 *
 * hiredis 0.14 is used for what it is good at -- connecting (TCP or unix
 * socket), formatting commands and parsing replies -- while the queue, the
 * pipelining and the timeouts are ours: the context is non-blocking and all
 * waiting happens in one poll() bounded by the caller's timeout, so a flush
 * never sleeps past it, and a reconnect never blocks the daemon's loop.
 *
 * Queue: a ring of formatted commands.  From the head, `nsent` commands have
 * been fully written and await replies (in order: Redis answers in order),
 * followed by at most one partially written command (`woff` bytes out).
 * A reply pops the head.  Losing the connection just resets nsent and woff:
 * everything unanswered is re-sent, from the first byte, after reconnect. */
#include "redis.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "clock.h"
#include "log.h"

#define LOG_TAG "redis"
#define IOV_BATCH 64

typedef struct {
    uint64_t seq;
    char *buf;
    size_t len;
} rd_cmd_t;

typedef enum {
    RD_DISCONNECTED = 0,
    RD_CONNECTING,     /* non-blocking connect in progress */
    RD_HANDSHAKE,      /* AUTH/SELECT/SCRIPT LOAD sent, awaiting replies */
    RD_READY
} rd_state_t;

typedef enum { HS_AUTH, HS_SELECT, HS_SCRIPT } hs_kind_t;

struct yw_redis {
    yw_redis_conf_t conf;          /* strings below are owned copies */
    char *host, *unix_socket, *user, *password;
    char endpoint[300];

    rd_cmd_t *q;
    size_t qcap, qhead, qcount;
    size_t nsent, woff;
    uint64_t next_seq;

    char **scripts;
    size_t nscripts;

    redisContext *c;
    rd_state_t state;
    int64_t connect_deadline;
    int64_t last_progress;

    char *hs_buf;                  /* the whole handshake, pipelined */
    size_t hs_len, hs_off;
    hs_kind_t *hs_kinds;
    size_t hs_count, hs_done;

    int64_t next_attempt;          /* monotonic ms; 0 = now */
    int failures;                  /* consecutive, for the backoff */
    int attempts;                  /* connect attempts since the outage began */
    bool ever_connected;
    bool outage_logged;            /* the outage's warn line has been written */
    bool setup_failing;            /* the last handshake was rejected */
    bool retriable_logged;         /* one warn per connection, not per reply */
    char setup_err_logged[256];

    uint64_t rng;
    yw_redis_stats_t st;
    char last_err[256];
};

static uint64_t rd_rand(yw_redis_t *r)
{
    /* xorshift64: jitter only needs to decorrelate instances. */
    uint64_t x = r->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    r->rng = x;
    return x;
}

static char *rd_strdup(const char *s)
{
    return strdup(s ? s : "");
}

void yw_redis_conf_defaults(yw_redis_conf_t *conf)
{
    memset(conf, 0, sizeof *conf);
    conf->host = "127.0.0.1";
    conf->port = 6379;
    conf->connect_timeout_ms = 2000;
    conf->io_timeout_ms = 10000;
    conf->retry_backoff_ms = 100;
    conf->retry_backoff_max_ms = 5000;
    conf->pipeline_depth = 256;
    conf->queue_max = 100000;
}

void yw_redis_conf_from_config(const yw_config_t *cfg, yw_redis_conf_t *conf)
{
    yw_redis_conf_defaults(conf);
    if (!cfg)
        return;
    if (cfg->redis_host && *cfg->redis_host)
        conf->host = cfg->redis_host;
    if (cfg->redis_port > 0)
        conf->port = (int)cfg->redis_port;
    conf->unix_socket = cfg->redis_unix_socket;
    conf->user = cfg->redis_user;
    conf->password = cfg->redis_password;
    conf->db = (int)cfg->redis_db;
    if (cfg->redis_connect_timeout_ms > 0)
        conf->connect_timeout_ms = (int)cfg->redis_connect_timeout_ms;
    if (cfg->redis_retry_backoff_ms > 0)
        conf->retry_backoff_ms = (int)cfg->redis_retry_backoff_ms;
    if (cfg->redis_retry_backoff_max_ms > 0)
        conf->retry_backoff_max_ms = (int)cfg->redis_retry_backoff_max_ms;
    if (cfg->redis_pipeline_depth > 0)
        conf->pipeline_depth = (int)cfg->redis_pipeline_depth;
    if (cfg->redis_queue_max > 0)
        conf->queue_max = (size_t)cfg->redis_queue_max;
    /* No config key for the I/O timeout: a reply that takes 5x the connect
     * timeout (at least 10 s) means a hung server. */
    int io = conf->connect_timeout_ms * 5;
    conf->io_timeout_ms = io > 10000 ? io : 10000;
}

yw_redis_t *yw_redis_create(const yw_redis_conf_t *conf, char *errbuf,
                            size_t errlen)
{
    yw_redis_conf_t def;
    if (!conf) {
        yw_redis_conf_defaults(&def);
        conf = &def;
    }
    bool use_unix = conf->unix_socket && *conf->unix_socket;
    if (!use_unix && (conf->port <= 0 || conf->port > 65535)) {
        snprintf(errbuf, errlen, "redis: port %d out of range 1..65535",
                 conf->port);
        return NULL;
    }
    if (conf->db < 0) {
        snprintf(errbuf, errlen, "redis: db %d must be >= 0", conf->db);
        return NULL;
    }

    yw_redis_t *r = calloc(1, sizeof *r);
    if (!r)
        goto fail;
    r->conf = *conf;
    r->host = rd_strdup(conf->host && *conf->host ? conf->host : "127.0.0.1");
    r->unix_socket = rd_strdup(conf->unix_socket);
    r->user = rd_strdup(conf->user);
    r->password = rd_strdup(conf->password);
    if (!r->host || !r->unix_socket || !r->user || !r->password)
        goto fail;
    r->conf.host = r->host;
    r->conf.unix_socket = r->unix_socket;
    r->conf.user = r->user;
    r->conf.password = r->password;
    if (r->conf.connect_timeout_ms <= 0) r->conf.connect_timeout_ms = 2000;
    if (r->conf.io_timeout_ms <= 0) r->conf.io_timeout_ms = 10000;
    if (r->conf.retry_backoff_ms <= 0) r->conf.retry_backoff_ms = 100;
    if (r->conf.retry_backoff_max_ms < r->conf.retry_backoff_ms)
        r->conf.retry_backoff_max_ms = r->conf.retry_backoff_ms;
    if (r->conf.pipeline_depth <= 0) r->conf.pipeline_depth = 256;
    if (r->conf.queue_max == 0) r->conf.queue_max = 100000;

    if (use_unix)
        snprintf(r->endpoint, sizeof r->endpoint, "unix:%s", r->unix_socket);
    else
        snprintf(r->endpoint, sizeof r->endpoint, "%s:%d", r->host,
                 r->conf.port);
    r->next_seq = 1;
    r->rng = (uint64_t)yw_mono_ms() ^ ((uint64_t)getpid() << 32) ^
             (uint64_t)(uintptr_t)r;
    if (!r->rng)
        r->rng = 0x9e3779b97f4a7c15ull;
    return r;

fail:
    snprintf(errbuf, errlen, "redis: out of memory");
    yw_redis_destroy(r);
    return NULL;
}

static void rd_hs_clear(yw_redis_t *r)
{
    free(r->hs_buf);
    free(r->hs_kinds);
    r->hs_buf = NULL;
    r->hs_kinds = NULL;
    r->hs_len = r->hs_off = r->hs_count = r->hs_done = 0;
}

static void rd_close(yw_redis_t *r)
{
    if (r->c)
        redisFree(r->c);
    r->c = NULL;
    r->state = RD_DISCONNECTED;
    r->nsent = 0;
    r->woff = 0;
    rd_hs_clear(r);
}

void yw_redis_destroy(yw_redis_t *r)
{
    if (!r)
        return;
    rd_close(r);
    for (size_t i = 0; i < r->qcount; i++)
        free(r->q[(r->qhead + i) % r->qcap].buf);
    free(r->q);
    for (size_t i = 0; i < r->nscripts; i++)
        free(r->scripts[i]);
    free(r->scripts);
    free(r->host);
    free(r->unix_socket);
    free(r->user);
    if (r->password) {
        /* Do not leave the secret in freed heap memory. */
        volatile char *p = r->password;
        while (*p)
            *p++ = '\0';
    }
    free(r->password);
    free(r);
}

/* ---- queue --------------------------------------------------------------- */

static rd_cmd_t *rd_at(yw_redis_t *r, size_t i)
{
    return &r->q[(r->qhead + i) % r->qcap];
}

static int rd_push(yw_redis_t *r, char *buf, size_t len, uint64_t *seq)
{
    if (r->qcount == r->qcap) {
        size_t ncap = r->qcap ? r->qcap * 2 : 1024;
        rd_cmd_t *nq = malloc(ncap * sizeof *nq);
        if (!nq)
            return -1;
        /* Unwrap the ring into the new array. */
        for (size_t i = 0; i < r->qcount; i++)
            nq[i] = *rd_at(r, i);
        free(r->q);
        r->q = nq;
        r->qcap = ncap;
        r->qhead = 0;
    }
    rd_cmd_t *cmd = &r->q[(r->qhead + r->qcount) % r->qcap];
    cmd->seq = r->next_seq++;
    cmd->buf = buf;
    cmd->len = len;
    r->qcount++;
    r->st.appended++;
    if (r->qcount > r->st.queue_high_water)
        r->st.queue_high_water = r->qcount;
    *seq = cmd->seq;
    return 0;
}

static void rd_pop(yw_redis_t *r)
{
    rd_cmd_t *cmd = rd_at(r, 0);
    free(cmd->buf);
    cmd->buf = NULL;
    r->qhead = (r->qhead + 1) % r->qcap;
    r->qcount--;
    r->nsent--;
    r->st.written++;
}

uint64_t yw_redis_append(yw_redis_t *r, int argc, const char **argv,
                         const size_t *argvlen)
{
    if (!r || argc <= 0 || !argv)
        return 0;
    char *buf = NULL;
    int n = redisFormatCommandArgv(&buf, argc, argv, argvlen);
    if (n <= 0 || !buf) {
        free(buf);
        return 0;
    }
    /* redisFormatCommandArgv allocates with hiredis' allocator, which is
     * malloc in 0.14 (redisFreeCommand is free()). */
    uint64_t seq = 0;
    if (rd_push(r, buf, (size_t)n, &seq) != 0) {
        redisFreeCommand(buf);
        return 0;
    }
    return seq;
}

uint64_t yw_redis_acked(const yw_redis_t *r)
{
    if (r->qcount == 0)
        return r->next_seq - 1;
    return r->q[r->qhead].seq - 1;
}

size_t yw_redis_pending(const yw_redis_t *r)
{
    return r->qcount;
}

bool yw_redis_full(const yw_redis_t *r)
{
    return r->qcount >= r->conf.queue_max;
}

bool yw_redis_connected(const yw_redis_t *r)
{
    return r->state == RD_READY;
}

int yw_redis_retry_in_ms(const yw_redis_t *r)
{
    if (r->state != RD_DISCONNECTED)
        return 0;
    int64_t d = r->next_attempt - yw_mono_ms();
    return d > 0 ? (int)d : 0;
}

void yw_redis_stats(const yw_redis_t *r, yw_redis_stats_t *st)
{
    *st = r->st;
}

const char *yw_redis_last_error(const yw_redis_t *r)
{
    return r->last_err;
}

const char *yw_redis_endpoint(const yw_redis_t *r)
{
    return r->endpoint;
}

/* ---- scripts ------------------------------------------------------------- */

static void rd_sha1_hex(const char *s, size_t len, char out[41])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(s, len, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20)
        memset(md, 0, 20);
    for (int i = 0; i < 20; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[40] = '\0';
}

int yw_redis_script(yw_redis_t *r, const char *lua, char sha_out[41])
{
    rd_sha1_hex(lua, strlen(lua), sha_out);
    for (size_t i = 0; i < r->nscripts; i++)
        if (strcmp(r->scripts[i], lua) == 0)
            return 0;
    char **ns = realloc(r->scripts, (r->nscripts + 1) * sizeof *ns);
    if (!ns)
        return -1;
    r->scripts = ns;
    if (!(ns[r->nscripts] = strdup(lua)))
        return -1;
    r->nscripts++;
    /* A connection past its handshake has not loaded this script: load it
     * through the queue, which orders it before any EVALSHA appended after
     * this call.  Later connects load it in the handshake. */
    if (r->state == RD_HANDSHAKE || r->state == RD_READY) {
        const char *argv[3] = { "SCRIPT", "LOAD", lua };
        if (yw_redis_append(r, 3, argv, NULL) == 0)
            return -1;
    }
    return 0;
}

/* ---- connection ---------------------------------------------------------- */

static int64_t rd_backoff_ms(yw_redis_t *r)
{
    int64_t d = r->conf.retry_backoff_ms;
    for (int i = 1; i < r->failures && d < r->conf.retry_backoff_max_ms; i++)
        d *= 2;
    if (d > r->conf.retry_backoff_max_ms)
        d = r->conf.retry_backoff_max_ms;
    /* "Equal jitter": between d/2 and d, so many daemons restarted together
     * do not reconnect in lock-step, yet the delay still grows. */
    int64_t half = d / 2;
    return half + (int64_t)(rd_rand(r) % (uint64_t)(d - half + 1));
}

static void rd_schedule_retry(yw_redis_t *r)
{
    r->failures++;
    r->next_attempt = yw_mono_ms() + rd_backoff_ms(r);
}

/* A connection that was READY went away. */
static void rd_lost(yw_redis_t *r, const char *why)
{
    snprintf(r->last_err, sizeof r->last_err, "%s", why);
    bool was_ready = r->state == RD_READY;
    rd_close(r);
    if (was_ready) {
        yw_log_warn(LOG_TAG, "connection lost: %s; %zu commands queued, "
                    "reconnecting with backoff", why, r->qcount);
        r->outage_logged = true;
        r->attempts = 0;
    }
    rd_schedule_retry(r);
}

static void rd_connect_failed(yw_redis_t *r, const char *why)
{
    snprintf(r->last_err, sizeof r->last_err, "%s", why);
    rd_close(r);
    r->st.connect_failures++;
    if (!r->outage_logged) {
        yw_log_warn(LOG_TAG, "cannot connect to %s: %s; retrying with backoff",
                    r->endpoint, why);
        r->outage_logged = true;
    } else {
        yw_log_debug(LOG_TAG, "connect attempt %d to %s failed: %s",
                     r->attempts, r->endpoint, why);
    }
    rd_schedule_retry(r);
}

static void rd_setup_failed(yw_redis_t *r, const char *what, const char *why)
{
    char msg[256];
    snprintf(msg, sizeof msg, "%s rejected: %s", what, why);
    snprintf(r->last_err, sizeof r->last_err, "%s", msg);
    rd_close(r);
    r->st.connect_failures++;
    r->setup_failing = true;
    r->outage_logged = true;
    /* A misconfiguration repeats on every attempt: say it loudly once. */
    if (strcmp(msg, r->setup_err_logged) != 0) {
        yw_log_error(LOG_TAG, "%s: %s; check the redis settings (still "
                     "retrying, nothing is dropped)", r->endpoint, msg);
        snprintf(r->setup_err_logged, sizeof r->setup_err_logged, "%s", msg);
    } else {
        yw_log_debug(LOG_TAG, "%s: %s", r->endpoint, msg);
    }
    rd_schedule_retry(r);
}

static int rd_hs_add(yw_redis_t *r, hs_kind_t kind, int argc, const char **argv)
{
    char *cmd = NULL;
    int n = redisFormatCommandArgv(&cmd, argc, argv, NULL);
    if (n <= 0)
        return -1;
    char *nb = realloc(r->hs_buf, r->hs_len + (size_t)n);
    hs_kind_t *nk = realloc(r->hs_kinds, (r->hs_count + 1) * sizeof *nk);
    if (nb)
        r->hs_buf = nb;
    if (nk)
        r->hs_kinds = nk;
    if (!nb || !nk) {
        redisFreeCommand(cmd);
        return -1;
    }
    memcpy(r->hs_buf + r->hs_len, cmd, (size_t)n);
    r->hs_len += (size_t)n;
    r->hs_kinds[r->hs_count++] = kind;
    redisFreeCommand(cmd);
    return 0;
}

static void rd_ready(yw_redis_t *r)
{
    rd_hs_clear(r);
    r->state = RD_READY;
    r->setup_failing = false;
    r->setup_err_logged[0] = '\0';
    r->retriable_logged = false;
    r->last_progress = yw_mono_ms();
    if (!r->ever_connected) {
        if (r->attempts > 1)
            yw_log_info(LOG_TAG, "connected to %s after %d attempts",
                        r->endpoint, r->attempts);
        else
            yw_log_info(LOG_TAG, "connected to %s", r->endpoint);
    } else {
        r->st.reconnects++;
        yw_log_info(LOG_TAG, "reconnected to %s after %d attempt%s; %zu "
                    "commands to re-send", r->endpoint, r->attempts,
                    r->attempts == 1 ? "" : "s", r->qcount);
    }
    r->ever_connected = true;
    r->outage_logged = false;
    r->attempts = 0;
}

/* The TCP/unix connection is up: send AUTH, SELECT and SCRIPT LOADs in one
 * pipelined write.  Queued commands wait for all of their replies, because
 * a command pipelined behind a failed AUTH would be answered NOAUTH. */
static void rd_begin_handshake(yw_redis_t *r)
{
    char db[16];
    int rc = 0;
    r->state = RD_HANDSHAKE;
    r->last_progress = yw_mono_ms();
    if (*r->password) {
        if (*r->user) {
            const char *argv[3] = { "AUTH", r->user, r->password };
            rc |= rd_hs_add(r, HS_AUTH, 3, argv);
        } else {
            const char *argv[2] = { "AUTH", r->password };
            rc |= rd_hs_add(r, HS_AUTH, 2, argv);
        }
    }
    if (r->conf.db != 0) {
        snprintf(db, sizeof db, "%d", r->conf.db);
        const char *argv[2] = { "SELECT", db };
        rc |= rd_hs_add(r, HS_SELECT, 2, argv);
    }
    for (size_t i = 0; i < r->nscripts; i++) {
        const char *argv[3] = { "SCRIPT", "LOAD", r->scripts[i] };
        rc |= rd_hs_add(r, HS_SCRIPT, 3, argv);
    }
    if (rc != 0) {
        rd_connect_failed(r, "out of memory building the handshake");
        return;
    }
    if (r->hs_count == 0)
        rd_ready(r);
}

static void rd_start_connect(yw_redis_t *r)
{
    r->attempts++;
    if (*r->unix_socket)
        r->c = redisConnectUnixNonBlock(r->unix_socket);
    else
        r->c = redisConnectNonBlock(r->host, r->conf.port);
    if (!r->c) {
        rd_connect_failed(r, "out of memory");
        return;
    }
    if (r->c->err) {
        char why[200];
        snprintf(why, sizeof why, "%s", r->c->errstr);
        rd_connect_failed(r, why);
        return;
    }
    r->state = RD_CONNECTING;
    r->connect_deadline = yw_mono_ms() + r->conf.connect_timeout_ms;
}

/* poll() said the connecting socket is writable: did connect() succeed? */
static void rd_finish_connect(yw_redis_t *r)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(r->c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err) {
        rd_connect_failed(r, strerror(err));
        return;
    }
    rd_begin_handshake(r);
}

/* ---- I/O ----------------------------------------------------------------- */

/* Bytes still to write exist and the pipeline has room. */
static bool rd_want_write(const yw_redis_t *r)
{
    if (r->state == RD_HANDSHAKE)
        return r->hs_off < r->hs_len;
    if (r->state == RD_READY)
        return r->nsent < r->qcount &&
               r->nsent < (size_t)r->conf.pipeline_depth;
    return false;
}

/* Write as much as the socket takes.  0 or -1 (connection lost). */
static int rd_write(yw_redis_t *r)
{
    while (rd_want_write(r)) {
        struct iovec iov[IOV_BATCH];
        int niov = 0;
        if (r->state == RD_HANDSHAKE) {
            iov[0].iov_base = r->hs_buf + r->hs_off;
            iov[0].iov_len = r->hs_len - r->hs_off;
            niov = 1;
        } else {
            size_t room = (size_t)r->conf.pipeline_depth - r->nsent;
            for (size_t i = r->nsent; i < r->qcount && niov < IOV_BATCH &&
                                      (size_t)niov < room; i++) {
                rd_cmd_t *cmd = rd_at(r, i);
                size_t off = i == r->nsent ? r->woff : 0;
                iov[niov].iov_base = cmd->buf + off;
                iov[niov].iov_len = cmd->len - off;
                niov++;
            }
        }
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = iov;
        msg.msg_iovlen = (size_t)niov;
        /* MSG_NOSIGNAL: a peer that vanished must be an error, not SIGPIPE. */
        ssize_t n = sendmsg(r->c->fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            char why[200];
            snprintf(why, sizeof why, "write: %s", strerror(errno));
            if (r->state == RD_HANDSHAKE)
                rd_connect_failed(r, why);
            else
                rd_lost(r, why);
            return -1;
        }
        size_t left = (size_t)n;
        if (r->state == RD_HANDSHAKE) {
            r->hs_off += left;
            continue;
        }
        if (r->nsent == 0 && left > 0)
            r->last_progress = yw_mono_ms();   /* the reply clock starts now */
        while (left > 0) {
            rd_cmd_t *cmd = rd_at(r, r->nsent);
            size_t rest = cmd->len - r->woff;
            if (left >= rest) {
                left -= rest;
                r->woff = 0;
                r->nsent++;
            } else {
                r->woff += left;
                left = 0;
            }
        }
    }
    return 0;
}

/* The command name of a formatted command ("*3\r\n$7\r\nEVALSHA\r\n..."),
 * for error logs: never its arguments, which may carry alert text. */
static void rd_cmd_name(const rd_cmd_t *cmd, char *out, size_t outlen)
{
    snprintf(out, outlen, "?");
    const char *p = memchr(cmd->buf, '$', cmd->len);
    if (!p)
        return;
    long n = strtol(p + 1, NULL, 10);
    const char *nl = memchr(p, '\n', cmd->len - (size_t)(p - cmd->buf));
    if (!nl || n <= 0 || (size_t)(nl + 1 - cmd->buf) + (size_t)n > cmd->len)
        return;
    snprintf(out, outlen, "%.*s", (int)(n < (long)outlen - 1 ? n : (long)outlen - 1),
             nl + 1);
}

static bool rd_retriable_error(const char *s)
{
    static const char *const prefixes[] = {
        "NOSCRIPT", "LOADING", "BUSY", "READONLY", "MASTERDOWN", "TRYAGAIN",
        "OOM", "CLUSTERDOWN"
    };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(s, prefixes[i], n) == 0 && (s[n] == ' ' || s[n] == '\0'))
            return true;
    }
    return false;
}

/* One reply during the handshake.  0, or -1 when the connection closed. */
static int rd_hs_reply(yw_redis_t *r, redisReply *reply)
{
    static const char *const names[] = { "AUTH", "SELECT", "SCRIPT LOAD" };
    hs_kind_t kind = r->hs_kinds[r->hs_done++];
    if (reply->type == REDIS_REPLY_ERROR) {
        char why[200];
        snprintf(why, sizeof why, "%.180s", reply->str ? reply->str : "");
        /* LOADING while Redis reads its dataset is an outage, not a config
         * error. */
        if (rd_retriable_error(why))
            rd_connect_failed(r, why);
        else
            rd_setup_failed(r, names[kind], why);
        return -1;
    }
    if (r->hs_done == r->hs_count)
        rd_ready(r);
    return 0;
}

/* One reply to a queued command.  0, or -1 when the connection closed. */
static int rd_cmd_reply(yw_redis_t *r, redisReply *reply)
{
    if (r->nsent == 0) {
        rd_lost(r, "reply with no command outstanding (protocol desync)");
        return -1;
    }
    r->failures = 0;      /* a real answer: the outage is over */
    if (reply->type == REDIS_REPLY_ERROR) {
        char name[32];
        const char *s = reply->str ? reply->str : "";
        rd_cmd_name(rd_at(r, 0), name, sizeof name);
        if (rd_retriable_error(s)) {
            char why[240];
            r->st.retriable_errors++;
            snprintf(why, sizeof why, "%s answered %.180s", name, s);
            if (!r->retriable_logged)
                yw_log_warn(LOG_TAG, "%s; will retry", why);
            r->retriable_logged = true;
            r->failures = 1;
            rd_lost(r, why);
            return -1;
        }
        r->st.reply_errors++;
        snprintf(r->last_err, sizeof r->last_err, "%s: %.200s", name, s);
        yw_log_error(LOG_TAG, "%s failed permanently: %.200s (command "
                     "dropped, seq %llu)", name, s,
                     (unsigned long long)rd_at(r, 0)->seq);
    }
    rd_pop(r);
    return 0;
}

/* Read what is available and consume complete replies.  0 or -1. */
static int rd_read(yw_redis_t *r)
{
    if (redisBufferRead(r->c) != REDIS_OK) {
        char why[200];
        snprintf(why, sizeof why, "%s",
                 r->c->errstr[0] ? r->c->errstr : "read error");
        if (r->state == RD_HANDSHAKE)
            rd_connect_failed(r, why);
        else
            rd_lost(r, why);
        return -1;
    }
    for (;;) {
        void *p = NULL;
        if (redisGetReplyFromReader(r->c, &p) != REDIS_OK) {
            char why[200];
            snprintf(why, sizeof why, "protocol error: %s", r->c->errstr);
            rd_lost(r, why);
            return -1;
        }
        if (!p)
            return 0;
        redisReply *reply = p;
        r->last_progress = yw_mono_ms();
        int rc = r->state == RD_HANDSHAKE ? rd_hs_reply(r, reply)
                                          : rd_cmd_reply(r, reply);
        freeReplyObject(reply);
        if (rc != 0)
            return -1;
    }
}

static int rd_result(const yw_redis_t *r)
{
    if (r->setup_failing)
        return YW_REDIS_ESETUP;
    return r->qcount ? 1 : 0;
}

int yw_redis_flush(yw_redis_t *r, int timeout_ms)
{
    int64_t deadline = yw_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);

    for (;;) {
        int64_t now = yw_mono_ms();

        if (r->state == RD_DISCONNECTED) {
            if (now < r->next_attempt)
                return rd_result(r);       /* in backoff: no waiting here */
            rd_start_connect(r);
            continue;
        }

        if (r->state == RD_READY && r->qcount == 0)
            return 0;

        if ((r->state == RD_HANDSHAKE || r->state == RD_READY) &&
            rd_write(r) != 0)
            continue;

        /* Wait for the socket, at most until our deadline or the
         * connection's own deadline, whichever is first. */
        struct pollfd pfd = { .fd = r->c->fd, .events = POLLIN };
        int64_t until = deadline;
        if (r->state == RD_CONNECTING) {
            pfd.events = POLLOUT;
            if (r->connect_deadline < until)
                until = r->connect_deadline;
        } else {
            if (rd_want_write(r))
                pfd.events |= POLLOUT;
            int64_t io_deadline = r->last_progress + r->conf.io_timeout_ms;
            bool waiting = r->state == RD_HANDSHAKE || r->nsent > 0 ||
                           r->woff > 0;
            if (waiting && io_deadline < until)
                until = io_deadline;
        }
        int wait = until > now ? (int)(until - now) : 0;
        int n = poll(&pfd, 1, wait);
        if (n < 0 && errno != EINTR) {
            char why[200];
            snprintf(why, sizeof why, "poll: %s", strerror(errno));
            rd_lost(r, why);
            continue;
        }
        now = yw_mono_ms();

        if (n <= 0) {
            if (r->state == RD_CONNECTING && now >= r->connect_deadline) {
                rd_connect_failed(r, "connect timed out");
                continue;
            }
            if (r->state == RD_HANDSHAKE &&
                now >= r->last_progress + r->conf.io_timeout_ms) {
                rd_connect_failed(r, "handshake timed out");
                continue;
            }
            if (r->state == RD_READY && (r->nsent > 0 || r->woff > 0) &&
                now >= r->last_progress + r->conf.io_timeout_ms) {
                rd_lost(r, "no reply within the I/O timeout");
                continue;
            }
            if (now >= deadline)
                return rd_result(r);
            continue;
        }

        if (r->state == RD_CONNECTING) {
            rd_finish_connect(r);
            continue;
        }
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
            if (rd_read(r) != 0)
                continue;
        }
        if (now >= deadline)
            return rd_result(r);
    }
}

/* ---- synchronous helper -------------------------------------------------- */

redisContext *yw_redis_connect_sync(const yw_redis_conf_t *conf, char *err,
                                    size_t errlen)
{
    yw_redis_conf_t def;
    if (!conf) {
        yw_redis_conf_defaults(&def);
        conf = &def;
    }
    int cto = conf->connect_timeout_ms > 0 ? conf->connect_timeout_ms : 2000;
    int ito = conf->io_timeout_ms > 0 ? conf->io_timeout_ms : 10000;
    struct timeval tv = { cto / 1000, (cto % 1000) * 1000 };
    redisContext *c;
    if (conf->unix_socket && *conf->unix_socket)
        c = redisConnectUnixWithTimeout(conf->unix_socket, tv);
    else
        c = redisConnectWithTimeout(conf->host && *conf->host ? conf->host
                                                               : "127.0.0.1",
                                    conf->port > 0 ? conf->port : 6379, tv);
    if (!c || c->err) {
        snprintf(err, errlen, "connect: %s", c ? c->errstr : "out of memory");
        goto fail;
    }
    struct timeval iotv = { ito / 1000, (ito % 1000) * 1000 };
    redisSetTimeout(c, iotv);

    redisReply *reply = NULL;
    const char *what = NULL;
    if (conf->password && *conf->password) {
        what = "AUTH";
        if (conf->user && *conf->user) {
            const char *argv[3] = { "AUTH", conf->user, conf->password };
            reply = redisCommandArgv(c, 3, argv, NULL);
        } else {
            const char *argv[2] = { "AUTH", conf->password };
            reply = redisCommandArgv(c, 2, argv, NULL);
        }
        if (!reply || reply->type == REDIS_REPLY_ERROR)
            goto reply_fail;
        freeReplyObject(reply);
    }
    if (conf->db != 0) {
        char db[16];
        snprintf(db, sizeof db, "%d", conf->db);
        const char *argv[2] = { "SELECT", db };
        what = "SELECT";
        reply = redisCommandArgv(c, 2, argv, NULL);
        if (!reply || reply->type == REDIS_REPLY_ERROR)
            goto reply_fail;
        freeReplyObject(reply);
    }
    return c;

reply_fail:
    snprintf(err, errlen, "%s: %s", what,
             reply ? (reply->str ? reply->str : "error") : c->errstr);
    if (reply)
        freeReplyObject(reply);
fail:
    if (c)
        redisFree(c);
    return NULL;
}
