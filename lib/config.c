/* config.c -- loading the daemon's YAML configuration (see config.h).
 *
 * Everything known about a key lives in one row of the tables in
 * config_table.c: its name, type, where it lands in yw_config_t, default,
 * bounds or allowed values and description.  The same rows drive the walk
 * here, yw_config_defaults(), yw_config_destroy() and the reference printed
 * for --help and docs/config.md, so a new key is one line and can never be
 * parsed but undocumented.
 *
 * Parsing uses libyaml's document API: the whole file becomes a node tree
 * whose every node carries its start mark, which is what lets each error
 * point at FILE:LINE:COL.  libyaml resolves no types and accepts duplicate
 * keys, so both are done here.  Errors are collected, never fatal one at a
 * time: a check run shows the operator everything to fix at once. */
#include "config.h"

#include "config_table.h"
#include "config_util.h"
#include "log.h"
#include "rules.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>
#include <librdkafka/rdkafka.h>

static const char *const level_names[] = { "blue", "yellow", "orange", "red", NULL };

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
    size_t first;               /* errs->items[first..] are this load's */
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
    yw_cfgu_join(path, pathlen, prefix, scalar(k));
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
    char list[1024];
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
    if (!strcmp(unit, "days"))
        return "; write a plain number of days";
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
    yw_cfg_set_int(e, base, x);
    note_seen(c, yw_cfg_field(base, e->off), v, true);
    return;
bad:
    note_seen(c, yw_cfg_field(base, e->off), v, false);
}

/* "nan", ".inf", "-Infinity": a number YAML or strtod knows, never allowed. */
static bool non_finite_word(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (*s == '.')
        s++;
    return !strcasecmp(s, "nan") || !strcasecmp(s, "inf") ||
           !strcasecmp(s, "infinity");
}

static void apply_float(ctx_t *c, const cfg_key_t *e, void *base,
                        const yaml_node_t *v, const char *path)
{
    char *s;
    char buf[80], range[80];
    double x = 0;
    yw_cfg_float_range(e, range, sizeof range);
    if (get_scalar(c, v, path, "a number", &s, NULL) < 0)
        goto bad;
    bool nonfinite = non_finite_word(s);
    int rc = yw_cfgu_parse_double(s, &x);
    free(s);
    if (rc == -1 && nonfinite) {
        err_at(c, v, path, "'%s' is not allowed; write a finite number in %s",
               shown(v, buf, sizeof buf), range);
        goto bad;
    }
    if (rc == -1 && e->unit) {
        err_at(c, v, path, "expected a number, got '%s'; write a plain number of "
               "%s, such as 72 or 1.5", shown(v, buf, sizeof buf),
               strcmp(e->unit, "ms") ? e->unit : "milliseconds");
        goto bad;
    }
    if (rc == -1) {
        err_at(c, v, path, "expected a number, got '%s'; write a decimal such as "
               "0.25 or 1e-3", shown(v, buf, sizeof buf));
        goto bad;
    }
    bool low = (e->flags & CF_GT_MIN) ? !(x > e->fmin) : !(x >= e->fmin);
    if (rc == -2 || low || !(x <= e->fmax)) {
        err_at(c, v, path, "%s is out of range; allowed %s",
               shown(v, buf, sizeof buf), range);
        goto bad;
    }
    yw_cfg_set_float(e, base, x);
    note_seen(c, yw_cfg_field(base, e->off), v, true);
    return;
bad:
    note_seen(c, yw_cfg_field(base, e->off), v, false);
}

/* Compile pat as the stage will; report PCRE2's message with the pattern
 * and a caret under the offset (unless the pattern came from the
 * environment, which is never echoed). */
