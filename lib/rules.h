/* rules.h -- the rules engine: rule files (rules/NAME.yaml) -> one compiled matcher.
 *
 * Owns: loading and validating rule files (libyaml), compiling every
 * pattern with PCRE2 (UTF + UCP + JIT; JIT is required) and all of them
 * together into ONE Hyperscan block-mode database, and matching a
 * normalised text (see text.h) against it.
 *
 * Matching: Hyperscan says which patterns occur (HS_FLAG_SINGLEMATCH);
 * patterns Hyperscan cannot compile exactly are compiled with
 * HS_FLAG_PREFILTER and confirmed with PCRE2.  Rules with `negate`
 * patterns are then checked with PCRE2 in a window around each match
 * (YW_RULES_NEGATE_WINDOW bytes each side, clipped to the text): a match
 * with a negation nearby (不是欠薪, 已解决) does not count; the rule hits
 * if any match survives.  A rule hits at most once per record.
 *
 * Patterns see NORMALISED text: lower-case ASCII, half-width digits and
 * letters, and every punctuation/whitespace run is a single ' '.
 *
 * Hot reload: build a new yw_rules_t with yw_rules_load and swap the
 * pointer (yw_featurizer_set_rules); the old one is destroyed once no
 * thread uses it.  A yw_rules_t is immutable after load and may be shared
 * by threads; each thread matches with its own yw_rules_scratch_t.
 *
 * File format (full reference in docs/rules.md):
 *   rules:
 *     - name: wage_arrears          # unique across all files
 *       kind: domain                # domain|escalation|emotion|deflection|selfharm
 *       weight: 3                   # > 0, default 1
 *       fields: [text, title]       # default [text, title]; deflection: [reply]
 *       patterns:                   # PCRE2 syntax, single-quoted
 *         - '欠薪'
 *         - '拖欠.{0,8}工资'
 *       negate:                     # optional negation context
 *         - '不是欠薪'
 *       description: free text      # optional, ignored
 */
#ifndef YW_RULES_H
#define YW_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    YW_RULE_DOMAIN = 0,      /* sensitive domain: 拆迁征地, 欠薪, 烂尾楼 ... */
    YW_RULE_ESCALATION = 1,  /* 联名, 上访, 堵路, 拉横幅 ... */
    YW_RULE_EMOTION = 2,     /* 寒心, 没人管, 踢皮球 ... */
    YW_RULE_DEFLECTION = 3,  /* official reply deflects: 不归我办 ... */
    YW_RULE_SELFHARM = 4,    /* 跳楼, 不想活了 ... */
    YW_RULE_KIND_COUNT = 5
} yw_rule_kind_t;

typedef enum {
    YW_FIELD_TEXT = 1u << 0,
    YW_FIELD_TITLE = 1u << 1,
    YW_FIELD_REPLY = 1u << 2
} yw_field_t;

#define YW_RULES_NEGATE_WINDOW 24   /* bytes (~8 Han characters) each side */

typedef struct {
    uint32_t rule;           /* rule id: index for yw_rules_name() etc. */
    uint8_t kind;            /* yw_rule_kind_t */
    uint8_t field;           /* yw_field_t where it hit first */
    float weight;
} yw_rule_hit_t;

/* Collected errors: each message is complete and may span lines
 * (a bad pattern is followed by the pattern and a caret line). */
typedef struct {
    char **msgs;
    size_t count, cap;
} yw_rules_errors_t;

void yw_rules_errors_free(yw_rules_errors_t *errs);   /* leaves it empty */
void yw_rules_errors_print(const yw_rules_errors_t *errs, FILE *out);

typedef struct yw_rules yw_rules_t;
typedef struct yw_rules_scratch yw_rules_scratch_t;

/* Load every file in paths[0..n) (a directory means its *.yaml and *.yml
 * files, in name order), validate all of it and compile.  Returns the
 * rules, or NULL when there was any error; every error is appended to
 * errs (which may be NULL) as
 *   FILE:LINE:COL: rules[3].kind: 'domian' is not one of domain, ...
 *   FILE:LINE: rule NAME: PCRE2 message\n  PATTERN\n  ^
 * An empty rule set (no files, or files with no rules) is valid. */
