/* test_chaos.c -- "nothing lost, nothing duplicated, same alerts" with the
 * three faults the other e2e tests inject one at a time (test_kill9,
 * test_broker_restart, test_redis_outage) mixed in one run, at random
 * moments, sometimes two at once:
 *
 *   - yuanwangd gets SIGKILL and is started again (from its snapshots);
 *   - the real Kafka broker is stopped (SIGTERM, controlled shutdown) or
 *     killed (SIGKILL) and started again on the same state and port
 *     (scripts/kafka-broker.sh, as test_broker_restart does it);
 *   - redis-server is stopped (SIGTERM) or killed (SIGKILL) and started
 *     again on the same port with its data: the append-only file is on
 *     (yw_test_redis_keep_data), since the alert stream and the markers
 *     that keep re-sent alerts out of it must survive.
 *
 * The moments come from a seeded PRNG; the seed is printed first and every
 * fault is printed with its time, so a failing run replays with
 * YW_CHAOS_SEED=N (the same input and the same sequence of faults,
 * signals and pauses; where they land in the daemon's work varies with
 * the machine).  With everything up, fault i of n waits until the group
 * has committed about (i+1)/(n+2) of the backlog, so the faults are
 * spread over the daemon's work whatever its speed, then a random moment
 * more; one in four comes without waiting (while the daemon waits for
 * its partitions, restores a snapshot, reconnects); one in three is left
 * standing while the next one comes, so two are down at once.  The kinds
 * take turns (default 6 faults: two of each, about 70 s with the broker's
 * restarts); YW_CHAOS_FAULTS and YW_CHAOS_RECORDS (default 3,000) make a
 * longer run, YW_CHAOS_LOG_LEVEL=debug a more talkative daemon.
 *
 * Input: generated records (gen_records.h, seeded with the same seed)
 * on the topic of each record's source, 2 partitions each (8 in all),
 * dealt in turns of a few records so that every partition spans the whole
 * time range, in time order.  All of it is in Kafka before the daemon
 * first starts, so its event-time alignment across partitions (align.h,
 * test_backlog_order) sees a complete backlog and applies the records in
 * exactly the file's order, as the backtest does.  Fetches of at most 16 KiB
 * a partition and a small prefetch queue keep the backlog on the broker
 * (as a real one would be), so a broker outage stalls the daemon in the
 * middle of it.  Snapshots every 40 records or 150 ms, batches of at most
 * 50, so kills land between and inside batches, Redis writes and snapshot
 * writes.
 *
 * Only on a real broker whose state directory the test may use
 * (YW_TEST_KAFKA_BROKERS and YW_TEST_KAFKA_DIR, as scripts/test-real-kafka.sh
 * sets them); skipped elsewhere, like test_broker_restart, and RUN_SERIAL
 * for the same reason (tests/CMakeLists.txt).
 *
 * Expected, once every fault is over, the daemon has committed every
 * record and has been stopped cleanly: the committed offsets of every
 * partition are its high watermark; nothing was dead-lettered; the Redis
 * alert stream equals `ywctl backtest --alerts` over the same input byte
 * for byte (ids, scores, record counts, signals), in order, no id twice;
 * no record was applied behind the watermark (yw_records_late_total, as
 * each daemon's metrics file last had it);
 * every cluster hash and the ranking equal what one uninterrupted shard
 * computes in this process over the same input (cluster_state.h: the
 * fields that do not depend on where batches ended, as test_kill9
 * compares them; cheap next to the run: the backtest and both comparisons
 * take about a second for 3,000 records).  And at least two faults came
 * while records were still uncommitted: faults that all meet a finished
 * backlog test little.  (Though not nothing: its first runs found a
 * restarted daemon with nothing left to read that never committed its
 * snapshot's offsets, and partitions lost while paused for Redis that came
 * back paused for good -- kill9 restart_commits_the_snapshot_offsets and
 * kafka.test_broker_faults paused_partitions_lost_and_assigned_again
 * now pin both down -- besides the partition whose first fetch after a
 * broker restart came 1.1 s late, and the others raced ahead: unit
 * test_align.) */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "cluster_state.h"
