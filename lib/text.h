/* text.h -- normalisation, tokens and term hashing for the features stage.
 *
 * Owns: the one normalised form every later matcher sees (rules, entities,
 * tokens), the tokenizer that turns it into hashed terms (CJK character
 * bigrams, ASCII words, number classes), the 64-bit term hash, the helpers
 * that build a yw_fvec_t (append, then sort+merge, or a term set).  The
 * document frequencies the clusterer weighs terms by are in df.h.
 *
 * Every function here assumes valid UTF-8: the record decoder validates
 * each record once (yw_utf8_valid) and nothing downstream re-validates. */
#ifndef YW_TEXT_H
#define YW_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fvec.h"

/* ---- normalisation ----------------------------------------------------
 * - full-width ASCII U+FF01..U+FF5E -> ASCII, U+3000 (全角空格) -> space;
 * - ASCII case folded to lower case;
 * - every run of whitespace and punctuation (ASCII, CJK U+3000..U+303F,
 *   general punctuation U+2000..U+206F, U+FE30..U+FE6F, remaining
 *   full-width symbols) becomes ONE ASCII space; leading/trailing trimmed.
 *   Kept inside a number: '.' between digits ("4.23"); ',' between digits
 *   is dropped ("10,000" -> "10000");
 * - URLs (http://, https://, www.) are replaced by their host, lower case
 *   ("https://WWW.Example.com/a?b" -> "www.example.com").
 * The output can be longer than the input: a host that begins with
 * "www." is set off by spaces it may not have had ("中www.a中" -> "中
 * www.a 中", +2 for 5 bytes), so cap >= 2 * len + 1 always suffices.
 * Writes a NUL terminator; returns the output length (truncated at a
 * character boundary when cap is too small). */
size_t yw_text_normalize(const char *in, size_t len, char *out, size_t cap);

/* yw_pii_mask_n (pii.h) of in into masked, and yw_text_normalize of the
 * masked text into out (cap), in one pass: the bytes either one copies
 * as they are (Han runs, 、。，) are read once.  The results are exactly
 * the two passes' (masked and *masked_len as yw_pii_mask_n with room
 * enough, the return value and out as yw_text_normalize with this cap).
 * masked needs room for len + 1 bytes.  nmasked may be NULL. */
size_t yw_text_mask_normalize(const char *in, size_t len, char *masked, size_t *masked_len,
                              unsigned *nmasked, char *out, size_t cap);

/* ---- hashing ----------------------------------------------------------
 * A fast 64-bit hash of bytes (wyhash-style multiply-fold, written here;
 * not cryptographic).  Terms are YW_TERM_MAKE(kind, yw_text_hash(bytes))
 * of the token's UTF-8 bytes in normalised form: a bigram "欠薪" is the
 * 6 bytes of those two characters, a word is "abc", a number class is the
 * string "amount:10k-100k", a rule is "rule:<name>", an entity is
 * "<kind>:<text>" (see entity.h), a place is "<field>:<text>". */
uint64_t yw_text_hash(const void *data, size_t len);
/* yw_text_hash(data, 6) with the length folded in (a bigram of two 3-byte
 * characters, the common case): same value, fewer instructions. */
uint64_t yw_text_hash6(const void *data);
/* The build's term salt (YW_TERM_SALT): 0 except in evaluation builds,
 * whose terms, and so snapshots, match no other build's. */
uint64_t yw_text_salt(void);
/* What that salt XORs into every term's hash (0 when the salt is 0): a
 * scan that hashes with text_impl.h's unsalted hash adds it itself. */
uint64_t yw_text_salt_bits(void);
uint64_t yw_text_term(yw_term_kind_t kind, const char *s, size_t len);

/* ---- quantities -------------------------------------------------------
 * A quantity is a number (ASCII digits with an optional decimal part, or
 * Chinese numerals 一..九 十 百 千 万 亿 with 几/数/上/近/多/余) followed by
 * a unit: money (元 块 圆, or 万/亿 without a headcount unit) or people
 * (人 户 名 位).  "3万元" -> amount 30000; "几十户" -> headcount ~50;
 * "上百人" -> headcount ~90 (上/近 X reads as "approaching X"). */
typedef enum {
    YW_QTY_NONE = 0,
    YW_QTY_AMOUNT = 1,      /* yuan */
    YW_QTY_HEADCOUNT = 2    /* people or households */
} yw_qty_kind_t;

typedef struct {
    yw_qty_kind_t kind;
    double value;
    size_t off, len;        /* byte span in the normalised text, unit included */
} yw_qty_t;

/* Try to read a quantity starting exactly at s[off] (normalised text).
 * Returns true and fills *q when one is there. */
bool yw_text_quantity_at(const char *s, size_t len, size_t off, yw_qty_t *q);
/* The class name of a quantity: "amount:<1k", "amount:1k-10k",
 * "amount:10k-100k", "amount:100k-1m", "amount:1m-10m", "amount:10m-100m",
 * "amount:100m+", "headcount:1-10", "headcount:10-100",
 * "headcount:100-1000", "headcount:1000+".  Static string. */
const char *yw_text_quantity_class(const yw_qty_t *q);

