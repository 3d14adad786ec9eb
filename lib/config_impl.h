/* config_impl.h -- what config.c (the walk over the YAML document and
 * loading) shares with config_check.c (the checks across keys, run once the
 * walk is done, and the rules check).  Internal to the config module:
 * include config.h instead. */
#ifndef YW_CONFIG_IMPL_H
#define YW_CONFIG_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <librdkafka/rdkafka.h>
#include <yaml.h>

#include "config.h"
#include "config_table.h"

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

/* ---- config.c --------------------------------------------------------- */

/* One problem at node `at` (NULL: not tied to a line) under key. */
void ywcfg_err_at(ctx_t *c, const yaml_node_t *at, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The node that set field (or table) id, or NULL. */
const seen_t *ywcfg_find_seen(const ctx_t *c, const void *id);
yaml_node_t *ywcfg_node_at(ctx_t *c, int index);
/* The scalar as written, safe to quote in a message (buf of len). */
const char *ywcfg_shown(const yaml_node_t *n, char *buf, size_t len);
/* Required keys of table t never given, reported at `at`. */
void ywcfg_check_required(ctx_t *c, const cfg_table_t *t, void *base,
                          const char *prefix, const yaml_node_t *at);

static inline const char *ywcfg_scalar(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

/* ---- config_check.c --------------------------------------------------- */

/* Everything that spans keys: required keys, score thresholds in order,
 * the modules' own section checks, topics, Redis backoff and address. */
void ywcfg_check_cross(ctx_t *c, yw_config_t *cfg);
/* rules.paths exist, and the rules compile (kept in cfg->rules). */
void ywcfg_check_rules(ctx_t *c, yw_config_t *cfg);

#endif
