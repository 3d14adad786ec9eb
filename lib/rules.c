/* rules.c -- rule files -> one Hyperscan database + PCRE2 confirmers.
 *
 * Owns: parsing and validating rule YAML (libyaml document API, so every
 * node carries its line and column for error messages), compiling every
 * pattern with PCRE2 (syntax check, confirmation, negation) and all of
 * them into one Hyperscan block-mode database, and the per-record match.
 *
 * Why two engines: PCRE2 run pattern by pattern costs ~20 µs per text for
 * a rule set this size; one Hyperscan scan answers "which patterns occur"
 * for all of them in about a microsecond.  PCRE2 (JIT, NO_UTF_CHECK) is
 * then run only where Hyperscan cannot be exact (PREFILTER patterns) and
 * around matches of rules that have negation context.  See rules.h. */
#include "rules.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>
#include <yaml.h>

#include "text.h"

/* ---- types ------------------------------------------------------------ */

typedef struct {
    char *name;
    yw_rule_kind_t kind;
    float weight;
    unsigned fields;            /* yw_field_t bits */
    uint32_t neg_first, neg_count;
    uint64_t term;
} rule_t;

typedef struct {
    pcre2_code *re;
    char *src;
    uint32_t rule;
    bool prefilter;             /* Hyperscan only approximates it */
    char *file;                 /* for Hyperscan errors at build time */
    int line;
} pat_t;

struct yw_rules {
    rule_t *rules;
    size_t nrules, rules_cap;
    pat_t *pats;
    size_t npats, pats_cap;
    pcre2_code **negs;
    size_t nnegs, negs_cap;
    hs_database_t *db;          /* NULL when there are no patterns */
    /* What each field is scanned with: a database of only the patterns
     * of rules that read that field (the reply is read by a few
     * deflection rules only, so its scan is much cheaper), db itself
     * when that is every pattern, NULL when it is none. */
    hs_database_t *field_db[3];  /* text, title, reply */
};

/* yw_field_t bit -> index into field_db */
static int field_index(unsigned field)
{
    return field == YW_FIELD_TEXT ? 0 : field == YW_FIELD_TITLE ? 1 : 2;
}

struct yw_rules_scratch {
    hs_scratch_t *hs;
    pcre2_match_data *md;
    uint32_t *matched;          /* pattern ids reported by one scan */
    size_t nmatched, matched_cap;
};

static const char *const kind_names[YW_RULE_KIND_COUNT] = {
    "domain", "escalation", "emotion", "deflection", "selfharm",
};

const char *yw_rule_kind_name(yw_rule_kind_t kind)
{
    return (unsigned)kind < YW_RULE_KIND_COUNT ? kind_names[kind] : "?";
}

/* ---- errors ----------------------------------------------------------- */

static void errs_add(yw_rules_errors_t *errs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void errs_add(yw_rules_errors_t *errs, const char *fmt, ...)
{
    if (!errs) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    char *msg = malloc((size_t)n + 1);
    if (!msg) return;
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (errs->count == errs->cap) {
        size_t ncap = errs->cap ? errs->cap * 2 : 8;
        char **m = realloc(errs->msgs, ncap * sizeof(*m));
        if (!m) {
            free(msg);
            return;
        }
        errs->msgs = m;
        errs->cap = ncap;
    }
    errs->msgs[errs->count++] = msg;
}

void yw_rules_errors_free(yw_rules_errors_t *errs)
{
    if (!errs) return;
    for (size_t i = 0; i < errs->count; i++) free(errs->msgs[i]);
    free(errs->msgs);
    errs->msgs = NULL;
    errs->count = errs->cap = 0;
}

void yw_rules_errors_print(const yw_rules_errors_t *errs, FILE *out)
{
    for (size_t i = 0; errs && i < errs->count; i++) fprintf(out, "%s\n", errs->msgs[i]);
}

/* ---- builder ---------------------------------------------------------- */

typedef struct {
    yw_rules_t *r;
    yw_rules_errors_t *errs;
    size_t nerr;                 /* errors seen (counted even if errs NULL) */
    bool jit;                    /* PCRE2 JIT available */
    /* where each rule was defined, for duplicate-name messages */
    char **rule_file;
    int *rule_line;
} builder_t;

#define ERR(b, ...) do { (b)->nerr++; errs_add((b)->errs, __VA_ARGS__); } while (0)

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need) ncap *= 2;
    void *q = realloc(*p, ncap * elem);
    if (!q) return -1;
    *p = q;
    *cap = ncap;
    return 0;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Compile one PCRE2 pattern; on error report it with a caret line. */
