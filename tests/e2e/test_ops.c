/* test_ops.c -- what an operator relies on beyond the records' path:
 * the metrics that say whether the daemon keeps up and is alive, and the
 * signals it is sent.
 *
 * One daemon on the mock cluster (or $YW_TEST_KAFKA_BROKERS), snapshots on,
 * a real redis-server started here.  And saved state the config can no
 * longer load: the daemon refuses to start (exit 2) rather than drop it,
 * unless told --discard-state.  And SIGHUP, which reloads the rules. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon_env.h"
#include "kafka_mock.h"
#include "proc.h"
#include "redis_server.h"
#include "yw_test.h"

static yw_test_env_t env;

static double unix_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "name size mtime\n" for each snapshot.* file in dir, sorted by name;
 * malloc'd, or NULL. */
static char *list_snapshots(const char *dir)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0)
        return NULL;
    size_t cap = 256 + (size_t)n * 128, len = 0;
    char *out = malloc(cap);
    for (int i = 0; i < n; i++) {
        if (out && strncmp(ents[i]->d_name, "snapshot.", 9) == 0) {
            char path[1024];
            struct stat st;
            snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
            if (stat(path, &st) == 0)
                len += (size_t)snprintf(out + len, cap - len, "%s %lld %lld.%09ld\n",
                                        ents[i]->d_name, (long long)st.st_size,
                                        (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
        }
        free(ents[i]);
    }
    free(ents);
    if (out)
        out[len] = '\0';
    return out;
}

static bool metrics_contain(const char *needle)
{
    char *text = yw_test_read_file(env.metrics, NULL);
    bool found = text && strstr(text, needle) != NULL;
    free(text);
    return found;
}

TEST(operator_metrics_and_signals)
{
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, 1, NULL));
    char yaml[800];
    snprintf(yaml, sizeof yaml, "snapshot:\n  dir: \"%s/snap\"\n  interval_ms: 200\n", env.dir);
    REQUIRE(yw_test_env_append(&env, yaml) == 0);
    const char *M = env.metrics;
    double t_before = unix_now() - 1;
    pid_t pid = yw_test_env_daemon_ready(&env);
    REQUIRE(pid > 0);
    int good = 0;            /* good records produced */

    /* The help texts say what the counters count. */
    CHECK(metrics_contain("# HELP yw_records_late_total Records older than the watermark "
                          "(newest event time minus score.lateness_ms)"));
    /* Lag: Redis down, so the first record's batch waits; five more
     * arrive meanwhile and are fetched but not applied: the daemon knows
     * the partition's high watermark is 5 past what it applied; four more
     * while the partition is paused make it 9.  Redis back: everything
     * applied, the lag is 0. */
    CHECK_EQ_INT(yw_test_metric(M, "yw_kafka_lag_messages"), 0);
    yw_test_redis_stop();
    REQUIRE(yw_test_produce_wage_record(good++, 0) == 0);
    /* applied, not only consumed: a consumed record can still be held for
     * event-time order (the other partitions' idle wait), and the five
     * below would then join its batch */
    CHECK(yw_test_wait_metric(M, "yw_records_applied_total", 1, yw_test_deadline_ms(20000)));
    for (int i = 0; i < 5; i++)
        REQUIRE(yw_test_produce_wage_record(good++, 0) == 0);
    /* (the batch pauses the partition after 1 s unacknowledged; records
     * fetched before that are held) */
    CHECK(yw_test_wait_metric(M, "yw_kafka_aligned_held", 5, yw_test_deadline_ms(10000)));
    CHECK(yw_test_wait_metric(M, "yw_kafka_lag_messages", 5, yw_test_deadline_ms(10000)));
    CHECK_EQ_INT(yw_test_metric(M, "yw_kafka_lag_messages"), 5);
    /* Paused, the partition is not fetched; four more produced now still
     * count (the daemon asks for the end offsets while paused). */
    CHECK(yw_test_wait_metric(M, "yw_kafka_paused", 1, yw_test_deadline_ms(10000)));
    for (int i = 0; i < 4; i++)
        REQUIRE(yw_test_produce_wage_record(good++, 0) == 0);
    CHECK(yw_test_wait_metric(M, "yw_kafka_lag_messages", 9, yw_test_deadline_ms(10000)));
    CHECK_EQ_INT(yw_test_metric(M, "yw_kafka_lag_messages"), 9);
    REQUIRE(yw_test_redis_start_again() == 0);
    CHECK(yw_test_wait_metric(M, "yw_records_applied_total", good, yw_test_deadline_ms(30000)));
    CHECK(yw_test_wait_metric_at_most(M, "yw_kafka_lag_messages", 0, yw_test_deadline_ms(10000)));
    /* Liveness: when it started, which build, when it last snapshotted. */
    double started = yw_test_metric(M, "yw_start_time_seconds");
    CHECK(started >= t_before && started <= unix_now() + 1);
    CHECK(metrics_contain("\nyw_build_info{version=\"" YW_VERSION "\"} 1\n"));
    double applied = yw_test_metric(M, "yw_records_applied_total");
    if (applied < 1) {            /* nothing applied yet: no snapshot yet either */
        CHECK_EQ_INT(yw_test_metric(M, "yw_last_snapshot_time_seconds"), 0);
        REQUIRE(yw_test_produce_wage_record(good++, 0) == 0);
    }
    CHECK(yw_test_wait_metric(M, "yw_snapshots_total", 1, yw_test_deadline_ms(20000)));
    CHECK(yw_test_wait_metric(M, "yw_last_snapshot_time_seconds", t_before,
                              yw_test_deadline_ms(10000)));
    double snap1 = yw_test_metric(M, "yw_last_snapshot_time_seconds");
    CHECK(snap1 <= unix_now() + 1);
    double nsnap = yw_test_metric(M, "yw_snapshots_total");
    REQUIRE(yw_test_produce_wage_record(good++, 0) == 0);
    CHECK(yw_test_wait_metric(M, "yw_snapshots_total", nsnap + 1, yw_test_deadline_ms(20000)));
    CHECK(yw_test_wait_metric(M, "yw_last_snapshot_time_seconds", snap1 + 0.0005,
                              yw_test_deadline_ms(10000)));
    /* Dead letters: queued, then acknowledged by the broker. */
    const char *bad = "{\"id\":\"HL-BAD\"";
    REQUIRE(yw_test_kafka_produce(T_HOTLINE, 0, NULL, bad, strlen(bad)) == 0);
    CHECK(yw_test_wait_metric(M, "yw_deadletter_delivered_total", 1, yw_test_deadline_ms(20000)));
    CHECK_EQ_INT(yw_test_metric(M, "yw_deadletter_delivered_total"), 1);
    CHECK_EQ_INT(yw_test_metric(M, "yw_deadletter_failed_total"), 0);
    CHECK(metrics_contain("yw_deadletter_total{reason=\"bad_json\"} 1\n"));
    CHECK(metrics_contain("# HELP yw_deadletter_total Records queued for the dead-letter topic"));
    /* SIGHUP reloads the (unchanged) rules; the daemon goes on applying
     * records (rules_reload below tests what a reload changes). */
    CHECK(kill(pid, SIGHUP) == 0);
    CHECK(yw_test_wait_file_contains(env.log, "SIGHUP: rules reloaded",
                                     yw_test_deadline_ms(10000)));
    REQUIRE(yw_test_produce_wage_record(good++, 0) == 0);
    CHECK(yw_test_wait_metric(M, "yw_records_applied_total", good, yw_test_deadline_ms(20000)));
    CHECK(yw_test_wait(pid, 0) == -1);                 /* still running */

    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    CHECK_EQ_INT(yw_test_metric(M, "yw_records_applied_total"), good);
    yw_test_env_finish(&env);
}


