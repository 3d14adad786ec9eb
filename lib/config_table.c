/* config_table.c -- the key tables of the configuration (config_table.h):
 * every section and key with its type, default, bounds and description,
 * and what follows from the rows alone: yw_config_defaults(),
 * yw_config_destroy() and yw_config_print_reference() (--help and
 * docs/config.md, which a unit test keeps equal to this file). */
#include "config_table.h"

#include "config_util.h"
#include "log.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define TABLE(arr) { arr, sizeof arr / sizeof arr[0] }
#define OFF(field) offsetof(yw_config_t, field)

#define K_STR(n, field, d, minlen, desc_) \
    { .name = n, .type = CT_STR, .off = OFF(field), .def = d, .min = minlen, .desc = desc_ }
#define K_INT(n, field, d, lo, hi, unit_, desc_) \
    { .name = n, .type = CT_INT, .off = OFF(field), .def_int = d, .min = lo, \
      .max = hi, .unit = unit_, .desc = desc_ }
#define K_SUB(n, tbl, desc_) \
    { .name = n, .type = CT_TABLE, .sub = &tbl, .desc = desc_ }

static const char *const log_levels[] = { "error", "warn", "info", "debug", NULL };
static const char *const log_formats[] = { "text", "json", NULL };

static const cfg_key_t kafka_topic_keys[] = {
    K_STR("hotline", kafka_topics[YW_SRC_HOTLINE], "citizen.hotline", 0,
          "Topic of 12345 hotline records; \"\" = not consumed."),
    K_STR("grid", kafka_topics[YW_SRC_GRID], "citizen.grid", 0,
          "Topic of grid-patrol records; \"\" = not consumed."),
    K_STR("online", kafka_topics[YW_SRC_ONLINE], "citizen.online", 0,
          "Topic of online posts and message-board records; \"\" = not consumed."),
    K_STR("police", kafka_topics[YW_SRC_POLICE], "citizen.police", 0,
          "Topic of 110 non-emergency records; \"\" = not consumed."),
};
static const cfg_table_t kafka_topic_table = TABLE(kafka_topic_keys);

static const cfg_key_t kafka_keys[] = {
    K_STR("brokers", kafka_brokers, "localhost:9092", 1,
          "Bootstrap servers, comma-separated host:port (librdkafka bootstrap.servers)."),
    K_STR("group_id", kafka_group_id, "yuanwang", 1,
          "Consumer group; every yuanwangd of one deployment uses the same one."),
    K_SUB("topics", kafka_topic_table,
          "Input topic per source. At least one must be non-empty; the source "
          "also comes from the topic when a record has no \"source\" field."),
    K_STR("dead_letter_topic", kafka_dead_letter_topic, "yuanwang.deadletter", 1,
          "Where undecodable records go, with the reason and their origin."),
    K_INT("max_message_bytes", kafka_max_message_bytes, 1048576, 1024, 67108864,
          "bytes", "Larger messages are dead-lettered as oversize."),
    K_INT("batch_size", kafka_batch_size, 512, 1, 100000, NULL,
          "Records applied per Redis round trip and offset store."),
    K_INT("batch_timeout_ms", kafka_batch_timeout_ms, 50, 1, 60000, "ms",
          "Longest wait to fill a batch before it is applied anyway."),
    { .name = "rdkafka", .type = CT_KV, .off = OFF(kafka_rdkafka),
      .off_count = OFF(kafka_rdkafka_count),
      .desc = "Any librdkafka property, name: value (e.g. fetch.wait.max.ms: 50); "
              "checked with librdkafka itself. bootstrap.servers, group.id and "
              "enable.auto.offset.store are set by yuanwangd and refused here." },
};
static const cfg_table_t kafka_table = TABLE(kafka_keys);