static pcre2_code *compile_pcre(builder_t *b, const char *file, int line,
                                const char *rule, const char *pat, size_t len)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, len, PCRE2_UTF | PCRE2_UCP,
                                   &ec, &eo, NULL);
    if (!re) {
        char msg[256];
        pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof(msg));
        size_t col = yw_text_width(pat, eo > len ? len : eo);
        ERR(b, "%s:%d: rule %s: PCRE2 error at offset %zu: %s\n    %.*s\n    %*s^",
            file, line, rule, (size_t)eo, msg, (int)len, pat, (int)col, "");
        return NULL;
    }
    if (!b->jit) return re;       /* already reported once */
    int rc = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    if (rc != 0) {
        char msg[256];
        pcre2_get_error_message(rc, (PCRE2_UCHAR *)msg, sizeof(msg));
        ERR(b, "%s:%d: rule %s: PCRE2 JIT compile failed: %s\n    %.*s", file,
            line, rule, msg, (int)len, pat);
        pcre2_code_free(re);
        return NULL;
    }
    return re;
}

/* ---- YAML walking ----------------------------------------------------- */

typedef struct {
    builder_t *b;
    const char *file;
    yaml_document_t *doc;
} ydoc_t;

static const char *const rule_keys[] = {
    "name", "kind", "weight", "fields", "patterns", "negate", "description",
};
#define N_RULE_KEYS (sizeof(rule_keys) / sizeof(rule_keys[0]))

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), d[32];
    if (la > 30 || lb > 30) return 99;
    for (size_t j = 0; j <= lb; j++) d[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = d[0];
        d[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = d[j];
            size_t sub = prev + (a[i - 1] != b[j - 1]);
            size_t m = d[j] + 1 < d[j - 1] + 1 ? d[j] + 1 : d[j - 1] + 1;
            d[j] = sub < m ? sub : m;
            prev = cur;
        }
    }
    return d[lb];
}

static const char *closest(const char *key, const char *const *set, size_t n)
{
    const char *best = NULL;
    size_t bd = 3;                 /* suggest only near misses */
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(key, set[i]);
        if (d < bd) {
            bd = d;
            best = set[i];
        }
    }
    return best;
}

static int mline(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }
static int mcol(const yaml_node_t *n) { return (int)n->start_mark.column + 1; }

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A list of scalars: either a sequence or one scalar.  Calls fn for each.
 * Returns the count, or -1 after reporting a type error. */
typedef void (*item_fn)(ydoc_t *y, yaml_node_t *item, size_t idx, void *arg);

static int each_scalar(ydoc_t *y, yaml_node_t *v, const char *path, item_fn fn,
                       void *arg)
{
    if (v->type == YAML_SCALAR_NODE) {
        fn(y, v, 0, arg);
        return 1;
    }
    if (v->type != YAML_SEQUENCE_NODE) {
        ERR(y->b, "%s:%d:%d: %s: expected a list of strings", y->file, mline(v),
            mcol(v), path);
        return -1;
    }
    size_t i = 0;
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++, i++) {
        yaml_node_t *item = yaml_document_get_node(y->doc, *it);
        if (!item || item->type != YAML_SCALAR_NODE) {
            ERR(y->b, "%s:%d:%d: %s[%zu]: expected a string", y->file,
                item ? mline(item) : mline(v), item ? mcol(item) : mcol(v), path, i);
            continue;
        }
        fn(y, item, i, arg);
    }
    return (int)i;
}

typedef struct {
    const char *rule;       /* name for messages */
    const char *path;       /* "rules[3].patterns" */
    bool negate;
    size_t added;
    uint32_t rule_id;
} pat_arg_t;

static void add_pattern(ydoc_t *y, yaml_node_t *item, size_t idx, void *argp)
{
    pat_arg_t *a = argp;
    builder_t *b = y->b;
    const char *src = scalar(item);
    size_t len = item->data.scalar.length;
    if (len == 0) {
        ERR(b, "%s:%d:%d: %s[%zu]: empty pattern", y->file, mline(item),
            mcol(item), a->path, idx);
        return;
    }
    pcre2_code *re = compile_pcre(b, y->file, mline(item), a->rule, src, len);
    if (!re) return;
    yw_rules_t *r = b->r;
    if (a->negate) {
        if (grow((void **)&r->negs, &r->negs_cap, r->nnegs + 1, sizeof(*r->negs))) {
            pcre2_code_free(re);
            ERR(b, "%s: out of memory", y->file);
            return;
        }
        r->negs[r->nnegs++] = re;
    } else {
        if (grow((void **)&r->pats, &r->pats_cap, r->npats + 1, sizeof(*r->pats))) {
            pcre2_code_free(re);
            ERR(b, "%s: out of memory", y->file);
            return;
        }
        pat_t *p = &r->pats[r->npats++];
        memset(p, 0, sizeof(*p));
        p->re = re;
        p->src = xstrndup(src, len);
        p->rule = a->rule_id;
        p->file = xstrndup(y->file, strlen(y->file));
        p->line = mline(item);
    }
    a->added++;
}