/* ---- tokens -----------------------------------------------------------
 * Appends the terms of normalised text s[0..len) to vec, each with w = 1:
 * - a YW_TERM_BIGRAM for every two adjacent Han characters (a Han run of
 *   length 1 gives that single character as its own term);
 * - a YW_TERM_WORD for every ASCII run [a-z0-9] (with inner '.', '-', '_'
 *   kept, so hosts stay whole: "weibo.com") that contains a letter; pure
 *   digit runs are not words (years, ids, masked numbers are noise);
 * - a YW_TERM_NUMBER for every quantity (yw_text_quantity_class).
 * Does NOT sort: call yw_text_fvec_finish() once all parts are appended.
 * Grows vec->t with realloc only when it is too small (steady state: no
 * allocation).  Returns 0, or -1 on ENOMEM. */
int yw_text_tokens(const char *s, size_t len, yw_fvec_t *vec);

/* ---- fvec helpers (fvec.h is a plain struct; these build one) -------- */
/* Append one term with weight w (grows on demand).  0 or -1 on ENOMEM. */
int yw_text_fvec_add(yw_fvec_t *vec, uint64_t term, float w);
/* Sort by term and merge duplicates by summing their weights. */
void yw_text_fvec_finish(yw_fvec_t *vec);
/* Free the term array; vec is left empty and reusable. */
void yw_text_fvec_free(yw_fvec_t *vec);

/* ---- term sets: tokens, deduplicated and sorted as they arrive ---------
 * The features stage collects ~100-250 terms per record, most of them
 * bigrams, many repeated.  Appending them all and sorting at the end cost
 * more than the tokenizer itself; a term set keeps them in an
 * order-preserving open-addressing table instead: a term's home slot is
 * its top bits (kind, then hash), collisions are resolved by linear
 * probing with the run kept in term order, so a repeat only adds its
 * weight and reading the occupied slots front to back yields the sorted,
 * unique vector.  The table is sized per record from the text length; if
 * it gets half full (very long or unusual texts) the set "spills": it
 * falls back to appending and one sort + merge at the end, with the same
 * result.  Reusable, one per thread; no allocation in steady state. */
typedef struct yw_termset yw_termset_t;

yw_termset_t *yw_termset_create(void);     /* NULL on ENOMEM */
void yw_termset_destroy(yw_termset_t *ts);
/* Start collecting into vec (emptied; it receives the result) for about
 * `bytes` bytes of text to tokenize (sizes the table). */
int yw_termset_begin(yw_termset_t *ts, yw_fvec_t *vec, size_t bytes);
/* Add weight w to term (inserting it with w if new).  0 or -1 on ENOMEM. */
int yw_termset_add(yw_termset_t *ts, uint64_t term, float w);
/* Positions noted by the tokenizer for a later pass over the same text
 * (the entity extractor), so that pass need not scan every character
 * again: every Han character whose bit is set in the caller's bitmap,
 * and every ASCII digit that starts a word run or follows '-' or '_'
 * inside one (where a number may start).  A superset is fine: the later
 * pass re-checks each position.  Set up once with yw_text_marks_init;
 * if a text has more than YW_TEXT_MARKS_MAX positions, `overflow` is set
 * and the later pass must scan the text itself. */
#define YW_TEXT_MARKS_MAX 512
#define YW_TEXT_HAN_N (0x9FFF - 0x4E00 + 1)              /* U+4E00..U+9FFF */
#define YW_TEXT_HAN_BITS ((YW_TEXT_HAN_N - 1) / 8 + 1)   /* bytes of a bitmap of them */

typedef struct {
    /* what the tokenizer does at each of U+4E00..U+9FFF (index cp -
     * 0x4E00): a byte of class bits (the caller's characters to note,
     * the tokenizer's own numerals), 0 for most.  A byte, not a bit: one
     * load and test per character in the tokenizer's loop */
    uint8_t cls[YW_TEXT_HAN_N];
    uint32_t pos[YW_TEXT_MARKS_MAX];    /* byte offsets, increasing */
    /* what the tokenizer's own yw_text_quantity_at said at pos[i], if it
     * asked: 0 did not ask, 1 no quantity, 2 qty[i] */
    uint8_t qty_state[YW_TEXT_MARKS_MAX];
    yw_qty_t qty[YW_TEXT_MARKS_MAX];
    size_t n;
    bool overflow;
} yw_text_marks_t;

void yw_text_marks_init(yw_text_marks_t *m, const uint8_t han_bits[YW_TEXT_HAN_BITS]);
/* yw_text_quantity_at(s, len, m->pos[i], q) for the text the marks were
 * taken from, answered from the tokenizer's reading where it made one
 * (the later pass asks at many of the same places). */
bool yw_text_marks_quantity(const yw_text_marks_t *m, size_t i, const char *s, size_t len,
                            yw_qty_t *q);

/* yw_text_tokens into a term set; marks (may be NULL) is reset and
 * receives this text's positions. */
int yw_text_tokens_set(const char *s, size_t len, yw_termset_t *ts, yw_text_marks_t *marks);
/* Leave vec sorted and unique, weights summed: the same vector as
 * appending every term and calling yw_text_fvec_finish.  0, or -1 on
 * ENOMEM (vec is then incomplete; the set is reusable). */
int yw_termset_finish(yw_termset_t *ts);
/* Did the last record spill (tests and benchmarks)? */
bool yw_termset_spilled(const yw_termset_t *ts);

/* Display width of UTF-8 s[0..len): East Asian wide characters count 2
 * (used for caret lines under CJK patterns). */
size_t yw_text_width(const char *s, size_t len);

#endif