static const cfg_key_t redis_keys[] = {
    K_STR("host", redis_host, "127.0.0.1", 0,
          "Redis host (ignored when unix_socket is set)."),
    K_INT("port", redis_port, 6379, 1, 65535, NULL, "Redis TCP port."),
    K_STR("unix_socket", redis_unix_socket, "", 0,
          "Path of a Redis unix socket; when set it wins over host and port."),
    K_STR("user", redis_user, "", 0, "ACL user for AUTH; \"\" = the default user."),
    { .name = "password", .type = CT_STR, .off = OFF(redis_password), .def = "",
      .flags = CF_SECRET,
      .desc = "AUTH password; \"\" = no AUTH. Write ${YW_REDIS_PASSWORD}, not the password." },
    K_INT("db", redis_db, 0, 0, 15, NULL, "Database number (SELECT)."),
    K_STR("key_prefix", redis_key_prefix, "yw:", 0,
          "Prefix of every key, stream and channel yuanwangd writes."),
    K_INT("pipeline_depth", redis_pipeline_depth, 256, 1, 65536, NULL,
          "Commands in flight on the connection before waiting for replies."),
    K_INT("queue_max", redis_queue_max, 100000, 1, 100000000, NULL,
          "Commands buffered while Redis is slow or down; when full, Kafka "
          "partitions are paused until it drains."),
    K_INT("stream_maxlen", redis_stream_maxlen, 100000, 1, 1000000000, NULL,
          "Approximate length the alert stream is trimmed to (XADD MAXLEN ~)."),
    K_INT("connect_timeout_ms", redis_connect_timeout_ms, 2000, 1, 600000, "ms",
          "Timeout of one connection attempt."),
    K_INT("retry_backoff_ms", redis_retry_backoff_ms, 100, 1, 600000, "ms",
          "First wait before reconnecting; doubles (with jitter) on each failure."),
    K_INT("retry_backoff_max_ms", redis_retry_backoff_max_ms, 5000, 1, 3600000, "ms",
          "Longest wait between reconnects; at least retry_backoff_ms."),
};
static const cfg_table_t redis_table = TABLE(redis_keys);

static const cfg_key_t records_keys[] = {
    { .name = "timezone", .type = CT_TZ, .off = OFF(tz_offset_minutes),
      .def = "+08:00",
      .desc = "UTC offset ([+-]HH:MM) for record times written without one "
              "(\"YYYY-MM-DD HH:MM:SS\")." },
};
static const cfg_table_t records_table = TABLE(records_keys);

static const cfg_key_t privacy_keys[] = {
    { .name = "hmac_secret", .type = CT_STR, .off = OFF(privacy_hmac_secret),
      .min = 16, .flags = CF_SECRET | CF_REQUIRED,
      .hint = "set it to ${YW_HMAC_SECRET} and export a secret of at least 16 bytes",
      .desc = "Key of the HMAC-SHA256 that replaces complainant keys; at least "
              "16 bytes. Keep it out of the file: write ${YW_HMAC_SECRET}. "
              "Changing it changes every person hash." },
};
static const cfg_table_t privacy_table = TABLE(privacy_keys);

static const cfg_key_t log_keys[] = {
    { .name = "level", .type = CT_ENUM, .off = OFF(log_level),
      .def_int = YW_LOG_INFO, .choices = log_levels,
      .desc = "Least severe level written." },
    { .name = "format", .type = CT_ENUM, .off = OFF(log_format),
      .def_int = YW_LOG_TEXT, .choices = log_formats,
      .desc = "text: one readable line per event; json: one JSON object per line." },
};
static const cfg_table_t log_table = TABLE(log_keys);

static const cfg_key_t metrics_keys[] = {
    K_STR("file", metrics_file, "", 0,
          "Prometheus text file rewritten periodically (atomically); \"\" = off."),
    K_INT("interval_ms", metrics_interval_ms, 5000, 100, 3600000, "ms",
          "How often the metrics file is rewritten."),
};
static const cfg_table_t metrics_table = TABLE(metrics_keys);

static const cfg_key_t rules_keys[] = {
    { .name = "paths", .type = CT_STRLIST, .off = OFF(rules_paths),
      .off_count = OFF(rules_path_count), .def = "rules",
      .desc = "Rule files, or directories whose *.yaml files are all loaded; "
              "relative paths are relative to the working directory." },
};
static const cfg_table_t rules_table = TABLE(rules_keys);

static const cfg_key_t root_keys[] = {
    K_SUB("kafka", kafka_table, "Where records come from."),
    K_SUB("redis", redis_table, "Where alerts and cluster summaries go."),
    K_SUB("records", records_table, "How input records are read."),
    K_SUB("privacy", privacy_table, "Personal data protection."),
    K_SUB("log", log_table, "Logging to stderr."),
    K_SUB("metrics", metrics_table, "Prometheus metrics."),
    K_SUB("rules", rules_table, "Rule sets for the feature stage."),
};
const cfg_table_t yw_cfg_root = TABLE(root_keys);

const cfg_key_t *yw_cfg_find(const cfg_table_t *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->keys[i].name, name))
            return &t->keys[i];
    return NULL;
}

void yw_cfg_free_str(char **p, bool secret)
{
    if (*p && secret)
        explicit_bzero(*p, strlen(*p));
    free(*p);
    *p = NULL;
}

/* ---- defaults and destruction, driven by the tables ------------------------ */

