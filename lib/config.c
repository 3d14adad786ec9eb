/* config.c -- the daemon's YAML configuration (see config.h).
 *
 * Everything known about a key lives in one row of the tables below: its
 * name, type, where it lands in yw_config_t, default, bounds or allowed
 * values and description.  The same rows drive yw_config_defaults(), the
 * walk over the parsed YAML, yw_config_destroy() and the reference printed
 * for --help and docs/config.md, so a new key is one line and can never be
 * parsed but undocumented.
 *
 * Parsing uses libyaml's document API: the whole file becomes a node tree
 * whose every node carries its start mark, which is what lets each error
 * point at FILE:LINE:COL.  libyaml resolves no types and accepts duplicate
 * keys, so both are done here.  Errors are collected, never fatal one at a
 * time: a check run shows the operator everything to fix at once. */
#include "config.h"

#include "config_util.h"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <librdkafka/rdkafka.h>

/* ---- the tables ------------------------------------------------------------ */

typedef enum {
    CT_STR,         /* char * */
    CT_REGEX,       /* char *, must compile as PCRE2 (UTF, UCP, JIT) */
    CT_INT,         /* int64_t within [min, max] */
    CT_ENUM,        /* int: index into choices */
    CT_TZ,          /* int minutes, written "+08:00" */
    CT_STRLIST,     /* char ** + size_t count at off_count */
    CT_KV,          /* yw_kv_t * + count: kafka.rdkafka */
    CT_TABLE,       /* a nested mapping described by sub */
    CT_CATEGORIES   /* yw_stage_category_t * + count; items described by sub */
} cfg_type_t;

#define CF_SECRET   0x1u    /* never echoed back */
#define CF_REQUIRED 0x2u    /* no default: the file must set it */

typedef struct cfg_table cfg_table_t;

typedef struct {
    const char *name;
    cfg_type_t type;
    size_t off;                  /* field in the struct being filled */
    size_t off_count;            /* lists and maps: their size_t count */
    const char *def;             /* text default (STR, REGEX, TZ, STRLIST) */
    int64_t def_int;             /* INT default; ENUM default index */
    int64_t min, max;            /* INT range; STR minimum length in min */
    const char *const *choices;  /* ENUM names, NULL-terminated */
    const cfg_table_t *sub;      /* TABLE, CATEGORIES */
    unsigned flags;
    const char *unit;            /* "ms", "bytes", "hours" or NULL */
    const char *hint;            /* for required / empty values */
    const char *desc;
} cfg_key_t;

struct cfg_table {
    const cfg_key_t *keys;
    size_t n;
};

#define TABLE(arr) { arr, sizeof arr / sizeof arr[0] }
#define OFF(field) offsetof(yw_config_t, field)

#define K_STR(n, field, d, minlen, desc_) \
    { .name = n, .type = CT_STR, .off = OFF(field), .def = d, .min = minlen, .desc = desc_ }
#define K_INT(n, field, d, lo, hi, unit_, desc_) \
    { .name = n, .type = CT_INT, .off = OFF(field), .def_int = d, .min = lo, \
      .max = hi, .unit = unit_, .desc = desc_ }
#define K_SUB(n, tbl, desc_) \
    { .name = n, .type = CT_TABLE, .sub = &tbl, .desc = desc_ }

static const char *const level_names[] = { "blue", "yellow", "orange", "red", NULL };
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

static const cfg_key_t stage_threshold_keys[] = {
    K_INT("blue", stage_threshold[0], 3, 1, 1000000000, NULL,
          "Records in the window for a blue warning."),
    K_INT("yellow", stage_threshold[1], 6, 1, 1000000000, NULL,
          "Records for yellow; greater than blue."),
    K_INT("orange", stage_threshold[2], 10, 1, 1000000000, NULL,
          "Records for orange; greater than yellow."),
    K_INT("red", stage_threshold[3], 20, 1, 1000000000, NULL,
          "Records for red; greater than orange."),
};
static const cfg_table_t stage_threshold_table = TABLE(stage_threshold_keys);

static const cfg_key_t category_keys[] = {
    { .name = "name", .type = CT_STR, .off = offsetof(yw_stage_category_t, name),
      .min = 1, .flags = CF_REQUIRED, .hint = "every category needs a name",
      .desc = "Category label used in alerts; unique." },
    { .name = "pattern", .type = CT_REGEX,
      .off = offsetof(yw_stage_category_t, pattern), .min = 1,
      .flags = CF_REQUIRED, .hint = "a PCRE2 regex such as '欠薪|拖欠工资'",
      .desc = "PCRE2 regex (UTF, UCP, JIT) matched against the record text. "
              "Write it in single quotes or a block scalar: \"\\d\" in double "
              "quotes is a YAML error." },
};
static const cfg_table_t category_table = TABLE(category_keys);