typedef struct {
    ydoc_t *y;
    const char *path;
    unsigned fields;
    bool bad;
} fields_arg_t;

static void add_field(ydoc_t *y, yaml_node_t *item, size_t idx, void *argp)
{
    fields_arg_t *a = argp;
    const char *s = scalar(item);
    if (!strcmp(s, "text")) a->fields |= YW_FIELD_TEXT;
    else if (!strcmp(s, "title")) a->fields |= YW_FIELD_TITLE;
    else if (!strcmp(s, "reply")) a->fields |= YW_FIELD_REPLY;
    else {
        ERR(y->b, "%s:%d:%d: %s[%zu]: '%s' is not one of text, title, reply",
            y->file, mline(item), mcol(item), a->path, idx, s);
        a->bad = true;
    }
}

static void parse_rule(ydoc_t *y, yaml_node_t *m, size_t idx)
{
    builder_t *b = y->b;
    yw_rules_t *r = b->r;
    char path[64];
    snprintf(path, sizeof(path), "rules[%zu]", idx);

    if (m->type != YAML_MAPPING_NODE) {
        ERR(b, "%s:%d:%d: %s: expected a mapping (name, kind, patterns, ...)",
            y->file, mline(m), mcol(m), path);
        return;
    }
    yaml_node_t *vals[N_RULE_KEYS] = {0};
    for (yaml_node_pair_t *pr = m->data.mapping.pairs.start;
         pr < m->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(y->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(y->doc, pr->value);
        const char *ks = scalar(k);
        if (!ks || !v) {
            ERR(b, "%s:%d:%d: %s: keys must be plain strings", y->file,
                k ? mline(k) : mline(m), k ? mcol(k) : mcol(m), path);
            continue;
        }
        size_t ki = 0;
        while (ki < N_RULE_KEYS && strcmp(ks, rule_keys[ki])) ki++;
        if (ki == N_RULE_KEYS) {
            const char *hint = closest(ks, rule_keys, N_RULE_KEYS);
            if (hint)
                ERR(b, "%s:%d:%d: %s.%s: unknown key; did you mean '%s'?", y->file,
                    mline(k), mcol(k), path, ks, hint);
            else
                ERR(b, "%s:%d:%d: %s.%s: unknown key; valid keys are name, kind, "
                    "weight, fields, patterns, negate, description",
                    y->file, mline(k), mcol(k), path, ks);
            continue;
        }
        if (vals[ki]) {
            ERR(b, "%s:%d:%d: %s.%s: duplicate key (first at line %d)", y->file,
                mline(k), mcol(k), path, ks, mline(vals[ki]));
            continue;
        }
        vals[ki] = v;
    }

    bool ok = true;
    const char *name = scalar(vals[0]);
    if (!vals[0]) {
        ERR(b, "%s:%d:%d: %s: missing required key 'name'", y->file, mline(m),
            mcol(m), path);
        ok = false;
    } else if (!name || !*name) {
        ERR(b, "%s:%d:%d: %s.name: expected a non-empty string", y->file,
            mline(vals[0]), mcol(vals[0]), path);
        ok = false;
    } else {
        for (size_t i = 0; i < r->nrules; i++)
            if (!strcmp(r->rules[i].name, name)) {
                ERR(b, "%s:%d:%d: %s.name: duplicate rule name '%s' (first defined "
                    "at %s:%d)", y->file, mline(vals[0]), mcol(vals[0]), path, name,
                    b->rule_file[i], b->rule_line[i]);
                ok = false;
                break;
            }
    }
    char label[160];
    snprintf(label, sizeof(label), "%s", name && *name ? name : path);

    int kind = -1;
    const char *ks = scalar(vals[1]);
    if (!vals[1]) {
        ERR(b, "%s:%d:%d: %s: missing required key 'kind'", y->file, mline(m),
            mcol(m), path);
        ok = false;
    } else {
        for (int k = 0; ks && k < YW_RULE_KIND_COUNT; k++)
            if (!strcmp(ks, kind_names[k])) kind = k;
        if (kind < 0) {
            ERR(b, "%s:%d:%d: %s.kind: '%s' is not one of domain, escalation, "
                "emotion, deflection, selfharm", y->file, mline(vals[1]),
                mcol(vals[1]), path, ks ? ks : "(not a string)");
            ok = false;
        }
    }

    float weight = 1.0f;
    if (vals[2]) {
        const char *ws = scalar(vals[2]);
        char *end = NULL;
        double w = ws ? strtod(ws, &end) : 0;
        if (!ws || end == ws || *end || !(w > 0 && w <= 100)) {
            ERR(b, "%s:%d:%d: %s.weight: '%s' is not a number in (0, 100]", y->file,
                mline(vals[2]), mcol(vals[2]), path, ws ? ws : "(not a number)");
            ok = false;
        } else {
            weight = (float)w;
        }
    }

    unsigned fields = kind == YW_RULE_DEFLECTION ? YW_FIELD_REPLY
                                                 : (YW_FIELD_TEXT | YW_FIELD_TITLE);
    if (vals[3]) {
        char fpath[80];
        snprintf(fpath, sizeof(fpath), "%s.fields", path);
        fields_arg_t fa = {y, fpath, 0, false};
        if (each_scalar(y, vals[3], fpath, add_field, &fa) < 0 || fa.bad) ok = false;
        else if (fa.fields) fields = fa.fields;
    }

    if (!vals[4]) {
        ERR(b, "%s:%d:%d: %s: missing required key 'patterns'", y->file, mline(m),
            mcol(m), path);
        ok = false;
    }
    if (vals[6] && vals[6]->type != YAML_SCALAR_NODE) {
        ERR(b, "%s:%d:%d: %s.description: expected a string", y->file,
            mline(vals[6]), mcol(vals[6]), path);
        ok = false;
    }

    /* Patterns are compiled even when the rule is otherwise bad, so one
     * --check-config run reports every bad regex too. */
    uint32_t rule_id = (uint32_t)r->nrules;
    size_t pats_before = r->npats, negs_before = r->nnegs;
    char ppath[80], npath[80];
    snprintf(ppath, sizeof(ppath), "%s.patterns", path);
    snprintf(npath, sizeof(npath), "%s.negate", path);
    pat_arg_t pa = {label, ppath, false, 0, rule_id};
    pat_arg_t na = {label, npath, true, 0, rule_id};
    size_t nerr_before = b->nerr;
    if (vals[4]) {
        int n = each_scalar(y, vals[4], ppath, add_pattern, &pa);
        if (n == 0 && b->nerr == nerr_before)
            ERR(b, "%s:%d:%d: %s: at least one pattern is required", y->file,
                mline(vals[4]), mcol(vals[4]), ppath);
    }
    if (vals[5]) each_scalar(y, vals[5], npath, add_pattern, &na);
    if (b->nerr != nerr_before) ok = false;

    if (ok) {
        /* rule_file/rule_line grow in step with the rules array */
        char **rf = realloc(b->rule_file, (r->nrules + 1) * sizeof(char *));
        if (rf) b->rule_file = rf;
        int *rl = rf ? realloc(b->rule_line, (r->nrules + 1) * sizeof(int)) : NULL;
        if (rl) b->rule_line = rl;
        if (!rf || !rl ||
            grow((void **)&r->rules, &r->rules_cap, r->nrules + 1, sizeof(*r->rules))) {
            ERR(b, "%s: out of memory", y->file);
            ok = false;
        }
    }
    if (!ok) {
        /* drop what this rule added, keep the ids dense */
        for (size_t i = pats_before; i < r->npats; i++) {
            pcre2_code_free(r->pats[i].re);
            free(r->pats[i].src);
            free(r->pats[i].file);
        }
        for (size_t i = negs_before; i < r->nnegs; i++) pcre2_code_free(r->negs[i]);
        r->npats = pats_before;
        r->nnegs = negs_before;
        return;
    }
    rule_t *ru = &r->rules[r->nrules];
    ru->name = xstrndup(name, strlen(name));
    ru->kind = (yw_rule_kind_t)kind;
    ru->weight = weight;
    ru->fields = fields;
    ru->neg_first = (uint32_t)negs_before;
    ru->neg_count = (uint32_t)(r->nnegs - negs_before);
    char tbuf[200];
    int tl = snprintf(tbuf, sizeof(tbuf), "rule:%s", name);
    ru->term = yw_text_term(YW_TERM_RULE, tbuf,
                            tl < (int)sizeof(tbuf) ? (size_t)tl : sizeof(tbuf) - 1);
    b->rule_file[r->nrules] = xstrndup(y->file, strlen(y->file));
    b->rule_line[r->nrules] = mline(m);
    r->nrules++;
}

static void parse_doc(builder_t *b, const char *file, yaml_document_t *doc)
{
    ydoc_t y = {b, file, doc};
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root) return;                                   /* empty file */
    if (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0) return;
    if (root->type != YAML_MAPPING_NODE) {
        ERR(b, "%s:%d:%d: expected a mapping with a 'rules' list at the top",
            file, mline(root), mcol(root));
        return;
    }
    yaml_node_t *rules = NULL;
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
         pr < root->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(doc, pr->value);
        const char *ks = scalar(k);
        if (ks && !strcmp(ks, "rules")) {
            if (rules) {
                ERR(b, "%s:%d:%d: rules: duplicate key (first at line %d)", file,
                    mline(k), mcol(k), mline(rules));
                continue;
            }
            rules = v;
        } else if (ks && !strcmp(ks, "version")) {
            const char *vs = scalar(v);
            if (!vs || strcmp(vs, "1"))
                ERR(b, "%s:%d:%d: version: '%s' is not supported (only 1)", file,
                    mline(v), mcol(v), vs ? vs : "?");
        } else {
            static const char *const top[] = {"rules", "version"};
            const char *hint = ks ? closest(ks, top, 2) : NULL;
            ERR(b, "%s:%d:%d: %s: unknown key; %s%s%s", file, k ? mline(k) : 1,
                k ? mcol(k) : 1, ks ? ks : "?", hint ? "did you mean '" : "valid keys are rules, version",
                hint ? hint : "", hint ? "'?" : "");
        }
    }
    if (!rules) {
        ERR(b, "%s:%d:%d: missing required key 'rules'", file, mline(root), mcol(root));
        return;
    }
    if (rules->type == YAML_SCALAR_NODE && rules->data.scalar.length == 0) return;
    if (rules->type != YAML_SEQUENCE_NODE) {
        ERR(b, "%s:%d:%d: rules: expected a list of rules", file, mline(rules),
            mcol(rules));
        return;
    }
    size_t i = 0;
    for (yaml_node_item_t *it = rules->data.sequence.items.start;
         it < rules->data.sequence.items.top; it++, i++) {
        yaml_node_t *m = yaml_document_get_node(doc, *it);
        if (m) parse_rule(&y, m, i);
    }
}

