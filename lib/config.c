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
 * time: a check run shows the operator everything to fix at once.  The
 * checks that span keys, and the rules check, are in config_check.c. */
#include "config.h"

#include "config_impl.h"
#include "config_table.h"
#include "config_util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>
#include <librdkafka/rdkafka.h>

/* ---- the walk over the YAML document ----------------------------------- */


__attribute__((format(printf, 5, 0)))
static void add_errv(ctx_t *c, int line, int col, const char *key,
                     const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    c->nerr++;
    yw_cfgu_error_add(c->errs, line, col, key, "%s", msg);
}

void ywcfg_err_at(ctx_t *c, const yaml_node_t *at, const char *key, const char *fmt, ...)
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

const seen_t *ywcfg_find_seen(const ctx_t *c, const void *id)
{
    for (size_t i = 0; i < c->nseen; i++)
        if (c->seen[i].id == id)
            return &c->seen[i];
    return NULL;
}

yaml_node_t *ywcfg_node_at(ctx_t *c, int index)
{
    return yaml_document_get_node(c->doc, index);
}


/* `key:` with nothing after it, or an explicit null: an empty section/list. */
static bool is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = ywcfg_scalar(n);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null");
}

/* The scalar as written, made safe to quote in a message: cut at 60 bytes
 * on a UTF-8 boundary, control characters shown as '?'. */
const char *ywcfg_shown(const yaml_node_t *n, char *buf, size_t len)
{
    const char *s = ywcfg_scalar(n);
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
        ywcfg_err_at(c, n, path, "expected %s, got %s", what, kind(n));
        return -1;
    }
    if (memchr(ywcfg_scalar(n), '\0', n->data.scalar.length)) {
        ywcfg_err_at(c, n, path, "contains a NUL character; remove the \\0 escape");
        return -1;
    }
    char why[512];
    int rc = yw_cfgu_env_expand(ywcfg_scalar(n), n->data.scalar.length, out, &sub,
                                why, sizeof why);
    if (rc == -2) {
        ywcfg_err_at(c, n, path, "out of memory");
        return -1;
    }
    if (rc < 0) {
        ywcfg_err_at(c, n, path, "%s", why);
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
    const yaml_node_t *k = ywcfg_node_at(c, pair->key);
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < pair; p++) {
        const yaml_node_t *k2 = ywcfg_node_at(c, p->key);
        if (k2->type == YAML_SCALAR_NODE &&
            k2->data.scalar.length == k->data.scalar.length &&
            !memcmp(ywcfg_scalar(k2), ywcfg_scalar(k), k->data.scalar.length))
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
    const yaml_node_t *k = ywcfg_node_at(c, pair->key);
    if (k->type != YAML_SCALAR_NODE) {
        ywcfg_err_at(c, k, *prefix ? prefix : NULL, "keys must be plain strings, got %s",
                     kind(k));
        return false;
    }
    yw_cfgu_join(path, pathlen, prefix, ywcfg_scalar(k));
    const yaml_node_pair_t *first = find_dup(c, map, pair);
    if (first) {
        const yaml_node_t *fk = ywcfg_node_at(c, first->key);
        ywcfg_err_at(c, k, path, "duplicate key; first defined at %d:%d",
                     (int)fk->start_mark.line + 1, (int)fk->start_mark.column + 1);
        return false;
    }
    return true;
}

