/* test_broker_restart.c -- the real Kafka broker goes down while
 * yuanwangd consumes a stream, and comes back on the same port with the
 * same data: first after a clean stop (SIGTERM: controlled shutdown), then
 * after SIGKILL (no shutdown at all; the broker recovers its logs and the
 * group's offsets on start).  The daemon keeps running through both.
 *
 * Only on a real broker whose state directory the test may use:
 * YW_TEST_KAFKA_BROKERS and YW_TEST_KAFKA_DIR, as scripts/test-real-kafka.sh
 * sets them (a broker of `scripts/kafka-broker.sh start`: YW_TEST_KAFKA_DIR=the
 * absolute path of out/kafka).  The broker is stopped and started through that script, so
 * other tests must not use it meanwhile (RUN_SERIAL, tests/CMakeLists.txt).
 * Elsewhere -- scripts/test.sh, on the mock -- it is skipped: the mock's
 * broker-down (rd_kafka_mock_broker_set_down, kafka/test_broker_faults)
 * keeps the process, its logs and its group state in memory.
 *
 * Input: 1,000 generated records (gen_records.h) on one partition,
 * produced by a thread at 50 a second, as a replay would.  The broker is
 * stopped when the daemon has applied 200 of them and killed at 600, each
 * time while records arrive and the daemon applies them; the producer
 * keeps going while the broker is down (librdkafka queues; idempotence
 * keeps its retries out of the log twice and in order).  So far each
 * outage outlasted the daemon's 6 s session: it lost its partitions,
 * joined again and went on from its state's position (the test prints
 * the revokes and assigns).
 *
 * Expected, "every record applied exactly once in effect": the partition
 * holds each record once; the daemon (one process throughout) applied
 * exactly that many records, committed all of them and dead-lettered none;
 * the Redis alert stream equals `ywctl backtest --alerts` over the same
 * input byte for byte (ids, scores, record counts, signals), in order,
 * no id twice. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "daemon_env.h"
#include "gen_records.h"
#include "kafka_broker.h"
#include "kafka_mock.h"
#include "log.h"
#include "proc.h"
#include "redis_server.h"
#include "yw_test.h"

static yw_test_env_t env;

/* `kafka-broker.sh CMD`, its output appended to DIR/broker-ctl.log. */
static int broker_ctl(const char *cmd)
{
    char log[700];
    snprintf(log, sizeof log, "%s/broker-ctl.log", env.dir);
    return yw_test_broker_ctl(cmd, log);
}

/* ---- the stream: an idempotent producer in a thread ----------------------------- */

/* Produces lines[0..n) in order to partition 0 of the hotline topic at
 * `rate` a second, up to `limit` (raised by the test as it goes), and keeps
 * going while the broker is down: librdkafka queues and retries, and with
 * idempotence a retry is neither duplicated nor reordered in the log. */
typedef struct {
    rd_kafka_t *rk;
    const char *topic;              /* resolved before the thread starts */
    char **lines;
    int n;
    double rate;
    atomic_int limit;
    atomic_int queued;
    atomic_bool quit;
    long delivered, failed;         /* the thread's own until it is joined */
    int err;
    pthread_t thread;
} feeder_t;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    (void)rk;
    feeder_t *fd = opaque;
    if (rkm->err && fd->failed++ < 3)
        fprintf(stderr, "broker_restart: delivery failed: %s\n", rd_kafka_err2str(rkm->err));
    else if (!rkm->err)
        fd->delivered++;
}

