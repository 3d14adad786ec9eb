/* config.h -- the daemon's YAML configuration.
 *
 * One declarative table per section (key, type, default, bounds or allowed
 * values, description) drives parsing, validation, `--help` text and
 * docs/config.md.  Errors are collected, never fatal one at a time: a load
 * reports *all* problems as
 *     FILE:LINE:COL: section.key: problem; hint
 * (unknown key -> closest valid key; out of range -> the range; bad regex ->
 * PCRE2's message; bad kafka.rdkafka.* -> librdkafka's own text).
 * ${ENV_VAR} in scalar values is replaced from the environment (an unset
 * variable is an error unless written ${ENV_VAR:-default}). */
#ifndef YW_CONFIG_H
#define YW_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#include "cluster.h"
#include "record.h"
#include "score.h"

typedef struct {
    char *key;
    char *value;
    int line, col;                /* for librdkafka's errors */
} yw_kv_t;

typedef struct {
    /* kafka */
    char *kafka_brokers;                 /* bootstrap.servers */
    char *kafka_group_id;
    char *kafka_topics[YW_SRC_COUNT];    /* topic per source; "" = not consumed */
    char *kafka_dead_letter_topic;
    int64_t kafka_max_message_bytes;     /* oversize -> dead letter */
    int64_t kafka_batch_size;            /* records applied per Redis round */
    int64_t kafka_batch_timeout_ms;      /* max wait to fill a batch */
    int64_t kafka_align_idle_ms;         /* partition alignment (align.h); 0: off */
    int64_t kafka_align_max_held;        /* messages held for alignment, at most */
    yw_kv_t *kafka_rdkafka;              /* passed to rd_kafka_conf_set */
    size_t kafka_rdkafka_count;

    /* redis */
    char *redis_host;
    int64_t redis_port;
    char *redis_unix_socket;             /* wins over host/port when set */
    char *redis_user;                    /* ACL user ("" = default) */
    char *redis_password;
    int64_t redis_db;
    char *redis_key_prefix;              /* "yw:" */
    int64_t redis_pipeline_depth;
    int64_t redis_queue_max;             /* commands buffered before pausing Kafka */
    int64_t redis_stream_maxlen;         /* XADD MAXLEN ~ */
    int64_t redis_connect_timeout_ms;
    int64_t redis_retry_backoff_ms;
    int64_t redis_retry_backoff_max_ms;

    /* records */
    int tz_offset_minutes;               /* records.timezone "+08:00" */

    /* privacy */
    char *privacy_hmac_secret;           /* required; usually ${YW_HMAC_SECRET} */

    /* cluster: yw_cluster_conf_default() overridden key by key; checked
     * with yw_cluster_conf_check() */
    yw_cluster_conf_t cluster;

    /* score: yw_score_conf_defaults() overridden key by key; checked with
     * yw_score_conf_check().  score.tz_offset_minutes is not a key of its
     * own: it is records.timezone (copied after the load). */
    yw_score_conf_t score;

    /* snapshot */
    char *snapshot_dir;                  /* "" = off */
    int64_t snapshot_interval_ms;
    int64_t snapshot_interval_records;   /* 0 = by time only */
    int64_t snapshot_keep;

    /* log */
    int log_level;                       /* yw_log_level_t */
    int log_format;                      /* yw_log_format_t */

    /* metrics */
    char *metrics_file;                  /* Prometheus text written periodically ("" = off) */
    int64_t metrics_interval_ms;

    /* rules */
    char **rules_paths;                  /* files or directories of rule YAML files */
    size_t rules_path_count;
    struct yw_rules *rules;              /* compiled by yw_config_load, owned; NULL from
                                          * yw_config_load_string / _no_rules (the stage
                                          * then compiles its own) */

    char *path;                          /* the file this came from */
} yw_config_t;

/* One collected problem. */
typedef struct {
    int line, col;                       /* 1-based; 0 when not tied to a line */
    char *key;                           /* "section.key" or NULL */
    char *msg;                           /* "problem; hint" */
    bool verbatim;                       /* msg is a whole message about another
                                          * file (a rule file: "FILE:LINE: rule
                                          * NAME: ..."), printed as it is */
} yw_config_error_t;

typedef struct {
    yw_config_error_t *items;
    size_t count, cap;
} yw_config_errors_t;

/* Defaults for every key (a config with no file at all). */
yw_config_t *yw_config_defaults(void);

/* Load FILE over the defaults, validate everything, compile what must be
 * compiled -- including the rules named by rules.paths (yw_rules_load;
 * relative paths are resolved against the working directory, never the
 * config file's directory).  Returns the config when there were no errors,
 * else NULL with every problem appended to errs (caller frees errs); rule
 * errors come last, as whole "RULEFILE:LINE: ..." messages (verbatim). */
yw_config_t *yw_config_load(const char *path, yw_config_errors_t *errs);

/* The same without compiling the rules (only rules.paths' form is
 * checked): for commands that never match a record (ywctl replay, alerts,
 * cluster, topics), which then neither wait for the compile nor fail on a
 * rule they do not use. */
yw_config_t *yw_config_load_no_rules(const char *path, yw_config_errors_t *errs);

/* The same from a string (tests); name is used as FILE in messages.  Does
 * not load the rules (only rules.paths' form is checked). */
yw_config_t *yw_config_load_string(const char *name, const char *yaml,
                                   size_t len, yw_config_errors_t *errs);

/* Print errs as "FILE:LINE:COL: section.key: problem; hint" lines. */
void yw_config_errors_print(const yw_config_errors_t *errs, const char *path,
                            FILE *out);
void yw_config_errors_free(yw_config_errors_t *errs);

void yw_config_destroy(yw_config_t *cfg);

/* A record decoder set up from the config (message size limit, time zone,
 * the complainant-key secret): what the daemon and every offline tool
 * decode with.  NULL with errbuf filled on failure. */
yw_decoder_t *yw_config_decoder(const yw_config_t *cfg, char *errbuf, size_t errlen);

/* --check-config: load path, print every problem (or "FILE: ok") to out;
 * returns 0 when valid, 2 when not. */
int yw_config_check_main(const char *path, FILE *out);

/* Print every key with type, default and description (for --help/docs).
 * markdown=true is exactly docs/config.md (a unit test keeps them equal). */
void yw_config_print_reference(FILE *out, bool markdown);

#endif