static void unknown_key(ctx_t *c, const cfg_table_t *t, const yaml_node_t *k,
                        const char *path, const char *prefix)
{
    const char *what = *prefix ? "key" : "section";
    const char *name = ywcfg_scalar(k);
    if (!strcmp(name, "<<")) {
        ywcfg_err_at(c, k, path, "merge keys (<<) are not supported; write the keys out");
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
        ywcfg_err_at(c, k, path, "unknown %s; did you mean '%s'?", what, best);
        return;
    }
    char list[1024];
    size_t n = 0;
    list[0] = '\0';
    for (size_t i = 0; i < t->n && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
                              t->keys[i].name);
    ywcfg_err_at(c, k, path, "unknown %s; valid %ss: %s", what, what, list);
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
        ywcfg_err_at(c, v, path, "expected an integer, got '%s'%s",
                     ywcfg_shown(v, buf, sizeof buf), unit_hint(e->unit));
        goto bad;
    }
    if (rc == -2 || x < e->min || x > e->max) {
        ywcfg_err_at(c, v, path, "%s is out of range; allowed %" PRId64 "..%" PRId64,
                     ywcfg_shown(v, buf, sizeof buf), e->min, e->max);
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
        ywcfg_err_at(c, v, path, "'%s' is not allowed; write a finite number in %s",
                     ywcfg_shown(v, buf, sizeof buf), range);
        goto bad;
    }
    if (rc == -1 && e->unit) {
        ywcfg_err_at(c, v, path, "expected a number, got '%s'; write a plain number of "
                     "%s, such as 72 or 1.5", ywcfg_shown(v, buf, sizeof buf),
                     strcmp(e->unit, "ms") ? e->unit : "milliseconds");
        goto bad;
    }
    if (rc == -1) {
        ywcfg_err_at(c, v, path, "expected a number, got '%s'; write a decimal such as "
                     "0.25 or 1e-3", ywcfg_shown(v, buf, sizeof buf));
        goto bad;
    }
    bool low = (e->flags & CF_GT_MIN) ? !(x > e->fmin) : !(x >= e->fmin);
    if (rc == -2 || low || !(x <= e->fmax)) {
        ywcfg_err_at(c, v, path, "%s is out of range; allowed %s",
                     ywcfg_shown(v, buf, sizeof buf), range);
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
        ywcfg_err_at(c, v, path, "PCRE2 error: %s; at offset %zu of the value of %s",
                     msg, off, ywcfg_shown(v, buf, sizeof buf));
    } else if (rc == 1) {
        char *caret = yw_cfgu_caret(pat, len, off);
        ywcfg_err_at(c, v, path, "PCRE2 error: %s%s", msg, caret ? caret : "");
        free(caret);
    } else if (rc == 2) {
        ywcfg_err_at(c, v, path, "PCRE2 JIT compile failed: %s; the stage needs JIT "
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
            ywcfg_err_at(c, v, path, "must not be empty; %s", e->hint);
        else
            ywcfg_err_at(c, v, path, "must not be empty");
        ok = false;
    } else if ((int64_t)len < e->min) {
        ywcfg_err_at(c, v, path, "too short (%zu bytes); use at least %" PRId64
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
    ywcfg_err_at(c, v, path, "'%s' is not one of %s", ywcfg_shown(v, buf, sizeof buf), list);
}

static void apply_tz(ctx_t *c, const cfg_key_t *e, void *base,
                     const yaml_node_t *v, const char *path)
{
    char *s;
    char buf[80];
    if (get_scalar(c, v, path, "a string", &s, NULL) < 0)
        return;
    if (yw_cfgu_parse_tz(s, yw_cfg_field(base, e->off)) < 0)
        ywcfg_err_at(c, v, path, "'%s' is not a UTC offset; write [+-]HH:MM, e.g. +08:00",
                     ywcfg_shown(v, buf, sizeof buf));
    free(s);
}

static void apply_strlist(ctx_t *c, const cfg_key_t *e, void *base,
                          const yaml_node_t *v, const char *path)
{
    char ***slot = yw_cfg_field(base, e->off);
    size_t *count = yw_cfg_field(base, e->off_count);
    if (!is_null(v) && v->type != YAML_SEQUENCE_NODE) {
        ywcfg_err_at(c, v, path, "expected a list of strings, got %s; write [\"%s\"]",
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
        ywcfg_err_at(c, v, path, "out of memory");
        return;
    }
    *slot = list;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = ywcfg_node_at(c, v->data.sequence.items.start[i]);
        char ipath[256];
        yw_cfgu_pathf(ipath, sizeof ipath, "%s[%zu]", path, i);
        char *s;
        if (get_scalar(c, item, ipath, "a string", &s, NULL) < 0)
            continue;
        if (!*s) {
            ywcfg_err_at(c, item, ipath, "must not be empty");
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
        ywcfg_err_at(c, map, prefix, "expected a mapping of librdkafka properties, got %s",
                     kind(map));
        return;
    }
    if (!c->rk_conf && !(c->rk_conf = rd_kafka_conf_new())) {
        ywcfg_err_at(c, map, prefix, "out of memory");
        return;
    }
    for (const yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        char path[512];
        if (!check_pair(c, map, pair, prefix, path, sizeof path))
            continue;
        const yaml_node_t *k = ywcfg_node_at(c, pair->key), *v = ywcfg_node_at(c, pair->value);
        const char *name = ywcfg_scalar(k);
        const char *why = yw_cfgu_rdkafka_reserved(name);
        if (why) {
            ywcfg_err_at(c, k, path, "%s", why);
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
                yw_cfgu_redact(errstr, sizeof errstr, val, ywcfg_scalar(v));
            char best[128];
            if (r == RD_KAFKA_CONF_UNKNOWN && yw_cfgu_rdkafka_suggest(name, best, sizeof best))
                ywcfg_err_at(c, k, path, "%s; did you mean '%s'?", errstr, best);
            else if (r == RD_KAFKA_CONF_UNKNOWN)
                ywcfg_err_at(c, k, path, "%s; see librdkafka's CONFIGURATION.md", errstr);
            else
                ywcfg_err_at(c, v, path, "%s", errstr);
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
            ywcfg_err_at(c, v, path, "out of memory");
            continue;
        }
        *slot = kv;
        kv[*count] = (yw_kv_t){ key, val, (int)v->start_mark.line + 1,
                                (int)v->start_mark.column + 1 };
        (*count)++;
    }
}

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
        ywcfg_err_at(c, map, *prefix ? prefix : NULL, "expected a mapping of %s, got %s",
                     *prefix ? "keys" : "sections", kind(map));
        return;
    }
    for (const yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        char path[512];
        if (!check_pair(c, map, pair, prefix, path, sizeof path))
            continue;
        const yaml_node_t *k = ywcfg_node_at(c, pair->key);
        const cfg_key_t *e = NULL;
        for (size_t i = 0; i < t->n && !e; i++)
            if (!strcmp(t->keys[i].name, ywcfg_scalar(k)))
                e = &t->keys[i];
        if (!e) {
            unknown_key(c, t, k, path, prefix);
            continue;
        }
        if (e->check)           /* where the section's own check reports */
            note_seen(c, &e->check, k, true);
        apply_key(c, e, base, ywcfg_node_at(c, pair->value), path);
    }
}

/* ---- checks across keys -------------------------------------------------- */

/* Required keys never given: reported at `at` (a list item) or, for
 * top-level sections, as a file-level problem (line 0). */
void ywcfg_check_required(ctx_t *c, const cfg_table_t *t, void *base,
                          const char *prefix, const yaml_node_t *at)
{
    for (size_t i = 0; i < t->n; i++) {
        const cfg_key_t *e = &t->keys[i];
        char path[512];
        yw_cfgu_join(path, sizeof path, prefix, e->name);
        if (e->type == CT_TABLE)
            ywcfg_check_required(c, e->sub, base, path, at);
        else if ((e->flags & CF_REQUIRED) && !ywcfg_find_seen(c, yw_cfg_field(base, e->off)))
            ywcfg_err_at(c, at, path, "required; %s", e->hint);
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
    ywcfg_check_cross(&c, cfg);
    if (with_rules)
        ywcfg_check_rules(&c, cfg);
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

yw_decoder_t *yw_config_decoder(const yw_config_t *cfg, char *errbuf, size_t errlen)
{
    yw_decoder_conf_t dconf = {
        .max_message_bytes = (size_t)cfg->kafka_max_message_bytes,
        .tz_offset_minutes = cfg->tz_offset_minutes,
        .hmac_key = (const uint8_t *)cfg->privacy_hmac_secret,
        .hmac_key_len = cfg->privacy_hmac_secret ? strlen(cfg->privacy_hmac_secret) : 0,
    };
    return yw_decoder_create(&dconf, errbuf, errlen);
}