static void load_buffer(builder_t *b, const char *file, const char *buf, size_t len)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        ERR(b, "%s: cannot initialise the YAML parser", file);
        return;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    for (int ndoc = 0;; ndoc++) {
        if (!yaml_parser_load(&parser, &doc)) {
            ERR(b, "%s:%zu:%zu: YAML: %s%s%s", file, parser.problem_mark.line + 1,
                parser.problem_mark.column + 1, parser.problem ? parser.problem : "error",
                parser.context ? " " : "", parser.context ? parser.context : "");
            break;
        }
        if (!yaml_document_get_root_node(&doc)) {        /* end of stream */
            yaml_document_delete(&doc);
            break;
        }
        if (ndoc > 0)
            ERR(b, "%s:%d:1: only one YAML document per rule file", file,
                mline(yaml_document_get_root_node(&doc)));
        else
            parse_doc(b, file, &doc);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
}

static void load_file(builder_t *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ERR(b, "%s: cannot open: %s", path, strerror(errno));
        return;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, ncap);
            if (!nb) break;
            buf = nb;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr || !buf) {
        ERR(b, "%s: cannot read", path);
        free(buf);
        return;
    }
    load_buffer(b, path, buf, len);
    free(buf);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_path(builder_t *b, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        ERR(b, "%s: cannot open: %s", path, strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        load_file(b, path);
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        ERR(b, "%s: cannot open directory: %s", path, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.') continue;
        if (!((l > 5 && !strcmp(de->d_name + l - 5, ".yaml")) ||
              (l > 4 && !strcmp(de->d_name + l - 4, ".yml"))))
            continue;
        if (grow((void **)&names, &cap, n + 1, sizeof(*names))) break;
        size_t pl = strlen(path) + 1 + l + 1;
        names[n] = malloc(pl);
        if (!names[n]) break;
        snprintf(names[n], pl, "%s/%s", path, de->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof(*names), name_cmp);
    for (size_t i = 0; i < n; i++) {
        load_file(b, names[i]);
        free(names[i]);
    }
    free(names);
}

/* ---- Hyperscan database ----------------------------------------------- */

static const unsigned HS_EXACT = HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_SINGLEMATCH;

static unsigned hs_flags(const pat_t *p)
{
    return HS_EXACT | (p->prefilter ? HS_FLAG_PREFILTER : 0);
}

/* One database per field from the patterns the full one was built with
 * (same flags, same ids).  A field whose patterns are all of them uses
 * the full database; if a subset does not compile (it did as part of the
 * full set, so this is not expected) the field falls back to the full
 * one too: on_match() drops other fields' patterns either way. */
static void build_field_dbs(yw_rules_t *r, const char **exprs, unsigned *flags,
                            unsigned *ids)
{
    static const unsigned fields[3] = {YW_FIELD_TEXT, YW_FIELD_TITLE, YW_FIELD_REPLY};
    for (int f = 0; f < 3; f++) {
        unsigned n = 0;
        for (size_t i = 0; i < r->npats; i++) {
            if (!(r->rules[r->pats[i].rule].fields & fields[f])) continue;
            exprs[n] = r->pats[i].src;
            flags[n] = hs_flags(&r->pats[i]);
            ids[n] = (unsigned)i;
            n++;
        }
        r->field_db[f] = NULL;
        if (n == r->npats) {
            r->field_db[f] = r->db;
        } else if (n > 0) {
            /* the same subset as an earlier field: share its database */
            for (int g = 0; g < f && !r->field_db[f]; g++) {
                bool same = true;
                for (size_t i = 0; i < r->npats && same; i++)
                    same = !(r->rules[r->pats[i].rule].fields & fields[f]) ==
                           !(r->rules[r->pats[i].rule].fields & fields[g]);
                if (same) r->field_db[f] = r->field_db[g];
            }
            hs_compile_error_t *ce = NULL;
            if (!r->field_db[f] &&
                hs_compile_multi(exprs, flags, ids, n, HS_MODE_BLOCK, NULL, &r->field_db[f],
                                 &ce) != HS_SUCCESS) {
                hs_free_compile_error(ce);
                r->field_db[f] = r->db;
            }
        }
    }
}

static int build_db(builder_t *b)
{
    yw_rules_t *r = b->r;
    if (r->npats == 0) return 0;

    /* Decide per pattern: exact if Hyperscan supports it, else prefilter. */
    for (size_t i = 0; i < r->npats; i++) {
        pat_t *p = &r->pats[i];
        hs_expr_info_t *info = NULL;
        hs_compile_error_t *ce = NULL;
        if (hs_expression_info(p->src, hs_flags(p), &info, &ce) != HS_SUCCESS) {
            hs_free_compile_error(ce);
            ce = NULL;
            p->prefilter = true;
            if (hs_expression_info(p->src, hs_flags(p), &info, &ce) != HS_SUCCESS) {
                ERR(b, "%s:%d: rule %s: Hyperscan cannot use this pattern, even as a "
                    "prefilter: %s\n    %s", p->file, p->line, r->rules[p->rule].name,
                    ce ? ce->message : "?", p->src);
                hs_free_compile_error(ce);
                continue;
            }
        }
        if (info && info->min_width == 0)
            ERR(b, "%s:%d: rule %s: pattern can match the empty string\n    %s",
                p->file, p->line, r->rules[p->rule].name, p->src);
        free(info);
    }
    if (b->nerr) return -1;

    const char **exprs = malloc(r->npats * sizeof(*exprs));
    unsigned *flags = malloc(r->npats * sizeof(*flags));
    unsigned *ids = malloc(r->npats * sizeof(*ids));
    int rc = -1;
    if (!exprs || !flags || !ids) {
        ERR(b, "rules: out of memory");
        goto out;
    }
    /* A pattern can pass hs_expression_info and still fail in the full
     * compile (e.g. too large); retry it as a prefilter, then give up. */
    for (int attempt = 0; attempt < 8; attempt++) {
        for (size_t i = 0; i < r->npats; i++) {
            exprs[i] = r->pats[i].src;
            flags[i] = hs_flags(&r->pats[i]);
            ids[i] = (unsigned)i;
        }
        hs_compile_error_t *ce = NULL;
        if (hs_compile_multi(exprs, flags, ids, (unsigned)r->npats, HS_MODE_BLOCK,
                             NULL, &r->db, &ce) == HS_SUCCESS) {
            rc = 0;
            break;
        }
        int e = ce ? ce->expression : -1;
        if (e >= 0 && (size_t)e < r->npats && !r->pats[e].prefilter) {
            r->pats[e].prefilter = true;
            hs_free_compile_error(ce);
            continue;
        }
        if (e >= 0 && (size_t)e < r->npats)
            ERR(b, "%s:%d: rule %s: Hyperscan: %s\n    %s", r->pats[e].file,
                r->pats[e].line, r->rules[r->pats[e].rule].name, ce->message,
                r->pats[e].src);
        else
            ERR(b, "rules: Hyperscan compile failed: %s", ce ? ce->message : "?");
        hs_free_compile_error(ce);
        break;
    }
    if (rc == 0) build_field_dbs(r, exprs, flags, ids);
out:
    free(exprs);
    free(flags);
    free(ids);
    return rc;
}

/* ---- load ------------------------------------------------------------- */

static void builder_init(builder_t *b, yw_rules_errors_t *errs)
{
    memset(b, 0, sizeof(*b));
    b->errs = errs;
    b->r = calloc(1, sizeof(*b->r));
    uint32_t jit = 0;
    pcre2_config(PCRE2_CONFIG_JIT, &jit);
    b->jit = jit != 0;
    if (!b->r) ERR(b, "rules: out of memory");
    else if (!b->jit)
        ERR(b, "rules: PCRE2 was built without JIT; the interpreter is 8-20x "
               "slower and the rules engine refuses to run on it");
}

static yw_rules_t *builder_finish(builder_t *b)
{
    for (size_t i = 0; b->r && i < b->r->nrules; i++) free(b->rule_file[i]);
    free(b->rule_file);
    free(b->rule_line);
    if (b->nerr == 0 && b->r) build_db(b);
    if (b->nerr) {
        yw_rules_destroy(b->r);
        return NULL;
    }
    /* the per-pattern file names were only needed for build errors */
    for (size_t i = 0; i < b->r->npats; i++) {
        free(b->r->pats[i].file);
        b->r->pats[i].file = NULL;
    }
    return b->r;
}

yw_rules_t *yw_rules_load(const char *const *paths, size_t n, yw_rules_errors_t *errs)
{
    builder_t b;
    builder_init(&b, errs);
    for (size_t i = 0; b.r && b.jit && i < n; i++) load_path(&b, paths[i]);
    return builder_finish(&b);
}

yw_rules_t *yw_rules_load_string(const char *name, const char *yaml, size_t len,
                                 yw_rules_errors_t *errs)
{
    builder_t b;
    builder_init(&b, errs);
    if (b.r && b.jit) load_buffer(&b, name, yaml, len);
    return builder_finish(&b);
}

int yw_rules_check(const char *const *paths, size_t n, FILE *out)
{
    yw_rules_errors_t errs = {0};
    yw_rules_t *r = yw_rules_load(paths, n, &errs);
    int count = (int)errs.count;
    if (!r && count == 0) count = 1;
    yw_rules_errors_print(&errs, out);
    yw_rules_errors_free(&errs);
    yw_rules_destroy(r);
    return count;
}

void yw_rules_destroy(yw_rules_t *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nrules; i++) free(r->rules[i].name);
    for (size_t i = 0; i < r->npats; i++) {
        pcre2_code_free(r->pats[i].re);
        free(r->pats[i].src);
        free(r->pats[i].file);
    }
    for (size_t i = 0; i < r->nnegs; i++) pcre2_code_free(r->negs[i]);
    for (int f = 0; f < 3; f++) {
        /* free each database once: fields may share one, or use db */
        bool shared = r->field_db[f] == r->db;
        for (int g = 0; g < f; g++) shared |= r->field_db[f] == r->field_db[g];
        if (!shared) hs_free_database(r->field_db[f]);
    }
    hs_free_database(r->db);
    free(r->rules);
    free(r->pats);
    free(r->negs);
    free(r);
}

size_t yw_rules_count(const yw_rules_t *r) { return r ? r->nrules : 0; }
size_t yw_rules_pattern_count(const yw_rules_t *r) { return r ? r->npats : 0; }
const char *yw_rules_name(const yw_rules_t *r, uint32_t id) { return r->rules[id].name; }
yw_rule_kind_t yw_rules_kind(const yw_rules_t *r, uint32_t id) { return r->rules[id].kind; }
float yw_rules_weight(const yw_rules_t *r, uint32_t id) { return r->rules[id].weight; }
uint64_t yw_rules_term(const yw_rules_t *r, uint32_t id) { return r->rules[id].term; }

/* ---- scratch ---------------------------------------------------------- */

yw_rules_scratch_t *yw_rules_scratch_create(const yw_rules_t *rules, char *errbuf,
                                            size_t errlen)
{
    yw_rules_scratch_t *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(errbuf, errlen, "rules: out of memory");
        return NULL;
    }
    s->md = pcre2_match_data_create(1, NULL);     /* group 0 is all we read */
    if (!s->md) {
        snprintf(errbuf, errlen, "rules: out of memory");
        free(s);
        return NULL;
    }
    if (yw_rules_scratch_fit(s, rules, errbuf, errlen) != 0) {
        yw_rules_scratch_destroy(s);
        return NULL;
    }
    return s;
}