/* A config change that shapes the saved state (cluster.top_k) makes every
 * snapshot unloadable: the daemon refuses to start, exit 2, and leaves the
 * snapshots alone; --discard-state starts it with empty state; the next
 * plain start loads the snapshot that run wrote. */
TEST(unusable_state_refused)
{
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, 1, NULL));
    char yaml[800], snapdir[600];
    snprintf(snapdir, sizeof snapdir, "%s/snap", env.dir);
    snprintf(yaml, sizeof yaml, "snapshot:\n  dir: \"%s\"\n  interval_ms: 200\n", snapdir);
    REQUIRE(yw_test_env_append(&env, yaml) == 0);
    const char *M = env.metrics;

    pid_t pid = yw_test_env_daemon_ready(&env);
    REQUIRE(pid > 0);
    for (int i = 0; i < 3; i++)
        REQUIRE(yw_test_produce_wage_record(100 + i, 0) == 0);
    CHECK(yw_test_wait_metric(M, "yw_records_applied_total", 3, yw_test_deadline_ms(20000)));
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    char *before = list_snapshots(snapdir);
    REQUIRE(before != NULL);
    CHECK(strstr(before, "snapshot.") != NULL);

    /* top_k shapes the saved centroids: no snapshot loads any more */
    REQUIRE(yw_test_env_append(&env, "cluster:\n  top_k: 40\n") == 0);
    pid = yw_test_env_daemon(&env);
    REQUIRE(pid > 0);
    CHECK_EQ_INT(yw_test_wait(pid, yw_test_deadline_ms(30000)), 2);
    CHECK(yw_test_wait_file_contains(env.log, "cluster.top_k changed", yw_test_deadline_ms(1000)));
    CHECK(yw_test_wait_file_contains(env.log, "none usable", yw_test_deadline_ms(1000)));
    CHECK(yw_test_wait_file_contains(env.log, "--discard-state", yw_test_deadline_ms(1000)));
    char *after = list_snapshots(snapdir);
    CHECK(after && strcmp(before, after) == 0);      /* nothing touched */
    free(after);

    /* told to: empty state, and it runs */
    char *argv[] = { "yuanwangd", "--discard-state", "-c", env.cfg, NULL };
    unlink(M);
    pid = yw_test_spawn("yuanwangd", argv, env.log);
    REQUIRE(pid > 0);
    CHECK(yw_test_wait_file_contains(env.log, "--discard-state, starting with empty state",
                                     yw_test_deadline_ms(30000)));
    CHECK(yw_test_wait_metric(M, "yw_kafka_rebalance_assign_total", 1, yw_test_deadline_ms(30000)));
    REQUIRE(yw_test_produce_wage_record(103, 0) == 0);
    CHECK(yw_test_wait_metric(M, "yw_records_applied_total", 1, yw_test_deadline_ms(20000)));
    CHECK(yw_test_wait_metric(M, "yw_snapshots_total", 1, yw_test_deadline_ms(20000)));
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);

    /* the snapshot written with top_k 40 is the newest: a plain start loads it */
    pid = yw_test_env_daemon(&env);
    REQUIRE(pid > 0);
    CHECK(yw_test_wait_file_contains(env.log, "state restored from", yw_test_deadline_ms(30000)));
    CHECK(yw_test_wait(pid, yw_test_deadline_ms(2000)) == -1);    /* running */
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    free(before);
    yw_test_env_finish(&env);
}