static void *feed(void *arg)
{
    feeder_t *fd = arg;
    int64_t due = yw_test_now_ms();
    for (int i = 0; i < fd->n && !atomic_load(&fd->quit); i++) {
        while (i >= atomic_load(&fd->limit) && !atomic_load(&fd->quit)) {
            rd_kafka_poll(fd->rk, 20);
            due = yw_test_now_ms();
        }
        for (int64_t now; !atomic_load(&fd->quit) && (now = yw_test_now_ms()) < due;)
            rd_kafka_poll(fd->rk, (int)(due - now));
        due += (int64_t)(1000.0 / fd->rate);
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(fd->rk, RD_KAFKA_V_TOPIC(fd->topic), RD_KAFKA_V_PARTITION(0),
                                      RD_KAFKA_V_KEY("k", 1),
                                      RD_KAFKA_V_VALUE(fd->lines[i], strlen(fd->lines[i])),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(fd->rk, 50);
        if (e) {
            fprintf(stderr, "broker_restart: produce: %s\n", rd_kafka_err2str(e));
            fd->err = -1;
            break;
        }
        atomic_store(&fd->queued, i + 1);
    }
    /* every delivery report: message.timeout.ms bounds it */
    while (rd_kafka_outq_len(fd->rk) > 0 && !atomic_load(&fd->quit))
        rd_kafka_flush(fd->rk, 100);
    return NULL;
}

static int feeder_start(feeder_t *fd, char **lines, int n, double rate, int limit)
{
    char err[256];
    memset(fd, 0, sizeof *fd);
    fd->topic = T_HOTLINE;
    fd->lines = lines;
    fd->n = n;
    fd->rate = rate;
    atomic_init(&fd->limit, limit);
    atomic_init(&fd->queued, 0);
    atomic_init(&fd->quit, false);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", yw_test_kafka_bootstraps(), err, sizeof err);
    rd_kafka_conf_set(conf, "enable.idempotence", "true", err, sizeof err);
    rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err);
    rd_kafka_conf_set(conf, "reconnect.backoff.max.ms", "1000", err, sizeof err);
    /* undelivered after 2 min (scaled): a failure, not a wait to the 300 s default */
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%lld", (long long)yw_test_deadline_ms(120000));
    rd_kafka_conf_set(conf, "message.timeout.ms", timeout, err, sizeof err);
    /* its connection errors while the broker is down are expected */
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, fd);
    if (!(fd->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err))) {
        fprintf(stderr, "broker_restart: producer: %s\n", err);
        return -1;
    }
    if (pthread_create(&fd->thread, NULL, feed, fd) != 0) {
        rd_kafka_destroy(fd->rk);
        fd->rk = NULL;
        return -1;
    }
    return 0;
}

/* Join the thread (at once with `quit`, else once all n are delivered). */
static void feeder_join(feeder_t *fd, bool quit)
{
    if (!fd->rk)
        return;
    if (quit)
        atomic_store(&fd->quit, true);
    pthread_join(fd->thread, NULL);
    rd_kafka_destroy(fd->rk);
    fd->rk = NULL;
}

/* ---- the test ------------------------------------------------------------------- */

static bool wait_applied(int n, int64_t ms)
{
    return yw_test_wait_metric(env.metrics, "yw_records_applied_total", n,
                               yw_test_deadline_ms(ms));
}

/* Stop the broker -- SIGTERM through the script, or SIGKILL here -- while
 * the stream flows, and start it again on the same state and port.  The
 * daemon must live through it.  False if a step failed (CHECKed). */
static bool outage(pid_t daemon, const feeder_t *fd, int sig)
{
    int failed = yw_test_failed_checks;
    pid_t before = yw_test_broker_pid();
    CHECK(before > 0 && yw_test_pid_running(before));
    if (before <= 0)
        return false;
    fprintf(stderr, "broker_restart: %s the broker (pid %ld): %.0f applied, %d produced\n",
            sig == SIGKILL ? "SIGKILL to" : "stopping", (long)before,
            yw_test_metric(env.metrics, "yw_records_applied_total"), atomic_load(&fd->queued));
    int64_t t0 = yw_test_now_ms();
    if (sig == SIGKILL) {
        CHECK(kill(before, SIGKILL) == 0);
        CHECK(yw_test_pid_wait_gone(before, 10000));
    } else {
        CHECK_EQ_INT(broker_ctl("stop"), 0);       /* SIGTERM, waits for the exit */
        CHECK(!yw_test_pid_running(before));
    }
    int64_t t1 = yw_test_now_ms();
    CHECK_EQ_INT(broker_ctl("start"), 0);
    pid_t after = yw_test_broker_pid();
    CHECK(after > 0 && after != before && yw_test_pid_running(after));
    fprintf(stderr, "broker_restart: broker gone after %.1f s, back after %.1f s more (pid %ld)\n",
            (double)(t1 - t0) / 1000, (double)(yw_test_now_ms() - t1) / 1000, (long)after);
    CHECK(yw_test_wait(daemon, 0) == -1);       /* the daemon is still running */
    return yw_test_failed_checks == failed;
}

/* The stream of n records with the two outages in it: each while records
 * arrive and the daemon applies them, each followed by the daemon catching
 * up with everything produced so far. */
static bool stream_with_outages(pid_t daemon, feeder_t *fd, int n)
{
    const int stage = n * 2 / 5;
    static const int sigs[] = { SIGTERM, SIGKILL };
    for (int k = 0; k < 2; k++) {
        atomic_store(&fd->limit, stage * (k + 1));
        CHECK(wait_applied(stage * k + stage / 2, 60000));
        if (!outage(daemon, fd, sigs[k]))
            return false;
        CHECK(wait_applied(stage * (k + 1), 120000));
    }
    atomic_store(&fd->limit, n);
    return true;
}

