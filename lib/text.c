/* text.c -- tokens, term hashing, quantities and term sets (see text.h
 * for the contracts).  Normalisation is in text_norm.c, appending to and
 * sorting a yw_fvec_t in text_fvec.c, the UTF-8 helpers they share in
 * text_impl.h.  The tokenizer, the term set it fills and the hash stay in
 * this one file so that they inline into its loop.
 *
 * Everything here runs once or twice per record over a few hundred bytes,
 * so it is written as straight byte loops: no regex, no allocation except
 * growing a vector, and input is trusted to be valid UTF-8 (the decoder
 * validated it once; re-validating would double the cost). */
#include "text.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_impl.h"

/* ---- hashing ------------------------------------------------------------
 * The hash itself (text_hash_raw) is in text_impl.h, so that the
 * clusterer's phrase scan inlines it too; here the salt that every term's
 * hash is XORed with. */

/* XORed into every term's hash: 0 in every real build.  An evaluation
 * build sets it (cmake -DYW_TERM_SALT=N) to stand in for another, equally
 * good hash: ties between equal weights in the clusterer are broken by a
 * hash of the term (lib/cluster_select.c), so some figures move with the
 * hash alone and are compared over several (bench/eval-salts.sh). */
#ifndef YW_TERM_SALT
#define YW_TERM_SALT 0
#endif

/* The salt spread over all 64 bits (splitmix64's finaliser), so that even
 * salts 1, 2, 3 reorder the terms as another hash would: XOR with a small
 * number only swaps neighbours.  A constant the compiler folds; 0 stays 0. */
static inline uint64_t salt_bits(void)
{
    uint64_t z = (uint64_t)(YW_TERM_SALT);
    if (!z)
        return 0;
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Inline so that the tokenizer's calls with a constant length (a bigram of
 * two 3-byte characters) fold into a few instructions. */
static inline uint64_t text_hash(const void *data, size_t len)
{
    return text_hash_raw(data, len) ^ salt_bits();
}

uint64_t yw_text_salt(void)
{
    return (uint64_t)(YW_TERM_SALT);
}

uint64_t yw_text_salt_bits(void)
{
    return salt_bits();
}

uint64_t yw_text_hash(const void *data, size_t len)
{
    return text_hash(data, len);
}

uint64_t yw_text_hash6(const void *data)
{
    return text_hash(data, 6);
}

uint64_t yw_text_term(yw_term_kind_t kind, const char *s, size_t len)
{
    return YW_TERM_MAKE(kind, text_hash(s, len));
}

/* ---- quantities ------------------------------------------------------- */

/* The tokenizer's classes of the Han characters U+4E00..U+9FFF (index
 * cp - 0x4E00; yw_text_marks_t.cls adds the caller's TC_MARK):
 *   TC_NUM     a Chinese numeral, i.e. cn_class() != CN_NONE (digits,
 *              multipliers, 几 数, 多 余): a quantity may start here, and
 *              the next numeral continues it;
 *   TC_QSTART  上 近: a quantity may start here ("上百", "近万");
 *   TC_MARK    a character the caller wants noted (yw_text_marks_t);
 *   TC_BIG     万 亿 (also TC_NUM): a quantity on their own ("万元" aside);
 *   TC_UNIT    元 块 圆 人 户 名 位: what may follow a quantity.
 * Most characters have none: one byte load and test per character.  (The
 * last two matter only for the character after a numeral; a unit alone
 * costs the tokenizer a look that does nothing, cheaper than masking the
 * byte for every character.) */
enum { TC_MARK = 1, TC_NUM = 2, TC_QSTART = 4, TC_BIG = 8, TC_UNIT = 16 };

static uint8_t han_cls[YW_TEXT_HAN_N];
static pthread_once_t num_once = PTHREAD_ONCE_INIT;

static void num_bits_init(void)
{
    static const uint32_t nums[] = {
        0x96F6, 0x4E00, 0x4E8C, 0x4E24, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B,
        0x4E5D, 0x5341, 0x767E, 0x5343, 0x4E07, 0x4EBF, 0x51E0, 0x6570, 0x591A, 0x4F59,
    };
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
        han_cls[nums[i] - 0x4E00] = TC_NUM;
    han_cls[0x4E0A - 0x4E00] = TC_QSTART;                   /* 上 */
    han_cls[0x8FD1 - 0x4E00] = TC_QSTART;                   /* 近 */
    han_cls[0x4E07 - 0x4E00] |= TC_BIG;                     /* 万 */
    han_cls[0x4EBF - 0x4E00] |= TC_BIG;                     /* 亿 */
    static const uint32_t units[] = {0x5143, 0x5757, 0x5706, 0x4EBA, 0x6237, 0x540D, 0x4F4D};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        han_cls[units[i] - 0x4E00] |= TC_UNIT;
}