static const cfg_key_t stage_keys[] = {
    K_INT("window_hours", stage_window_hours, 24, 1, 8760, "hours",
          "Event-time window the counts are taken over."),
    K_SUB("thresholds", stage_threshold_table,
          "Record counts for each warning level; strictly increasing."),
    { .name = "categories", .type = CT_CATEGORIES, .off = OFF(stage_categories),
      .off_count = OFF(stage_category_count), .sub = &category_table,
      .desc = "List of {name, pattern}: a record whose text matches a pattern is "
              "counted under that category (first match wins, in list order)." },
};
static const cfg_table_t stage_table = TABLE(stage_keys);

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
    K_SUB("stage", stage_table,
          "The foundation's counting stage: records per (district, category) "
          "in a sliding event-time window, raised to a level at the thresholds."),
    K_SUB("log", log_table, "Logging to stderr."),
    K_SUB("metrics", metrics_table, "Prometheus metrics."),
    K_SUB("rules", rules_table, "Rule sets for the feature stage."),
};
static const cfg_table_t root_table = TABLE(root_keys);

/* ---- defaults and destruction, driven by the tables ------------------------ */

static void *field(void *base, size_t off)
{
    return (char *)base + off;
}

static int set_defaults(const cfg_table_t *t, void *base)
{
    for (size_t i = 0; i < t->n; i++) {
        const cfg_key_t *e = &t->keys[i];
        void *p = field(base, e->off);
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
                *(size_t *)field(base, e->off_count) = 1;
            }
            break;
        case CT_KV:
        case CT_CATEGORIES:
            break;              /* empty by default (the struct is zeroed) */
        case CT_TABLE:
            if (set_defaults(e->sub, base) < 0)
                return -1;
            break;
        }
    }
    return 0;
}

static void free_str(char **p, bool secret)
{
    if (*p && secret)
        explicit_bzero(*p, strlen(*p));
    free(*p);
    *p = NULL;
}

static void free_fields(const cfg_table_t *t, void *base)
{
    for (size_t i = 0; i < t->n; i++) {
        const cfg_key_t *e = &t->keys[i];
        void *p = field(base, e->off);
        size_t *count = e->off_count ? field(base, e->off_count) : NULL;
        switch (e->type) {
        case CT_STR:
        case CT_REGEX:
            free_str(p, e->flags & CF_SECRET);
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
                free_str(&kv[j].value, true);
            }
            free(kv);
            *(yw_kv_t **)p = NULL;
            *count = 0;
            break;
        }
        case CT_CATEGORIES: {
            yw_stage_category_t *cat = *(yw_stage_category_t **)p;
            for (size_t j = 0; j < *count; j++)
                free_fields(e->sub, &cat[j]);
            free(cat);
            *(yw_stage_category_t **)p = NULL;
            *count = 0;
            break;
        }
        case CT_TABLE:
            free_fields(e->sub, base);
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
    if (set_defaults(&root_table, cfg) < 0) {
        yw_config_destroy(cfg);
        return NULL;
    }
    return cfg;
}

void yw_config_destroy(yw_config_t *cfg)
{
    if (!cfg)
        return;
    free_fields(&root_table, cfg);
    free(cfg->path);
    free(cfg);
}

/* ---- the walk over the YAML document ----------------------------------- */

/* Which node set which field (and whether it was valid): cross-field checks
 * need the position of values set in the file, and required keys need to
 * know a key was present even when its value was bad. */
typedef struct {
    const void *id;             /* field address, or the cfg_key_t of a table */
    const yaml_node_t *node;
    bool ok;
} seen_t;

typedef struct {
    yaml_document_t *doc;
    yw_config_errors_t *errs;
    size_t nerr;                /* counted even when an append ran out of memory */
    rd_kafka_conf_t *rk_conf;   /* scratch conf that checks kafka.rdkafka.* */
    seen_t *seen;
    size_t nseen, capseen;
} ctx_t;

static void add_errv(ctx_t *c, int line, int col, const char *key,
                     const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    c->nerr++;
    yw_cfgu_error_add(c->errs, line, col, key, "%s", msg);
}

