/* rules_load.c -- rule files -> a rule set: reading rule files and
 * directories (*.yaml and *.yml, in name order), the YAML walk (libyaml
 * document API, so every node carries its line and column), validating
 * every rule and compiling each pattern with PCRE2.  Every error is
 * reported, all at once, as FILE:LINE:COL: rules[N].key: problem (a
 * misspelt key gets the closest valid one) or FILE:LINE: rule NAME:
 * PCRE2's message with a caret under the offset.  The load entry points
 * hand what was read to rules.c, which builds the Hyperscan database. */
#include "rules_impl.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "text.h"

/* ---- errors ----------------------------------------------------------- */

void ywru_errs_add(yw_rules_errors_t *errs, const char *fmt, ...)
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

int ywru_grow(void **p, size_t *cap, size_t need, size_t elem)
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
        if (ywru_grow((void **)&r->negs, &r->negs_cap, r->nnegs + 1, sizeof(*r->negs))) {
            pcre2_code_free(re);
            ERR(b, "%s: out of memory", y->file);
            return;
        }
        r->negs[r->nnegs++] = re;
    } else {
        if (ywru_grow((void **)&r->pats, &r->pats_cap, r->npats + 1, sizeof(*r->pats))) {
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
            if (!strcmp(ks, yw_rule_kind_name((yw_rule_kind_t)k))) kind = k;
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
            ywru_grow((void **)&r->rules, &r->rules_cap, r->nrules + 1, sizeof(*r->rules))) {
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
        if (ywru_grow((void **)&names, &cap, n + 1, sizeof(*names))) break;
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
    if (b->nerr == 0 && b->r) ywru_build_db(b);
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