/* Replace the first `from` in file path by `to`.  0 or -1. */
static int file_replace(const char *path, const char *from, const char *to)
{
    char *text = yw_test_read_file(path, NULL);
    char *at = text ? strstr(text, from) : NULL;
    if (!at) {
        free(text);
        return -1;
    }
    size_t len = strlen(text) + strlen(to) + 1;
    char *out = malloc(len);
    if (!out) {
        free(text);
        return -1;
    }
    snprintf(out, len, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    int rc = yw_test_write_file(path, out);
    free(text);
    free(out);
    return rc;
}

/* SIGHUP reloads the rule files: a file with a bad pattern is reported
 * with its place and not used (the rules before go on matching); once
 * fixed, the next SIGHUP brings the new rule in and it matches the next
 * record.  Hit counts carry over by rule name. */
TEST(rules_reload)
{
    YW_TEST_REQUIRE_STARTED(yw_test_env_start(&env, 1, NULL));
    char rules[600], rule_a[700], rule_b[700];
    snprintf(rules, sizeof rules, "%s/rules", env.dir);
    REQUIRE(mkdir(rules, 0700) == 0);
    snprintf(rule_a, sizeof rule_a, "%s/a.yaml", rules);
    snprintf(rule_b, sizeof rule_b, "%s/b.yaml", rules);
    REQUIRE(yw_test_write_file(rule_a, "rules:\n"
                                       "  - name: wage\n"
                                       "    kind: domain\n"
                                       "    patterns: ['拖欠.{0,8}工资']\n") == 0);
    char quoted[700];
    snprintf(quoted, sizeof quoted, "\"%s\"", rules);
    REQUIRE(file_replace(env.cfg, "\"" YW_SOURCE_DIR "/rules\"", quoted) == 0);
    const char *M = env.metrics;
    pid_t pid = yw_test_env_daemon_ready(&env);
    REQUIRE(pid > 0);
    CHECK_EQ_INT(yw_test_metric(M, "yw_rules_loaded"), 1);
    REQUIRE(yw_test_produce_wage_record(0, 0) == 0);
    CHECK(yw_test_wait_metric(M, "yw_records_applied_total", 1, yw_test_deadline_ms(20000)));
    CHECK(yw_test_wait_metric(M, "yw_rule_hits_total{rule=\"wage\"}", 1, yw_test_deadline_ms(5000)));

    /* a bad pattern: reported with its file and line, not used */
    REQUIRE(yw_test_write_file(rule_b, "rules:\n"
                                       "  - name: refused\n"
                                       "    kind: emotion\n"
                                       "    patterns: ['讨不(到']\n") == 0);
    CHECK(kill(pid, SIGHUP) == 0);
    CHECK(yw_test_wait_file_contains(env.log, "SIGHUP: rules not reloaded (1 error(s)); still "
                                     "matching with the 1 rules", yw_test_deadline_ms(10000)));
    char where[800];
    snprintf(where, sizeof where, "%s:4: rule refused: PCRE2", rule_b);
    CHECK(yw_test_wait_file_contains(env.log, where, yw_test_deadline_ms(1000)));
    CHECK(yw_test_wait_metric(M, "yw_rules_reloads_total{result=\"failed\"}", 1,
                              yw_test_deadline_ms(5000)));
    CHECK_EQ_INT(yw_test_metric(M, "yw_rules_reloads_total{result=\"ok\"}"), 0);
    CHECK_EQ_INT(yw_test_metric(M, "yw_rules_loaded"), 1);
    REQUIRE(yw_test_produce_wage_record(1, 0) == 0);
    CHECK(yw_test_wait_metric(M, "yw_records_applied_total", 2, yw_test_deadline_ms(20000)));
    CHECK(yw_test_wait_metric(M, "yw_rule_hits_total{rule=\"wage\"}", 2, yw_test_deadline_ms(5000)));

    /* fixed: the next SIGHUP loads it, and it matches the next record */
    REQUIRE(yw_test_write_file(rule_b, "rules:\n"
                                       "  - name: refused\n"
                                       "    kind: emotion\n"
                                       "    patterns: ['讨不到']\n") == 0);
    CHECK(kill(pid, SIGHUP) == 0);
    CHECK(yw_test_wait_file_contains(env.log, "SIGHUP: rules reloaded: 2 rules (2 patterns), "
                                     "were 1 (1)", yw_test_deadline_ms(10000)));
    CHECK(yw_test_wait_metric(M, "yw_rules_loaded", 2, yw_test_deadline_ms(5000)));
    CHECK_EQ_INT(yw_test_metric(M, "yw_rules_reloads_total{result=\"ok\"}"), 1);
    CHECK_EQ_INT(yw_test_metric(M, "yw_rule_hits_total{rule=\"refused\"}"), 0);
    REQUIRE(yw_test_produce_wage_record(2, 0) == 0);
    CHECK(yw_test_wait_metric(M, "yw_records_applied_total", 3, yw_test_deadline_ms(20000)));
    CHECK(yw_test_wait_metric(M, "yw_rule_hits_total{rule=\"refused\"}", 1, yw_test_deadline_ms(5000)));
    CHECK_EQ_INT(yw_test_metric(M, "yw_rule_hits_total{rule=\"wage\"}"), 3);
    CHECK(yw_test_wait(pid, 0) == -1);                 /* still running */
    CHECK_EQ_INT(yw_test_stop(pid, SIGTERM, yw_test_deadline_ms(30000)), 0);
    yw_test_env_finish(&env);
}

int main(void)
{
    RUN(operator_metrics_and_signals);
    RUN(unusable_state_refused);
    RUN(rules_reload);
    return yw_test_done();
}
