/* redis_server.c -- start/stop a real redis-server for tests (redis_server.h).
 *
 * The server is a plain child process (fork + exec, no daemonize) so the
 * test owns its lifetime: SIGTERM/SIGKILL by pid, reaped with waitpid.
 * Readiness is "answers PING", polled with a deadline, never a fixed sleep. */
#include "redis_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "yw_test.h"

static struct {
    pid_t pid;
    int port;
    char *dir;
    char sock[256];
    yw_test_redis_opts_t opts;
    bool keep_data;          /* append-only file on (yw_test_redis_keep_data) */
    bool atexit_done;
    redisContext *ctx;
} srv;

static const char *find_binary(void)
{
    static char path[1024];
    const char *env = getenv("YW_REDIS_SERVER");
    if (env && *env)
        return access(env, X_OK) == 0 ? env : NULL;
    const char *p = getenv("PATH");
    while (p && *p) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        snprintf(path, sizeof path, "%.*s/redis-server", (int)n, p);
        if (n && access(path, X_OK) == 0)
            return path;
        p = end ? end + 1 : NULL;
    }
    return access("/usr/bin/redis-server", X_OK) == 0 ? "/usr/bin/redis-server"
                                                       : NULL;
}

/* Ask the kernel for a free port: bind port 0, read it back, close.  The
 * small race (another process taking it before redis binds) is acceptable
 * for tests. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

static void print_log_tail(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/redis.log", srv.dir);
    size_t len = 0;
    char *log = yw_test_read_file(path, &len);
    if (!log)
        return;
    const char *tail = len > 2000 ? log + len - 2000 : log;
    fprintf(stderr, "---- redis.log (tail) ----\n%s\n----\n", tail);
    free(log);
}

static void drop_ctx(void)
{
    if (srv.ctx)
        redisFree(srv.ctx);
    srv.ctx = NULL;
}

static void reap(int sig)
{
    if (srv.pid <= 0)
        return;
    kill(srv.pid, sig);
    int status;
    while (waitpid(srv.pid, &status, 0) < 0 && errno == EINTR)
        ;
    srv.pid = 0;
}

void yw_test_redis_stop(void)
{
    drop_ctx();
    reap(SIGTERM);
}

void yw_test_redis_kill(void)
{
    drop_ctx();
    reap(SIGKILL);
}

static void rm_rf_dir(const char *dir)
{
    /* Only files redis and we create live here: a flat directory, and the
     * append-only files' own directory (yw_test_redis_keep_data). */
    static const char *const names[] = { "redis.log", "redis.sock",
                                         "dump.rdb", "temp.rdb" };
    char path[512];
    snprintf(path, sizeof path, "%s/appendonlydir", dir);
    DIR *d = opendir(path);
    for (struct dirent *e; d && (e = readdir(d));) {
        char file[800];
        if (e->d_name[0] == '.')
            continue;
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        unlink(file);
    }
    if (d) {
        closedir(d);
        rmdir(path);
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

void yw_test_redis_cleanup(void)
{
    yw_test_redis_kill();
    srv.keep_data = false;
    if (srv.dir) {
        rm_rf_dir(srv.dir);
        free(srv.dir);
        srv.dir = NULL;
    }
    srv.sock[0] = '\0';
}

static void at_exit(void)
{
    yw_test_redis_cleanup();
}

/* One PING over a fresh connection, authenticating as the test needs. */
static bool ping_once(void)
{
    yw_redis_conf_t conf;
    yw_test_redis_conf(&conf);
    conf.connect_timeout_ms = 200;
    conf.io_timeout_ms = 500;
    char err[256];
    redisContext *c = yw_redis_connect_sync(&conf, err, sizeof err);
    if (!c)
        return false;
    redisReply *r = redisCommand(c, "PING");
    bool ok = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
    if (r)
        freeReplyObject(r);
    redisFree(c);
    return ok;
}

static int spawn(void)
{
    const char *bin = find_binary();
    if (!bin)
        return YW_TEST_REDIS_MISSING;

    char port[16], user[256], logpath[512];
    snprintf(port, sizeof port, "%d", srv.port);
    snprintf(user, sizeof user, ">%s", YW_TEST_REDIS_USER_PASSWORD);
    snprintf(logpath, sizeof logpath, "%s/redis.log", srv.dir);

    const char *argv[32];
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "--port"; argv[n++] = port;
    argv[n++] = "--bind"; argv[n++] = "127.0.0.1";
    argv[n++] = "--save"; argv[n++] = "";
    argv[n++] = "--appendonly"; argv[n++] = srv.keep_data ? "yes" : "no";
    argv[n++] = "--dir"; argv[n++] = srv.dir;
    argv[n++] = "--daemonize"; argv[n++] = "no";
    if (srv.opts.unix_socket) {
        argv[n++] = "--unixsocket"; argv[n++] = srv.sock;
        argv[n++] = "--unixsocketperm"; argv[n++] = "700";
    }
    if (srv.opts.auth) {
        argv[n++] = "--requirepass"; argv[n++] = YW_TEST_REDIS_PASSWORD;
        /* One directive, its words as separate arguments (redis quotes a
         * single argument that contains spaces). */
        argv[n++] = "--user"; argv[n++] = YW_TEST_REDIS_USER;
        argv[n++] = "on"; argv[n++] = user;
        argv[n++] = "~*"; argv[n++] = "&*"; argv[n++] = "+@all";
    }
    argv[n] = NULL;

    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return -1;
    }
    if (pid == 0) {
        /* Die with the test, whatever way it ends. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    srv.pid = pid;

    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(10000);
    while (yw_test_now_ms() < deadline) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            srv.pid = 0;
            fprintf(stderr, "redis-server exited during start-up (status %d)\n",
                    status);
            print_log_tail();
            return -1;
        }
        if (ping_once())
            return 0;
        /* Polling interval between readiness checks, not a synchronisation
         * sleep: the loop ends on the condition or the deadline. */
        struct timespec ts = { 0, 20 * 1000000L };
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "redis-server did not answer PING on port %d in time\n",
            srv.port);
    print_log_tail();
    yw_test_redis_kill();
    return -1;
}