static void err_at(ctx_t *c, const yaml_node_t *at, const char *key,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void err_at(ctx_t *c, const yaml_node_t *at, const char *key,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_errv(c, at ? (int)at->start_mark.line + 1 : 0,
             at ? (int)at->start_mark.column + 1 : 0, key, fmt, ap);
    va_end(ap);
}

static void err_mark(ctx_t *c, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void err_mark(ctx_t *c, yaml_mark_t m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_errv(c, (int)m.line + 1, (int)m.column + 1, NULL, fmt, ap);
    va_end(ap);
}

static void note_seen(ctx_t *c, const void *id, const yaml_node_t *n, bool ok)
{
    if (c->nseen == c->capseen) {
        size_t cap = c->capseen ? c->capseen * 2 : 32;
        seen_t *s = realloc(c->seen, cap * sizeof *s);
        if (!s)
            return;             /* only costs a cross-check its position */
        c->seen = s;
        c->capseen = cap;
    }
    c->seen[c->nseen++] = (seen_t){ id, n, ok };
}

static const seen_t *find_seen(const ctx_t *c, const void *id)
{
    for (size_t i = 0; i < c->nseen; i++)
        if (c->seen[i].id == id)
            return &c->seen[i];
    return NULL;
}

static yaml_node_t *node_at(ctx_t *c, int index)
{
    return yaml_document_get_node(c->doc, index);
}

static const char *scalar(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

/* `key:` with nothing after it, or an explicit null: an empty section/list. */
static bool is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = scalar(n);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null");
}

/* The scalar as written, made safe to quote in a message: cut at 60 bytes
 * on a UTF-8 boundary, control characters shown as '?'. */
static const char *shown(const yaml_node_t *n, char *buf, size_t len)
{
    const char *s = scalar(n);
    size_t slen = n->data.scalar.length, max = len - 4, i = 0;
    if (max > 60)
        max = 60;
    for (; i < slen && i < max; i++) {
        unsigned char ch = (unsigned char)s[i];
        buf[i] = ch < 0x20 || ch == 0x7F ? '?' : (char)ch;
    }
    if (i < slen) {
        while (i > 0 && ((unsigned char)buf[i] & 0xC0) == 0x80)
            i--;
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
    return buf;
}

static const char *kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE:  return "a mapping";
    case YAML_SEQUENCE_NODE: return "a list";
    default:                 return is_null(n) ? "an empty value" : "a scalar";
    }
}

/* snprintf for key paths: a path cut short only shortens a message, so
 * truncation is fine (vsnprintf keeps -Wformat-truncation quiet about it). */
static void pathf(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void pathf(char *out, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, len, fmt, ap);
    va_end(ap);
}

static void join(char *out, size_t len, const char *prefix, const char *name)
{
    if (*prefix)
        pathf(out, len, "%s.%s", prefix, name);
    else
        pathf(out, len, "%s", name);
}

/* Read scalar n into *out with ${VAR} expanded.  what names the expected
 * type for the message ("a string").  Returns 0, or -1 once reported. */
static int get_scalar(ctx_t *c, const yaml_node_t *n, const char *path,
                      const char *what, char **out, bool *subst)
{
    bool sub = false;
    *out = NULL;
    if (n->type != YAML_SCALAR_NODE) {
        err_at(c, n, path, "expected %s, got %s", what, kind(n));
        return -1;
    }
    if (memchr(scalar(n), '\0', n->data.scalar.length)) {
        err_at(c, n, path, "contains a NUL character; remove the \\0 escape");
        return -1;
    }
    char why[512];
    int rc = yw_cfgu_env_expand(scalar(n), n->data.scalar.length, out, &sub,
                                why, sizeof why);
    if (rc == -2) {
        err_at(c, n, path, "out of memory");
        return -1;
    }
    if (rc < 0) {
        err_at(c, n, path, "%s", why);
        return -1;
    }
    if (subst)
        *subst = sub;
    return 0;
}

static void apply_table(ctx_t *c, const cfg_table_t *t, void *base,
                        const yaml_node_t *map, const char *prefix);

/* An earlier pair in map with the same scalar key as pair, or NULL. */
static const yaml_node_pair_t *find_dup(ctx_t *c, const yaml_node_t *map,
                                        const yaml_node_pair_t *pair)
{
    const yaml_node_t *k = node_at(c, pair->key);
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < pair; p++) {
        const yaml_node_t *k2 = node_at(c, p->key);
        if (k2->type == YAML_SCALAR_NODE &&
            k2->data.scalar.length == k->data.scalar.length &&
            !memcmp(scalar(k2), scalar(k), k->data.scalar.length))
            return p;
    }
    return NULL;
}

/* Yield the pairs of a mapping whose keys are scalars and not duplicates,
 * reporting the others; ok=false for pairs to skip. */
static bool check_pair(ctx_t *c, const yaml_node_t *map,
                       const yaml_node_pair_t *pair, const char *prefix,
                       char *path, size_t pathlen)
{
    const yaml_node_t *k = node_at(c, pair->key);
    if (k->type != YAML_SCALAR_NODE) {
        err_at(c, k, *prefix ? prefix : NULL, "keys must be plain strings, got %s",
               kind(k));
        return false;
    }
    join(path, pathlen, prefix, scalar(k));
    const yaml_node_pair_t *first = find_dup(c, map, pair);
    if (first) {
        const yaml_node_t *fk = node_at(c, first->key);
        err_at(c, k, path, "duplicate key; first defined at %d:%d",
               (int)fk->start_mark.line + 1, (int)fk->start_mark.column + 1);
        return false;
    }
    return true;
}

static void unknown_key(ctx_t *c, const cfg_table_t *t, const yaml_node_t *k,
                        const char *path, const char *prefix)
{
    const char *what = *prefix ? "key" : "section";
    const char *name = scalar(k);
    if (!strcmp(name, "<<")) {
        err_at(c, k, path, "merge keys (<<) are not supported; write the keys out");
        return;
    }
    const char *best = NULL;
    int bestd = 0;
    for (size_t i = 0; i < t->n; i++) {
        const char *cand = t->keys[i].name;
        int d = yw_cfgu_edit_distance(name, cand);
        /* "logging" for "log", "timezone_offset" for "timezone": one is a
         * prefix of the other, which no edit distance threshold catches. */
        size_t shorter = strlen(cand) < strlen(name) ? strlen(cand) : strlen(name);
        if (shorter >= 3 && !strncmp(name, cand, shorter))
            d = 0;
        if (!best || d < bestd) {
            best = t->keys[i].name;
            bestd = d;
        }
    }
    if (best && yw_cfgu_close_enough(strlen(name), bestd)) {
        err_at(c, k, path, "unknown %s; did you mean '%s'?", what, best);
        return;
    }
    char list[512];
    size_t n = 0;
    list[0] = '\0';
    for (size_t i = 0; i < t->n && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
                              t->keys[i].name);
    err_at(c, k, path, "unknown %s; valid %ss: %s", what, what, list);
}