yw_rules_t *yw_rules_load(const char *const *paths, size_t n,
                          yw_rules_errors_t *errs);
/* The same from one in-memory YAML document; name is FILE in messages. */
yw_rules_t *yw_rules_load_string(const char *name, const char *yaml,
                                 size_t len, yw_rules_errors_t *errs);
void yw_rules_destroy(yw_rules_t *rules);

/* --check-config: load, print every error to out, return the error count
 * (0 = valid). */
int yw_rules_check(const char *const *paths, size_t n, FILE *out);

size_t yw_rules_count(const yw_rules_t *rules);           /* rules */
size_t yw_rules_pattern_count(const yw_rules_t *rules);   /* patterns */
const char *yw_rules_name(const yw_rules_t *rules, uint32_t id);
yw_rule_kind_t yw_rules_kind(const yw_rules_t *rules, uint32_t id);
float yw_rules_weight(const yw_rules_t *rules, uint32_t id);
/* Precomputed YW_TERM_RULE term of a rule ("rule:<name>"). */
uint64_t yw_rules_term(const yw_rules_t *rules, uint32_t id);
/* Pattern i (< yw_rules_pattern_count) as loaded: its source, and the
 * rule it belongs to and the Hyperscan flags it is compiled with in
 * *rule and *flags (either may be NULL; a pattern Hyperscan cannot run
 * exactly has HS_FLAG_PREFILTER and is confirmed by PCRE2).  For tools
 * (bench/bench_rules.c). */
const char *yw_rules_pattern(const yw_rules_t *rules, uint32_t i, uint32_t *rule,
                             unsigned *flags);
const char *yw_rule_kind_name(yw_rule_kind_t kind);   /* "domain", ... */

/* Per-thread matching state (Hyperscan scratch, PCRE2 match data).
 * yw_rules_scratch_fit() makes an existing scratch usable with another
 * rules set (after a reload) without freeing it; both return NULL / -1
 * with errbuf filled on failure. */
yw_rules_scratch_t *yw_rules_scratch_create(const yw_rules_t *rules,
                                            char *errbuf, size_t errlen);
int yw_rules_scratch_fit(yw_rules_scratch_t *scr, const yw_rules_t *rules,
                         char *errbuf, size_t errlen);
void yw_rules_scratch_destroy(yw_rules_scratch_t *scr);

/* Match normalised text s[0..len) as field `field` (one of yw_field_t).
 * Appends hits of rules that apply to that field and are not yet in
 * hits[0..*nhits) (so calling it for title, text and reply of one record
 * yields each rule once).  Stops appending at cap.  Returns the number of
 * new hits, or -1 on a Hyperscan/PCRE2 runtime error. */
int yw_rules_match(const yw_rules_t *rules, yw_rules_scratch_t *scr,
                   yw_field_t field, const char *s, size_t len,
                   yw_rule_hit_t *hits, size_t *nhits, size_t cap);
/* yw_rules_match of the title, then of the text: the same hits in the
 * same order, found with one Hyperscan scan of both where the rule set
 * allows it (see rules.c). */
int yw_rules_match_title_text(const yw_rules_t *rules, yw_rules_scratch_t *scr,
                              const char *title, size_t tlen, const char *text, size_t xlen,
                              yw_rule_hit_t *hits, size_t *nhits, size_t cap);

/* yw_rules_match_title_text, then yw_rules_match of the reply: the same
 * hits in the same order, found with one scan of all three where the
 * rule set allows it (see rules.c). */
int yw_rules_match_fields(const yw_rules_t *rules, yw_rules_scratch_t *scr, const char *title,
                          size_t tlen, const char *text, size_t xlen, const char *reply,
                          size_t rlen, yw_rule_hit_t *hits, size_t *nhits, size_t cap);

#endif