#include "daemon_env.h"
#include "gen_records.h"
#include "kafka_broker.h"
#include "kafka_mock.h"
#include "log.h"
#include "proc.h"
#include "redis_server.h"
#include "yw_test.h"

#define PARTS 2      /* partitions per topic */
#define TURN 4       /* records dealt to a partition in a row */
#define NTOPICS 4

static yw_test_env_t env;

static int env_int(const char *name, int def)
{
    const char *v = getenv(name);
    return v && atoi(v) > 0 ? atoi(v) : def;
}

/* ---- the seeded PRNG (splitmix64) ------------------------------------------------ */

static uint64_t rng;

static uint64_t rnd64(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int rnd(int n)
{
    return n > 0 ? (int)(rnd64() % (uint64_t)n) : 0;
}

static bool chance(int one_in)
{
    return rnd(one_in) == 0;
}

/* ---- the log of what the test did ------------------------------------------------ */

static int64_t t0;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "chaos [%6.2f s] ", (double)(yw_test_now_ms() - t0) / 1000);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void pause_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* ---- the backlog ------------------------------------------------------------------ */

static const char *const sources[NTOPICS] = { "hotline", "grid", "online", "police" };
static const char *topics[NTOPICS];           /* T_* of each source */
static int64_t counts[NTOPICS][PARTS];       /* records on each partition */

static int source_of(const char *line)
{
    for (int t = 0; t < NTOPICS; t++) {
        char key[48];
        snprintf(key, sizeof key, "\"source\":\"%s\"", sources[t]);
        if (strstr(line, key))
            return t;
    }
    return -1;
}

static long delivery_failures;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (rkm->err && delivery_failures++ < 3)
        fprintf(stderr, "chaos: delivery failed: %s\n", rd_kafka_err2str(rkm->err));
}

/* Every line to its source's topic, a partition's TURN in a row, through
 * one idempotent producer (a retry neither reorders nor duplicates);
 * returns once every delivery is reported.  0 or -1. */
static int produce_backlog(char **lines, int n)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", yw_test_kafka_bootstraps(), err, sizeof err);
    rd_kafka_conf_set(conf, "enable.idempotence", "true", err, sizeof err);
    rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err);
    /* batches of a few records, as a producer that sends as records come
     * makes them: a batch larger than the daemon's fetch size (below) is
     * returned to a fetch only for the first partition in it, and the
     * others starve meanwhile -- a first try with whole-partition batches
     * held one partition silent for 10 s after each assignment */
    rd_kafka_conf_set(conf, "batch.size", "4096", err, sizeof err);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "chaos: producer: %s\n", err);
        return -1;
    }
    int64_t dealt[NTOPICS] = { 0 };
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        int t = source_of(lines[i]);
        if (t < 0) {
            fprintf(stderr, "chaos: no source in %s\n", lines[i]);
            rc = -1;
            break;
        }
        int32_t part = (int32_t)(dealt[t]++ / TURN % PARTS);
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topics[t]), RD_KAFKA_V_PARTITION(part),
                                      RD_KAFKA_V_VALUE(lines[i], strlen(lines[i])),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 50);
        if (e) {
            fprintf(stderr, "chaos: produce: %s\n", rd_kafka_err2str(e));
            rc = -1;
        }
        counts[t][part]++;
    }
    if (rd_kafka_flush(rk, (int)yw_test_deadline_ms(60000)) != RD_KAFKA_RESP_ERR_NO_ERROR)
        rc = -1;
    rd_kafka_destroy(rk);
    return rc == 0 && delivery_failures == 0 ? 0 : -1;
}

/* Records committed by the group over all partitions; -1 if a partition
 * could not be asked (broker away). */
static int64_t committed_total(void)
{
    int64_t sum = 0;
    for (int t = 0; t < NTOPICS; t++)
        for (int p = 0; p < PARTS; p++) {
            int64_t off = yw_test_kafka_committed(T_GROUP, topics[t], p);
            if (off == -1)
                return -1;
            sum += off > 0 ? off : 0;
        }
    return sum;
}

