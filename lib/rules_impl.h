/* rules_impl.h -- the rule set's private state, shared by rules.c (the
 * Hyperscan database, the accessors and the per-record match) and
 * rules_load.c (reading and validating rule files, compiling each pattern
 * with PCRE2).  Not part of the library's API: include rules.h instead. */
#ifndef YW_RULES_IMPL_H
#define YW_RULES_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>

#include "rules.h"

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
    /* Title and text may be scanned as one, joined by a '\n' (see
     * yw_rules_match_title_text): they use the same database and no
     * pattern can match across the joint. */
    bool joint;
    /* Title, text and reply scanned as one, title '\n' text '\n' reply
     * (see yw_rules_match_fields): the title and text patterns with
     * their ids, the reply's again with ids npats + i and every match
     * reported.  NULL if not joint, if no rule reads the reply, or if a
     * reply pattern could match across a joint. */
    hs_database_t *joint3_db;
};

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

#define ERR(b, ...) do { (b)->nerr++; ywru_errs_add((b)->errs, __VA_ARGS__); } while (0)

/* Appends one formatted message to errs (nothing when errs is NULL). */
void ywru_errs_add(yw_rules_errors_t *errs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Makes room for need elements of elem bytes in *p (capacity *cap). */
int ywru_grow(void **p, size_t *cap, size_t need, size_t elem);

/* Builds the Hyperscan database(s) of every pattern loaded (rules.c);
 * errors go to b.  0 or -1. */
int ywru_build_db(builder_t *b);

#endif
