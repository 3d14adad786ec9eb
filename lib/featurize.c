/* featurize.c -- a decoded record -> yw_features_t (see featurize.h).
 *
 * Owns: the order of the feature steps and the reusable buffers.  Order
 * matters: personal data is masked first, so nothing after it (the
 * normalised text, entity strings, the masked text kept for samples)
 * ever holds a clear phone or ID number; normalisation comes next so
 * every matcher sees one canonical form; then tokens, rules, entities,
 * places; the terms are deduplicated and kept in order as they are
 * added (yw_termset_t), so there is no sort at the end. */
#include "featurize.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pii.h"
#include "text.h"

/* A place term remembered by the field's raw value: a city has a few
 * hundred districts, streets and communities, and normalising and
 * hashing the same few again was most of a place term's cost.  Direct
 * mapped; values of 8..31 bytes (a shorter or longer one is made each
 * time).  term 0: the value normalises to nothing (no term). */
#define PLACE_SLOTS 128
#define PLACE_RAW_MAX 31
typedef struct {
    uint64_t term;
    uint8_t len;                 /* 0: empty slot */
    char raw[PLACE_RAW_MAX];
} place_slot_t;

struct yw_featurizer {
    const yw_rules_t *rules;     /* borrowed */
    yw_rules_scratch_t *scr;
    yw_termset_t *terms;         /* collects the record's terms, sorted */
    /* where entities may start in the title and the text, noted by the
     * tokenizer so the entity extractor does not scan them again */
    yw_text_marks_t title_marks, text_marks;
    /* the place terms of recent raw values, by field (see place_term) */
    place_slot_t places[3][PLACE_SLOTS];
};

void yw_features_init(yw_features_t *f)
{
    memset(f, 0, sizeof(*f));
}

void yw_features_free(yw_features_t *f)
{
    if (!f) return;
    yw_text_fvec_free(&f->vec);
    free(f->masked);
    free(f->masked_title);
    free(f->norm);
    free(f->norm_title);
    free(f->norm_reply);
    free(f->tmp);
    memset(f, 0, sizeof(*f));
}

yw_featurizer_t *yw_featurizer_create(const yw_rules_t *rules, char *errbuf,
                                      size_t errlen)
{
    yw_featurizer_t *fz = calloc(1, sizeof(*fz));
    if (!fz) {
        snprintf(errbuf, errlen, "features: out of memory");
        return NULL;
    }
    fz->terms = yw_termset_create();
    if (!fz->terms) {
        snprintf(errbuf, errlen, "features: out of memory");
        free(fz);
        return NULL;
    }
    yw_text_marks_init(&fz->title_marks, yw_entity_start_bits());
    yw_text_marks_init(&fz->text_marks, yw_entity_start_bits());
    if (yw_featurizer_set_rules(fz, rules, errbuf, errlen) != 0) {
        yw_termset_destroy(fz->terms);
        free(fz);
        return NULL;
    }
    return fz;
}

void yw_featurizer_destroy(yw_featurizer_t *fz)
{
    if (!fz) return;
    yw_rules_scratch_destroy(fz->scr);
    yw_termset_destroy(fz->terms);
    free(fz);
}

int yw_featurizer_set_rules(yw_featurizer_t *fz, const yw_rules_t *rules,
                            char *errbuf, size_t errlen)
{
    if (rules) {
        if (!fz->scr) {
            fz->scr = yw_rules_scratch_create(rules, errbuf, errlen);
            if (!fz->scr) return -1;
        } else if (yw_rules_scratch_fit(fz->scr, rules, errbuf, errlen) != 0) {
            return -1;
        }
    }
    fz->rules = rules;
    return 0;
}

const yw_rules_t *yw_featurizer_rules(const yw_featurizer_t *fz)
{
    return fz->rules;
}

/* Grow *buf to hold need bytes; buffers only ever grow. */
static int ensure(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return 0;
    size_t ncap = *cap ? *cap : 512;
    while (ncap < need) ncap *= 2;
    char *b = realloc(*buf, ncap);
    if (!b) return -1;
    *buf = b;
    *cap = ncap;
    return 0;
}

/* Mask v into masked (room for v->len + 1), normalise that into *norm,
 * grown first to the room normalisation may need (text.h: up to twice the
 * input), so nothing is cut.  *mlen, *nmasked may be NULL. */
static int mask_normalize(const yw_str_t *v, char *masked, size_t *mlen, unsigned *nmasked,
                          char **norm, size_t *norm_cap, size_t *norm_len)
{
    const char *s = v->s ? v->s : "";
    size_t ml;
    if (ensure(norm, norm_cap, 2 * (size_t)v->len + 1)) return -1;
    *norm_len = yw_text_mask_normalize(s, v->len, masked, &ml, nmasked, *norm, *norm_cap);
    if (mlen) *mlen = ml;
    return 0;
}

/* A place field -> "<field>:<normalised value>" term, 0 if none.  Inlined
 * into its three calls, so that the field's name has a constant length
 * (no strlen, the memcpy a move). */
