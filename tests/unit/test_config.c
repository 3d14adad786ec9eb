/* test_config.c -- the YAML configuration: defaults, every valid fixture
 * loads with its values in the struct, every invalid fixture prints exactly
 * the lines in its .expected file, secrets from the environment are never
 * echoed, and docs/config.md is what the key tables print.
 *
 * Runs in the source tree (chdir YW_SOURCE_DIR) so file names in messages
 * are the repo-relative paths the .expected files hold.
 *
 *   test_config --write-docs docs/config.md   regenerates the reference. */
#include "yw_test.h"

#include "config.h"
#include "kafka.h"
#include "rules.h"
#include "stage.h"
#include "config_table.h"
#include "config_util.h"
#include "log.h"

#include <dirent.h>
#include <unistd.h>

#define SECRET "0123456789abcdef-test"

/* Everything f printed, as one string (caller frees). */
typedef struct {
    char *buf;
    size_t len;
    FILE *f;
} capture_t;

static void cap_open(capture_t *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
}

static char *cap_close(capture_t *c)
{
    fclose(c->f);
    return c->buf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in dir ending in suffix; returns the count. */
static size_t list_dir(const char *dir, const char *suffix, char ***out)
{
    DIR *d = opendir(dir);
    size_t n = 0, cap = 0, sl = strlen(suffix);
    char **names = NULL;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l <= sl || strcmp(de->d_name + l - sl, suffix))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(de->d_name);
    }
    if (d)
        closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    *out = names;
    return n;
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Load yaml text; returns the printed errors ("" when it loaded). */
static char *load_errors(const char *yaml, yw_config_t **cfg_out)
{
    yw_config_errors_t errs = { 0 };
    yw_config_t *cfg = yw_config_load_string("t.yaml", yaml, strlen(yaml), &errs);
    capture_t c;
    cap_open(&c);
    yw_config_errors_print(&errs, "t.yaml", c.f);
    if ((cfg != NULL) != (errs.count == 0))
        fprintf(c.f, "(config returned %s with %zu errors)\n",
                cfg ? "non-NULL" : "NULL", errs.count);
    yw_config_errors_free(&errs);
    if (cfg_out)
        *cfg_out = cfg;
    else
        yw_config_destroy(cfg);
    return cap_close(&c);
}

TEST(test_defaults)
{
    yw_config_t *cfg = yw_config_defaults();
    REQUIRE(cfg);
    CHECK_EQ_STR(cfg->kafka_brokers, "localhost:9092");
    CHECK_EQ_STR(cfg->kafka_group_id, "yuanwang");
    CHECK_EQ_STR(cfg->kafka_topics[YW_SRC_HOTLINE], "citizen.hotline");
    CHECK_EQ_STR(cfg->kafka_topics[YW_SRC_GRID], "citizen.grid");
    CHECK_EQ_STR(cfg->kafka_topics[YW_SRC_ONLINE], "citizen.online");
    CHECK_EQ_STR(cfg->kafka_topics[YW_SRC_POLICE], "citizen.police");
    CHECK_EQ_STR(cfg->kafka_dead_letter_topic, "yuanwang.deadletter");
    CHECK_EQ_INT(cfg->kafka_max_message_bytes, 1 << 20);
    CHECK_EQ_INT(cfg->kafka_batch_size, 512);
    CHECK_EQ_INT(cfg->kafka_batch_timeout_ms, 50);
    CHECK_EQ_INT(cfg->kafka_rdkafka_count, 0);
    CHECK_EQ_STR(cfg->redis_host, "127.0.0.1");
    CHECK_EQ_INT(cfg->redis_port, 6379);
    CHECK_EQ_STR(cfg->redis_unix_socket, "");
    CHECK_EQ_STR(cfg->redis_user, "");
    CHECK_EQ_STR(cfg->redis_password, "");
    CHECK_EQ_INT(cfg->redis_db, 0);
    CHECK_EQ_STR(cfg->redis_key_prefix, "yw:");
    CHECK_EQ_INT(cfg->redis_pipeline_depth, 256);
    CHECK_EQ_INT(cfg->redis_queue_max, 100000);
    CHECK_EQ_INT(cfg->redis_stream_maxlen, 100000);
    CHECK_EQ_INT(cfg->redis_connect_timeout_ms, 2000);
    CHECK_EQ_INT(cfg->redis_retry_backoff_ms, 100);
    CHECK_EQ_INT(cfg->redis_retry_backoff_max_ms, 5000);
    CHECK_EQ_INT(cfg->tz_offset_minutes, 480);
    CHECK(cfg->privacy_hmac_secret == NULL);
    /* cluster: and score: are exactly their modules' defaults. */
    yw_cluster_conf_t cd;
    yw_cluster_conf_default(&cd);
    CHECK(memcmp(&cfg->cluster, &cd, sizeof cd) == 0);
    CHECK(cfg->cluster.threshold == 0.20);
    CHECK_EQ_INT(cfg->cluster.top_k, 48);
    yw_score_conf_t sd;
    yw_score_conf_defaults(&sd);
    sd.tz_offset_minutes = cfg->tz_offset_minutes;
    CHECK(memcmp(&cfg->score, &sd, sizeof sd) == 0);
    CHECK(cfg->score.thresholds[YW_LEVEL_RED] == 90);   /* docs/scoring.md */
    CHECK_EQ_INT(cfg->score.tz_offset_minutes, 480);
    CHECK_EQ_INT(cfg->log_level, YW_LOG_INFO);
    CHECK_EQ_INT(cfg->log_format, YW_LOG_TEXT);
    CHECK_EQ_STR(cfg->metrics_file, "");
    CHECK_EQ_INT(cfg->metrics_interval_ms, 5000);
    REQUIRE(cfg->rules_path_count == 1);
    CHECK_EQ_STR(cfg->rules_paths[0], "rules");
    yw_config_destroy(cfg);
    yw_config_destroy(NULL);
}