static const char *unit_hint(const char *unit)
{
    if (!unit)
        return "";
    if (!strcmp(unit, "ms"))
        return "; write a plain number of milliseconds";
    if (!strcmp(unit, "bytes"))
        return "; write a plain number of bytes (no KiB/MB suffix)";
    return "; write a plain number of hours";
}

static void apply_int(ctx_t *c, const cfg_key_t *e, void *base,
                      const yaml_node_t *v, const char *path)
{
    char *s;
    char buf[80];
    int64_t x = 0;
    if (get_scalar(c, v, path, "an integer", &s, NULL) < 0)
        goto bad;
    int rc = yw_cfgu_parse_int(s, &x);
    free(s);
    if (rc == -1) {
        err_at(c, v, path, "expected an integer, got '%s'%s",
               shown(v, buf, sizeof buf), unit_hint(e->unit));
        goto bad;
    }
    if (rc == -2 || x < e->min || x > e->max) {
        err_at(c, v, path, "%s is out of range; allowed %" PRId64 "..%" PRId64,
               shown(v, buf, sizeof buf), e->min, e->max);
        goto bad;
    }
    *(int64_t *)field(base, e->off) = x;
    note_seen(c, field(base, e->off), v, true);
    return;
bad:
    note_seen(c, field(base, e->off), v, false);
}

/* Compile pat as the stage will; report PCRE2's message with the pattern
 * and a caret under the offset (unless the pattern came from the
 * environment, which is never echoed). */
static void check_regex(ctx_t *c, const yaml_node_t *v, const char *path,
                        const char *pat, bool subst)
{
    int code;
    PCRE2_SIZE off;
    PCRE2_UCHAR msg[256];
    size_t len = strlen(pat);
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, len, PCRE2_UTF | PCRE2_UCP,
                                   &code, &off, NULL);
    if (!re) {
        pcre2_get_error_message(code, msg, sizeof msg);
        char buf[80];
        if (subst) {
            err_at(c, v, path, "PCRE2 error: %s; at offset %zu of the value of %s",
                   (char *)msg, (size_t)off, shown(v, buf, sizeof buf));
            return;
        }
        char *caret = yw_cfgu_caret(pat, len, off);
        err_at(c, v, path, "PCRE2 error: %s%s", (char *)msg, caret ? caret : "");
        free(caret);
        return;
    }
    code = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    if (code < 0) {
        pcre2_get_error_message(code, msg, sizeof msg);
        err_at(c, v, path, "PCRE2 JIT compile failed: %s; the stage needs JIT "
               "(the interpreter is 8-20x slower)", (char *)msg);
    }
    pcre2_code_free(re);
}

static void apply_string(ctx_t *c, const cfg_key_t *e, void *base,
                         const yaml_node_t *v, const char *path)
{
    char **slot = field(base, e->off);
    char *s;
    bool subst = false;
    if (get_scalar(c, v, path, "a string", &s, &subst) < 0) {
        note_seen(c, slot, v, false);
        return;
    }
    size_t len = strlen(s);
    bool ok = true;
    if (e->min > 0 && len == 0) {
        if (e->hint)
            err_at(c, v, path, "must not be empty; %s", e->hint);
        else
            err_at(c, v, path, "must not be empty");
        ok = false;
    } else if ((int64_t)len < e->min) {
        err_at(c, v, path, "too short (%zu bytes); use at least %" PRId64
               " bytes, e.g. from 'openssl rand -hex 32'", len, e->min);
        ok = false;
    } else if (e->type == CT_REGEX) {
        size_t before = c->nerr;
        check_regex(c, v, path, s, subst);
        ok = c->nerr == before;
    }
    free_str(slot, e->flags & CF_SECRET);
    *slot = s;
    note_seen(c, slot, v, ok);
}

static void apply_enum(ctx_t *c, const cfg_key_t *e, void *base,
                       const yaml_node_t *v, const char *path)
{
    char *s;
    char list[256], buf[80];
    size_t n = 0;
    for (int i = 0; e->choices[i]; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
                              e->choices[i]);
    if (get_scalar(c, v, path, "a string", &s, NULL) < 0)
        return;
    for (int i = 0; e->choices[i]; i++) {
        if (!strcmp(s, e->choices[i])) {
            *(int *)field(base, e->off) = i;
            free(s);
            return;
        }
    }
    free(s);
    err_at(c, v, path, "'%s' is not one of %s", shown(v, buf, sizeof buf), list);
}