/* Chinese numeral value: 0-9 digits, 10.. multipliers, -1 approximators
 * (多 余), -2 "some" digits (几 数), 0 for anything else is ambiguous, so
 * use a separate flag. */
enum { CN_NONE = 0, CN_DIGIT, CN_MULT, CN_SOME, CN_MORE };

static int cn_class(uint32_t cp, double *v)
{
    switch (cp) {
    case 0x96F6: case 0x3007: *v = 0; return CN_DIGIT;     /* 零 〇 */
    case 0x4E00: *v = 1; return CN_DIGIT;                  /* 一 */
    case 0x4E8C: case 0x4E24: *v = 2; return CN_DIGIT;     /* 二 两 */
    case 0x4E09: *v = 3; return CN_DIGIT;                  /* 三 */
    case 0x56DB: *v = 4; return CN_DIGIT;                  /* 四 */
    case 0x4E94: *v = 5; return CN_DIGIT;                  /* 五 */
    case 0x516D: *v = 6; return CN_DIGIT;                  /* 六 */
    case 0x4E03: *v = 7; return CN_DIGIT;                  /* 七 */
    case 0x516B: *v = 8; return CN_DIGIT;                  /* 八 */
    case 0x4E5D: *v = 9; return CN_DIGIT;                  /* 九 */
    case 0x5341: *v = 10; return CN_MULT;                  /* 十 */
    case 0x767E: *v = 100; return CN_MULT;                 /* 百 */
    case 0x5343: *v = 1000; return CN_MULT;                /* 千 */
    case 0x4E07: *v = 1e4; return CN_MULT;                 /* 万 */
    case 0x4EBF: *v = 1e8; return CN_MULT;                 /* 亿 */
    case 0x51E0: case 0x6570: *v = 5; return CN_SOME;      /* 几 数 */
    case 0x591A: case 0x4F59: *v = 0; return CN_MORE;      /* 多 余 */
    default: return CN_NONE;
    }
}

static yw_qty_kind_t unit_kind(uint32_t cp)
{
    switch (cp) {
    case 0x5143: case 0x5757: case 0x5706:                 /* 元 块 圆 */
        return YW_QTY_AMOUNT;
    case 0x4EBA: case 0x6237: case 0x540D: case 0x4F4D:    /* 人 户 名 位 */
        return YW_QTY_HEADCOUNT;
    default:
        return YW_QTY_NONE;
    }
}

bool yw_text_quantity_at(const char *s, size_t len, size_t off, yw_qty_t *q)
{
    const unsigned char *b = (const unsigned char *)s;
    size_t i = off, n;
    double value = 0, factor = 1, v;
    int real = 0;            /* saw a real numeral (not only 几/数/上) */
    int big = 0;             /* a 万 or 亿 multiplier */

    if (off >= len) return false;
    if (is_digit(b[i])) {
        double frac = 0, scale = 1;
        while (i < len && is_digit(b[i])) value = value * 10 + (b[i++] - '0');
        if (i + 1 < len && b[i] == '.' && is_digit(b[i + 1])) {
            i++;
            while (i < len && is_digit(b[i])) {
                scale /= 10;
                frac += (b[i++] - '0') * scale;
            }
            value += frac;
        }
        real = 1;
        /* multipliers and approximators after digits: 3万, 1.5亿, 20多万 */
        while (i < len && b[i] >= 0x80) {
            uint32_t cp = u8_decode(b + i, &n);
            int k = cn_class(cp, &v);
            if (k == CN_MULT) {
                value *= v;
                if (v >= 1e4) big = 1;
            } else if (k != CN_MORE) {
                break;
            }
            i += n;
        }
    } else {
        /* 上百 / 近千: "approaching" */
        uint32_t cp = u8_decode(b + i, &n);
        if (cp == 0x4E0A || cp == 0x8FD1) {                /* 上 近 */
            factor = 0.9;
            i += n;
        }
        double total = 0, section = 0, digit = 0;
        int have_digit = 0, any = 0;
        while (i < len && b[i] >= 0x80) {
            cp = u8_decode(b + i, &n);
            int k = cn_class(cp, &v);
            if (k == CN_NONE) break;
            if (k == CN_DIGIT || k == CN_SOME) {
                if (k == CN_DIGIT) real = 1;
                digit = v;
                have_digit = 1;
            } else if (k == CN_MULT) {
                real = 1;
                if (v >= 1e4) {
                    big = 1;
                    section += have_digit ? digit : (section == 0 && total == 0);
                    total = (total + section) * v;
                    section = 0;
                } else {
                    section += (have_digit ? digit : 1) * v;
                }
                digit = 0;
                have_digit = 0;
            }
            any = 1;
            i += n;
        }
        if (!any || !real) return false;
        value = (total + section + digit) * factor;
    }
    if (!real) return false;

    yw_qty_kind_t kind = YW_QTY_NONE;
    if (i < len && b[i] >= 0x80) {
        uint32_t cp = u8_decode(b + i, &n);
        kind = unit_kind(cp);
        if (kind != YW_QTY_NONE) {
            i += n;
        } else if (big && !is_han(cp)) {
            kind = YW_QTY_AMOUNT;
        }
    } else if (big) {
        kind = YW_QTY_AMOUNT;   /* "欠薪20万" at the end or before a space */
    }
    if (kind == YW_QTY_NONE) return false;
    q->kind = kind;
    q->value = value;
    q->off = off;
    q->len = i - off;
    return true;
}

