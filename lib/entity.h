/* entity.h -- anchored entity extraction from normalised text.
 *
 * Owns: finding estate, company, road names and amounts/headcounts in a
 * normalised text (text.h) without any regex: find a suffix anchor
 * (小区 花园 苑 新城 城 府 家园 公寓 | 公司 有限公司 集团 车贷 | 路 街 大道
 * 街道), then walk back over at most YW_ENTITY_MAX_CHARS Han/alnum
 * characters, stopping at spaces (punctuation), stop characters
 * (的 在 我 是 了 和 与 该 这 ...) and administrative suffixes (市 区 县
 * 镇 乡), and keep the name if at least 2 characters were walked.  Generic
 * names (物业公司, 开发公司, 该小区) are dropped.  Amounts and headcounts
 * come from yw_text_quantity_at().
 *
 * Entities become YW_TERM_ENTITY terms ("<kind>:<text>", hashed with
 * yw_text_term) that the clusterer weights high, and readable strings for
 * alert titles ("丽发新城", "58车贷"). */
#ifndef YW_ENTITY_H
#define YW_ENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "text.h"

typedef enum {
    YW_ENT_ESTATE = 0,     /* 小区 / 花园 / 苑 / 新城 / 家园 / 公寓 / 府 */
    YW_ENT_COMPANY = 1,    /* 公司 / 有限公司 / 集团 / 车贷 */
    YW_ENT_ROAD = 2,       /* 路 / 街 / 大道 / 街道 */
    YW_ENT_AMOUNT = 3,     /* 3万元 */
    YW_ENT_HEADCOUNT = 4,  /* 几十户 */
    YW_ENT_KIND_COUNT = 5
} yw_entity_kind_t;

#define YW_ENTITY_MAX_CHARS 8       /* name characters walked back */
#define YW_ENTITY_PER_KIND 2        /* first values per kind */
#define YW_ENTITY_MAX (YW_ENT_KIND_COUNT * YW_ENTITY_PER_KIND)
#define YW_ENTITY_TEXT_MAX 64       /* bytes incl. NUL: 8 Han + 4-char suffix fit */

typedef struct {
    yw_entity_kind_t kind;
    uint32_t off, len;                 /* span in the normalised text */
    char text[YW_ENTITY_TEXT_MAX];     /* NUL-terminated copy */
    uint64_t term;                     /* YW_TERM_ENTITY term */
} yw_entity_t;

/* Extract from normalised s[0..len) into out[*n..cap), keeping at most
 * YW_ENTITY_PER_KIND per kind (counting what is already in out[0..*n),
 * so a title and a text can be fed one after the other) and skipping
 * duplicates.  Returns the number added. */
size_t yw_entity_extract(const char *s, size_t len, yw_entity_t *out,
                         size_t *n, size_t cap);

/* The same, visiting only the positions the tokenizer noted in marks
 * (yw_text_tokens_set with marks set up from yw_entity_start_bits()):
 * what the features stage calls, so the text is not scanned twice.  Same
 * result as yw_entity_extract; scans after all if marks overflowed. */
size_t yw_entity_extract_marks(const char *s, size_t len, const yw_text_marks_t *marks,
                               yw_entity_t *out, size_t *n, size_t cap);
/* Characters where an anchor or a quantity may start, as a bitmap over
 * U+4E00..U+9FFF (bit cp - 0x4E00): the han_bits for yw_text_marks_init. */
const uint8_t *yw_entity_start_bits(void);

const char *yw_entity_kind_name(yw_entity_kind_t kind); /* "estate", ... */
/* The YW_TERM_ENTITY term of a name of that kind (the hash of
 * "<kind>:<text>"), as yw_entity_extract gives it; text longer than an
 * entity's text is cut there. */
uint64_t yw_entity_term(yw_entity_kind_t kind, const char *text, size_t len);

#endif