static void apply_tz(ctx_t *c, const cfg_key_t *e, void *base,
                     const yaml_node_t *v, const char *path)
{
    char *s;
    char buf[80];
    if (get_scalar(c, v, path, "a string", &s, NULL) < 0)
        return;
    if (yw_cfgu_parse_tz(s, field(base, e->off)) < 0)
        err_at(c, v, path, "'%s' is not a UTC offset; write [+-]HH:MM, e.g. +08:00",
               shown(v, buf, sizeof buf));
    free(s);
}

static void apply_strlist(ctx_t *c, const cfg_key_t *e, void *base,
                          const yaml_node_t *v, const char *path)
{
    char ***slot = field(base, e->off);
    size_t *count = field(base, e->off_count);
    if (!is_null(v) && v->type != YAML_SEQUENCE_NODE) {
        err_at(c, v, path, "expected a list of strings, got %s; write [\"%s\"]",
               kind(v), e->def ? e->def : "...");
        return;
    }
    for (size_t j = 0; j < *count; j++)
        free((*slot)[j]);
    free(*slot);
    *slot = NULL;
    *count = 0;
    if (v->type != YAML_SEQUENCE_NODE)
        return;
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    char **list = calloc(n ? n : 1, sizeof *list);
    if (!list) {
        err_at(c, v, path, "out of memory");
        return;
    }
    *slot = list;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = node_at(c, v->data.sequence.items.start[i]);
        char ipath[256];
        pathf(ipath, sizeof ipath, "%s[%zu]", path, i);
        char *s;
        if (get_scalar(c, item, ipath, "a string", &s, NULL) < 0)
            continue;
        if (!*s) {
            err_at(c, item, ipath, "must not be empty");
            free(s);
            continue;
        }
        list[(*count)++] = s;
    }
}

/* Properties yuanwangd sets itself: a value here would silently fight it. */
static const char *rdkafka_reserved(const char *name)
{
    if (!strcmp(name, "bootstrap.servers") || !strcmp(name, "metadata.broker.list"))
        return "set by kafka.brokers; move the value there";
    if (!strcmp(name, "group.id"))
        return "set by kafka.group_id; move the value there";
    if (!strcmp(name, "enable.auto.offset.store"))
        return "yuanwangd stores offsets itself once a batch is in Redis "
               "(at-least-once); remove this key";
    return NULL;
}

/* The librdkafka property closest to name, from librdkafka's own table
 * (rd_kafka_conf_properties_show is the only API that lists them all). */
static bool rdkafka_suggest(const char *name, char *out, size_t outlen)
{
    char *text = NULL;
    size_t textlen = 0;
    FILE *f = open_memstream(&text, &textlen);
    if (!f)
        return false;
    rd_kafka_conf_properties_show(f);
    fclose(f);
    int bestd = 0;
    bool found = false;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *bar = strchr(line, '|');
        if (!bar || line[0] == ' ' || line[0] == '-')
            continue;
        char *end = line;
        while (end < bar && *end != ' ')
            end++;
        *end = '\0';
        if (!strcmp(line, "Property"))
            continue;
        int d = yw_cfgu_edit_distance(name, line);
        if (!found || d < bestd) {
            snprintf(out, outlen, "%s", line);
            bestd = d;
            found = true;
        }
    }
    free(text);
    return found && yw_cfgu_close_enough(strlen(name), bestd);
}

/* librdkafka quotes the value in some messages: never let a value that came
 * from the environment through. */
static void redact(char *msg, size_t len, const char *secret, const char *raw)
{
    size_t slen = strlen(secret), rlen = strlen(raw);
    char *p;
    if (!slen)
        return;
    while ((p = strstr(msg, secret))) {
        size_t tail = strlen(p + slen);
        if ((size_t)(p - msg) + rlen + tail + 1 > len) {
            snprintf(msg, len, "(message withheld: it contains the value)");
            return;
        }
        memmove(p + rlen, p + slen, tail + 1);
        memcpy(p, raw, rlen);
        if (strstr(raw, secret))
            return;             /* would loop forever */
    }
}