static void check_regex(ctx_t *c, const yaml_node_t *v, const char *path,
                        const char *pat, bool subst)
{
    char msg[256];
    size_t off, len = strlen(pat);
    int rc = yw_cfgu_regex_check(pat, len, msg, sizeof msg, &off);
    if (rc == 1 && subst) {
        char buf[80];
        err_at(c, v, path, "PCRE2 error: %s; at offset %zu of the value of %s",
               msg, off, shown(v, buf, sizeof buf));
    } else if (rc == 1) {
        char *caret = yw_cfgu_caret(pat, len, off);
        err_at(c, v, path, "PCRE2 error: %s%s", msg, caret ? caret : "");
        free(caret);
    } else if (rc == 2) {
        err_at(c, v, path, "PCRE2 JIT compile failed: %s; the stage needs JIT "
               "(the interpreter is 8-20x slower)", msg);
    }
}

static void apply_string(ctx_t *c, const cfg_key_t *e, void *base,
                         const yaml_node_t *v, const char *path)
{
    char **slot = yw_cfg_field(base, e->off);
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
    yw_cfg_free_str(slot, e->flags & CF_SECRET);
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
            *(int *)yw_cfg_field(base, e->off) = i;
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
    if (yw_cfgu_parse_tz(s, yw_cfg_field(base, e->off)) < 0)
        err_at(c, v, path, "'%s' is not a UTC offset; write [+-]HH:MM, e.g. +08:00",
               shown(v, buf, sizeof buf));
    free(s);
}

static void apply_strlist(ctx_t *c, const cfg_key_t *e, void *base,
                          const yaml_node_t *v, const char *path)
{
    char ***slot = yw_cfg_field(base, e->off);
    size_t *count = yw_cfg_field(base, e->off_count);
    if (!is_null(v) && v->type != YAML_SEQUENCE_NODE) {
        err_at(c, v, path, "expected a list of strings, got %s; write [\"%s\"]",
               kind(v), e->def ? e->def : "...");
        note_seen(c, slot, v, false);
        return;
    }
    size_t before = c->nerr;
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
        yw_cfgu_pathf(ipath, sizeof ipath, "%s[%zu]", path, i);
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
    note_seen(c, slot, v, c->nerr == before);
}

static void apply_rdkafka(ctx_t *c, const cfg_key_t *e, void *base,
                          const yaml_node_t *map, const char *prefix)
{
    yw_kv_t **slot = yw_cfg_field(base, e->off);
    size_t *count = yw_cfg_field(base, e->off_count);
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
        const char *why = yw_cfgu_rdkafka_reserved(name);
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
                yw_cfgu_redact(errstr, sizeof errstr, val, scalar(v));
            char best[128];
            if (r == RD_KAFKA_CONF_UNKNOWN && yw_cfgu_rdkafka_suggest(name, best, sizeof best))
                err_at(c, k, path, "%s; did you mean '%s'?", errstr, best);
            else if (r == RD_KAFKA_CONF_UNKNOWN)
                err_at(c, k, path, "%s; see librdkafka's CONFIGURATION.md", errstr);
            else
                err_at(c, v, path, "%s", errstr);
            yw_cfg_free_str(&val, true);
            continue;
        }
        yw_kv_t *kv = realloc(*slot, (*count + 1) * sizeof *kv);
        char *key = strdup(name);
        if (!kv || !key) {
            if (kv)
                *slot = kv;
            free(key);
            yw_cfg_free_str(&val, true);
            err_at(c, v, path, "out of memory");
            continue;
        }
        *slot = kv;
        kv[*count] = (yw_kv_t){ key, val, (int)v->start_mark.line + 1,
                                (int)v->start_mark.column + 1 };
        (*count)++;
    }
}

static void check_required(ctx_t *c, const cfg_table_t *t, void *base,
                           const char *prefix, const yaml_node_t *at);