const char *yw_text_quantity_class(const yw_qty_t *q)
{
    double v = q->value;
    if (q->kind == YW_QTY_HEADCOUNT) {
        if (v < 10) return "headcount:1-10";
        if (v < 100) return "headcount:10-100";
        if (v < 1000) return "headcount:100-1000";
        return "headcount:1000+";
    }
    if (v < 1e3) return "amount:<1k";
    if (v < 1e4) return "amount:1k-10k";
    if (v < 1e5) return "amount:10k-100k";
    if (v < 1e6) return "amount:100k-1m";
    if (v < 1e7) return "amount:1m-10m";
    if (v < 1e8) return "amount:10m-100m";
    return "amount:100m+";
}

/* ---- the tokenizer's vector sink (yw_text_fvec_*: text_fvec.c) -------- */

/* Make room for one more term (the slow path of fvec_push). */
static int fvec_grow(yw_fvec_t *vec)
{
    uint32_t ncap = vec->cap ? vec->cap * 2 : 256;
    yw_fterm_t *t = realloc(vec->t, (size_t)ncap * sizeof(*t));
    if (!t) return -1;
    vec->t = t;
    vec->cap = ncap;
    return 0;
}

static inline int fvec_push(yw_fvec_t *vec, uint64_t term)
{
    if (vec->n == vec->cap && fvec_grow(vec)) return -1;
    vec->t[vec->n].term = term;
    vec->t[vec->n].w = 1;
    vec->n++;
    return 0;
}

/* ---- tokens ----------------------------------------------------------- */

static inline int word_char(unsigned c) { return is_alnum_lc(c); }

/* ---- term sets ---------------------------------------------------------
 * Slot layout: kinds 1..TS_KINDS each own a region of consecutive slots,
 * in kind order: 2^bits for bigrams and words (as many as the text may
 * give), 2^TS_SMALL_BITS for numbers, rules, entities and places (a
 * record has at most a few dozen: 11 number classes, 64 rule hits,
 * YW_ENTITY_MAX entities, 3 places).  A term's home is its region's first
 * slot + the top bits of its hash (as many as the region has).  The home
 * is monotone in the term, so with linear probing that keeps every run
 * in term order the occupied slots read front to back are sorted (and
 * the small regions keep the bitmap that finish reads short: 28 words
 * instead of 52 for a 300-byte text).  Why that holds: a term
 * u sitting left of t's home has home(u) <= its slot < home(t), so u < t;
 * an insert walks right from its home past smaller terms and shifts the
 * rest of the run one slot right, which keeps each run contiguous and in
 * order.  A run may cross into the next kind's slots (order still
 * holds).  Fewer than `limit` terms are ever in the table, so a run
 * that starts in the last region ends within `limit` - 1 slots after
 * it: with `limit` slack slots after the regions the last slot stays
 * empty, every probe stops, and the fast path needs no bounds check.
 *
 * Empty slots hold term 0 (no real term has kind 0), so a probe reads
 * only the slot; a bitmap of occupied slots lets finish visit just those
 * and zero them again (the table is all-empty between records). */
#define TS_KINDS 6
#define TS_MIN_BITS 7
#define TS_MAX_BITS 14
#define TS_SMALL_BITS 7
/* (put_bigram relies on the bigram region coming first) */
_Static_assert(YW_TERM_BIGRAM == 1, "bigrams are the first kind with slots");

/* This record's table: the geometry is fixed from begin to finish, room
 * counts down.  The tokenizer works on a copy in a local for each text
 * (and writes room back): read through the set on every term, the stores
 * into the table would make the compiler reload it each time. */