/* Every tests/config/valid file and the shipped example load cleanly, and
 * --check-config says "FILE: ok". */
TEST(test_valid_files)
{
    char **names;
    size_t n = list_dir("tests/config/valid", ".yaml", &names);
    CHECK(n >= 3);
    setenv("YW_KAFKA_BROKERS", "127.0.0.1:9092", 1);   /* config/demo.yaml */
    setenv("YW_REDIS_PORT", "6379", 1);
    for (size_t i = 0; i <= n + 1; i++) {
        char path[512];
        if (i < n)
            snprintf(path, sizeof path, "tests/config/valid/%s", names[i]);
        else if (i == n)
            snprintf(path, sizeof path, "config/yuanwang.yaml");
        else
            snprintf(path, sizeof path, "config/demo.yaml");
        capture_t c;
        cap_open(&c);
        int rc = yw_config_check_main(path, c.f);
        char *out = cap_close(&c);
        char want[600];
        snprintf(want, sizeof want, "%s: ok\n", path);
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_STR(out, want);
        free(out);
    }
    unsetenv("YW_KAFKA_BROKERS");
    unsetenv("YW_REDIS_PORT");
    free_list(names, n);
}

/* config/yuanwang.yaml shows every cluster: and score: key at its default:
 * loading it gives exactly the modules' defaults. */
TEST(test_example_shows_defaults)
{
    yw_config_t *cfg = yw_config_load("config/yuanwang.yaml", NULL);
    yw_config_t *def = yw_config_defaults();
    REQUIRE(cfg && def);
    CHECK(memcmp(&cfg->cluster, &def->cluster, sizeof def->cluster) == 0);
    CHECK(memcmp(&cfg->score, &def->score, sizeof def->score) == 0);
    yw_config_destroy(cfg);
    yw_config_destroy(def);
}

TEST(test_full_values)
{
    yw_config_errors_t errs = { 0 };
    yw_config_t *cfg = yw_config_load("tests/config/valid/full.yaml", &errs);
    yw_config_errors_print(&errs, "full.yaml", stderr);
    REQUIRE(cfg);
    CHECK_EQ_INT(errs.count, 0);
    CHECK_EQ_STR(cfg->path, "tests/config/valid/full.yaml");
    CHECK_EQ_STR(cfg->kafka_brokers, "kafka-1:9092,kafka-2:9092");
    CHECK_EQ_STR(cfg->kafka_topics[YW_SRC_HOTLINE], "t.hotline");
    CHECK_EQ_STR(cfg->kafka_topics[YW_SRC_ONLINE], "");
    CHECK_EQ_INT(cfg->kafka_max_message_bytes, 2097152);
    CHECK_EQ_INT(cfg->kafka_batch_size, 1000);
    CHECK_EQ_INT(cfg->kafka_batch_timeout_ms, 20);
    REQUIRE(cfg->kafka_rdkafka_count == 3);
    CHECK_EQ_STR(cfg->kafka_rdkafka[0].key, "fetch.wait.max.ms");
    CHECK_EQ_STR(cfg->kafka_rdkafka[0].value, "25");
    CHECK_EQ_INT(cfg->kafka_rdkafka[0].line, 16);
    CHECK_EQ_INT(cfg->kafka_rdkafka[0].col, 24);
    CHECK_EQ_STR(cfg->kafka_rdkafka[2].key, "client.id");
    CHECK_EQ_STR(cfg->kafka_rdkafka[2].value, "yw-default-client");
    CHECK_EQ_STR(cfg->redis_host, "redis.internal");
    CHECK_EQ_INT(cfg->redis_port, 6380);
    CHECK_EQ_STR(cfg->redis_password, "");
    CHECK_EQ_INT(cfg->redis_db, 3);
    CHECK_EQ_STR(cfg->redis_key_prefix, "yw-test:");
    CHECK_EQ_INT(cfg->redis_queue_max, 5000);
    CHECK_EQ_INT(cfg->redis_retry_backoff_max_ms, 1000);
    CHECK_EQ_INT(cfg->tz_offset_minutes, -330);
    CHECK_EQ_STR(cfg->privacy_hmac_secret, SECRET);
    const yw_cluster_conf_t *cl = &cfg->cluster;
    CHECK(cl->threshold == 0.25);
    CHECK(cl->merge_threshold == 1.01);
    CHECK(cl->dup_jaccard == 0.8);
    CHECK_EQ_INT(cl->top_k, 64);
    CHECK_EQ_INT(cl->record_terms, 40);
    CHECK_EQ_INT(cl->index_terms, 12);
    CHECK_EQ_INT(cl->query_terms, 12);
    CHECK_EQ_INT(cl->posting_cap, 32);
    CHECK_EQ_INT(cl->max_candidates, 16);
    CHECK_EQ_INT(cl->max_clusters, 20000);
    CHECK(cl->expiry_hours == 360);
    CHECK(cl->singleton_expiry_hours == 48.5);
    CHECK(cl->half_life_hours == 0);
    CHECK(cl->time_scale_hours == 100);
    CHECK(cl->idf_min == 0.5);
    CHECK(cl->kind_weight[YW_TERM_BIGRAM] == 1.0f);
    CHECK(cl->kind_weight[YW_TERM_WORD] == 0.75f);
    CHECK(cl->kind_weight[YW_TERM_NUMBER] == 0.0f);
    CHECK(cl->kind_weight[YW_TERM_RULE] == 2.0f);
    CHECK(cl->kind_weight[YW_TERM_ENTITY] == 3.5f);
    CHECK(cl->kind_weight[YW_TERM_PLACE] == 1.25f);
    CHECK_EQ_INT(cl->df_width_log2, 16);
    CHECK_EQ_INT(cl->df_n_floor, 500);
    CHECK_EQ_INT(cl->merge_memory, 1024);
    const yw_score_conf_t *sc = &cfg->score;
    yw_score_conf_t sd;
    yw_score_conf_defaults(&sd);
    CHECK_EQ_INT(sc->tz_offset_minutes, -330);      /* records.timezone */
    CHECK_EQ_INT(sc->lateness_ms, 600000);
    CHECK(sc->weight[YW_SIG_VOLUME] == 10);
    CHECK(sc->weight[YW_SIG_BURST] == 15);
    CHECK(sc->weight[YW_SIG_SELFHARM] == 20);
    CHECK(sc->weight[YW_SIG_PEOPLE] == sd.weight[YW_SIG_PEOPLE]);   /* not set */
    CHECK(sc->sat[YW_SIG_VOLUME] == 100);
    CHECK(sc->sat[YW_SIG_PEOPLE] == 30.5);
    CHECK(sc->sat[YW_SIG_BURST] == sd.sat[YW_SIG_BURST]);
    CHECK(sc->thresholds[YW_LEVEL_BLUE] == 20);
    CHECK(sc->thresholds[YW_LEVEL_YELLOW] == 40.5);
    CHECK(sc->thresholds[YW_LEVEL_ORANGE] == 60);
    CHECK(sc->thresholds[YW_LEVEL_RED] == 85);
    CHECK(sc->hysteresis == 2.5);
    CHECK_EQ_INT(sc->cooldown_ms, 0);
    CHECK_EQ_INT(sc->eval_step_ms, 1800000);
    CHECK(sc->half_life_h == 48);
    CHECK_EQ_INT(sc->volume_days, 14);
    CHECK_EQ_INT(sc->growth_days, 7);
    CHECK(sc->growth_min_recent == 5);
    CHECK(sc->burst_beta == 0.5);
    CHECK(sc->burst_z_min == 3);
    CHECK(sc->burst_alpha_own == 0.3);
    CHECK(sc->burst_alpha_global == 0.05);
    CHECK(sc->burst_p_max == 1e-3);
    CHECK_EQ_INT(sc->burst_min_history_days, 5);
    CHECK(sc->global_prior_mean == 2);
    CHECK(sc->global_prior_sd == 1.5);
    CHECK(sc->concentration_min == 4);
    CHECK(sc->concentration_active == 6);
    CHECK_EQ_INT(sc->selfharm_level, YW_LEVEL_RED);
    CHECK(sc->selfharm_floor_min == 0.5);
    CHECK_EQ_INT(sc->person_cap, 1000);
    CHECK_EQ_INT(sc->person_ttl_ms, 86400000);
    CHECK_EQ_INT(sc->person_min_contacts, 4);
    CHECK_EQ_INT(sc->person_min_deflections, 0);
    CHECK_EQ_INT(cfg->log_level, YW_LOG_DEBUG);
    CHECK_EQ_INT(cfg->log_format, YW_LOG_JSON);
    CHECK_EQ_STR(cfg->metrics_file, "/tmp/yw-test.prom");
    CHECK_EQ_INT(cfg->metrics_interval_ms, 1000);
    REQUIRE(cfg->rules_path_count == 2);
    CHECK_EQ_STR(cfg->rules_paths[1], "rules/selfharm.yaml");
    yw_config_destroy(cfg);
    yw_config_errors_free(&errs);
}