static void apply_key(ctx_t *c, const cfg_key_t *e, void *base,
                      const yaml_node_t *v, const char *path)
{
    switch (e->type) {
    case CT_STR:
    case CT_REGEX:      apply_string(c, e, base, v, path); break;
    case CT_INT:        apply_int(c, e, base, v, path); break;
    case CT_FLOAT:      apply_float(c, e, base, v, path); break;
    case CT_ENUM:       apply_enum(c, e, base, v, path); break;
    case CT_TZ:         apply_tz(c, e, base, v, path); break;
    case CT_STRLIST:    apply_strlist(c, e, base, v, path); break;
    case CT_KV:         apply_rdkafka(c, e, base, v, path); break;
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
        if (!e) {
            unknown_key(c, t, k, path, prefix);
            continue;
        }
        if (e->check)           /* where the section's own check reports */
            note_seen(c, &e->check, k, true);
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
        yw_cfgu_join(path, sizeof path, prefix, e->name);
        if (e->type == CT_TABLE)
            check_required(c, e->sub, base, path, at);
        else if ((e->flags & CF_REQUIRED) && !find_seen(c, yw_cfg_field(base, e->off)))
            err_at(c, at, path, "required; %s", e->hint);
    }
}

/* A number for a cross-check message: the text the file wrote when the
 * file set it (a ${VAR} stays a ${VAR}), else the default. */
static const char *num_text(const seen_t *s, int64_t v, char *buf, size_t len)
{
    if (s && s->node->type == YAML_SCALAR_NODE)
        return shown(s->node, buf, len);
    snprintf(buf, len, "%" PRId64, v);
    return buf;
}

/* A float for a cross-check message, as num_text. */
static const char *float_text(const seen_t *s, double v, char *buf, size_t len)
{
    if (s && s->node->type == YAML_SCALAR_NODE)
        return shown(s->node, buf, len);
    snprintf(buf, len, "%g", v);
    return buf;
}

/* score.thresholds: blue < yellow < orange < red (thresholds[1..4]). */
static void check_thresholds(ctx_t *c, const yw_config_t *cfg)
{
    const double *t = cfg->score.thresholds;
    for (int i = 1; i < 4; i++) {
        double a = t[i], b = t[i + 1];
        const seen_t *sa = find_seen(c, &t[i]);
        const seen_t *sb = find_seen(c, &t[i + 1]);
        if (a < b || (sa && !sa->ok) || (sb && !sb->ok))
            continue;
        char path[64], ta[80], tb[80];
        float_text(sa, a, ta, sizeof ta);
        float_text(sb, b, tb, sizeof tb);
        /* Blame the value the file set: the other may be a default. */
        if (sb) {
            snprintf(path, sizeof path, "score.thresholds.%s", level_names[i]);
            err_at(c, sb->node, path, "%s is not greater than %s (%s); thresholds "
                   "must increase strictly: blue < yellow < orange < red",
                   tb, level_names[i - 1], ta);
        } else {
            snprintf(path, sizeof path, "score.thresholds.%s", level_names[i - 1]);
            err_at(c, sa ? sa->node : NULL, path, "%s is not less than %s (%s); "
                   "thresholds must increase strictly: blue < yellow < orange < red",
                   ta, level_names[i], tb);
        }
    }
}

/* Did this load report a problem with section name or one of its keys? */
static bool section_had_errors(const ctx_t *c, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = c->first; i < c->errs->count; i++) {
        const char *k = c->errs->items[i].key;
        if (k && !strncmp(k, name, n) && (k[n] == '\0' || k[n] == '.'))
            return true;
    }
    return false;
}

/* The modules' messages print values: any value of the section that came
 * from the environment is shown as the ${...} text the file wrote. */
static void redact_section(ctx_t *c, const yaml_node_t *sec, char *msg, size_t len)
{
    for (size_t i = 0; i < c->nseen; i++) {
        const yaml_node_t *n = c->seen[i].node;
        if (n->type != YAML_SCALAR_NODE ||
            n->start_mark.index < sec->start_mark.index ||
            n->start_mark.index >= sec->end_mark.index ||
            !strstr(scalar(n), "${"))
            continue;
        char *val = NULL, why[64], raw[128];
        bool sub = false;
        if (yw_cfgu_env_expand(scalar(n), n->data.scalar.length, &val, &sub, why,
                               sizeof why) == 0 && sub && *val)
            yw_cfgu_redact(msg, len, val, shown(n, raw, sizeof raw));
        free(val);
    }
}