static bool all_committed(void)
{
    for (int t = 0; t < NTOPICS; t++)
        for (int p = 0; p < PARTS; p++)
            if (yw_test_kafka_committed(T_GROUP, topics[t], p) != counts[t][p])
                return false;
    return true;
}

/* ---- the three processes and their faults -------------------------------------- */

enum { DAEMON, BROKER, REDIS, NKINDS };
static const char *const kind_name[NKINDS] = { "yuanwangd", "Kafka broker", "redis-server" };

static struct {
    pid_t daemon;             /* 0 while it is down */
    bool down[NKINDS];
    int faults[NKINDS];
    int sigkills[NKINDS];
    int64_t committed;        /* the group's committed records, when last asked */
    int with_work_left;       /* faults that came while records were uncommitted */
    double late;              /* records late, over the daemons' last metrics */
    int nrec;
} ch;

static char ctl_log[700];

/* What the daemon running now has done, for the log of faults. */
static void daemon_status(char *buf, size_t len)
{
    if (!ch.daemon) {
        snprintf(buf, len, "daemon down");
        return;
    }
    snprintf(buf, len, "this daemon applied %.0f (%.0f late), %.0f held, lag %.0f, "
             "Redis queue %.0f%s",
             yw_test_metric(env.metrics, "yw_records_applied_total"),
             yw_test_metric(env.metrics, "yw_records_late_total"),
             yw_test_metric(env.metrics, "yw_kafka_aligned_held"),
             yw_test_metric(env.metrics, "yw_kafka_lag_messages"),
             yw_test_metric(env.metrics, "yw_redis_pending"),
             yw_test_metric(env.metrics, "yw_kafka_paused") == 1 ? ", paused" : "");
}

/* The daemon is meant to be running: has it exited on its own (a crash,
 * a fatal error)?  CHECKed and printed. */
static bool daemon_died(void)
{
    if (!ch.daemon)
        return false;
    int st = yw_test_wait(ch.daemon, 0);
    if (st == -1)
        return false;
    say("yuanwangd (pid %ld) exited on its own: status %d", (long)ch.daemon, st);
    CHECK(st == -1);
    ch.daemon = 0;
    ch.down[DAEMON] = true;
    return true;
}

static bool daemon_start(void)
{
    ch.daemon = yw_test_env_daemon(&env);
    ch.down[DAEMON] = ch.daemon <= 0;
    say("yuanwangd started (pid %ld)", (long)ch.daemon);
    return ch.daemon > 0;
}

/* Take one down: SIGKILL for the daemon; SIGTERM or SIGKILL for the
 * others.  False if a step failed (CHECKed). */
static bool fault(int kind, int n)
{
    int failed = yw_test_failed_checks;
    if (daemon_died())
        return false;
    int sig = kind == DAEMON || chance(2) ? SIGKILL : SIGTERM;
    /* with the broker away nothing is committed: the last count stands */
    int64_t c = ch.down[BROKER] ? -1 : committed_total();
    if (c >= 0)
        ch.committed = c;
    if (ch.committed < ch.nrec)
        ch.with_work_left++;
    char status[256];
    daemon_status(status, sizeof status);
    say("fault %d: %s to the %s (%lld of %d committed%s; %s)", n,
        sig == SIGKILL ? "SIGKILL" : "SIGTERM", kind_name[kind], (long long)ch.committed,
        ch.nrec, c >= 0 ? "" : " when last asked", status);
    if (kind == DAEMON) {
        double late = yw_test_metric(env.metrics, "yw_records_late_total");
        ch.late += late > 0 ? late : 0;
        CHECK_EQ_INT(yw_test_stop(ch.daemon, SIGKILL, yw_test_deadline_ms(10000)), 128 + SIGKILL);
        ch.daemon = 0;
    } else if (kind == BROKER) {
        pid_t before = yw_test_broker_pid();
        CHECK(yw_test_pid_running(before));
        if (sig == SIGKILL) {
            CHECK(kill(before, SIGKILL) == 0);
            CHECK(yw_test_pid_wait_gone(before, 10000));
        } else {
            CHECK_EQ_INT(yw_test_broker_ctl("stop", ctl_log), 0);
        }
        CHECK(!yw_test_pid_running(before));
    } else if (sig == SIGKILL) {
        yw_test_redis_kill();
    } else {
        yw_test_redis_stop();
    }
    say("%s down", kind_name[kind]);
    ch.down[kind] = true;
    ch.faults[kind]++;
    ch.sigkills[kind] += sig == SIGKILL;
    return yw_test_failed_checks == failed;
}