TEST(test_unix_socket_values)
{
    yw_config_errors_t errs = { 0 };
    yw_config_t *cfg = yw_config_load("tests/config/valid/unix_socket.yaml", &errs);
    REQUIRE(cfg);
    CHECK_EQ_STR(cfg->redis_host, "");
    CHECK_EQ_STR(cfg->redis_unix_socket, "/run/redis/redis.sock");
    CHECK_EQ_STR(cfg->redis_key_prefix, "${site}:");
    CHECK_EQ_STR(cfg->kafka_topics[YW_SRC_HOTLINE], "12345");
    CHECK_EQ_STR(cfg->kafka_topics[YW_SRC_POLICE], "");
    CHECK_EQ_INT(cfg->rules_path_count, 0);
    yw_cluster_conf_t cd;
    yw_cluster_conf_default(&cd);
    CHECK(memcmp(&cfg->cluster, &cd, sizeof cd) == 0);    /* "cluster:" empty */
    CHECK_EQ_INT(cfg->tz_offset_minutes, 480);
    yw_config_destroy(cfg);
    yw_config_errors_free(&errs);
}

/* Each invalid/NAME.yaml prints exactly NAME.expected and exits 2. */
TEST(test_invalid_files)
{
    char **names, **expected;
    size_t n = list_dir("tests/config/invalid", ".yaml", &names);
    size_t ne = list_dir("tests/config/invalid", ".expected", &expected);
    CHECK(n >= 11);
    CHECK_EQ_INT(ne, n);        /* no fixture without its expected lines */
    for (size_t i = 0; i < n; i++) {
        char path[512], epath[512];
        snprintf(path, sizeof path, "tests/config/invalid/%s", names[i]);
        snprintf(epath, sizeof epath, "%.*s.expected", (int)(strlen(path) - 5), path);
        char *want = yw_test_read_file(epath, NULL);
        if (!want) {
            fprintf(stderr, "missing %s\n", epath);
            CHECK(want != NULL);
            continue;
        }
        capture_t c;
        cap_open(&c);
        int rc = yw_config_check_main(path, c.f);
        char *got = cap_close(&c);
        if (strcmp(got, want))
            fprintf(stderr, "%s:\n", path);
        CHECK_EQ_STR(got, want);
        CHECK_EQ_INT(rc, 2);
        free(got);
        free(want);
    }
    free_list(names, n);
    free_list(expected, ne);
}