typedef struct {
    yw_fterm_t *slot;        /* term 0 = empty */
    uint64_t *used;          /* one bit per slot */
    size_t nslots;           /* the regions + limit slack slots */
    /* by kind (1..TS_KINDS): the region's first slot, and the shift that
     * leaves as many of the hash's top bits as the region has slots:
     * home = start + ((term << 4) >> sh), the 4 bits of the kind dropped */
    size_t start[TS_KINDS + 1];
    unsigned sh[TS_KINDS + 1];
    uint32_t room;           /* terms the table takes before it spills:
                                limit - 1 - terms in it (0 once spilled,
                                so that the fast path never runs) */
} ts_geom_t;

struct yw_termset {
    ts_geom_t g;
    yw_fvec_t *vec;          /* the result (and the spill buffer) */
    size_t slots_cap;        /* slots allocated (g.slot, g.used) */
    unsigned bits;
    uint32_t limit;          /* spill rather than hold this many terms */
    bool spilled;
};

/* Terms in the table (none once spilled: they went to vec). */
static inline uint32_t ts_count(const yw_termset_t *ts, const ts_geom_t *g)
{
    return ts->spilled || ts->limit == 0 ? 0 : ts->limit - 1 - g->room;
}

yw_termset_t *yw_termset_create(void)
{
    return calloc(1, sizeof(yw_termset_t));
}

void yw_termset_destroy(yw_termset_t *ts)
{
    if (!ts) return;
    free(ts->g.slot);
    free(ts->g.used);
    free(ts);
}

bool yw_termset_spilled(const yw_termset_t *ts) { return ts->spilled; }

/* Empty the table without reading it out (after a failed record). */
static void ts_clear(yw_termset_t *ts)
{
    size_t words = (ts->g.nslots + 63) / 64;
    for (size_t wi = 0; wi < words; wi++) {
        for (uint64_t w = ts->g.used[wi]; w; w &= w - 1)
            ts->g.slot[wi * 64 + (size_t)__builtin_ctzll(w)].term = 0;
        ts->g.used[wi] = 0;
    }
    ts->g.room = ts->limit ? ts->limit - 1 : 0;
}

int yw_termset_begin(yw_termset_t *ts, yw_fvec_t *vec, size_t bytes)
{
    if (ts_count(ts, &ts->g)) ts_clear(ts);     /* the previous record failed half-way */
    /* at most one term per 2 bytes (a Han character is 3, an ASCII word
     * and its separator 2) plus rules, entities and places; keep the
     * table at most half full so probe runs stay short */
    size_t want = 2 * (bytes / 2 + 32);
    unsigned bits = TS_MIN_BITS;
    while (bits < TS_MAX_BITS && ((size_t)1 << bits) < want) bits++;
    size_t nslots = 0;
    for (unsigned k = 1; k <= TS_KINDS; k++) {
        unsigned kb = k <= YW_TERM_WORD ? bits : TS_SMALL_BITS;
        ts->g.start[k] = nslots;
        ts->g.sh[k] = 64 - kb;
        nslots += (size_t)1 << kb;
    }
    nslots += (size_t)1 << (bits - 1);             /* slack: see above */
    if (nslots > ts->slots_cap) {
        /* the old table is all empty: nothing to carry over */
        free(ts->g.slot);
        free(ts->g.used);
        ts->g.slot = calloc(nslots, sizeof(*ts->g.slot));
        ts->g.used = calloc((nslots + 63) / 64, sizeof(*ts->g.used));
        if (!ts->g.slot || !ts->g.used) {
            free(ts->g.slot);
            free(ts->g.used);
            ts->g.slot = NULL;
            ts->g.used = NULL;
            ts->slots_cap = 0;
            ts->g.nslots = 0;
            return -1;
        }
        ts->slots_cap = nslots;
    }
    ts->vec = vec;
    vec->n = 0;
    ts->g.nslots = nslots;
    ts->bits = bits;
    ts->limit = (uint32_t)1 << (bits - 1);
    ts->g.room = ts->limit - 1;
    ts->spilled = false;
    return 0;
}

/* Move the table's terms, in order, to the end of vec and empty it. */
static int ts_drain(yw_termset_t *ts, ts_geom_t *g)
{
    yw_fvec_t *vec = ts->vec;
    uint32_t n = ts_count(ts, g);
    if (n == 0) {      /* nothing to move (and vec->t may still be NULL) */
        g->room = ts->limit - 1;
        return 0;
    }
    if (vec->cap - vec->n < n) {
        uint32_t ncap = vec->cap ? vec->cap : 256;
        while (ncap - vec->n < n) ncap *= 2;
        yw_fterm_t *t = realloc(vec->t, (size_t)ncap * sizeof(*t));
        if (!t) return -1;
        vec->t = t;
        vec->cap = ncap;
    }
    yw_fterm_t *restrict out = vec->t + vec->n, *restrict block = ts->g.slot;
    uint64_t *used = ts->g.used;
    size_t words = (ts->g.nslots + 63) / 64;
    for (size_t wi = 0; wi < words; wi++, block += 64) {
        uint64_t w = used[wi];
        if (!w) continue;
        used[wi] = 0;
        do {
            yw_fterm_t *sl = block + (unsigned)__builtin_ctzll(w);
            *out++ = *sl;
            sl->term = 0;
            w &= w - 1;
        } while (w);
    }
    vec->n += n;
    g->room = ts->limit - 1;
    return 0;
}

