/* daemon_env.c -- see daemon_env.h. */
#include "daemon_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka_mock.h"
#include "proc.h"
#include "redis_server.h"
#include "yw_test.h"

/* The env whose records file yw_test_produce_wage_record appends to. */
static yw_test_env_t *current;

int yw_test_env_start(yw_test_env_t *env, int partitions, const char *extra_rdkafka)
{
    memset(env, 0, sizeof *env);
    int rc = yw_test_redis_start(NULL);
    if (rc != 0)
        return rc;
    const char *topics[] = { "t.hotline", "t.grid", "t.online", "t.police", "t.deadletter",
                             NULL };
    if (yw_test_kafka_start(1, topics, partitions) != 0)
        return -1;
    char *tmp = yw_test_tmpdir();
    if (!tmp)
        return -1;
    snprintf(env->dir, sizeof env->dir, "%s", tmp);
    free(tmp);
    snprintf(env->cfg, sizeof env->cfg, "%s/test.yaml", env->dir);
    snprintf(env->metrics, sizeof env->metrics, "%s/metrics.prom", env->dir);
    snprintf(env->log, sizeof env->log, "%s/yuanwangd.log", env->dir);
    snprintf(env->records, sizeof env->records, "%s/records.jsonl", env->dir);
    current = env;

    char text[4096];
    snprintf(text, sizeof text,
             "kafka:\n"
             "  brokers: \"%s\"\n"
             "  group_id: \"%s\"\n"
             "  topics:\n"
             "    hotline: \"%s\"\n"
             "    grid: \"%s\"\n"
             "    online: \"%s\"\n"
             "    police: \"%s\"\n"
             "  dead_letter_topic: \"%s\"\n"
             "  batch_timeout_ms: 20\n"
             "  rdkafka:\n"
             "    fetch.wait.max.ms: \"20\"\n"
             "    auto.commit.interval.ms: \"200\"\n"
             /* The mock cluster ignores LeaveGroup: a restarted member
              * waits out the old one's session.  6 s is also a real
              * broker's group.min.session.timeout.ms. */
             "    session.timeout.ms: \"6000\"\n"
             "    heartbeat.interval.ms: \"500\"\n"
             "%s"
             "redis:\n"
             "  host: 127.0.0.1\n"
             "  port: %d\n"
             "  retry_backoff_ms: 50\n"
             "  retry_backoff_max_ms: 500\n"
             "privacy:\n"
             "  hmac_secret: \"e2e-test-secret-0123456789\"\n"
             "rules:\n"
             "  paths: [\"" YW_SOURCE_DIR "/rules\"]\n"
             "metrics:\n"
             "  file: \"%s\"\n"
             "  interval_ms: 100\n",
             yw_test_kafka_bootstraps(), T_GROUP, T_HOTLINE, T_GRID, T_ONLINE, T_POLICE,
             T_DLQ, extra_rdkafka ? extra_rdkafka : "",
             yw_test_redis_port(), env->metrics);
    return yw_test_write_file(env->cfg, text);
}

void yw_test_env_stop(yw_test_env_t *env)
{
    (void)env;
    yw_test_kafka_stop();
    yw_test_redis_cleanup();
}

/* Writes text to f with lines added right after the line "section:\n". */
static const char *put_until(FILE *f, const char *text, const char *section, const char *lines)
{
    const char *at = strstr(text, section);
    if (!at)
        return NULL;
    at += strlen(section);
    fprintf(f, "%.*s%s", (int)(at - text), text, lines ? lines : "");
    return at;
}

int yw_test_env_variant(const yw_test_env_t *env, const char *name, const char *kafka_lines,
                        const char *redis_lines, char *cfg, size_t cfglen, char *metrics,
                        size_t mlen)
{
    snprintf(cfg, cfglen, "%s/%s.yaml", env->dir, name);
    snprintf(metrics, mlen, "%s/%s.prom", env->dir, name);
    char *text = yw_test_read_file(env->cfg, NULL);
    FILE *f = text ? fopen(cfg, "w") : NULL;
    if (!f) {
        free(text);
        return -1;
    }
    /* the sections in the order yw_test_env_start writes them */
    const char *rest = put_until(f, text, "kafka:\n", kafka_lines);
    rest = rest ? put_until(f, rest, "redis:\n", redis_lines) : NULL;
    const char *m = rest ? strstr(rest, env->metrics) : NULL;
    if (m)
        fprintf(f, "%.*s%s%s", (int)(m - rest), rest, metrics, m + strlen(env->metrics));
    int rc = fclose(f) == 0 && m ? 0 : -1;
    free(text);
    return rc;
}