static bool bring_up(int kind)
{
    if (!ch.down[kind])
        return true;
    if (kind == DAEMON)
        return daemon_start();
    say("starting the %s again", kind_name[kind]);
    int rc = kind == BROKER ? yw_test_broker_ctl("start", ctl_log) : yw_test_redis_start_again();
    CHECK_EQ_INT(rc, 0);
    if (rc == 0) {
        ch.down[kind] = false;
        say("%s up%s", kind_name[kind],
            kind == BROKER ? " (same state and port)" : " (same port, its data loaded)");
    }
    return rc == 0;
}

/* The moment of fault i of n.  With everything up, usually once the
 * group has committed a share of the backlog that grows with i (spread
 * over it: the faults meet the daemon at work, whatever its speed), then
 * 0-300 ms more; one in four at once after 0-1.5 s, in whatever the
 * daemon is doing then (waiting for its partitions, restoring,
 * reconnecting).  At most 20 s for the share: a daemon that stopped
 * making progress is for the end to find. */
static void wait_for_moment(int i, int n)
{
    bool all_up = !ch.down[DAEMON] && !ch.down[BROKER] && !ch.down[REDIS];
    if (!all_up || chance(4)) {
        pause_ms(rnd(1500));
        return;
    }
    int64_t share = (int64_t)ch.nrec * (i + 1) / (n + 2);
    share += rnd(ch.nrec / (n + 2) / 2 + 1);
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(20000), c = 0;
    while ((c = committed_total()) < share && yw_test_now_ms() < deadline && !daemon_died())
        pause_ms(50);
    if (c >= 0)
        ch.committed = c;
    if (c < share)
        say("%lld of %d records committed after 20 s, not %lld yet", (long long)c, ch.nrec,
            (long long)share);
    pause_ms(rnd(300));
}

/* nfaults faults, each kind in turn about equally often, in a random order. */
static bool run_chaos(int nfaults)
{
    int *kinds = calloc((size_t)nfaults, sizeof *kinds);
    if (!kinds)
        return false;
    for (int i = 0; i < nfaults; i++)
        kinds[i] = i % NKINDS;
    for (int i = nfaults - 1; i > 0; i--) {
        int j = rnd(i + 1), k = kinds[i];
        kinds[i] = kinds[j];
        kinds[j] = k;
    }
    bool ok = daemon_start();
    int left_down = -1;          /* a fault still standing from the last round */
    for (int i = 0; ok && i < nfaults; i++) {
        int kind = kinds[i];
        if (ch.down[kind])
            ok = bring_up(kind);
        wait_for_moment(i, nfaults);
        ok = ok && fault(kind, i + 1);
        if (!ok)
            break;
        /* how long it stays away: a daemon restarts at once or soon; Redis
         * and the broker (whose start alone takes seconds) up to 3 s */
        pause_ms(kind == DAEMON ? rnd(1000) : 200 + rnd(2800));
        if (left_down >= 0 && left_down != kind)
            ok = bring_up(left_down);
        left_down = -1;
        if (i + 1 < nfaults && chance(3)) {
            left_down = kind;
            say("the %s stays down while the next fault comes", kind_name[kind]);
        } else {
            ok = ok && bring_up(kind);
        }
    }
    for (int k = 0; k < NKINDS; k++)
        ok = bring_up(k) && ok;
    free(kinds);
    return ok;
}

/* ---- the test ------------------------------------------------------------------- */