/* The modules' own checks of cluster: and score: (cross-key constraints the
 * rows cannot express), at the section's position.  Skipped when a key of
 * the section already failed: its message is the precise one. */
static void check_sections(ctx_t *c, const yw_config_t *cfg)
{
    for (size_t i = 0; i < yw_cfg_root.n; i++) {
        const cfg_key_t *e = &yw_cfg_root.keys[i];
        if (!e->check || section_had_errors(c, e->name))
            continue;
        char msg[512] = "";
        if (e->check(cfg, msg, sizeof msg) == 0)
            continue;
        const seen_t *s = find_seen(c, e), *k = find_seen(c, &e->check);
        if (s)
            redact_section(c, s->node, msg, sizeof msg);
        /* "cluster.index_terms (32) ..." under the key "cluster" reads
         * "cluster: index_terms (32) ...". */
        const char *m = msg;
        size_t n = strlen(e->name);
        if (!strncmp(m, e->name, n) && (m[n] == '.' || m[n] == ' '))
            m += n + 1;
        err_at(c, k ? k->node : NULL, e->name, "%s", *m ? m : "invalid");
    }
}

static void check_cross(ctx_t *c, yw_config_t *cfg)
{
    /* Not a key of its own: score's days start at records.timezone. */
    cfg->score.tz_offset_minutes = cfg->tz_offset_minutes;
    check_required(c, &yw_cfg_root, cfg, "", NULL);
    check_thresholds(c, cfg);
    check_sections(c, cfg);

    bool any = false;
    for (int i = 0; i < YW_SRC_COUNT; i++)
        any = any || (cfg->kafka_topics[i] && *cfg->kafka_topics[i]);
    if (!any) {
        const cfg_key_t *kafka = yw_cfg_find(&yw_cfg_root, "kafka");
        const seen_t *s = find_seen(c, yw_cfg_find(kafka->sub, "topics"));
        err_at(c, s ? s->node : NULL, "kafka.topics", "every topic is empty; set "
               "at least one of hotline, grid, online, police");
    }

    const seen_t *sb = find_seen(c, &cfg->redis_retry_backoff_ms);
    const seen_t *sm = find_seen(c, &cfg->redis_retry_backoff_max_ms);
    if (cfg->redis_retry_backoff_ms > cfg->redis_retry_backoff_max_ms &&
        !(sb && !sb->ok) && !(sm && !sm->ok)) {
        char tb[80], tm[80];
        num_text(sb, cfg->redis_retry_backoff_ms, tb, sizeof tb);
        num_text(sm, cfg->redis_retry_backoff_max_ms, tm, sizeof tm);
        if (sb)
            err_at(c, sb->node, "redis.retry_backoff_ms", "%s is greater than "
                   "redis.retry_backoff_max_ms (%s); the backoff starts at "
                   "retry_backoff_ms and doubles up to the maximum", tb, tm);
        else
            err_at(c, sm ? sm->node : NULL, "redis.retry_backoff_max_ms", "%s is "
                   "less than redis.retry_backoff_ms (%s); the maximum must be at "
                   "least the first backoff", tm, tb);
    }

    if (!*cfg->redis_host && !*cfg->redis_unix_socket) {
        const seen_t *s = find_seen(c, &cfg->redis_host);
        err_at(c, s ? s->node : NULL, "redis.host", "empty, and redis.unix_socket "
               "is empty too; set one of them");
    }
}

/* rules.paths: every path must exist (reported at its list item), then the
 * rules are loaded and compiled exactly as the stage will; each rule error
 * is kept whole ("RULEFILE:LINE: rule NAME: ..." plus pattern and caret
 * lines) and printed after the config's own problems.  Relative paths are
 * the working directory's.  The compiled rules are kept in cfg->rules, so
 * the stage need not compile them a second time (~0.4 s of Hyperscan for
 * the starter set). */