pid_t yw_test_env_daemon(yw_test_env_t *env)
{
    char *argv[] = { "yuanwangd", "-c", env->cfg, NULL };
    unlink(env->metrics);
    return yw_test_spawn("yuanwangd", argv, env->log);
}

void yw_test_env_dump_log(const yw_test_env_t *env)
{
    char *log = yw_test_read_file(env->log, NULL);
    fprintf(stderr, "---- yuanwangd log (%s) ----\n%s\n", env->log, log ? log : "(none)");
    free(log);
}

void yw_test_env_finish(yw_test_env_t *env)
{
    if (yw_test_failed_checks)
        yw_test_env_dump_log(env);
    yw_test_env_stop(env);
}

int yw_test_produce_wage_record(int i, int partition)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"id\":\"HL-T-%04d\",\"source\":\"hotline\",\"ts\":\"2026-03-01 %02d:10:00\","
             "\"text\":\"华建劳务公司拖欠我们三个月工资，工友%d人一直讨不到，电话13812345678\","
             "\"district\":\"江北区\",\"street\":\"观音桥街道\",\"person\":\"caller-%d\"}",
             i, (i / 10) % 24, i, i);
    if (current) {
        FILE *f = fopen(current->records, "a");
        if (f) {
            fprintf(f, "%s\n", json);
            fclose(f);
        }
    }
    return yw_test_kafka_produce(T_HOTLINE, partition, "江北区", json, strlen(json));
}

/* Collect "alert_id":"..." values of a text, in order. */
static int collect_ids(const char *text, char ids[][40], int cap)
{
    int n = 0;
    for (const char *p = text; p && (p = strstr(p, "\"alert_id\":\"")) && n < cap; p += 12) {
        const char *q = p + 12, *e = strchr(q, '"');
        if (!e)
            break;
        snprintf(ids[n++], 40, "%.*s", (int)(e - q), q);
    }
    return n;
}

int yw_test_backtest_alert_ids(const yw_test_env_t *env, char ids[][40], int cap)
{
    char alerts[700], assign[700];
    snprintf(alerts, sizeof alerts, "%s/backtest-alerts.jsonl", env->dir);
    snprintf(assign, sizeof assign, "%s/backtest-assign.jsonl", env->dir);
    char *argv[] = { "ywctl", "backtest", "-c", (char *)env->cfg, "--input",
                     (char *)env->records, "--assignments", assign, "--alerts", alerts, NULL };
    pid_t pid = yw_test_spawn("ywctl", argv, env->log);
    if (pid < 0 || yw_test_wait(pid, yw_test_deadline_ms(60000)) != 0)
        return -1;
    char *text = yw_test_read_file(alerts, NULL);
    if (!text)
        return -1;
    int n = collect_ids(text, ids, cap);
    free(text);
    return n;
}

int yw_test_stream_alert_ids(redisContext *c, char ids[][40], int cap)
{
    redisReply *r = redisCommand(c, "XRANGE yw:v1:alerts - +");
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject(r);
        return -1;
    }
    int n = 0;
    for (size_t i = 0; i < r->elements && n < cap; i++) {
        redisReply *fv = r->element[i]->element[1];
        for (size_t j = 0; j + 1 < fv->elements; j += 2)
            if (!strcmp(fv->element[j]->str, "alert_id"))
                snprintf(ids[n++], 40, "%s", fv->element[j + 1]->str);
    }
    freeReplyObject(r);
    return n;
}

int yw_test_env_append(yw_test_env_t *env, const char *yaml)
{
    FILE *f = fopen(env->cfg, "a");
    if (!f)
        return -1;
    int rc = fputs(yaml, f) < 0 ? -1 : 0;
    return fclose(f) != 0 ? -1 : rc;
}

int yw_test_alerts_match_backtest(const yw_test_env_t *env, redisContext *c)
{
    static char got[4096][40], want[4096][40];
    int ngot = yw_test_stream_alert_ids(c, got, 4096);
    int nwant = yw_test_backtest_alert_ids(env, want, 4096);
    CHECK(nwant >= 1);
    CHECK_EQ_INT(ngot, nwant);
    for (int i = 0; i < ngot && i < nwant; i++)
        CHECK_EQ_STR(got[i], want[i]);
    return ngot;
}

