/* rules.c -- a rule set: one Hyperscan database + PCRE2 confirmers.
 *
 * Owns: compiling every pattern into one Hyperscan block-mode database
 * (and smaller ones per field), the rule set's accessors, the per-thread
 * scratch and the per-record match with PCRE2 confirmation and negation.
 * Reading and validating rule files, and compiling each pattern with
 * PCRE2, is rules_load.c's.
 *
 * Why two engines: PCRE2 run pattern by pattern costs ~20 µs per text for
 * a rule set this size; one Hyperscan scan answers "which patterns occur"
 * for all of them in about a microsecond.  PCRE2 (JIT, NO_UTF_CHECK) is
 * then run only where Hyperscan cannot be exact (PREFILTER patterns) and
 * around matches of rules that have negation context.  See rules.h. */
#include "rules_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- types (the shared ones are in rules_impl.h) ---------------------- */

/* yw_field_t bit -> index into field_db */
static int field_index(unsigned field)
{
    return field == YW_FIELD_TEXT ? 0 : field == YW_FIELD_TITLE ? 1 : 2;
}

struct yw_rules_scratch {
    hs_scratch_t *hs;
    pcre2_match_data *md;
    uint32_t *matched;          /* pattern ids reported by one scan, | region */
    unsigned long long *to;     /* where each of them ended (joint3 scans) */
    size_t nmatched, matched_cap, to_cap;
    uint8_t *seen;              /* reply patterns reported in the reply */
    size_t seen_cap;
    char *joint;                /* title '\n' text [ '\n' reply ], for a joint scan */
    size_t joint_cap;
};

/* A report of a joint scan that ended in the text (after the first '\n'),
 * or in the reply (after the second). */
#define IN_TEXT 0x80000000u
#define IN_REPLY 0x40000000u
#define REGION (IN_TEXT | IN_REPLY)

static const char *const kind_names[YW_RULE_KIND_COUNT] = {
    "domain", "escalation", "emotion", "deflection", "selfharm",
};

const char *yw_rule_kind_name(yw_rule_kind_t kind)
{
    return (unsigned)kind < YW_RULE_KIND_COUNT ? kind_names[kind] : "?";
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

/* Can the pattern src never match a string that contains a '\n', and
 * never depend on where the string starts or ends?  Then a scan of
 * title '\n' text reports in the title what a scan of the title alone
 * would, and in the text what a scan of the text would.  Decided from
 * the source, conservatively: literal characters, ASCII letters and
 * digits, . (without DOTALL it never matches '\n'), groups,
 * alternation, quantifiers and classes without '^'; lookaround groups
 * too (they see the '\n' where they would have seen the start or the
 * end, and no allowed character matches either).  No escapes, no
 * anchors, no inline options, no control characters.  The starter rules
 * all pass; a pattern that does not makes every record scan its title
 * and text separately, as before. */
static bool joint_safe(const char *src)
{
    for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
        unsigned c = *p;
        if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
            (c >= 'A' && c <= 'Z'))
            continue;
        if (c == '(' && p[1] == '?') {
            /* (?: (?= (?! (?<= (?<! only: no (?s) and other options */
            if (p[2] == ':' || p[2] == '=' || p[2] == '!') {
                p += 2;
                continue;
            }
            if (p[2] == '<' && (p[3] == '=' || p[3] == '!')) {
                p += 3;
                continue;
            }
            return false;
        }
        if (!strchr("()|?*+{},.-[]_ ", (int)c)) return false;   /* ^ $ \ and the rest */
    }
    return true;
}

/* r->joint3_db (see rules_impl.h), if the rule set allows it.  The reply
 * patterns are compiled without HS_FLAG_SINGLEMATCH: one that matched in
 * the title or the text first must still be reported in the reply.  If
 * anything fails the database stays NULL and each record takes the
 * scans it took before. */