static void apply_rdkafka(ctx_t *c, const cfg_key_t *e, void *base,
                          const yaml_node_t *map, const char *prefix)
{
    yw_kv_t **slot = field(base, e->off);
    size_t *count = field(base, e->off_count);
    if (is_null(map))
        return;
    if (map->type != YAML_MAPPING_NODE) {
        err_at(c, map, prefix, "expected a mapping of librdkafka properties, got %s",
               kind(map));
        return;
    }
    if (!c->rk_conf && !(c->rk_conf = rd_kafka_conf_new())) {
        err_at(c, map, prefix, "out of memory");
        return;
    }
    for (const yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        char path[512];
        if (!check_pair(c, map, pair, prefix, path, sizeof path))
            continue;
        const yaml_node_t *k = node_at(c, pair->key), *v = node_at(c, pair->value);
        const char *name = scalar(k);
        const char *why = rdkafka_reserved(name);
        if (why) {
            err_at(c, k, path, "%s", why);
            continue;
        }
        char *val;
        bool subst = false;
        if (get_scalar(c, v, path, "a scalar value", &val, &subst) < 0)
            continue;
        char errstr[512];
        rd_kafka_conf_res_t r = rd_kafka_conf_set(c->rk_conf, name, val, errstr,
                                                  sizeof errstr);
        if (r != RD_KAFKA_CONF_OK) {
            size_t n = strlen(errstr);
            while (n > 0 && (errstr[n - 1] == '\n' || errstr[n - 1] == ' '))
                errstr[--n] = '\0';
            if (subst)
                redact(errstr, sizeof errstr, val, scalar(v));
            char best[128];
            if (r == RD_KAFKA_CONF_UNKNOWN && rdkafka_suggest(name, best, sizeof best))
                err_at(c, k, path, "%s; did you mean '%s'?", errstr, best);
            else if (r == RD_KAFKA_CONF_UNKNOWN)
                err_at(c, k, path, "%s; see librdkafka's CONFIGURATION.md", errstr);
            else
                err_at(c, v, path, "%s", errstr);
            free_str(&val, true);
            continue;
        }
        yw_kv_t *kv = realloc(*slot, (*count + 1) * sizeof *kv);
        char *key = strdup(name);
        if (!kv || !key) {
            if (kv)
                *slot = kv;
            free(key);
            free_str(&val, true);
            err_at(c, v, path, "out of memory");
            continue;
        }
        *slot = kv;
        kv[*count] = (yw_kv_t){ key, val, (int)v->start_mark.line + 1,
                                (int)v->start_mark.column + 1 };
        (*count)++;
    }
}

/* The value of key name in mapping map (first definition), or NULL. */
static const yaml_node_t *lookup(ctx_t *c, const yaml_node_t *map, const char *name)
{
    if (map->type != YAML_MAPPING_NODE)
        return NULL;
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node_at(c, p->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp(scalar(k), name))
            return node_at(c, p->value);
    }
    return NULL;
}

static void check_required(ctx_t *c, const cfg_table_t *t, void *base,
                           const char *prefix, const yaml_node_t *at);

static void apply_categories(ctx_t *c, const cfg_key_t *e, void *base,
                             const yaml_node_t *v, const char *path)
{
    yw_stage_category_t **slot = field(base, e->off);
    size_t *count = field(base, e->off_count);
    if (!is_null(v) && v->type != YAML_SEQUENCE_NODE) {
        err_at(c, v, path, "expected a list of {name, pattern} mappings, got %s",
               kind(v));
        return;
    }
    if (v->type != YAML_SEQUENCE_NODE)
        return;
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    yw_stage_category_t *cat = calloc(n ? n : 1, sizeof *cat);
    if (!cat) {
        err_at(c, v, path, "out of memory");
        return;
    }
    *slot = cat;
    *count = n;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = node_at(c, v->data.sequence.items.start[i]);
        char ipath[256];
        pathf(ipath, sizeof ipath, "%s[%zu]", path, i);
        if (item->type != YAML_MAPPING_NODE) {
            err_at(c, item, ipath, "expected a mapping with name and pattern, got %s",
                   kind(item));
            continue;
        }
        apply_table(c, e->sub, &cat[i], item, ipath);
        check_required(c, e->sub, &cat[i], ipath, item);
        const yaml_node_t *pn = lookup(c, item, "pattern");
        if (pn) {
            cat[i].line = (int)pn->start_mark.line + 1;
            cat[i].col = (int)pn->start_mark.column + 1;
        }
        if (!cat[i].name)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (cat[j].name && !strcmp(cat[j].name, cat[i].name)) {
                const yaml_node_t *first = lookup(c, node_at(c,
                    v->data.sequence.items.start[j]), "name");
                char fpath[300];
                pathf(fpath, sizeof fpath, "%s.name", ipath);
                err_at(c, lookup(c, item, "name"), fpath,
                       "duplicate category name '%s'; first defined at %d:%d",
                       cat[i].name, first ? (int)first->start_mark.line + 1 : 0,
                       first ? (int)first->start_mark.column + 1 : 0);
                break;
            }
        }
    }
}

static void apply_key(ctx_t *c, const cfg_key_t *e, void *base,
                      const yaml_node_t *v, const char *path)
{
    switch (e->type) {
    case CT_STR:
    case CT_REGEX:      apply_string(c, e, base, v, path); break;
    case CT_INT:        apply_int(c, e, base, v, path); break;
    case CT_ENUM:       apply_enum(c, e, base, v, path); break;
    case CT_TZ:         apply_tz(c, e, base, v, path); break;
    case CT_STRLIST:    apply_strlist(c, e, base, v, path); break;
    case CT_KV:         apply_rdkafka(c, e, base, v, path); break;
    case CT_CATEGORIES: apply_categories(c, e, base, v, path); break;
    case CT_TABLE:
        note_seen(c, e, v, true);
        apply_table(c, e->sub, base, v, path);
        break;
    }
}

