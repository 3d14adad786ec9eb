/* featurize.h -- one call: a decoded record -> everything later stages need.
 *
 * Owns: the per-record feature pipeline and its reusable buffers:
 *   text (+ title, reply) -> PII masking -> normalisation -> tokens
 *   (bigrams, words, number classes) + rule hits + entities + place terms
 *   -> one sorted, unique yw_fvec_t with raw counts.
 * The clusterer weights the vector (tf-idf via yw_df_t, df.h) and keeps
 * the entity strings for titles; the scorer reads the rule hits.
 *
 * Terms in the vector: bigrams and words of title and text (not of the
 * reply: it is the official's wording, not the issue), YW_TERM_NUMBER
 * classes, one YW_TERM_RULE per hit rule (w = 1), one YW_TERM_ENTITY per
 * entity (w = 1), one YW_TERM_PLACE per non-empty district / street /
 * community field ("district:<normalised value>").
 *
 * Zero allocations in steady state: a yw_features_t keeps its buffers
 * between calls and only grows them.  A featurizer is used by one thread;
 * it borrows the rules (the caller owns and swaps them).
 *
 * Named featurize.h, not features.h: lib/ is on the include path and a
 * lib/features.h would shadow glibc's <features.h>, which every libc
 * header includes. */
#ifndef YW_FEATURIZE_H
#define YW_FEATURIZE_H

#include <stddef.h>
#include <stdint.h>

#include "entity.h"
#include "fvec.h"
#include "record.h"
#include "rules.h"

#define YW_FEATURES_MAX_HITS 64

typedef struct {
    yw_fvec_t vec;                        /* sorted, unique, w = raw count */

    yw_rule_hit_t hits[YW_FEATURES_MAX_HITS];
    size_t nhits;
    float kind_weight[YW_RULE_KIND_COUNT];  /* sum of hit weights per kind */

    yw_entity_t ents[YW_ENTITY_MAX];
    size_t nents;

    /* PII-masked text, NUL-terminated: what may be stored or logged. */
    char *masked;
    size_t masked_len;
    char *masked_title;
    size_t masked_title_len;
    unsigned pii_masked;                  /* items masked in title + text */

    /* Normalised (masked) text, title and reply: what the matchers saw. */
    char *norm, *norm_title, *norm_reply;
    size_t norm_len, norm_title_len, norm_reply_len;

    /* buffer capacities (internal) */
    size_t masked_cap, masked_title_cap, norm_cap, norm_title_cap,
        norm_reply_cap, tmp_cap;
    char *tmp;
} yw_features_t;

typedef struct yw_featurizer yw_featurizer_t;

void yw_features_init(yw_features_t *f);
void yw_features_free(yw_features_t *f);   /* frees buffers; reusable after init */

/* rules may be NULL (no rule features).  Borrowed: must outlive its use. */
yw_featurizer_t *yw_featurizer_create(const yw_rules_t *rules, char *errbuf,
                                      size_t errlen);
void yw_featurizer_destroy(yw_featurizer_t *fz);
/* Swap in a reloaded rule set (fits the scratch to it).  The caller may
 * destroy the previous rules once this returns 0.  On -1 the old rules
 * stay in use. */
int yw_featurizer_set_rules(yw_featurizer_t *fz, const yw_rules_t *rules,
                            char *errbuf, size_t errlen);
const yw_rules_t *yw_featurizer_rules(const yw_featurizer_t *fz);

/* Extract features of rec into out (its previous content is replaced).
 * The record's strings must be valid UTF-8 (the decoder guarantees it).
 * Returns 0, or -1 on ENOMEM or a matcher runtime error (out is then
 * unspecified). */
int yw_features_extract(yw_featurizer_t *fz, const yw_record_t *rec,
                        yw_features_t *out);

#endif