TEST(test_three_mistakes_all_reported)
{
    /* The acceptance check, spelled out independently of the
     * fixture comparison above. */
    yw_config_errors_t errs = { 0 };
    yw_config_t *cfg = yw_config_load("tests/config/invalid/three_mistakes.yaml", &errs);
    CHECK(cfg == NULL);
    REQUIRE(errs.count == 3);
    CHECK_EQ_STR(errs.items[0].key, "kafka.batch_sise");
    CHECK_EQ_STR(errs.items[1].key, "kafka.batch_timeout_ms");
    CHECK_EQ_STR(errs.items[2].key, "log.level");
    CHECK_EQ_INT(errs.items[2].line, 10);
    CHECK_EQ_INT(errs.items[2].col, 10);
    yw_config_errors_free(&errs);
}

TEST(test_env_substitution)
{
    yw_config_t *cfg;
    setenv("YW_TEST_HOST", "redis-a", 1);
    setenv("YW_TEST_EMPTY", "", 1);
    unsetenv("YW_TEST_UNSET_VAR");
    char *err = load_errors(
        "privacy: {hmac_secret: '" SECRET "'}\n"
        "redis:\n"
        "  host: ${YW_TEST_HOST:-fallback}\n"
        "  user: ${YW_TEST_UNSET_VAR:-fallback}\n"
        "  password: ${YW_TEST_EMPTY:-from-default}\n"
        "  key_prefix: 'a$b$$c$${x}:${YW_TEST_HOST}:'\n"
        "  unix_socket: ${YW_TEST_EMPTY}\n", &cfg);
    CHECK_EQ_STR(err, "");
    free(err);
    REQUIRE(cfg);
    CHECK_EQ_STR(cfg->redis_host, "redis-a");
    CHECK_EQ_STR(cfg->redis_user, "fallback");
    CHECK_EQ_STR(cfg->redis_password, "from-default");
    CHECK_EQ_STR(cfg->redis_key_prefix, "a$b$$c${x}:redis-a:");
    CHECK_EQ_STR(cfg->redis_unix_socket, "");
    yw_config_destroy(cfg);

    err = load_errors("privacy: {hmac_secret: '" SECRET "'}\n"
                      "redis: {host: '${1BAD}', user: '${X:=y}'}\n", NULL);
    CHECK_EQ_STR(err,
        "t.yaml:2:15: redis.host: '${1BAD}' is not a valid variable reference; "
        "write ${NAME} or ${NAME:-default}\n"
        "t.yaml:2:32: redis.user: '${X:=y}' is not a valid variable reference; "
        "write ${NAME} or ${NAME:-default}\n");
    free(err);
}

/* A value that came from the environment may be a secret: messages show
 * the ${...} text, never the value, whoever writes the message. */
TEST(test_secrets_never_echoed)
{
    const char *secret = "s3cr3t-Value-7f9a2c";
    setenv("YW_TEST_NUM", "987654321", 1);
    setenv("YW_TEST_FRAC", "42.125", 1);
    setenv("YW_TEST_SECRET", secret, 1);
    setenv("YW_TEST_SHORT", "short-s3cr3t", 1);
    char *err = load_errors(
        "privacy:\n"
        "  hmac_secret: ${YW_TEST_SHORT}\n"
        "redis:\n"
        "  port: ${YW_TEST_SECRET}\n"
        "  db: '9${YW_TEST_SECRET}'\n"
        "log: {level: '${YW_TEST_SECRET}'}\n"
        "records: {timezone: '${YW_TEST_SECRET}'}\n"
        "kafka:\n"
        "  rdkafka:\n"
        "    auto.offset.reset: ${YW_TEST_SECRET}\n"
        "    socket.timeout.ms: ${YW_TEST_SECRET}\n"
        "cluster:\n"
        "  threshold: ${YW_TEST_SECRET}\n"
        "  idf_min: ${YW_TEST_NUM}\n"
        "score:\n"
        "  thresholds: {blue: '${YW_TEST_FRAC}', yellow: 2}\n", NULL);
    CHECK(strstr(err, secret) == NULL);
    CHECK(strstr(err, "short-s3cr3t") == NULL);
    CHECK(strstr(err, "t.yaml:2:16: privacy.hmac_secret: too short (12 bytes)") != NULL);
    CHECK(strstr(err, "redis.port: expected an integer, got '${YW_TEST_SECRET}'") != NULL);
    CHECK(strstr(err, "redis.db: '9${YW_TEST_SECRET}' is out of range") == NULL);
    CHECK(strstr(err, "redis.db: expected an integer, got '9${YW_TEST_SECRET}'") != NULL);
    CHECK(strstr(err, "log.level: '${YW_TEST_SECRET}' is not one of") != NULL);
    CHECK(strstr(err, "records.timezone: '${YW_TEST_SECRET}' is not a UTC offset") != NULL);
    CHECK(strstr(err, "kafka.rdkafka.auto.offset.reset: Invalid value "
                      "\"${YW_TEST_SECRET}\" for configuration property") != NULL);
    CHECK(strstr(err, "kafka.rdkafka.socket.timeout.ms:") != NULL);
    CHECK(strstr(err, "cluster.threshold: expected a number, got "
                      "'${YW_TEST_SECRET}'") != NULL);
    CHECK(strstr(err, "cluster.idf_min: ${YW_TEST_NUM} is out of range; "
                      "allowed [0, 100]") != NULL);
    CHECK(strstr(err, "score.thresholds.yellow: 2 is not greater than blue "
                      "(${YW_TEST_FRAC})") != NULL);
    CHECK(strstr(err, "987654321") == NULL);
    CHECK(strstr(err, "42.125") == NULL);
    if (strstr(err, secret) || strstr(err, "987654321") || strstr(err, "42.125"))
        fprintf(stderr, "%s", err);
    free(err);

    /* The modules' section checks print values; those from the environment
     * are shown as their ${...} text too. */
    setenv("YW_TEST_TOPK", "17", 1);
    err = load_errors("privacy: {hmac_secret: '" SECRET "'}\n"
                      "cluster: {top_k: '${YW_TEST_TOPK}', index_terms: 32}\n", NULL);
    CHECK_EQ_STR(err, "t.yaml:2:1: cluster: index_terms (32) must not exceed "
                      "top_k (${YW_TEST_TOPK})\n");
    free(err);
}