/* From now on this record's terms are appended and sorted at the end. */
static int ts_spill(yw_termset_t *ts, ts_geom_t *g)
{
    if (ts_drain(ts, g)) return -1;
    ts->spilled = true;
    g->room = 0;
    return 0;
}

/* The rare part of ts_put: a new term at slot i, shifting the run. */
static int ts_insert(yw_termset_t *ts, ts_geom_t *g, size_t i, uint64_t term, float w)
{
    if (ts->spilled) return yw_text_fvec_add(ts->vec, term, w);
    yw_fterm_t *sl = g->slot;
    size_t j = i;
    while (sl[j].term) j++;
    if (j + 1 >= g->nslots || g->room == 0) {
        if (ts_spill(ts, g)) return -1;
        return yw_text_fvec_add(ts->vec, term, w);
    }
    if (j > i) memmove(&sl[i + 1], &sl[i], (j - i) * sizeof(*sl));
    sl[i].term = term;
    sl[i].w = w;
    g->used[j >> 6] |= 1ull << (j & 63);
    g->room--;
    return 0;
}

/* The home slot of a term of a kind that has slots. */
static inline size_t ts_home(const ts_geom_t *g, uint64_t term)
{
    unsigned kind = (unsigned)(term >> YW_TERM_KIND_SHIFT);
    return g->start[kind] + (size_t)((term << (64 - YW_TERM_KIND_SHIFT)) >> g->sh[kind]);
}

/* Add a term at its home slot i (see ts_put). */
static inline int ts_put_at(yw_termset_t *ts, ts_geom_t *g, uint64_t term, size_t i, float w)
{
    /* after a spill the table is empty and room 0: the probe finds a
     * free slot and the insert goes to ts_insert, which appends */
    yw_fterm_t *sl = g->slot;
    uint64_t t;
    while ((t = sl[i].term) != 0 && t < term) i++;
    if (t == term) {
        sl[i].w += w;
        return 0;
    }
    if (t == 0 && g->room != 0) {
        /* the common case, a free slot: no run to shift */
        sl[i].term = term;
        sl[i].w = w;
        g->used[i >> 6] |= 1ull << (i & 63);
        g->room--;
        return 0;
    }
    return ts_insert(ts, g, i, term, w);
}

/* Add a term with the table geometry g (ts->g, or the tokenizer's copy). */
static inline int ts_put(yw_termset_t *ts, ts_geom_t *g, uint64_t term, float w)
{
    if ((term >> YW_TERM_KIND_SHIFT) - 1 >= TS_KINDS) {
        /* a kind without slots (none today): fall back */
        if (!ts->spilled && ts_spill(ts, g)) return -1;
        return yw_text_fvec_add(ts->vec, term, w);
    }
    return ts_put_at(ts, g, term, ts_home(g, term), w);
}

static inline int ts_add(yw_termset_t *ts, uint64_t term, float w)
{
    return ts_put(ts, &ts->g, term, w);
}

int yw_termset_add(yw_termset_t *ts, uint64_t term, float w)
{
    return ts_add(ts, term, w);
}

int yw_termset_finish(yw_termset_t *ts)
{
    if (ts->spilled) {
        yw_text_fvec_finish(ts->vec);
        return 0;
    }
    return ts_drain(ts, &ts->g);     /* the table is already sorted and unique */
}

/* ---- tokens (continued) ---------------------------------------------- */

/* Where the tokenizer puts a term: a plain vector (yw_text_tokens) or a
 * term set (yw_text_tokens_set).  tokens() is inlined into both with
 * the sink fixed, so neither pays for the other. */
static inline int put(yw_fvec_t *vec, yw_termset_t *ts, ts_geom_t *g, uint64_t term)
{
    return ts ? ts_put(ts, g, term, 1) : fvec_push(vec, term);
}

/* put() of a bigram with hash h: its region is the first (starts at slot
 * 0), so the home is just the hash's top bits. */