TEST(chaos_kill9_broker_and_redis_faults)
{
    if (!yw_test_kafka_real())
        SKIP("needs a real Kafka broker: YW_TEST_KAFKA_BROKERS and YW_TEST_KAFKA_DIR "
             "(scripts/test-real-kafka.sh)");
    if (!yw_test_broker_dir())
        SKIP("YW_TEST_KAFKA_DIR not set: the state directory of the broker at %s, which this "
             "test stops, kills and restarts (scripts/test-real-kafka.sh sets both)",
             getenv("YW_TEST_KAFKA_BROKERS"));
    REQUIRE(yw_test_pid_running(yw_test_broker_pid()));

    const char *s = getenv("YW_CHAOS_SEED");
    uint64_t seed = s && *s ? strtoull(s, NULL, 10)
                            : ((uint64_t)time(NULL) * 1000003u) ^ (uint64_t)getpid();
    seed %= 1000000000u;         /* short enough to type */
    rng = seed;
    int nfaults = env_int("YW_CHAOS_FAULTS", 6);
    ch.nrec = env_int("YW_CHAOS_RECORDS", 3000);
    t0 = yw_test_now_ms();
    say("seed %" PRIu64 " (replay: YW_CHAOS_SEED=%" PRIu64 "), %d faults, %d records", seed, seed,
        nfaults, ch.nrec);

    /* Small fetches and a small prefetch queue: the backlog stays on the
     * broker, not in the consumer, so a broker outage stalls the daemon
     * in the middle of it (with the defaults the first fetches bring all
     * of it, and the daemon works through it while the broker is away). */
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, PARTS,
                               "    max.partition.fetch.bytes: \"16384\"\n"
                               "    queued.max.messages.kbytes: \"64\"\n"));
    REQUIRE(yw_test_redis_keep_data() == 0);
    snprintf(ctl_log, sizeof ctl_log, "%s/broker-ctl.log", env.dir);
    char yaml[1200];
    snprintf(yaml, sizeof yaml,
             "snapshot:\n"
             "  dir: \"%s/snap\"\n"
             "  interval_ms: 150\n"
             "  interval_records: 40\n", env.dir);
    REQUIRE(yw_test_env_append(&env, yaml) == 0);
    /* a replay may want the daemon's debug lines (a late record's, ...) */
    const char *level = getenv("YW_CHAOS_LOG_LEVEL");
    if (level && *level) {
        snprintf(yaml, sizeof yaml, "log:\n  level: %s\n", level);
        REQUIRE(yw_test_env_append(&env, yaml) == 0);
    }
    /* batches of at most 50 records: many batch and snapshot boundaries */
    FILE *f = fopen(env.cfg, "r");
    REQUIRE(f);
    static char cfg[16384];
    size_t len = fread(cfg, 1, sizeof cfg - 1, f);
    fclose(f);
    cfg[len] = '\0';
    REQUIRE(strncmp(cfg, "kafka:\n", 7) == 0);
    f = fopen(env.cfg, "w");
    REQUIRE(f);
    fprintf(f, "kafka:\n  batch_size: 50\n%s", cfg + 7);
    REQUIRE(fclose(f) == 0);

    topics[0] = T_HOTLINE;
    topics[1] = T_GRID;
    topics[2] = T_ONLINE;
    topics[3] = T_POLICE;
    char **lines = NULL;
    REQUIRE(yw_test_gen_records(ch.nrec, 28, (unsigned)seed, &lines) == ch.nrec);
    f = fopen(env.records, "w");
    REQUIRE(f);
    for (int i = 0; i < ch.nrec; i++)
        fprintf(f, "%s\n", lines[i]);
    REQUIRE(fclose(f) == 0);
    REQUIRE(produce_backlog(lines, ch.nrec) == 0);
    for (int t = 0; t < NTOPICS; t++)
        for (int p = 0; p < PARTS; p++)
            CHECK_EQ_INT(yw_test_kafka_high_watermark(topics[t], p), counts[t][p]);
    say("backlog in Kafka: %d records on %d partitions of %d topics", ch.nrec, NTOPICS * PARTS,
        NTOPICS);

    bool chaos_ok = run_chaos(nfaults);
    CHECK(chaos_ok);
    say("faults over: %d SIGKILL to yuanwangd; Kafka broker %d (%d SIGKILL); redis-server %d "
        "(%d SIGKILL); %d came with records uncommitted", ch.faults[DAEMON],
        ch.faults[BROKER], ch.sigkills[BROKER], ch.faults[REDIS], ch.sigkills[REDIS],
        ch.with_work_left);

    /* the uninterrupted end: everything applied, in a snapshot, committed */
    bool done = false;
    int64_t deadline = yw_test_now_ms() + yw_test_deadline_ms(120000);
    while (chaos_ok && !done && yw_test_now_ms() < deadline && !daemon_died()) {
        done = all_committed();
        if (!done)
            pause_ms(200);
    }
    CHECK(done);
    if (done)
        say("all %d records committed", ch.nrec);
    /* the last daemon runs, past its start (a SIGTERM before its handler
     * is installed ends it as SIGKILL would) and with its partitions:
     * its clean stop is part of the run */
    CHECK(yw_test_wait_metric(env.metrics, "yw_kafka_assigned_partitions", 1,
                              yw_test_deadline_ms(60000)));
    CHECK(!daemon_died() && ch.daemon > 0);
    if (ch.daemon > 0) {
        CHECK_EQ_INT(yw_test_stop(ch.daemon, SIGTERM, yw_test_deadline_ms(30000)), 0);
        say("yuanwangd stopped");
        double late = yw_test_metric(env.metrics, "yw_records_late_total");
        ch.late += late > 0 ? late : 0;
    }
    /* Applied in event-time order: no record behind the watermark, as far
     * as each daemon's metrics file said before it was killed (one written
     * up to 100 ms before); the comparisons below are the full check. */
    say("%.0f records late", ch.late);
    CHECK(ch.late == 0);

    /* every partition committed to its end; no dead letter */
    int64_t dlq = 0;
    for (int t = 0; t < NTOPICS; t++)
        for (int p = 0; p < PARTS; p++) {
            CHECK_EQ_INT(yw_test_kafka_committed(T_GROUP, topics[t], p), counts[t][p]);
            dlq += yw_test_kafka_high_watermark(T_DLQ, p);
        }
    CHECK_EQ_INT(dlq, 0);
    /* faults that all came after the backlog was done would test little */
    CHECK(ch.with_work_left >= (nfaults < 2 ? nfaults : 2));

    /* Redis holds exactly what an uninterrupted run computes */
    redisContext *c = yw_test_redis_ctx();
    REQUIRE(c);
    fprintf(stderr, "chaos: ");
    yw_test_alerts_equal_backtest(&env, c, 3);
    yw_test_clusters_t *w = yw_test_clusters_expected(env.cfg, lines, ch.nrec);
    REQUIRE(w);
    yw_test_clusters_diff_t d;
    CHECK(yw_test_clusters_compare(w, c, &d) == 0);
    fprintf(stderr, "chaos: %d live cluster hashes compared, %d gone (not ranked), %d ranked, "
            "%d differ\n", d.live, d.gone, d.ranked, d.differ);
    CHECK(d.live >= 5);
    CHECK_EQ_INT(d.differ, 0);
    yw_test_clusters_free(w);
    say("done (seed %" PRIu64 ")", seed);

    if (yw_test_failed_checks) {
        yw_test_env_dump_log(&env);
        char *ctl = yw_test_read_file(ctl_log, NULL);
        fprintf(stderr, "---- kafka-broker.sh ----\n%s\n", ctl ? ctl : "(none)");
        free(ctl);
        fprintf(stderr, "chaos: FAILED with seed %" PRIu64 ": replay with YW_CHAOS_SEED=%" PRIu64
                "\n", seed, seed);
    }
    /* the tests after this one need the broker */
    if (!yw_test_pid_running(yw_test_broker_pid()))
        CHECK_EQ_INT(yw_test_broker_ctl("start", ctl_log), 0);
    yw_test_gen_free(lines, ch.nrec);
    yw_test_env_stop(&env);
}

int main(void)
{
    yw_log_set_level(YW_LOG_WARN);
    RUN(chaos_kill9_broker_and_redis_faults);
    return yw_test_done();
}