TEST(test_empty_secret)
{
    setenv("YW_TEST_EMPTY", "", 1);
    char *err = load_errors("privacy:\n  hmac_secret: ${YW_TEST_EMPTY}\n", NULL);
    CHECK_EQ_STR(err, "t.yaml:2:16: privacy.hmac_secret: must not be empty; set it "
                      "to ${YW_HMAC_SECRET} and export a secret of at least 16 bytes\n");
    free(err);
    /* A required key whose value failed is not also reported missing. */
    err = load_errors("privacy:\n  hmac_secret: ${YW_TEST_UNSET_VAR}\n", NULL);
    CHECK_EQ_STR(err, "t.yaml:2:16: privacy.hmac_secret: environment variable "
                      "YW_TEST_UNSET_VAR is not set; export it, or write "
                      "${YW_TEST_UNSET_VAR:-default}\n");
    free(err);
}

TEST(test_documents_and_odd_shapes)
{
    char *err = load_errors("", NULL);
    CHECK_EQ_STR(err, "t.yaml: privacy.hmac_secret: required; set it to "
                      "${YW_HMAC_SECRET} and export a secret of at least 16 bytes\n");
    free(err);

    err = load_errors("privacy: {hmac_secret: '" SECRET "'}\n---\nlog: {}\n", NULL);
    CHECK_EQ_STR(err, "t.yaml:2:1: a second YAML document; the configuration is "
                      "one document (remove the '---')\n");
    free(err);

    err = load_errors("- kafka\n", NULL);
    CHECK_EQ_STR(err, "t.yaml:1:1: expected a mapping of sections, got a list\n"
                      "t.yaml: privacy.hmac_secret: required; set it to "
                      "${YW_HMAC_SECRET} and export a secret of at least 16 bytes\n");
    free(err);

    err = load_errors("privacy: {hmac_secret: '" SECRET "'}\n"
                      "base: &b {level: info}\n"
                      "log:\n  <<: *b\n"
                      "kafka:\n  topics: {hotline: '', grid: '', online: '', police: ''}\n"
                      "redis: {retry_backoff_max_ms: 50, host: ''}\n", NULL);
    CHECK_EQ_STR(err,
        "t.yaml:2:1: base: unknown section; valid sections: kafka, redis, records, "
        "privacy, rules, cluster, score, snapshot, log, metrics\n"
        "t.yaml:4:3: log.<<: merge keys (<<) are not supported; write the keys out\n"
        "t.yaml:6:11: kafka.topics: every topic is empty; set at least one of "
        "hotline, grid, online, police\n"
        "t.yaml:7:31: redis.retry_backoff_max_ms: 50 is less than "
        "redis.retry_backoff_ms (100); the maximum must be at least the first backoff\n"
        "t.yaml:7:41: redis.host: empty, and redis.unix_socket is empty too; set one "
        "of them\n");
    free(err);
}

TEST(test_missing_file)
{
    CHECK(yw_config_load("tests/config/no-such-file.yaml", NULL) == NULL);
    CHECK(yw_config_load("tests/config/invalid/three_mistakes.yaml", NULL) == NULL);
    yw_config_t *cfg = yw_config_load("tests/config/valid/minimal.yaml", NULL);
    CHECK(cfg != NULL);
    yw_config_destroy(cfg);

    capture_t c;
    cap_open(&c);
    int rc = yw_config_check_main("tests/config/no-such-file.yaml", c.f);
    char *out = cap_close(&c);
    CHECK_EQ_INT(rc, 2);
    CHECK_EQ_STR(out, "tests/config/no-such-file.yaml: cannot open: No such file "
                      "or directory\n");
    free(out);
}

TEST(test_utilities)
{
    CHECK_EQ_INT(yw_cfgu_edit_distance("levle", "level"), 1);
    CHECK_EQ_INT(yw_cfgu_edit_distance("batch_sise", "batch_size"), 1);
    CHECK_EQ_INT(yw_cfgu_edit_distance("", "abc"), 3);
    CHECK(yw_cfgu_close_enough(10, 2));
    CHECK(!yw_cfgu_close_enough(4, 2));

    CHECK_EQ_INT(yw_cfgu_display_width("abc", 3), 3);
    CHECK_EQ_INT(yw_cfgu_display_width("欠薪", strlen("欠薪")), 4);
    CHECK_EQ_INT(yw_cfgu_display_width("a（b）", strlen("a（b）")), 6);
    CHECK_EQ_INT(yw_cfgu_display_width("\xff\xfe", 2), 2);

    char *caret = yw_cfgu_caret("ab欠\tc", strlen("ab欠\tc"), strlen("ab欠\t"));
    CHECK_EQ_STR(caret, "\n    ab欠 c\n         ^");
    free(caret);
    caret = yw_cfgu_caret("x\n(欠薪", strlen("x\n(欠薪"), strlen("x\n(欠薪"));
    CHECK_EQ_STR(caret, "\n    (欠薪\n         ^");
    free(caret);

    int64_t v = 0;
    CHECK_EQ_INT(yw_cfgu_parse_int("9223372036854775807", &v), 0);
    CHECK_EQ_INT(v, INT64_MAX);
    CHECK_EQ_INT(yw_cfgu_parse_int("-9223372036854775808", &v), 0);
    CHECK_EQ_INT(v, INT64_MIN);
    CHECK_EQ_INT(yw_cfgu_parse_int("9223372036854775808", &v), -2);
    CHECK_EQ_INT(yw_cfgu_parse_int("99999999999999999999999", &v), -2);
    CHECK_EQ_INT(yw_cfgu_parse_int("+1", &v), -1);
    CHECK_EQ_INT(yw_cfgu_parse_int("-", &v), -1);
    CHECK_EQ_INT(yw_cfgu_parse_int("", &v), -1);
    CHECK_EQ_INT(yw_cfgu_parse_int("0x10", &v), -1);

    int m = 0;
    CHECK_EQ_INT(yw_cfgu_parse_tz("+08:00", &m), 0);
    CHECK_EQ_INT(m, 480);
    CHECK_EQ_INT(yw_cfgu_parse_tz("-05:30", &m), 0);
    CHECK_EQ_INT(m, -330);
    CHECK_EQ_INT(yw_cfgu_parse_tz("+8:00", &m), -1);
    CHECK_EQ_INT(yw_cfgu_parse_tz("+15:00", &m), -1);
    CHECK_EQ_INT(yw_cfgu_parse_tz("08:00", &m), -1);
}