static inline __attribute__((always_inline)) uint64_t make_place(const char *field,
                                                                 const yw_str_t *v)
{
    char term[224];
    size_t fl = strlen(field);
    /* normalise straight into the term after "<field>:" (no snprintf: it
     * cost more than the normalisation) */
    if (v->len >= 192 || fl + 1 + v->len + 1 > sizeof(term)) return 0;
    memcpy(term, field, fl);
    term[fl] = ':';
    size_t n = yw_text_normalize(v->s, v->len, term + fl + 1, sizeof(term) - fl - 1);
    if (n == 0) return 0;
    return yw_text_term(YW_TERM_PLACE, term, fl + 1 + n);
}

static inline uint64_t rd8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

/* s[0..len) == t[0..len), 8 <= len <= 32: 8-byte words, the last one
 * overlapping the one before. */
static inline bool same8(const char *s, const char *t, size_t len)
{
    uint64_t d = (rd8(s) ^ rd8(t)) | (rd8(s + len - 8) ^ rd8(t + len - 8));
    if (len > 16) d |= rd8(s + 8) ^ rd8(t + 8);
    if (len > 24) d |= rd8(s + 16) ^ rd8(t + 16);
    return d == 0;
}

/* Add the place term of field f (name field) with value v. */
static inline __attribute__((always_inline)) int add_place(yw_featurizer_t *fz, int f,
                                                           const char *field,
                                                           const yw_str_t *v)
{
    if (v->len == 0) return 0;
    uint64_t term;
    if (v->len < 8 || v->len > PLACE_RAW_MAX) {
        term = make_place(field, v);
    } else {
        size_t len = v->len;
        uint64_t h = (rd8(v->s) ^ (rd8(v->s + len - 8) * 0x9E3779B97F4A7C15ull) ^ len) *
                     0xD6E8FEB86659FD93ull;
        place_slot_t *sl = &fz->places[f][h >> (64 - 7)];
        _Static_assert(PLACE_SLOTS == 1 << 7, "the index takes 7 bits");
        if (sl->len == len && same8(sl->raw, v->s, len)) {
            term = sl->term;
        } else {
            term = make_place(field, v);
            sl->term = term;
            sl->len = (uint8_t)len;
            memcpy(sl->raw, v->s, len);
        }
    }
    return term ? yw_termset_add(fz->terms, term, 1) : 0;
}

int yw_features_extract(yw_featurizer_t *fz, const yw_record_t *rec,
                        yw_features_t *out)
{
    const yw_str_t *text = &rec->text, *title = &rec->title, *reply = &rec->reply;
    yw_termset_t *ts = fz->terms;
    unsigned m1 = 0, m2 = 0;

    out->vec.n = 0;
    out->nhits = 0;
    out->nents = 0;
    memset(out->kind_weight, 0, sizeof(out->kind_weight));

    /* 1. mask, 2. normalise: in one pass (yw_text_mask_normalize).  The
     * masked text is never longer than its input. */
    if (ensure(&out->masked, &out->masked_cap, (size_t)text->len + 1) ||
        ensure(&out->masked_title, &out->masked_title_cap, (size_t)title->len + 1) ||
        ensure(&out->tmp, &out->tmp_cap, (size_t)reply->len + 1))
        return -1;
    if (mask_normalize(text, out->masked, &out->masked_len, &m1, &out->norm, &out->norm_cap,
                       &out->norm_len) ||
        mask_normalize(title, out->masked_title, &out->masked_title_len, &m2, &out->norm_title,
                       &out->norm_title_cap, &out->norm_title_len) ||
        mask_normalize(reply, out->tmp, NULL, NULL, &out->norm_reply, &out->norm_reply_cap,
                       &out->norm_reply_len))
        return -1;
    out->pii_masked = m1 + m2;

    /* 3. tokens of title and text (not the reply: the official's words),
     * collected in a term set that dedupes and sorts as they come */
    if (yw_termset_begin(ts, &out->vec, out->norm_title_len + out->norm_len) ||
        yw_text_tokens_set(out->norm_title, out->norm_title_len, ts, &fz->title_marks) ||
        yw_text_tokens_set(out->norm, out->norm_len, ts, &fz->text_marks))
        return -1;

    /* 4. rules */
    if (fz->rules) {
        if (yw_rules_match_fields(fz->rules, fz->scr, out->norm_title, out->norm_title_len,
                                  out->norm, out->norm_len, out->norm_reply,
                                  out->norm_reply_len, out->hits, &out->nhits,
                                  YW_FEATURES_MAX_HITS) < 0)
            return -1;
        for (size_t i = 0; i < out->nhits; i++) {
            out->kind_weight[out->hits[i].kind] += out->hits[i].weight;
            if (yw_termset_add(ts, yw_rules_term(fz->rules, out->hits[i].rule), 1))
                return -1;
        }
    }

    /* 5. entities: the title first (it names the issue most often) */
    yw_entity_extract_marks(out->norm_title, out->norm_title_len, &fz->title_marks,
                            out->ents, &out->nents, YW_ENTITY_MAX);
    yw_entity_extract_marks(out->norm, out->norm_len, &fz->text_marks, out->ents,
                            &out->nents, YW_ENTITY_MAX);
    for (size_t i = 0; i < out->nents; i++)
        if (yw_termset_add(ts, out->ents[i].term, 1)) return -1;

    /* 6. place fields */
    if (add_place(fz, 0, "district", &rec->district) ||
        add_place(fz, 1, "street", &rec->street) ||
        add_place(fz, 2, "community", &rec->community))
        return -1;

    return yw_termset_finish(ts);
}
