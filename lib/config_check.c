/* config_check.c -- the checks that span keys, run once the walk over the
 * YAML document (config.c) has applied every key it could: required keys,
 * score thresholds in order, the modules' own section checks (cluster:,
 * score:), topics, Redis backoff and address, and rules.paths (loading and
 * compiling the rules as the stage will).  Each error is placed at the
 * value the file wrote (ywcfg_find_seen), or at the file when a default is
 * to blame. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_impl.h"
#include "config_util.h"
#include "rules.h"

static const char *const level_names[] = { "blue", "yellow", "orange", "red", NULL };

/* A number for a cross-check message: the text the file wrote when the
 * file set it (a ${VAR} stays a ${VAR}), else the default. */
static const char *num_text(const seen_t *s, int64_t v, char *buf, size_t len)
{
    if (s && s->node->type == YAML_SCALAR_NODE)
        return ywcfg_shown(s->node, buf, len);
    snprintf(buf, len, "%" PRId64, v);
    return buf;
}

/* A float for a cross-check message, as num_text. */
static const char *float_text(const seen_t *s, double v, char *buf, size_t len)
{
    if (s && s->node->type == YAML_SCALAR_NODE)
        return ywcfg_shown(s->node, buf, len);
    snprintf(buf, len, "%g", v);
    return buf;
}

/* score.thresholds: blue < yellow < orange < red (thresholds[1..4]). */
static void check_thresholds(ctx_t *c, const yw_config_t *cfg)
{
    const double *t = cfg->score.thresholds;
    for (int i = 1; i < 4; i++) {
        double a = t[i], b = t[i + 1];
        const seen_t *sa = ywcfg_find_seen(c, &t[i]);
        const seen_t *sb = ywcfg_find_seen(c, &t[i + 1]);
        if (a < b || (sa && !sa->ok) || (sb && !sb->ok))
            continue;
        char path[64], ta[80], tb[80];
        float_text(sa, a, ta, sizeof ta);
        float_text(sb, b, tb, sizeof tb);
        /* Blame the value the file set: the other may be a default. */
        if (sb) {
            snprintf(path, sizeof path, "score.thresholds.%s", level_names[i]);
            ywcfg_err_at(c, sb->node, path, "%s is not greater than %s (%s); thresholds "
                   "must increase strictly: blue < yellow < orange < red",
                   tb, level_names[i - 1], ta);
        } else {
            snprintf(path, sizeof path, "score.thresholds.%s", level_names[i - 1]);
            ywcfg_err_at(c, sa ? sa->node : NULL, path, "%s is not less than %s (%s); "
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
            !strstr(ywcfg_scalar(n), "${"))
            continue;
        char *val = NULL, why[64], raw[128];
        bool sub = false;
        if (yw_cfgu_env_expand(ywcfg_scalar(n), n->data.scalar.length, &val, &sub, why,
                               sizeof why) == 0 && sub && *val)
            yw_cfgu_redact(msg, len, val, ywcfg_shown(n, raw, sizeof raw));
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
        const seen_t *s = ywcfg_find_seen(c, e), *k = ywcfg_find_seen(c, &e->check);
        if (s)
            redact_section(c, s->node, msg, sizeof msg);
        /* "cluster.index_terms (32) ..." under the key "cluster" reads
         * "cluster: index_terms (32) ...". */
        const char *m = msg;
        size_t n = strlen(e->name);
        if (!strncmp(m, e->name, n) && (m[n] == '.' || m[n] == ' '))
            m += n + 1;
        ywcfg_err_at(c, k ? k->node : NULL, e->name, "%s", *m ? m : "invalid");
    }
}

void ywcfg_check_cross(ctx_t *c, yw_config_t *cfg)
{
    /* Not a key of its own: score's days start at records.timezone. */
    cfg->score.tz_offset_minutes = cfg->tz_offset_minutes;
    ywcfg_check_required(c, &yw_cfg_root, cfg, "", NULL);
    check_thresholds(c, cfg);
    check_sections(c, cfg);

    bool any = false;
    for (int i = 0; i < YW_SRC_COUNT; i++)
        any = any || (cfg->kafka_topics[i] && *cfg->kafka_topics[i]);
    if (!any) {
        const cfg_key_t *kafka = yw_cfg_find(&yw_cfg_root, "kafka");
        const seen_t *s = ywcfg_find_seen(c, yw_cfg_find(kafka->sub, "topics"));
        ywcfg_err_at(c, s ? s->node : NULL, "kafka.topics", "every topic is empty; set "
               "at least one of hotline, grid, online, police");
    }

    const seen_t *sb = ywcfg_find_seen(c, &cfg->redis_retry_backoff_ms);
    const seen_t *sm = ywcfg_find_seen(c, &cfg->redis_retry_backoff_max_ms);
    if (cfg->redis_retry_backoff_ms > cfg->redis_retry_backoff_max_ms &&
        !(sb && !sb->ok) && !(sm && !sm->ok)) {
        char tb[80], tm[80];
        num_text(sb, cfg->redis_retry_backoff_ms, tb, sizeof tb);
        num_text(sm, cfg->redis_retry_backoff_max_ms, tm, sizeof tm);
        if (sb)
            ywcfg_err_at(c, sb->node, "redis.retry_backoff_ms", "%s is greater than "
                   "redis.retry_backoff_max_ms (%s); the backoff starts at "
                   "retry_backoff_ms and doubles up to the maximum", tb, tm);
        else
            ywcfg_err_at(c, sm ? sm->node : NULL, "redis.retry_backoff_max_ms", "%s is "
                   "less than redis.retry_backoff_ms (%s); the maximum must be at "
                   "least the first backoff", tm, tb);
    }

    if (!*cfg->redis_host && !*cfg->redis_unix_socket) {
        const seen_t *s = ywcfg_find_seen(c, &cfg->redis_host);
        ywcfg_err_at(c, s ? s->node : NULL, "redis.host", "empty, and redis.unix_socket "
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
void ywcfg_check_rules(ctx_t *c, yw_config_t *cfg)
{
    const seen_t *s = ywcfg_find_seen(c, &cfg->rules_paths);
    if ((s && !s->ok) || cfg->rules_path_count == 0)
        return;
    const char **found = calloc(cfg->rules_path_count, sizeof *found);
    if (!found) {
        ywcfg_err_at(c, s ? s->node : NULL, "rules.paths", "out of memory");
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
            at = ywcfg_node_at(c, s->node->data.sequence.items.start[i]);
        char path[64], cwd[PATH_MAX];
        if (s)
            snprintf(path, sizeof path, "rules.paths[%zu]", i);
        else
            snprintf(path, sizeof path, "rules.paths");
        if (p[0] != '/' && getcwd(cwd, sizeof cwd))
            ywcfg_err_at(c, at, path, "cannot open '%s': %s; relative paths are resolved "
                   "against the working directory, %s", p, strerror(e), cwd);
        else
            ywcfg_err_at(c, at, path, "cannot open '%s': %s", p, strerror(e));
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
            ywcfg_err_at(c, s ? s->node : NULL, "rules.paths", "the rules could not be "
                   "loaded (out of memory?)");
        yw_rules_errors_free(&rerrs);
        if (c->nerr == 0 && r)
            cfg->rules = r;
        else
            yw_rules_destroy(r);
    }
    free(found);
}