TEST(test_parse_double)
{
    double d = -1;
    CHECK_EQ_INT(yw_cfgu_parse_double("0.25", &d), 0);
    CHECK(d == 0.25);
    CHECK_EQ_INT(yw_cfgu_parse_double("-3", &d), 0);
    CHECK(d == -3);
    CHECK_EQ_INT(yw_cfgu_parse_double("1e-3", &d), 0);
    CHECK(d == 1e-3);
    CHECK_EQ_INT(yw_cfgu_parse_double("2.5E+2", &d), 0);
    CHECK(d == 250);
    CHECK_EQ_INT(yw_cfgu_parse_double("1e-400", &d), 0);    /* underflow: ~0 */
    CHECK_EQ_INT(yw_cfgu_parse_double("1e999", &d), -2);
    CHECK_EQ_INT(yw_cfgu_parse_double("-1e999", &d), -2);
    static const char *const bad[] = {
        "", "-", "+1", ".5", "5.", "1e", "1e+", "nan", "NaN", "inf", "-inf",
        ".inf", "infinity", "0x10", "0x1p3", "1_000", "1,5", " 1", "1 ", "5%",
        "72h", "1.2.3", "--1", "1e5.0",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = 7;
        CHECK_EQ_INT(yw_cfgu_parse_double(bad[i], &d), -1);
        CHECK(d == 7);
    }
}

/* score.weights / score.saturation are keyed by yw_score_signal_name(), in
 * signal order; a new signal in score.h without its rows fails here. */
TEST(test_signal_rows)
{
    const cfg_key_t *score = yw_cfg_find(&yw_cfg_root, "score");
    REQUIRE(score && score->sub);
    const char *subs[] = { "weights", "saturation" };
    for (int k = 0; k < 2; k++) {
        const cfg_key_t *t = yw_cfg_find(score->sub, subs[k]);
        REQUIRE(t && t->type == CT_TABLE);
        CHECK_EQ_INT(t->sub->n, YW_SIG_COUNT);
        for (int i = 0; i < YW_SIG_COUNT && (size_t)i < t->sub->n; i++) {
            CHECK_EQ_STR(t->sub->keys[i].name, yw_score_signal_name(i));
            size_t want = k == 0 ? offsetof(yw_config_t, score.weight[i])
                                 : offsetof(yw_config_t, score.sat[i]);
            CHECK_EQ_INT(t->sub->keys[i].off, want);
        }
    }
}

/* Every row of cluster: and score: accepts its module's default (the
 * table's bounds and the modules' ranges agree), and both section checks
 * pass on the defaults. */
TEST(test_rows_accept_defaults)
{
    yw_config_t *cfg = yw_config_defaults();
    REQUIRE(cfg);
    const char *secs[] = { "cluster", "score" };
    for (int k = 0; k < 2; k++) {
        const cfg_key_t *sec = yw_cfg_find(&yw_cfg_root, secs[k]);
        REQUIRE(sec && sec->init && sec->check);
        char msg[256] = "";
        CHECK_EQ_INT(sec->check(cfg, msg, sizeof msg), 0);
        const cfg_table_t *stack[4] = { sec->sub };
        int top = 1;
        while (top > 0) {
            const cfg_table_t *t = stack[--top];
            for (size_t i = 0; i < t->n; i++) {
                const cfg_key_t *e = &t->keys[i];
                if (e->type == CT_TABLE) {
                    REQUIRE(top < 4);
                    stack[top++] = e->sub;
                } else if (e->type == CT_FLOAT) {
                    double v = yw_cfg_get_float(e, cfg);
                    bool ok = ((e->flags & CF_GT_MIN) ? v > e->fmin : v >= e->fmin) &&
                              v <= e->fmax;
                    if (!ok)
                        fprintf(stderr, "%s.%s default %g outside\n", secs[k], e->name, v);
                    CHECK(ok);
                } else if (e->type == CT_INT) {
                    int64_t v = yw_cfg_get_int(e, cfg);
                    if (v < e->min || v > e->max)
                        fprintf(stderr, "%s.%s default %lld outside\n", secs[k],
                                e->name, (long long)v);
                    CHECK(v >= e->min && v <= e->max);
                }
            }
        }
    }
    yw_config_destroy(cfg);
}

/* rules.paths: yw_config_load loads the rules (every rule error, whole and
 * after the config's own), yw_config_load_string does not; relative paths
 * are the working directory's. */