int yw_rules_scratch_fit(yw_rules_scratch_t *s, const yw_rules_t *rules,
                         char *errbuf, size_t errlen)
{
    if (!rules || !rules->db) return 0;
    /* hs_alloc_scratch grows an existing scratch so it serves both the old
     * and the new database: safe to call while swapping rule sets */
    hs_error_t e = hs_alloc_scratch(rules->db, &s->hs);
    for (int f = 0; f < 3 && e == HS_SUCCESS; f++)
        if (rules->field_db[f] && rules->field_db[f] != rules->db)
            e = hs_alloc_scratch(rules->field_db[f], &s->hs);
    if (e != HS_SUCCESS) {
        snprintf(errbuf, errlen, "rules: hs_alloc_scratch failed (%d)", (int)e);
        return -1;
    }
    if (grow((void **)&s->matched, &s->matched_cap, rules->npats, sizeof(*s->matched))) {
        snprintf(errbuf, errlen, "rules: out of memory");
        return -1;
    }
    return 0;
}

void yw_rules_scratch_destroy(yw_rules_scratch_t *s)
{
    if (!s) return;
    hs_free_scratch(s->hs);
    pcre2_match_data_free(s->md);
    free(s->matched);
    free(s);
}

/* ---- matching --------------------------------------------------------- */