int yw_cfg_set_defaults(const cfg_table_t *t, void *base)
{
    for (size_t i = 0; i < t->n; i++) {
        const cfg_key_t *e = &t->keys[i];
        void *p = yw_cfg_field(base, e->off);
        switch (e->type) {
        case CT_STR:
        case CT_REGEX:
            if (e->def && !(*(char **)p = strdup(e->def)))
                return -1;
            break;
        case CT_INT:
            *(int64_t *)p = e->def_int;
            break;
        case CT_ENUM:
            *(int *)p = (int)e->def_int;
            break;
        case CT_TZ:
            if (yw_cfgu_parse_tz(e->def, (int *)p) < 0)
                return -1;
            break;
        case CT_STRLIST:
            if (e->def) {
                char **list = calloc(1, sizeof *list);
                if (!list || !(list[0] = strdup(e->def))) {
                    free(list);
                    return -1;
                }
                *(char ***)p = list;
                *(size_t *)yw_cfg_field(base, e->off_count) = 1;
            }
            break;
        case CT_KV:
            break;              /* empty by default (the struct is zeroed) */
        case CT_TABLE:
            if (yw_cfg_set_defaults(e->sub, base) < 0)
                return -1;
            break;
        }
    }
    return 0;
}

void yw_cfg_free_fields(const cfg_table_t *t, void *base)
{
    for (size_t i = 0; i < t->n; i++) {
        const cfg_key_t *e = &t->keys[i];
        void *p = yw_cfg_field(base, e->off);
        size_t *count = e->off_count ? yw_cfg_field(base, e->off_count) : NULL;
        switch (e->type) {
        case CT_STR:
        case CT_REGEX:
            yw_cfg_free_str(p, e->flags & CF_SECRET);
            break;
        case CT_STRLIST: {
            char **list = *(char ***)p;
            for (size_t j = 0; j < *count; j++)
                free(list[j]);
            free(list);
            *(char ***)p = NULL;
            *count = 0;
            break;
        }
        case CT_KV: {
            yw_kv_t *kv = *(yw_kv_t **)p;
            for (size_t j = 0; j < *count; j++) {
                free(kv[j].key);
                /* librdkafka properties include sasl.password & co. */
                yw_cfg_free_str(&kv[j].value, true);
            }
            free(kv);
            *(yw_kv_t **)p = NULL;
            *count = 0;
            break;
        }
        case CT_TABLE:
            yw_cfg_free_fields(e->sub, base);
            break;
        case CT_INT:
        case CT_ENUM:
        case CT_TZ:
            break;
        }
    }
}

yw_config_t *yw_config_defaults(void)
{
    yw_config_t *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return NULL;
    if (yw_cfg_set_defaults(&yw_cfg_root, cfg) < 0) {
        yw_config_destroy(cfg);
        return NULL;
    }
    return cfg;
}

void yw_config_destroy(yw_config_t *cfg)
{
    if (!cfg)
        return;
    yw_cfg_free_fields(&yw_cfg_root, cfg);
    free(cfg->path);
    free(cfg);
}

/* ---- the reference (--help and docs/config.md) ---------------------------- */

static void type_text(const cfg_key_t *e, char *buf, size_t len)
{
    switch (e->type) {
    case CT_STR:        snprintf(buf, len, "string"); break;
    case CT_REGEX:      snprintf(buf, len, "PCRE2 regex"); break;
    case CT_INT:
        if (e->unit)
            snprintf(buf, len, "integer (%s)", e->unit);
        else
            snprintf(buf, len, "integer");
        break;
    case CT_ENUM:       snprintf(buf, len, "enum"); break;
    case CT_TZ:         snprintf(buf, len, "UTC offset"); break;
    case CT_STRLIST:    snprintf(buf, len, "list of strings"); break;
    case CT_KV:         snprintf(buf, len, "map of name: value"); break;
    case CT_TABLE:      snprintf(buf, len, "mapping"); break;
    }
}

static void default_text(const cfg_key_t *e, char *buf, size_t len)
{
    switch (e->type) {
    case CT_STR:
    case CT_REGEX:
        if (e->flags & CF_REQUIRED)
            snprintf(buf, len, "(required)");
        else
            snprintf(buf, len, "\"%s\"", e->def ? e->def : "");
        break;
    case CT_INT:        snprintf(buf, len, "%" PRId64, e->def_int); break;
    case CT_ENUM:       snprintf(buf, len, "%s", e->choices[e->def_int]); break;
    case CT_TZ:         snprintf(buf, len, "\"%s\"", e->def); break;
    case CT_STRLIST:    snprintf(buf, len, "[\"%s\"]", e->def); break;
    case CT_KV:         snprintf(buf, len, "{}"); break;
    case CT_TABLE:      snprintf(buf, len, "-"); break;
    }
}