TEST(test_rules_loaded)
{
    yw_config_errors_t errs = { 0 };
    yw_config_t *cfg = yw_config_load("tests/config/invalid/bad_rule.yaml", &errs);
    CHECK(cfg == NULL);
    REQUIRE(errs.count >= 3);
    CHECK_EQ_STR(errs.items[0].key, "log.level");
    CHECK(!errs.items[0].verbatim);
    size_t nrule = 0;
    for (size_t i = 1; i < errs.count; i++) {
        CHECK(errs.items[i].verbatim);
        CHECK_EQ_INT(errs.items[i].line, 0);
        CHECK(!strncmp(errs.items[i].msg, "tests/config/rules/bad.yaml:", 28));
        nrule++;
    }
    CHECK_EQ_INT(nrule, 3);
    yw_config_errors_free(&errs);

    const char *yaml = "privacy: {hmac_secret: '" SECRET "'}\n"
                       "rules: {paths: [no-such-rules-dir]}\n";
    char *err = load_errors(yaml, &cfg);
    CHECK_EQ_STR(err, "");          /* load_string checks only the form */
    free(err);
    yw_config_destroy(cfg);

    char tmp[] = "/tmp/yw-test-config-XXXXXX";
    int fd = mkstemp(tmp);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, yaml, strlen(yaml)) == (ssize_t)strlen(yaml));
    close(fd);
    capture_t c;
    cap_open(&c);
    CHECK_EQ_INT(yw_config_check_main(tmp, c.f), 2);
    char *out = cap_close(&c);
    char want[1024];
    snprintf(want, sizeof want, "%s:2:17: rules.paths[0]: cannot open "
             "'no-such-rules-dir': No such file or directory; relative paths are "
             "resolved against the working directory, %s\n", tmp, YW_SOURCE_DIR);
    CHECK_EQ_STR(out, want);
    free(out);
    unlink(tmp);

    /* The default rules directory, relative to the working directory;
     * the compiled rules stay with the config (the stage borrows them
     * instead of compiling them again). */
    cfg = yw_config_load("tests/config/valid/minimal.yaml", NULL);
    CHECK(cfg != NULL);
    if (cfg) {
        CHECK_EQ_STR(cfg->rules_paths[0], "rules");
        REQUIRE(cfg->rules != NULL);
        CHECK(yw_rules_count(cfg->rules) >= 10);
        char serr[256];
        yw_shard_t *sh = yw_shard_create(cfg, serr, sizeof serr);
        REQUIRE(sh != NULL);
        CHECK(yw_shard_rules(sh) == cfg->rules);
        yw_shard_destroy(sh);          /* leaves the config's rules alone... */
        CHECK(yw_rules_count(cfg->rules) >= 10);   /* ...(ASan: no use after free) */
    }
    yw_config_destroy(cfg);

    /* Commands that never match a record load without compiling: a bad
     * rule file does not stop them, and nothing is compiled. */
    cfg = yw_config_load_no_rules("tests/config/invalid/bad_rule.yaml", &errs);
    CHECK(cfg == NULL);                 /* its log.level error still counts */
    CHECK_EQ_INT(errs.count, 1);
    CHECK_EQ_STR(errs.items[0].key, "log.level");
    yw_config_errors_free(&errs);
    const char *badrules = "privacy: {hmac_secret: '" SECRET "'}\n"
                           "rules: {paths: [tests/config/rules]}\n";
    char tmp2[] = "/tmp/yw-test-config-XXXXXX";
    fd = mkstemp(tmp2);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, badrules, strlen(badrules)) == (ssize_t)strlen(badrules));
    close(fd);
    cfg = yw_config_load(tmp2, NULL);
    CHECK(cfg == NULL);
    cfg = yw_config_load_no_rules(tmp2, &errs);
    CHECK(cfg != NULL);
    CHECK_EQ_INT(errs.count, 0);
    if (cfg)
        CHECK(cfg->rules == NULL);
    yw_config_destroy(cfg);
    yw_config_errors_free(&errs);
    unlink(tmp2);
}

static char *reference(bool markdown)
{
    capture_t c;
    cap_open(&c);
    yw_config_print_reference(c.f, markdown);
    return cap_close(&c);
}

/* docs/config.md is generated from the tables: it may never drift. */
TEST(test_docs_in_sync)
{
    char *want = reference(true);
    char *have = yw_test_read_file("docs/config.md", NULL);
    if (!have || strcmp(have, want))
        fprintf(stderr, "docs/config.md differs from the key tables; regenerate "
                "with: %s/tests/test_config --write-docs docs/config.md\n",
                YW_BUILD_DIR);
    CHECK(have && !strcmp(have, want));
    free(want);
    free(have);
}

TEST(test_reference_lists_every_key)
{
    static const char *const keys[] = {
        "kafka.brokers", "kafka.topics.police", "kafka.rdkafka",
        "kafka.batch_timeout_ms", "redis.retry_backoff_max_ms", "records.timezone",
        "privacy.hmac_secret", "log.format", "metrics.interval_ms", "rules.paths",
        "cluster.threshold", "cluster.kind_weights.entity", "cluster.merge_memory",
        "score.weights.selfharm", "score.saturation.burst", "score.thresholds.red",
        "score.cooldown_ms", "score.person_min_deflections",
    };
    char *md = reference(true), *plain = reference(false);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char buf[128];
        snprintf(buf, sizeof buf, "| `%s` |", keys[i]);
        CHECK(strstr(md, buf) != NULL);
        snprintf(buf, sizeof buf, "  %s ", keys[i]);
        CHECK(strstr(plain, buf) != NULL);
    }
    CHECK(strstr(md, "| `kafka.batch_size` | integer | `512` | 1..100000 |") != NULL);
    /* Defaults of cluster: and score: are read back from the modules. */
    CHECK(strstr(md, "| `cluster.threshold` | number | `0.2` | [0, 1] |") != NULL);
    CHECK(strstr(md, "| `cluster.kind_weights.entity` | number | `2.5` | [0, 100] |") != NULL);
    CHECK(strstr(md, "| `cluster.max_clusters` | integer | `50000` | 2..100000000 |") != NULL);
    CHECK(strstr(md, "| `score.weights.people` | number | `14` | [0, 100] |") != NULL);
    CHECK(strstr(md, "| `score.saturation.volume` | number | `50` | (0, 1000000000] |") != NULL);
    CHECK(strstr(md, "| `score.thresholds.orange` | number | `66` | (0, 100] |") != NULL);
    CHECK(strstr(md, "| `score.cooldown_ms` | integer (ms) | `21600000` |") != NULL);
    CHECK(strstr(md, "| `score.burst_p_max` | number | `0.01` | (0, 1] |") != NULL);
    CHECK(strstr(md, "| `score.selfharm_level` | enum | `orange` | none, blue, "
                     "yellow, orange, red |") != NULL);
    free(md);
    free(plain);
}