typedef struct {
    const yw_rules_t *rules;
    yw_rules_scratch_t *scr;
    unsigned field;
} scan_ctx_t;

static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned flags, void *ctxp)
{
    scan_ctx_t *c = ctxp;
    const pat_t *p = &c->rules->pats[id];
    if (!(c->rules->rules[p->rule].fields & c->field)) return 0;
    if (c->scr->nmatched < c->scr->matched_cap) c->scr->matched[c->scr->nmatched++] = id;
    return 0;
}

/* Is the match [so, eo) inside negation context of rule ru? */
static int negated(const yw_rules_t *r, yw_rules_scratch_t *scr, const rule_t *ru,
                   const unsigned char *s, size_t len, size_t so, size_t eo)
{
    size_t ws = so > YW_RULES_NEGATE_WINDOW ? so - YW_RULES_NEGATE_WINDOW : 0;
    size_t we = eo + YW_RULES_NEGATE_WINDOW < len ? eo + YW_RULES_NEGATE_WINDOW : len;
    while (ws > 0 && (s[ws] & 0xC0) == 0x80) ws--;      /* whole characters */
    while (we < len && (s[we] & 0xC0) == 0x80) we++;
    for (uint32_t k = 0; k < ru->neg_count; k++) {
        int rc = pcre2_match(r->negs[ru->neg_first + k], s + ws, we - ws, 0,
                             PCRE2_NO_UTF_CHECK, scr->md, NULL);
        if (rc >= 0) return 1;
        if (rc != PCRE2_ERROR_NOMATCH) return -1;
    }
    return 0;
}