static void apply_table(ctx_t *c, const cfg_table_t *t, void *base,
                        const yaml_node_t *map, const char *prefix)
{
    if (is_null(map))
        return;
    if (map->type != YAML_MAPPING_NODE) {
        err_at(c, map, *prefix ? prefix : NULL, "expected a mapping of %s, got %s",
               *prefix ? "keys" : "sections", kind(map));
        return;
    }
    for (const yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        char path[512];
        if (!check_pair(c, map, pair, prefix, path, sizeof path))
            continue;
        const yaml_node_t *k = node_at(c, pair->key);
        const cfg_key_t *e = NULL;
        for (size_t i = 0; i < t->n && !e; i++)
            if (!strcmp(t->keys[i].name, scalar(k)))
                e = &t->keys[i];
        if (!e)
            unknown_key(c, t, k, path, prefix);
        else
            apply_key(c, e, base, node_at(c, pair->value), path);
    }
}

/* ---- checks across keys -------------------------------------------------- */

/* Required keys never given: reported at `at` (a list item) or, for
 * top-level sections, as a file-level problem (line 0). */
static void check_required(ctx_t *c, const cfg_table_t *t, void *base,
                           const char *prefix, const yaml_node_t *at)
{
    for (size_t i = 0; i < t->n; i++) {
        const cfg_key_t *e = &t->keys[i];
        char path[512];
        join(path, sizeof path, prefix, e->name);
        if (e->type == CT_TABLE)
            check_required(c, e->sub, base, path, at);
        else if ((e->flags & CF_REQUIRED) && !find_seen(c, field(base, e->off)))
            err_at(c, at, path, "required; %s", e->hint);
    }
}

static void check_thresholds(ctx_t *c, const yw_config_t *cfg)
{
    for (int i = 0; i < 3; i++) {
        int64_t a = cfg->stage_threshold[i], b = cfg->stage_threshold[i + 1];
        const seen_t *sa = find_seen(c, &cfg->stage_threshold[i]);
        const seen_t *sb = find_seen(c, &cfg->stage_threshold[i + 1]);
        if (a < b || (sa && !sa->ok) || (sb && !sb->ok))
            continue;
        char path[64];
        /* Blame the value the file set: the other may be a default. */
        if (sb) {
            snprintf(path, sizeof path, "stage.thresholds.%s", level_names[i + 1]);
            err_at(c, sb->node, path, "%" PRId64 " is not greater than %s (%" PRId64
                   "); thresholds must increase strictly: blue < yellow < orange < red",
                   b, level_names[i], a);
        } else {
            snprintf(path, sizeof path, "stage.thresholds.%s", level_names[i]);
            err_at(c, sa ? sa->node : NULL, path, "%" PRId64 " is not less than %s (%"
                   PRId64 "); thresholds must increase strictly: blue < yellow < "
                   "orange < red", a, level_names[i + 1], b);
        }
    }
}

static void check_cross(ctx_t *c, yw_config_t *cfg)
{
    check_required(c, &root_table, cfg, "", NULL);
    check_thresholds(c, cfg);

    bool any = false;
    for (int i = 0; i < YW_SRC_COUNT; i++)
        any = any || (cfg->kafka_topics[i] && *cfg->kafka_topics[i]);
    if (!any) {
        const seen_t *s = find_seen(c, &kafka_keys[2]);
        err_at(c, s ? s->node : NULL, "kafka.topics", "every topic is empty; set "
               "at least one of hotline, grid, online, police");
    }

    const seen_t *sb = find_seen(c, &cfg->redis_retry_backoff_ms);
    const seen_t *sm = find_seen(c, &cfg->redis_retry_backoff_max_ms);
    if (cfg->redis_retry_backoff_ms > cfg->redis_retry_backoff_max_ms &&
        !(sb && !sb->ok) && !(sm && !sm->ok)) {
        if (sb)
            err_at(c, sb->node, "redis.retry_backoff_ms", "%" PRId64 " is greater "
                   "than redis.retry_backoff_max_ms (%" PRId64 "); the backoff "
                   "starts at retry_backoff_ms and doubles up to the maximum",
                   cfg->redis_retry_backoff_ms, cfg->redis_retry_backoff_max_ms);
        else
            err_at(c, sm ? sm->node : NULL, "redis.retry_backoff_max_ms", "%" PRId64
                   " is less than redis.retry_backoff_ms (%" PRId64 "); the "
                   "maximum must be at least the first backoff",
                   cfg->redis_retry_backoff_max_ms, cfg->redis_retry_backoff_ms);
    }

    if (!*cfg->redis_host && !*cfg->redis_unix_socket) {
        const seen_t *s = find_seen(c, &cfg->redis_host);
        err_at(c, s ? s->node : NULL, "redis.host", "empty, and redis.unix_socket "
               "is empty too; set one of them");
    }
}

/* ---- loading ----------------------------------------------------------- */

/* 1-based line and column of byte offset off in text (reader errors carry
 * only an offset). */
static yaml_mark_t mark_of_offset(const char *text, size_t len, size_t off)
{
    yaml_mark_t m = { 0, 0, 0 };
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            m.line++;
            m.column = 0;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            m.column++;
        }
    }
    return m;
}