TEST(broker_stopped_and_killed_while_consuming)
{
    if (!yw_test_kafka_real())
        SKIP("needs a real Kafka broker: YW_TEST_KAFKA_BROKERS and YW_TEST_KAFKA_DIR "
             "(scripts/test-real-kafka.sh)");
    if (!yw_test_broker_dir())
        SKIP("YW_TEST_KAFKA_DIR not set: the state directory of the broker at %s, which this "
             "test stops and restarts (scripts/test-real-kafka.sh sets both)",
             getenv("YW_TEST_KAFKA_BROKERS"));
    REQUIRE(yw_test_broker_pid() > 0 && yw_test_pid_running(yw_test_broker_pid()));

    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, 1, NULL));
    char snap[800];
    snprintf(snap, sizeof snap,
             "snapshot:\n"
             "  dir: \"%s/snap\"\n"
             "  interval_ms: 500\n"
             "  interval_records: 100\n", env.dir);
    REQUIRE(yw_test_env_append(&env, snap) == 0);

    enum { N = 1000 };
    char **lines = NULL;
    REQUIRE(yw_test_gen_records(N, 21, 23, &lines) == N);
    FILE *f = fopen(env.records, "w");
    REQUIRE(f);
    for (int i = 0; i < N; i++)
        fprintf(f, "%s\n", lines[i]);
    fclose(f);

    pid_t pid = yw_test_env_daemon_ready(&env);
    REQUIRE(pid > 0);
    feeder_t fd;
    REQUIRE(feeder_start(&fd, lines, N, 50, 0) == 0);
    bool streamed = stream_with_outages(pid, &fd, N);
    feeder_join(&fd, !streamed);
    CHECK(streamed);
    CHECK_EQ_INT(fd.err, 0);
    CHECK_EQ_INT(fd.delivered, N);
    CHECK_EQ_INT(fd.failed, 0);

    /* everything applied, in a snapshot and committed */
    CHECK(wait_applied(N, 120000));
    bool committed = false;
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(60000);
    while (!committed && yw_test_now_ms() < deadline)
        committed = yw_test_kafka_committed(T_GROUP, T_HOTLINE, 0) == N;
    CHECK(committed);
    CHECK(yw_test_wait(pid, 0) == -1);          /* one daemon process throughout */
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);

    /* each record once in the log, applied once, nothing dead-lettered */
    CHECK_EQ_INT(yw_test_kafka_high_watermark(T_HOTLINE, 0), N);
    CHECK_EQ_INT(yw_test_kafka_high_watermark(T_DLQ, 0), 0);
    double applied = yw_test_metric(env.metrics, "yw_records_applied_total");
    fprintf(stderr, "broker_restart: %d records; consumed %.0f, applied %.0f, skipped %.0f "
            "(delivered again), %.0f revokes, %.0f assigns, %.0f snapshots\n", N,
            yw_test_metric(env.metrics, "yw_records_consumed_total"), applied,
            yw_test_metric(env.metrics, "yw_records_skipped_total"),
            yw_test_metric(env.metrics, "yw_kafka_rebalance_revoke_total"),
            yw_test_metric(env.metrics, "yw_kafka_rebalance_assign_total"),
            yw_test_metric(env.metrics, "yw_snapshots_total"));
    CHECK_EQ_INT(applied, N);
    CHECK_EQ_INT(yw_test_kafka_committed(T_GROUP, T_HOTLINE, 0), N);

    /* the broker's absence was seen: the faults were real */
    char *log = yw_test_read_file(env.log, NULL);
    CHECK(log && strstr(log, "all brokers down") != NULL);
    free(log);

    /* Redis holds exactly what an uninterrupted offline run computes */
    redisContext *c = yw_test_redis_ctx();
    REQUIRE(c);
    fprintf(stderr, "broker_restart: ");
    yw_test_alerts_equal_backtest(&env, c, 3);

    if (yw_test_failed_checks) {
        yw_test_env_dump_log(&env);
        char path[700];
        snprintf(path, sizeof path, "%s/broker-ctl.log", env.dir);
        char *ctl = yw_test_read_file(path, NULL);
        fprintf(stderr, "---- kafka-broker.sh ----\n%s\n", ctl ? ctl : "(none)");
        free(ctl);
    }
    /* the tests after this one need the broker */
    if (!yw_test_pid_running(yw_test_broker_pid()))
        CHECK_EQ_INT(broker_ctl("start"), 0);
    yw_test_gen_free(lines, N);
    yw_test_env_stop(&env);
}

int main(void)
{
    yw_log_set_level(YW_LOG_WARN);
    RUN(broker_stopped_and_killed_while_consuming);
    return yw_test_done();
}