/* The `alert` field of every stream entry, in order (caller frees with
 * lines_free). */
static int stream_alerts(redisContext *c, char ***out)
{
    *out = NULL;
    redisReply *r = redisCommand(c, "XRANGE yw:v1:alerts - +");
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject(r);
        return -1;
    }
    char **v = calloc(r->elements + 1, sizeof *v);
    int n = 0;
    for (size_t i = 0; v && i < r->elements; i++) {
        redisReply *fv = r->element[i]->element[1];
        for (size_t j = 0; j + 1 < fv->elements; j += 2)
            if (!strcmp(fv->element[j]->str, "alert"))
                v[n++] = strdup(fv->element[j + 1]->str);
    }
    freeReplyObject(r);
    *out = v;
    return v ? n : -1;
}

/* The lines of `ywctl backtest --alerts` over env->records, in order
 * (caller frees with lines_free). */
static int backtest_alerts(const yw_test_env_t *env, char ***out)
{
    static char ids[4096][40];
    *out = NULL;
    if (yw_test_backtest_alert_ids(env, ids, 4096) < 0)
        return -1;
    char path[700];
    snprintf(path, sizeof path, "%s/backtest-alerts.jsonl", env->dir);
    char *text = yw_test_read_file(path, NULL);
    if (!text)
        return -1;
    int n = 0, cap = 64;
    char **v = malloc((size_t)cap * sizeof *v);
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); v && line;
         line = strtok_r(NULL, "\n", &save)) {
        if (n == cap) {
            cap *= 2;
            char **nv = realloc(v, (size_t)cap * sizeof *v);
            if (!nv) {
                for (int i = 0; i < n; i++)
                    free(v[i]);
                free(v);
                v = NULL;
                break;
            }
            v = nv;
        }
        v[n++] = strdup(line);
    }
    free(text);
    *out = v;
    return v ? n : -1;
}

static void lines_free(char **v, int n)
{
    for (int i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

int yw_test_alerts_equal_backtest(const yw_test_env_t *env, redisContext *c, int min_alerts)
{
    char **got = NULL, **want = NULL;
    int ngot = stream_alerts(c, &got);
    int nwant = backtest_alerts(env, &want);
    fprintf(stderr, "%d alerts in Redis, %d from the backtest\n", ngot, nwant);
    CHECK(ngot >= 0);
    CHECK(nwant >= min_alerts);
    CHECK_EQ_INT(ngot, nwant);
    int diff = 0;
    for (int i = 0; i < ngot && i < nwant; i++)
        if (strcmp(got[i], want[i]) != 0 && diff++ < 3)
            fprintf(stderr, "alert #%d differs:\n  redis:    %s\n  backtest: %s\n", i, got[i],
                    want[i]);
    CHECK_EQ_INT(diff, 0);
    static char ids[4096][40];
    int nids = yw_test_stream_alert_ids(c, ids, 4096);
    for (int i = 0; i < nids; i++)
        for (int j = i + 1; j < nids; j++)
            if (!strcmp(ids[i], ids[j])) {
                fprintf(stderr, "alert %s twice\n", ids[i]);
                CHECK(0);
            }
    lines_free(got, ngot);
    lines_free(want, nwant);
    return ngot;
}

pid_t yw_test_env_daemon_ready(yw_test_env_t *env)
{
    pid_t pid = yw_test_env_daemon(env);
    if (pid <= 0)
        return pid;
    CHECK(yw_test_wait_metric(env->metrics, "yw_kafka_assigned_partitions", 1,
                              yw_test_deadline_ms(30000)));
    CHECK(yw_test_wait_metric(env->metrics, "yw_redis_connected", 1,
                              yw_test_deadline_ms(10000)));
    return pid;
}

long yw_test_last_alert_cluster_records(redisContext *c)
{
    long records = -1;
    redisReply *r = redisCommand(c, "XREVRANGE yw:v1:alerts + - COUNT 1");
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 1)
        goto done;
    redisReply *fv = r->element[0]->element[1];
    for (size_t j = 0; j + 1 < fv->elements; j += 2)
        if (!strcmp(fv->element[j]->str, "cluster")) {
            redisReply *h = redisCommand(c, "HGET yw:v1:cluster:%s records",
                                         fv->element[j + 1]->str);
            if (h && h->type == REDIS_REPLY_STRING)
                records = atol(h->str);
            if (h)
                freeReplyObject(h);
        }
done:
    if (r)
        freeReplyObject(r);
    return records;
}