static inline int put_bigram(yw_fvec_t *vec, yw_termset_t *ts, ts_geom_t *g, uint64_t h)
{
    uint64_t term = YW_TERM_MAKE(YW_TERM_BIGRAM, h);
    if (!ts) return fvec_push(vec, term);
    return ts_put_at(ts, g, term, (size_t)((h << (64 - YW_TERM_KIND_SHIFT)) >> g->sh[YW_TERM_BIGRAM]),
                     1);
}

/* A Han run of one character is kept as that character alone. */
static int unigram(yw_fvec_t *vec, yw_termset_t *ts, ts_geom_t *g,
                   const unsigned char *p)
{
    size_t n;
    u8_decode(p, &n);
    return put_bigram(vec, ts, g, text_hash(p, n));
}

/* Note position i for the later pass (see yw_text_marks_t). */
static inline void mark(yw_text_marks_t *m, size_t i)
{
    if (m->n < YW_TEXT_MARKS_MAX) {
        m->qty_state[m->n] = 0;
        m->pos[m->n++] = (uint32_t)i;
    } else {
        m->overflow = true;
    }
}

/* yw_text_quantity_at at i, the answer kept with mark mi if that mark is
 * at i (marks may be NULL). */
static inline bool quantity_noted(const char *s, size_t len, size_t i, yw_qty_t *q,
                                  yw_text_marks_t *marks, size_t mi)
{
    bool ok = yw_text_quantity_at(s, len, i, q);
    if (marks && mi < marks->n && marks->pos[mi] == i) {
        marks->qty_state[mi] = ok ? 2 : 1;
        if (ok) marks->qty[mi] = *q;
    }
    return ok;
}

bool yw_text_marks_quantity(const yw_text_marks_t *m, size_t i, const char *s, size_t len,
                            yw_qty_t *q)
{
    if (m->qty_state[i] == 1) return false;
    if (m->qty_state[i] == 2) {
        *q = m->qty[i];
        return true;
    }
    return yw_text_quantity_at(s, len, m->pos[i], q);
}

void yw_text_marks_init(yw_text_marks_t *m, const uint8_t han_bits[YW_TEXT_HAN_BITS])
{
    pthread_once(&num_once, num_bits_init);
    for (size_t k = 0; k < YW_TEXT_HAN_N; k++)
        m->cls[k] = (uint8_t)(han_cls[k] | (han_bits[k >> 3] >> (k & 7) & 1 ? TC_MARK : 0));
    m->n = 0;
    m->overflow = false;
}

/* Could yw_text_quantity_at find a quantity at the Han numeral or 上/近
 * (class cls) at i?  A cheap look at the next character that answers the
 * common no (一直, 上面, 十分) exactly as the full reading would: after
 * 上/近 a numeral must follow; a numeral that no numeral follows makes a
 * quantity only before a unit (元 人 ...) or if it is 万/亿 (then an
 * amount on its own).  Yes means 'read it'. */
static inline bool han_quantity_possible(const unsigned char *b, size_t len, size_t i,
                                         unsigned cls)
{
    unsigned next = 0;                     /* class of the next character */
    if (i + 6 <= len) {
        const unsigned char *p = b + i + 3;
        uint32_t k = (((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu)) - 0x4E00;
        if (p[0] >= 0xE4 && p[0] <= 0xE9 && k <= 0x9FFF - 0x4E00)
            next = han_cls[k];
        else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x87)
            next = TC_NUM;                 /* 〇, a numeral outside the table */
    }
    if (next & TC_NUM) return true;
    if (cls & TC_QSTART) return false;
    return (next & TC_UNIT) || (cls & TC_BIG);
}

/* A quantity may start at the Han numeral (or 上/近) at i: read it, and
 * add its class term if there is one.  mi is the mark made at i, if one
 * was (see quantity_noted).  0, or -1 on ENOMEM.  Out of line: about one
 * character in thirty gets here, and inlined it crowded the registers of
 * the loop that handles the others. */
static __attribute__((noinline)) int han_quantity(const char *s, size_t len, size_t i,
                                                  yw_fvec_t *vec, yw_termset_t *ts,
                                                  ts_geom_t *g, yw_text_marks_t *marks,
                                                  size_t mi)
{
    yw_qty_t q;
    if (!quantity_noted(s, len, i, &q, marks, mi)) return 0;
    const char *cls = yw_text_quantity_class(&q);
    return put(vec, ts, g, yw_text_term(YW_TERM_NUMBER, cls, strlen(cls)));
}

/* The tokenizer's look at a Han character of class cls (nonzero) at i:
 * note it for the caller, and read a quantity if one starts here -- at
 * the first numeral of a run of them, or at 上/近 right before one, and
 * not right after ASCII digits ("20万元" was read at the 2).  *num_end
 * is where the last numeral seen ended: the character at i follows a
 * numeral if it is i (kept as a position, so that the characters with no
 * class need not update anything).  0, or -1 on ENOMEM. */