/* kafka.rdkafka goes to the consumer and to the producers, each getting
 * only what is its own (librdkafka logs a CONFWARN at every start for a
 * property of the other kind); record producers are idempotent unless
 * it says otherwise. */
static char *conf_value(rd_kafka_conf_t *conf, const char *name)
{
    static char buf[256];
    size_t n = sizeof buf;
    if (rd_kafka_conf_get(conf, name, buf, &n) != RD_KAFKA_CONF_OK)
        return "?";
    return buf;
}

TEST(test_rdkafka_properties_split)
{
    yw_config_t *cfg = NULL;
    char *e = load_errors("privacy: {hmac_secret: \"0123456789abcdef0123\"}\n"
                          "kafka:\n  rdkafka:\n"
                          "    session.timeout.ms: \"7000\"\n"
                          "    fetch.wait.max.ms: \"33\"\n"
                          "    linger.ms: \"7\"\n"
                          "    socket.timeout.ms: \"31000\"\n", &cfg);
    CHECK_EQ_STR(e, "");
    free(e);
    REQUIRE(cfg != NULL);
    char err[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new(), *p = rd_kafka_conf_new();
    REQUIRE(yw_kafka_conf_apply(c, cfg, err, sizeof err) == 0);
    REQUIRE(yw_kafka_conf_apply_producer(p, cfg, err, sizeof err) == 0);
    /* the consumer: its own and the common ones, not the producer's */
    CHECK_EQ_STR(conf_value(c, "session.timeout.ms"), "7000");
    CHECK_EQ_STR(conf_value(c, "fetch.wait.max.ms"), "33");
    CHECK_EQ_STR(conf_value(c, "socket.timeout.ms"), "31000");
    CHECK(strcmp(conf_value(c, "linger.ms"), "7") != 0);
    /* the producers: the reverse */
    CHECK_EQ_STR(conf_value(p, "linger.ms"), "7");
    CHECK_EQ_STR(conf_value(p, "socket.timeout.ms"), "31000");
    CHECK(strcmp(conf_value(p, "session.timeout.ms"), "7000") != 0);
    CHECK(strcmp(conf_value(p, "fetch.wait.max.ms"), "33") != 0);
    rd_kafka_conf_destroy(c);
    rd_kafka_conf_destroy(p);
    /* a record producer: idempotent and linger.ms 5 unless the config
     * says otherwise (it says linger.ms 7 here) */
    p = rd_kafka_conf_new();
    REQUIRE(yw_kafka_conf_producer(p, cfg, err, sizeof err) == 0);
    CHECK_EQ_STR(conf_value(p, "enable.idempotence"), "true");
    CHECK_EQ_STR(conf_value(p, "linger.ms"), "7");
    rd_kafka_conf_destroy(p);
    yw_config_destroy(cfg);
    e = load_errors("privacy: {hmac_secret: \"0123456789abcdef0123\"}\n"
                    "kafka:\n  rdkafka:\n    enable.idempotence: \"false\"\n", &cfg);
    CHECK_EQ_STR(e, "");
    free(e);
    REQUIRE(cfg != NULL);
    p = rd_kafka_conf_new();
    REQUIRE(yw_kafka_conf_producer(p, cfg, err, sizeof err) == 0);
    CHECK_EQ_STR(conf_value(p, "enable.idempotence"), "false");
    CHECK_EQ_STR(conf_value(p, "linger.ms"), "5");
    rd_kafka_conf_destroy(p);
    yw_config_destroy(cfg);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--write-docs")) {
        FILE *f = fopen(argv[2], "w");
        if (!f) {
            perror(argv[2]);
            return 1;
        }
        yw_config_print_reference(f, true);
        return fclose(f) == 0 ? 0 : 1;
    }
    if (chdir(YW_SOURCE_DIR) != 0) {
        perror(YW_SOURCE_DIR);
        return 1;
    }
    setenv("YW_HMAC_SECRET", SECRET, 1);
    unsetenv("YW_TEST_UNSET_VAR");
    unsetenv("YW_TEST_UNSET_USER");
    unsetenv("YW_TEST_CLIENT_ID");
    unsetenv("YW_TEST_REDIS_PASSWORD");
    unsetenv("YW_KAFKA_BROKERS");
    unsetenv("YW_REDIS_PASSWORD");

    RUN(test_defaults);
    RUN(test_valid_files);
    RUN(test_example_shows_defaults);
    RUN(test_full_values);
    RUN(test_unix_socket_values);
    RUN(test_invalid_files);
    RUN(test_three_mistakes_all_reported);
    RUN(test_env_substitution);
    RUN(test_secrets_never_echoed);
    RUN(test_empty_secret);
    RUN(test_documents_and_odd_shapes);
    RUN(test_missing_file);
    RUN(test_utilities);
    RUN(test_parse_double);
    RUN(test_signal_rows);
    RUN(test_rows_accept_defaults);
    RUN(test_rules_loaded);
    RUN(test_docs_in_sync);
    RUN(test_reference_lists_every_key);
    RUN(test_rdkafka_properties_split);
    return yw_test_done();
}