static void build_joint3_db(yw_rules_t *r)
{
    r->joint3_db = NULL;
    if (!r->joint || !r->field_db[2]) return;
    for (size_t i = 0; i < r->npats; i++)
        if ((r->rules[r->pats[i].rule].fields & YW_FIELD_REPLY) && !joint_safe(r->pats[i].src))
            return;
    const char **exprs = malloc(2 * r->npats * sizeof(*exprs));
    unsigned *flags = malloc(2 * r->npats * sizeof(*flags));
    unsigned *ids = malloc(2 * r->npats * sizeof(*ids));
    unsigned n = 0;
    if (exprs && flags && ids) {
        for (size_t i = 0; i < r->npats; i++) {
            unsigned f = r->rules[r->pats[i].rule].fields;
            if (f & YW_FIELD_TITLE) {
                exprs[n] = r->pats[i].src;
                flags[n] = hs_flags(&r->pats[i]);
                ids[n++] = (unsigned)i;
            }
            if (f & YW_FIELD_REPLY) {
                exprs[n] = r->pats[i].src;
                flags[n] = hs_flags(&r->pats[i]) & ~(unsigned)HS_FLAG_SINGLEMATCH;
                ids[n++] = (unsigned)(r->npats + i);
            }
        }
        hs_compile_error_t *ce = NULL;
        if (hs_compile_multi(exprs, flags, ids, n, HS_MODE_BLOCK, NULL, &r->joint3_db, &ce) !=
            HS_SUCCESS) {
            hs_free_compile_error(ce);
            r->joint3_db = NULL;
        }
    }
    free(exprs);
    free(flags);
    free(ids);
}

int ywru_build_db(builder_t *b)
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
    if (rc == 0) {
        build_field_dbs(r, exprs, flags, ids);
        /* (the same database, and the same patterns in it for both) */
        r->joint = r->field_db[1] && r->field_db[1] == r->field_db[0];
        for (size_t i = 0; i < r->npats && r->joint; i++) {
            unsigned f = r->rules[r->pats[i].rule].fields;
            r->joint = !(f & YW_FIELD_TITLE) == !(f & YW_FIELD_TEXT) && joint_safe(r->pats[i].src);
        }
        build_joint3_db(r);
    }
out:
    free(exprs);
    free(flags);
    free(ids);
    return rc;
}

/* ---- the rule set ----------------------------------------------------- */

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
    hs_free_database(r->joint3_db);
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

const char *yw_rules_pattern(const yw_rules_t *r, uint32_t i, uint32_t *rule, unsigned *flags)
{
    if (rule) *rule = r->pats[i].rule;
    if (flags) *flags = hs_flags(&r->pats[i]);
    return r->pats[i].src;
}

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
    if (e == HS_SUCCESS && rules->joint3_db) e = hs_alloc_scratch(rules->joint3_db, &s->hs);
    if (e != HS_SUCCESS) {
        snprintf(errbuf, errlen, "rules: hs_alloc_scratch failed (%d)", (int)e);
        return -1;
    }
    /* a joint3 scan reports each pattern at most once in the title and
     * text, and once more in the reply */
    size_t need = 2 * rules->npats;
    if (ywru_grow((void **)&s->to, &s->to_cap, need, sizeof(*s->to)) ||
        ywru_grow((void **)&s->matched, &s->matched_cap, need, sizeof(*s->matched)) ||
        ywru_grow((void **)&s->seen, &s->seen_cap, rules->npats, sizeof(*s->seen))) {
        snprintf(errbuf, errlen, "rules: out of memory");
        return -1;
    }
    memset(s->seen, 0, s->seen_cap);
    return 0;
}

void yw_rules_scratch_destroy(yw_rules_scratch_t *s)
{
    if (!s) return;
    hs_free_scratch(s->hs);
    pcre2_match_data_free(s->md);
    free(s->matched);
    free(s->to);
    free(s->seen);
    free(s->joint);
    free(s);
}

/* ---- matching --------------------------------------------------------- */