/* Confirm pattern p in s: a real PCRE2 match that is not negated.
 * 1 confirmed, 0 not, -1 runtime error. */
static int confirm(const yw_rules_t *r, yw_rules_scratch_t *scr, const pat_t *p,
                   const unsigned char *s, size_t len)
{
    const rule_t *ru = &r->rules[p->rule];
    size_t off = 0;
    for (int tries = 0; tries < 16 && off <= len; tries++) {
        int rc = pcre2_match(p->re, s, len, off, PCRE2_NO_UTF_CHECK, scr->md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH) return 0;
        if (rc < 0) return -1;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(scr->md);
        size_t so = ov[0], eo = ov[1];
        if (ru->neg_count == 0) return 1;
        int n = negated(r, scr, ru, s, len, so, eo);
        if (n < 0) return -1;
        if (!n) return 1;
        off = eo > so ? eo : so + 1;
        while (off < len && (s[off] & 0xC0) == 0x80) off++;
    }
    return 0;
}

int yw_rules_match(const yw_rules_t *rules, yw_rules_scratch_t *scr, yw_field_t field,
                   const char *s, size_t len, yw_rule_hit_t *hits, size_t *nhits,
                   size_t cap)
{
    if (!rules || len == 0) return 0;
    const hs_database_t *db = rules->field_db[field_index(field)];
    if (!db) return 0;                  /* no rule reads this field */
    if (len > 0xFFFFFFFFu) len = 0xFFFFFFFFu;
    scan_ctx_t ctx = {rules, scr, (unsigned)field};
    scr->nmatched = 0;
    if (hs_scan(db, s, (unsigned)len, 0, scr->hs, on_match, &ctx) != HS_SUCCESS)
        return -1;
    int added = 0;
    for (size_t i = 0; i < scr->nmatched && *nhits < cap; i++) {
        const pat_t *p = &rules->pats[scr->matched[i]];
        const rule_t *ru = &rules->rules[p->rule];
        size_t k = 0;
        while (k < *nhits && hits[k].rule != p->rule) k++;
        if (k < *nhits) continue;                       /* already hit */
        if (p->prefilter || ru->neg_count) {
            int c = confirm(rules, scr, p, (const unsigned char *)s, len);
            if (c < 0) return -1;
            if (!c) continue;
        }
        hits[*nhits].rule = p->rule;
        hits[*nhits].kind = (uint8_t)ru->kind;
        hits[*nhits].field = (uint8_t)field;
        hits[*nhits].weight = ru->weight;
        (*nhits)++;
        added++;
    }
    return added;
}