static void syntax_error(ctx_t *c, const yaml_parser_t *p, const char *text,
                         size_t len)
{
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        err_mark(c, p->mark, "out of memory while parsing");
        break;
    case YAML_READER_ERROR:
        if (p->problem_value != -1)
            err_mark(c, mark_of_offset(text, len, p->problem_offset),
                     "YAML error: %s (byte 0x%02x); the file must be UTF-8",
                     p->problem, (unsigned)p->problem_value);
        else
            err_mark(c, mark_of_offset(text, len, p->problem_offset),
                     "YAML error: %s", p->problem);
        break;
    default: {
        /* The classic: a regex such as "\d+" in double quotes. */
        const char *extra = p->problem && strstr(p->problem, "unknown escape")
            ? " (write regexes in single quotes or a block scalar)" : "";
        if (p->context)
            err_mark(c, p->problem_mark, "YAML syntax error: %s; %s at %d:%d%s",
                     p->problem, p->context, (int)p->context_mark.line + 1,
                     (int)p->context_mark.column + 1, extra);
        else
            err_mark(c, p->problem_mark, "YAML syntax error: %s%s", p->problem,
                     extra);
        break;
    }
    }
}

yw_config_t *yw_config_load_string(const char *name, const char *yaml,
                                   size_t len, yw_config_errors_t *errs)
{
    size_t first = errs->count;
    ctx_t c = { .errs = errs };
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    bool have_doc = false;
    yw_config_t *cfg = yw_config_defaults();
    if (!cfg || !(cfg->path = strdup(name))) {
        c.nerr++;
        yw_cfgu_error_add(errs, 0, 0, NULL, "out of memory");
        yw_config_destroy(cfg);
        return NULL;
    }
    if (!yaml_parser_initialize(&parser)) {
        c.nerr++;
        yw_cfgu_error_add(errs, 0, 0, NULL, "out of memory");
        yw_config_destroy(cfg);
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
    if (!yaml_parser_load(&parser, &doc)) {
        syntax_error(&c, &parser, yaml, len);
        goto done;
    }
    have_doc = true;
    c.doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root)
        apply_table(&c, &root_table, cfg, root, "");
    /* A second document would be silently ignored: say so instead. */
    if (!yaml_parser_load(&parser, &extra)) {
        syntax_error(&c, &parser, yaml, len);
    } else {
        if (yaml_document_get_root_node(&extra))
            err_mark(&c, extra.start_mark, "a second YAML document; the "
                     "configuration is one document (remove the '---')");
        yaml_document_delete(&extra);
    }
    check_cross(&c, cfg);
done:
    if (have_doc)
        yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (c.rk_conf)
        rd_kafka_conf_destroy(c.rk_conf);
    free(c.seen);
    yw_cfgu_errors_sort(errs, first);
    if (c.nerr) {
        yw_config_destroy(cfg);
        return NULL;
    }
    return cfg;
}

yw_config_t *yw_config_load(const char *path, yw_config_errors_t *errs)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0, cap = 0;
    if (!f) {
        yw_cfgu_error_add(errs, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8192;
            char *p = realloc(text, cap);
            if (!p) {
                free(text);
                fclose(f);
                yw_cfgu_error_add(errs, 0, 0, NULL, "out of memory");
                return NULL;
            }
            text = p;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(text);
        yw_cfgu_error_add(errs, 0, 0, NULL, "cannot read: %s", strerror(EIO));
        return NULL;
    }
    yw_config_t *cfg = yw_config_load_string(path, text, len, errs);
    free(text);
    return cfg;
}

int yw_config_check_main(const char *path, FILE *out)
{
    yw_config_errors_t errs = { 0 };
    yw_config_t *cfg = yw_config_load(path, &errs);
    int rc = 0;
    if (cfg) {
        fprintf(out, "%s: ok\n", path);
    } else {
        yw_config_errors_print(&errs, path, out);
        rc = 2;
    }
    yw_config_destroy(cfg);
    yw_config_errors_free(&errs);
    return rc;
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
    case CT_CATEGORIES: snprintf(buf, len, "list of mappings"); break;
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
    case CT_CATEGORIES: snprintf(buf, len, "[]"); break;
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
        join(path, sizeof path, prefix, e->name);
        if (e->type == CT_CATEGORIES)
            strncat(path, "[]", sizeof path - strlen(path) - 1);
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
        if (e->type == CT_TABLE || e->type == CT_CATEGORIES)
            print_rows(out, md, e->sub, path);
    }
}

void yw_config_print_reference(FILE *out, bool markdown)
{
    if (markdown) {
        fputs("# Configuration reference\n\n"
              "<!-- Generated from the tables in lib/config.c by "
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
        for (size_t i = 0; i < root_table.n; i++) {
            const cfg_key_t *s = &root_table.keys[i];
            fprintf(out, "\n## %s\n\n%s\n\n", s->name, s->desc);
            fputs("| key | type | default | allowed | description |\n"
                  "| --- | --- | --- | --- | --- |\n", out);
            print_rows(out, true, s->sub, s->name);
        }
        return;
    }
    fputs("Configuration keys (YAML; ${VAR} and ${VAR:-default} are taken from "
          "the environment):\n", out);
    for (size_t i = 0; i < root_table.n; i++) {
        const cfg_key_t *s = &root_table.keys[i];
        fprintf(out, "\n%s: %s\n", s->name, s->desc);
        print_rows(out, false, s->sub, s->name);
    }
}
