/* fvec.h -- the sparse feature vector handed from features to clustering.
 *
 * A term is a 64-bit hash whose top 4 bits say what kind of feature it is,
 * so one vector holds bigrams, words, rule hits and entities side by side
 * and the clusterer can weight kinds differently.  Terms are kept sorted and
 * unique so two vectors are compared with one merge pass. */
#ifndef YW_FVEC_H
#define YW_FVEC_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    YW_TERM_BIGRAM = 1,    /* CJK character bigram */
    YW_TERM_WORD   = 2,    /* ASCII word (case-folded) */
    YW_TERM_NUMBER = 3,    /* number class, e.g. "amount:10k-100k" */
    YW_TERM_RULE   = 4,    /* a rule category hit */
    YW_TERM_ENTITY = 5,    /* estate / company / road / amount / headcount */
    YW_TERM_PLACE  = 6     /* district / street / community field */
} yw_term_kind_t;

#define YW_TERM_KIND_SHIFT 60
#define YW_TERM_MAKE(kind, h) \
    (((uint64_t)(kind) << YW_TERM_KIND_SHIFT) | ((h) & ((1ULL << YW_TERM_KIND_SHIFT) - 1)))
#define YW_TERM_KIND(t) ((yw_term_kind_t)((t) >> YW_TERM_KIND_SHIFT))

typedef struct {
    uint64_t term;
    float w;               /* raw count from features; tf-idf after weighting */
} yw_fterm_t;

typedef struct {
    yw_fterm_t *t;
    uint32_t n, cap;
} yw_fvec_t;

#endif