typedef struct {
    const yw_rules_t *rules;
    yw_rules_scratch_t *scr;
    unsigned field;
    unsigned long long split;   /* a report ending after this is IN_TEXT */
    unsigned long long split2;  /* (joint3) after this, IN_REPLY */
} scan_ctx_t;

static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned flags, void *ctxp)
{
    scan_ctx_t *c = ctxp;
    const pat_t *p = &c->rules->pats[id];
    if (!(c->rules->rules[p->rule].fields & c->field)) return 0;
    if (c->scr->nmatched < c->scr->matched_cap)
        c->scr->matched[c->scr->nmatched++] = id | (to > c->split ? IN_TEXT : 0);
    return 0;
}

/* on_match for a scan of title '\n' text '\n' reply with joint3_db:
 * split ends the title, split2 the text.  A title/text pattern's report
 * is kept if it ended before the reply (it is reported once, at its
 * first match, as in the title and text scan); a reply pattern's (id
 * npats + i, reported at every match) the first time it ends in the
 * reply. */
static int on_match3(unsigned id, unsigned long long from, unsigned long long to,
                     unsigned flags, void *ctxp)
{
    (void)from;
    (void)flags;
    scan_ctx_t *c = ctxp;
    yw_rules_scratch_t *s = c->scr;
    uint32_t m;
    if (id < c->rules->npats) {
        if (to > c->split2) return 0;
        m = id | (to > c->split ? IN_TEXT : 0);
    } else {
        id -= (unsigned)c->rules->npats;
        if (to <= c->split2 || s->seen[id]) return 0;
        s->seen[id] = 1;
        m = id | IN_REPLY;
    }
    if (s->nmatched < s->matched_cap && s->nmatched < s->to_cap) {
        s->to[s->nmatched] = to;
        s->matched[s->nmatched++] = m;
    }
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

/* Turn the reports in scr->matched that carry region bits `region` (0,
 * IN_TEXT or IN_REPLY) into hits of field `field` in s[0..len): rules not hit yet,
 * confirmed with PCRE2 where Hyperscan cannot be exact.  Sets
 * *unconfirmed if a report failed its confirmation (may be NULL).
 * Returns the number of new hits, or -1. */
static int take_hits(const yw_rules_t *rules, yw_rules_scratch_t *scr, uint32_t region,
                     yw_field_t field, const char *s, size_t len, yw_rule_hit_t *hits,
                     size_t *nhits, size_t cap, bool *unconfirmed)
{
    int added = 0;
    for (size_t i = 0; i < scr->nmatched && *nhits < cap; i++) {
        if ((scr->matched[i] & REGION) != region) continue;
        const pat_t *p = &rules->pats[scr->matched[i] & ~REGION];
        const rule_t *ru = &rules->rules[p->rule];
        size_t k = 0;
        while (k < *nhits && hits[k].rule != p->rule) k++;
        if (k < *nhits) continue;                       /* already hit */
        if (p->prefilter || ru->neg_count) {
            int c = confirm(rules, scr, p, (const unsigned char *)s, len);
            if (c < 0) return -1;
            if (!c) {
                if (unconfirmed) *unconfirmed = true;
                continue;
            }
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

int yw_rules_match(const yw_rules_t *rules, yw_rules_scratch_t *scr, yw_field_t field,
                   const char *s, size_t len, yw_rule_hit_t *hits, size_t *nhits,
                   size_t cap)
{
    if (!rules || len == 0) return 0;
    const hs_database_t *db = rules->field_db[field_index(field)];
    if (!db) return 0;                  /* no rule reads this field */
    if (len > 0xFFFFFFFFu) len = 0xFFFFFFFFu;
    scan_ctx_t ctx = {rules, scr, (unsigned)field, ~0ull, ~0ull};
    scr->nmatched = 0;
    if (hs_scan(db, s, (unsigned)len, 0, scr->hs, on_match, &ctx) != HS_SUCCESS)
        return -1;
    return take_hits(rules, scr, 0, field, s, len, hits, nhits, cap, NULL);
}

/* scr->joint = a '\n' b, and '\n' c if c is not NULL.  0, or -1 on
 * ENOMEM. */
static int join(yw_rules_scratch_t *scr, const char *a, size_t al, const char *b, size_t bl,
                const char *c, size_t cl)
{
    size_t jl = al + 1 + bl + (c ? 1 + cl : 0);
    if (jl > scr->joint_cap) {
        size_t ncap = scr->joint_cap ? scr->joint_cap : 1024;
        while (ncap < jl) ncap *= 2;
        char *j = realloc(scr->joint, ncap);
        if (!j) return -1;
        scr->joint = j;
        scr->joint_cap = ncap;
    }
    char *j = scr->joint;
    memcpy(j, a, al);
    j[al] = '\n';
    memcpy(j + al + 1, b, bl);
    if (c) {
        j[al + 1 + bl] = '\n';
        memcpy(j + al + 1 + bl + 1, c, cl);
    }
    return 0;
}

/* One scan of title '\n' text instead of two (a scan has a fixed cost of
 * ~500 instructions on top of its bytes).  The hits are the same, in the
 * same order: no pattern can match across the '\n' (r->joint), so the
 * reports that end in the title are the title scan's, and those that end
 * in the text are the text scan's -- except for a pattern Hyperscan
 * already reported in the title (HS_FLAG_SINGLEMATCH: once per scan).
 * If that report became a hit, or its rule was hit already, a text
 * report would have been dropped as a repeat anyway; if it failed its
 * confirmation, the text might still hit, and the text is scanned alone
 * as before. */
int yw_rules_match_title_text(const yw_rules_t *rules, yw_rules_scratch_t *scr,
                              const char *title, size_t tlen, const char *text, size_t xlen,
                              yw_rule_hit_t *hits, size_t *nhits, size_t cap)
{
    size_t jl = tlen + 1 + xlen;
    if (!rules || !rules->joint || tlen == 0 || xlen == 0 || jl > 0xFFFFFFFFu) {
        int a = yw_rules_match(rules, scr, YW_FIELD_TITLE, title, tlen, hits, nhits, cap);
        if (a < 0) return -1;
        int b = yw_rules_match(rules, scr, YW_FIELD_TEXT, text, xlen, hits, nhits, cap);
        return b < 0 ? -1 : a + b;
    }
    if (join(scr, title, tlen, text, xlen, NULL, 0)) return -1;
    /* both fields read exactly these patterns: filter as the title */
    scan_ctx_t ctx = {rules, scr, YW_FIELD_TITLE, tlen, ~0ull};
    scr->nmatched = 0;
    if (hs_scan(rules->field_db[1], scr->joint, (unsigned)jl, 0, scr->hs, on_match, &ctx) !=
        HS_SUCCESS)
        return -1;
    bool unconfirmed = false;
    int a = take_hits(rules, scr, 0, YW_FIELD_TITLE, title, tlen, hits, nhits, cap,
                      &unconfirmed);
    if (a < 0) return -1;
    int b = unconfirmed
                ? yw_rules_match(rules, scr, YW_FIELD_TEXT, text, xlen, hits, nhits, cap)
                : take_hits(rules, scr, IN_TEXT, YW_FIELD_TEXT, text, xlen, hits, nhits, cap,
                            NULL);
    return b < 0 ? -1 : a + b;
}

/* Did the last joint3 scan report two patterns of different rules at
 * the same end in one region?  Hyperscan reports in order of where a
 * match ends, but in no set order where two end at the same byte, and a
 * database with other patterns in it may order them otherwise than the
 * field's own: the order of the hits would then be the scan's, not
 * necessarily the separate scans'. */
static bool joint3_tie(const yw_rules_t *rules, const yw_rules_scratch_t *scr)
{
    for (size_t i = 1; i < scr->nmatched; i++) {
        uint32_t a = scr->matched[i - 1], b = scr->matched[i];
        if (scr->to[i] == scr->to[i - 1] && (a & REGION) == (b & REGION) &&
            rules->pats[a & ~REGION].rule != rules->pats[b & ~REGION].rule)
            return true;
    }
    return false;
}

/* One scan of title '\n' text '\n' reply (see rules_impl.h): the fixed
 * cost of the reply's own scan saved, its bytes scanned with the larger
 * database instead.  The hits and their order are the separate scans':
 * no pattern can match across a '\n' (joint_safe), a title/text pattern
 * is reported at its first match as in their scan, a reply pattern at
 * its first match in the reply, and the reports come in the order of
 * where they end.  Where that order is not set (joint3_tie) or the text
 * must be scanned again (see yw_rules_match_title_text), it returns
 * SEPARATE without a hit added, and the record takes the separate scans.
 * Else the number of hits added, or -1. */
#define SEPARATE (-2)
static __attribute__((noinline)) int
match_joint3(const yw_rules_t *rules, yw_rules_scratch_t *scr, const char *title, size_t tlen,
             const char *text, size_t xlen, const char *reply, size_t rlen, yw_rule_hit_t *hits,
             size_t *nhits, size_t cap)
{
    size_t jl = tlen + 1 + xlen + 1 + rlen;
    if (join(scr, title, tlen, text, xlen, reply, rlen)) return -1;
    scan_ctx_t ctx = {rules, scr, YW_FIELD_TITLE, tlen, tlen + 1 + xlen};
    scr->nmatched = 0;
    hs_error_t e = hs_scan(rules->joint3_db, scr->joint, (unsigned)jl, 0, scr->hs, on_match3, &ctx);
    for (size_t i = 0; i < scr->nmatched; i++)     /* (seen is all 0 between scans) */
        if (scr->matched[i] & IN_REPLY) scr->seen[scr->matched[i] & ~REGION] = 0;
    if (e != HS_SUCCESS) return -1;
    if (joint3_tie(rules, scr)) return SEPARATE;
    size_t n0 = *nhits;
    bool unconfirmed = false;
    int a = take_hits(rules, scr, 0, YW_FIELD_TITLE, title, tlen, hits, nhits, cap,
                      &unconfirmed);
    if (a < 0) return -1;
    if (unconfirmed) {
        *nhits = n0;              /* (the separate scans make them again, the same) */
        return SEPARATE;
    }
    int b = take_hits(rules, scr, IN_TEXT, YW_FIELD_TEXT, text, xlen, hits, nhits, cap, NULL);
    if (b < 0) return -1;
    int c = take_hits(rules, scr, IN_REPLY, YW_FIELD_REPLY, reply, rlen, hits, nhits, cap, NULL);
    return c < 0 ? -1 : a + b + c;
}

int yw_rules_match_fields(const yw_rules_t *rules, yw_rules_scratch_t *scr, const char *title,
                          size_t tlen, const char *text, size_t xlen, const char *reply,
                          size_t rlen, yw_rule_hit_t *hits, size_t *nhits, size_t cap)
{
    /* (an empty reply is never scanned: title and text are all there is) */
    if (rlen == 0) return yw_rules_match_title_text(rules, scr, title, tlen, text, xlen, hits,
                                                    nhits, cap);
    if (rules && rules->joint3_db && tlen && xlen && tlen + xlen + rlen < 0xFFFFFFFEu) {
        int n = match_joint3(rules, scr, title, tlen, text, xlen, reply, rlen, hits, nhits, cap);
        if (n != SEPARATE) return n;
    }
    int ab = yw_rules_match_title_text(rules, scr, title, tlen, text, xlen, hits, nhits, cap);
    if (ab < 0) return -1;
    int r = yw_rules_match(rules, scr, YW_FIELD_REPLY, reply, rlen, hits, nhits, cap);
    return r < 0 ? -1 : ab + r;
}