static void check_rules(ctx_t *c, yw_config_t *cfg)
{
    const seen_t *s = find_seen(c, &cfg->rules_paths);
    if ((s && !s->ok) || cfg->rules_path_count == 0)
        return;
    const char **found = calloc(cfg->rules_path_count, sizeof *found);
    if (!found) {
        err_at(c, s ? s->node : NULL, "rules.paths", "out of memory");
        return;
    }
    size_t nfound = 0;
    for (size_t i = 0; i < cfg->rules_path_count; i++) {
        const char *p = cfg->rules_paths[i];
        struct stat st;
        if (stat(p, &st) == 0) {
            found[nfound++] = p;
            continue;
        }
        int e = errno;
        const yaml_node_t *at = NULL;
        if (s && s->node->type == YAML_SEQUENCE_NODE &&
            i < (size_t)(s->node->data.sequence.items.top -
                         s->node->data.sequence.items.start))
            at = node_at(c, s->node->data.sequence.items.start[i]);
        char path[64], cwd[PATH_MAX];
        if (s)
            snprintf(path, sizeof path, "rules.paths[%zu]", i);
        else
            snprintf(path, sizeof path, "rules.paths");
        if (p[0] != '/' && getcwd(cwd, sizeof cwd))
            err_at(c, at, path, "cannot open '%s': %s; relative paths are resolved "
                   "against the working directory, %s", p, strerror(e), cwd);
        else
            err_at(c, at, path, "cannot open '%s': %s", p, strerror(e));
    }
    if (nfound > 0) {
        yw_rules_errors_t rerrs = { 0 };
        yw_rules_t *r = yw_rules_load(found, nfound, &rerrs);
        for (size_t i = 0; i < rerrs.count; i++) {
            c->nerr++;
            if (yw_cfgu_error_add(c->errs, 0, 0, NULL, "%s", rerrs.msgs[i]) == 0)
                c->errs->items[c->errs->count - 1].verbatim = true;
        }
        if (!r && rerrs.count == 0)
            err_at(c, s ? s->node : NULL, "rules.paths", "the rules could not be "
                   "loaded (out of memory?)");
        yw_rules_errors_free(&rerrs);
        if (c->nerr == 0 && r)
            cfg->rules = r;
        else
            yw_rules_destroy(r);
    }
    free(found);
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
        /* The classic: "\d+" or "C:\data" in double quotes. */
        const char *extra = p->problem && strstr(p->problem, "unknown escape")
            ? " (write a value with backslashes in single quotes or a block scalar)"
            : "";
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

static yw_config_t *load_doc(const char *name, const char *yaml, size_t len,
                             yw_config_errors_t *errs, bool with_rules)
{
    if (!errs) {
        /* A caller that only wants valid-or-not still gets the full check. */
        yw_config_errors_t scratch = { 0 };
        yw_config_t *cfg = load_doc(name, yaml, len, &scratch, with_rules);
        yw_config_errors_free(&scratch);
        return cfg;
    }
    size_t first = errs->count;
    ctx_t c = { .errs = errs, .first = first };
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
        apply_table(&c, &yw_cfg_root, cfg, root, "");
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
    if (with_rules)
        check_rules(&c, cfg);
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

yw_config_t *yw_config_load_string(const char *name, const char *yaml,
                                   size_t len, yw_config_errors_t *errs)
{
    return load_doc(name, yaml, len, errs, false);
}

static yw_config_t *load_file(const char *path, yw_config_errors_t *errs, bool with_rules)
{
    yw_config_errors_t scratch = { 0 };
    if (!errs)
        errs = &scratch;
    char why[256];
    size_t len;
    char *text = yw_cfgu_read_file(path, &len, why, sizeof why);
    yw_config_t *cfg = NULL;
    if (text)
        cfg = load_doc(path, text, len, errs, with_rules);
    else
        yw_cfgu_error_add(errs, 0, 0, NULL, "%s", why);
    free(text);
    yw_config_errors_free(&scratch);    /* empty unless errs was NULL */
    return cfg;
}

yw_config_t *yw_config_load(const char *path, yw_config_errors_t *errs)
{
    return load_file(path, errs, true);
}

yw_config_t *yw_config_load_no_rules(const char *path, yw_config_errors_t *errs)
{
    return load_file(path, errs, false);
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