static void allowed_text(const cfg_key_t *e, char *buf, size_t len)
{
    buf[0] = '\0';
    if (e->type == CT_INT) {
        snprintf(buf, len, "%" PRId64 "..%" PRId64, e->min, e->max);
    } else if (e->type == CT_ENUM) {
        size_t n = 0;
        for (int i = 0; e->choices[i]; i++)
            n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
                                  e->choices[i]);
    } else if (e->type == CT_TZ) {
        snprintf(buf, len, "[+-]HH:MM");
    } else if ((e->type == CT_STR || e->type == CT_REGEX) && e->min > 1) {
        snprintf(buf, len, "at least %" PRId64 " bytes", e->min);
    } else if ((e->type == CT_STR || e->type == CT_REGEX) && e->min == 1) {
        snprintf(buf, len, "non-empty");
    }
}

static void print_rows(FILE *out, bool md, const cfg_table_t *t, const char *prefix)
{
    for (size_t i = 0; i < t->n; i++) {
        const cfg_key_t *e = &t->keys[i];
        char path[256], type[64], def[128], allowed[128];
        yw_cfgu_join(path, sizeof path, prefix, e->name);
        type_text(e, type, sizeof type);
        default_text(e, def, sizeof def);
        allowed_text(e, allowed, sizeof allowed);
        /* Markdown: code-format real defaults, not "(required)" or "-". */
        bool code = !(e->flags & CF_REQUIRED) && e->type != CT_TABLE;
        if (md) {
            fprintf(out, "| `%s` | %s | %s%s%s | %s | %s |\n", path, type,
                    code ? "`" : "", e->type == CT_TABLE ? "" : def,
                    code ? "`" : "", allowed, e->desc);
        } else if (e->type != CT_TABLE) {
            fprintf(out, "  %-34s %-18s default %s%s%s\n      %s\n", path, type,
                    def, *allowed ? ", allowed " : "", allowed, e->desc);
        } else {
            fprintf(out, "  %-34s %s\n", path, e->desc);
        }
        if (e->type == CT_TABLE)
            print_rows(out, md, e->sub, path);
    }
}

void yw_config_print_reference(FILE *out, bool markdown)
{
    if (markdown) {
        fputs("# Configuration reference\n\n"
              "<!-- Generated from the tables in lib/config_table.c by "
              "yw_config_print_reference(); do not edit.\n"
              "     Regenerate: build/tests/test_config --write-docs "
              "docs/config.md -->\n\n"
              "`yuanwangd -c FILE` reads one YAML file; every key is optional "
              "except `privacy.hmac_secret`.\n"
              "`yuanwangd --check-config -c FILE` checks a file without "
              "starting: it prints `FILE: ok` and exits 0,\n"
              "or prints every problem and exits 2. Each problem is one line\n\n"
              "    FILE:LINE:COL: section.key: problem; hint\n\n"
              "(a bad regex adds two lines: the pattern and a `^` under the "
              "error). `config/yuanwang.yaml` is a\n"
              "complete, commented example.\n\n"
              "Rules for values:\n\n"
              "- `${VAR}` in any value is replaced by the environment variable "
              "`VAR`; `${VAR:-default}` uses\n"
              "  `default` when `VAR` is unset or empty; an unset `VAR` without "
              "a default is an error; `$${`\n"
              "  is a literal `${`. Messages show the `${...}` text, never the "
              "value it stands for.\n"
              "- Integers are plain decimal (`5000`): no `_`, no hex, no unit "
              "suffixes; durations are in the\n"
              "  unit the key names (`_ms`, `_hours`), sizes in bytes.\n"
              "- Every key may appear once per mapping; unknown keys are errors.\n"
              "- Regexes go in single quotes or block scalars (`\"\\d\"` in "
              "double quotes is a YAML error).\n"
              "- `stage.categories[N]` counts from 0.\n", out);
        for (size_t i = 0; i < yw_cfg_root.n; i++) {
            const cfg_key_t *s = &yw_cfg_root.keys[i];
            fprintf(out, "\n## %s\n\n%s\n\n", s->name, s->desc);
            fputs("| key | type | default | allowed | description |\n"
                  "| --- | --- | --- | --- | --- |\n", out);
            print_rows(out, true, s->sub, s->name);
        }
        return;
    }
    fputs("Configuration keys (YAML; ${VAR} and ${VAR:-default} are taken from "
          "the environment):\n", out);
    for (size_t i = 0; i < yw_cfg_root.n; i++) {
        const cfg_key_t *s = &yw_cfg_root.keys[i];
        fprintf(out, "\n%s: %s\n", s->name, s->desc);
        print_rows(out, false, s->sub, s->name);
    }
}