static inline __attribute__((always_inline)) int
han_class(const char *s, size_t len, size_t i, unsigned cls, size_t *num_end, yw_fvec_t *vec,
          yw_termset_t *ts, ts_geom_t *g, yw_text_marks_t *marks)
{
    size_t mi = marks ? marks->n : 0;      /* the mark about to be made */
    if (cls & TC_MARK) mark(marks, i);     /* (only marks' own table has it) */
    bool after_num = *num_end == i;
    if (cls & TC_NUM) *num_end = i + 3;
    if (!(cls & (TC_NUM | TC_QSTART)) || after_num || (i > 0 && is_digit((unsigned char)s[i - 1])))
        return 0;
    if (han_quantity_possible((const unsigned char *)s, len, i, cls))
        return han_quantity(s, len, i, vec, ts, g, marks, mi);
    /* no quantity here: say so for the later pass, as quantity_noted does */
    if (marks && mi < marks->n) marks->qty_state[mi] = 1;
    return 0;
}

static inline __attribute__((always_inline)) int
tokens(const char *s, size_t len, yw_fvec_t *vec, yw_termset_t *ts, ts_geom_t *g,
       yw_text_marks_t *marks)
{
    const unsigned char *b = (const unsigned char *)s;
    size_t i = 0, n;
    size_t prev = (size_t)-1;     /* start of the previous Han char in a run */
    size_t run = 0;               /* Han run length so far (0, 1 or more) */
    size_t num_end = SIZE_MAX;    /* just after the last Chinese numeral, if any */
    yw_qty_t q;

    pthread_once(&num_once, num_bits_init);
    /* one byte per Han character says whether it needs a closer look: a
     * numeral (quantities) or a character the caller wants noted */
    const uint8_t *cls_tab = marks ? marks->cls : han_cls;
    if (marks) {
        marks->n = 0;
        marks->overflow = false;
    }
    while (i < len) {
        unsigned c = b[i];
        if (c >= 0x80) {
            uint32_t cp;
            int han;
            if (c >= 0xE4 && c <= 0xE9) {      /* U+4000..U+9FFF: most Han */
                cp = ((c & 0x0Fu) << 12) | ((b[i + 1] & 0x3Fu) << 6) | (b[i + 2] & 0x3Fu);
                n = 3;
                /* only U+4DC0..U+4DFF (Yijing symbols) in this range is not Han */
                han = c != 0xE4 || cp < 0x4DC0 || cp >= 0x4E00;
            } else {
                cp = u8_decode(b + i, &n);
                han = is_han(cp);
            }
            if (han) {
                /* (the order in which terms are put makes no difference) */
                uint32_t k = cp - 0x4E00;
                unsigned cls = k <= 0x9FFF - 0x4E00 ? cls_tab[k] : 0;
                if (cls && han_class(s, len, i, cls, &num_end, vec, ts, g, marks)) return -1;
                if (run > 0) {
                    /* two 3-byte characters (nearly every bigram): a
                     * constant length, so the hash inlines to two
                     * multiplies */
                    size_t bl = i + n - prev;
                    uint64_t h = bl == 6 ? text_hash(b + prev, 6) : text_hash(b + prev, bl);
                    if (put_bigram(vec, ts, g, h)) return -1;
                }
                prev = i;
                run++;
                i += n;
                if (n != 3) continue;
                /* The rest of a run of 3-byte characters in U+4E00..U+9FFF
                 * (the bulk of a Chinese text): the same steps, with the
                 * dispatch and the general bigram length folded away; the
                 * previous character is always the 3 bytes before p. */
                /* (i >= 3 here, so stop is inside the text: p < stop
                 * says p[0..2] can be read) */
                const unsigned char *p = b + i, *stop = b + len - 2;
                /* The term set's bigram geometry in plain locals: g is
                 * passed out of line, so its fields would live in memory
                 * and be reloaded around every store into the table.
                 * room goes back to g before anything out of line runs
                 * (han_class, a probe past the home slot) and is read
                 * again after it. */
                yw_fterm_t *slot = ts ? g->slot : NULL;
                uint64_t *used = ts ? g->used : NULL;
                unsigned bsh = ts ? g->sh[YW_TERM_BIGRAM] : 0;
                uint32_t room = ts ? g->room : 0;
                while (p < stop) {
                    /* cp - 0x4E00 from the bytes as they are: valid UTF-8
                     * continuation bytes are 0x80..0xBF, so subtracting
                     * 0x80 is the usual & 0x3F, and one constant.  The one
                     * range test also rejects every other character (p is
                     * always at a character's first byte): a lead byte
                     * below E4 (ASCII, 2-byte, E0..E3) takes the sum below
                     * zero, i.e. round to a huge unsigned value, whatever
                     * valid bytes follow; EA and above give at least
                     * 0x5200; E4 with U+4000..U+4DFF goes below zero */
                    uint32_t k3 = (((uint32_t)p[0] - 0xE4u) << 12) + ((uint32_t)p[1] << 6) +
                                  p[2] - ((0x80u << 6) + 0x80u + (0x4E00u - 0x4000u));
                    if (k3 > 0x9FFF - 0x4E00) break;
                    unsigned cls3 = cls_tab[k3];
                    if (cls3) {
                        if (ts) g->room = room;
                        if (han_class(s, len, (size_t)(p - b), cls3, &num_end, vec, ts, g,
                                      marks))
                            return -1;
                        if (ts) room = g->room;
                    }
                    uint64_t h = text_hash(p - 3, 6);
                    if (!ts) {
                        if (fvec_push(vec, YW_TERM_MAKE(YW_TERM_BIGRAM, h))) return -1;
                    } else {
                        /* ts_put_at's two common cases inline: the home
                         * slot is empty (and the table has room), or it
                         * holds this bigram */
                        uint64_t term = YW_TERM_MAKE(YW_TERM_BIGRAM, h);
                        size_t hi = (size_t)((h << (64 - YW_TERM_KIND_SHIFT)) >> bsh);
                        uint64_t t = slot[hi].term;
                        if (t == 0 && room != 0) {
                            slot[hi].term = term;
                            slot[hi].w = 1;
                            used[hi >> 6] |= 1ull << (hi & 63);
                            room--;
                        } else if (t == term) {
                            slot[hi].w += 1;
                        } else {
                            g->room = room;
                            if (ts_put_at(ts, g, term, hi, 1)) return -1;
                            room = g->room;
                        }
                    }
                    p += 3;
                }
                if (ts) g->room = room;
                if (p != b + i) {
                    run = 2;                /* (only 0, 1 and more are told apart) */
                    i = (size_t)(p - b);
                    prev = i - 3;
                }
                continue;
            }
            /* another script's letter: ends the Han run, not a token */
            i += n;
        } else if (word_char(c)) {
            size_t j = i;
            int letter = 0;
            size_t mi = marks ? marks->n : 0;
            if (marks && is_digit(c)) mark(marks, i);
            while (j < len) {
                unsigned d = b[j];
                if (word_char(d)) {
                    letter |= d >= 'a';
                    j++;
                } else if ((d == '.' || d == '-' || d == '_') && j + 1 < len &&
                           word_char(b[j + 1])) {
                    j++;
                    if (marks && d != '.' && is_digit(b[j])) mark(marks, j);
                } else {
                    break;
                }
            }
            if (letter) {
                if (put(vec, ts, g, YW_TERM_MAKE(YW_TERM_WORD, text_hash(b + i, j - i))))
                    return -1;
            } else if (quantity_noted(s, len, i, &q, marks, mi)) {
                const char *cls = yw_text_quantity_class(&q);
                if (put(vec, ts, g, yw_text_term(YW_TERM_NUMBER, cls, strlen(cls))))
                    return -1;
            }
            i = j;
        } else {
            i++;
        }
        /* any non-Han character ends the run */
        if (run == 1 && unigram(vec, ts, g, b + prev)) return -1;
        run = 0;
    }
    if (run == 1 && unigram(vec, ts, g, b + prev)) return -1;
    return 0;
}

int yw_text_tokens(const char *s, size_t len, yw_fvec_t *vec)
{
    return tokens(s, len, vec, NULL, NULL, NULL);
}

int yw_text_tokens_set(const char *s, size_t len, yw_termset_t *ts, yw_text_marks_t *marks)
{
    if (!ts) return -1;      /* (also tells the compiler: no NULL test per term) */
    ts_geom_t g = ts->g;     /* (see ts_geom_t) */
    int rc = tokens(s, len, NULL, ts, &g, marks);
    ts->g.room = g.room;     /* on failure too: begin reads it */
    return rc;
}

/* ---- display width ---------------------------------------------------- */

size_t yw_text_width(const char *s, size_t len)
{
    const unsigned char *b = (const unsigned char *)s;
    size_t i = 0, w = 0, n;
    while (i < len) {
        uint32_t cp = b[i] < 0x80 ? (n = 1, b[i]) : u8_decode(b + i, &n);
        if (i + n > len) break;
        int wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                   (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                   (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                   (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
                   (cp >= 0x20000 && cp <= 0x3FFFD);
        w += wide ? 2 : 1;
        i += n;
    }
    return w;
}