int yw_test_redis_start(const yw_test_redis_opts_t *opts)
{
    if (!find_binary())
        return YW_TEST_REDIS_MISSING;
    yw_test_redis_cleanup();
    memset(&srv.opts, 0, sizeof srv.opts);
    if (opts)
        srv.opts = *opts;
    if (!srv.atexit_done) {
        atexit(at_exit);
        srv.atexit_done = true;
    }
    srv.dir = yw_test_tmpdir();
    if (!srv.dir) {
        perror("mkdtemp");
        return -1;
    }
    if (srv.opts.unix_socket)
        snprintf(srv.sock, sizeof srv.sock, "%s/redis.sock", srv.dir);
    srv.port = free_port();
    if (srv.port <= 0) {
        perror("free port");
        return -1;
    }
    return spawn();
}

int yw_test_redis_start_again(void)
{
    if (!srv.dir || srv.port <= 0)
        return -1;
    yw_test_redis_kill();
    return spawn();
}

/* The value of `field:` in an INFO reply, or -1. */
static long info_field(const char *info, const char *field)
{
    size_t n = strlen(field);
    for (const char *p = info; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp(p, field, n) && p[n] == ':')
            return atol(p + n + 1);
    return -1;
}

int yw_test_redis_keep_data(void)
{
    redisContext *c = yw_test_redis_ctx();
    if (!c)
        return -1;
    redisReply *r = redisCommand(c, "CONFIG SET appendonly yes");
    bool ok = r && r->type == REDIS_REPLY_STATUS;
    if (!ok)
        fprintf(stderr, "CONFIG SET appendonly yes: %s\n", r && r->str ? r->str : c->errstr);
    if (r)
        freeReplyObject(r);
    /* the file exists once the rewrite that turning it on starts is done */
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(10000);
    bool done = false;
    while (ok && !done && yw_test_now_ms() < deadline) {
        r = redisCommand(c, "INFO persistence");
        if (r && r->type == REDIS_REPLY_STRING)
            done = info_field(r->str, "aof_enabled") == 1 &&
                   info_field(r->str, "aof_rewrite_in_progress") == 0 &&
                   info_field(r->str, "aof_rewrite_scheduled") == 0;
        if (r)
            freeReplyObject(r);
        if (!done) {
            struct timespec ts = { 0, 20 * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    if (ok && !done)
        fprintf(stderr, "redis-server: the append-only file's first rewrite did not end\n");
    srv.keep_data = ok && done;
    return srv.keep_data ? 0 : -1;
}

bool yw_test_redis_running(void)
{
    return srv.pid > 0;
}

int yw_test_redis_port(void)
{
    return srv.port;
}

const char *yw_test_redis_socket(void)
{
    return srv.sock;
}

const char *yw_test_redis_dir(void)
{
    return srv.dir ? srv.dir : "";
}

void yw_test_redis_conf(yw_redis_conf_t *conf)
{
    yw_redis_conf_defaults(conf);
    conf->host = "127.0.0.1";
    conf->port = srv.port;
    if (srv.opts.auth) {
        conf->user = YW_TEST_REDIS_USER;
        conf->password = YW_TEST_REDIS_USER_PASSWORD;
    }
    /* Tests restart the server: reconnect quickly. */
    conf->retry_backoff_ms = 20;
    conf->retry_backoff_max_ms = 200;
}

redisContext *yw_test_redis_ctx(void)
{
    if (srv.ctx && srv.ctx->err)
        drop_ctx();
    if (!srv.ctx) {
        yw_redis_conf_t conf;
        yw_test_redis_conf(&conf);
        char err[256];
        srv.ctx = yw_redis_connect_sync(&conf, err, sizeof err);
        if (!srv.ctx)
            fprintf(stderr, "test redis connect: %s\n", err);
    }
    return srv.ctx;
}
