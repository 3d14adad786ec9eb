/* text_norm.c -- normalisation (yw_text_normalize, see text.h): the one
 * form every later matcher sees.  Full-width ASCII folded, case folded,
 * punctuation runs to one space, URLs to their host; the bulk of a Chinese
 * text is copied 15 bytes at a time.
 *
 * yw_text_mask_normalize is the masker (pii.c) and the normaliser in one
 * pass, for the features stage: Han runs and the common separators, which
 * the masker copies as they are, are read once and written to both
 * outputs; anything else is one step of the masker (pii_impl.h) whose
 * output the normaliser then reads, as it would have in the second pass. */
#include "text.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "pii_impl.h"
#include "text_impl.h"

/* Non-ASCII code points that separate words: punctuation, symbols,
 * spaces, emoji.  Everything else (letters of any script) is kept. */
static int is_sep_cp(uint32_t cp)
{
    if (cp < 0x80) return 0;
    if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7) return 1;   /* C1, Latin-1 punct */
    if (cp >= 0x2000 && cp <= 0x206F) return 1;   /* general punctuation */
    if (cp >= 0x2190 && cp <= 0x21FF) return 1;   /* arrows */
    if (cp >= 0x2460 && cp <= 0x27BF) return 1;   /* ①, boxes, shapes, ★ */
    if (cp >= 0x3000 && cp <= 0x303F) return 1;   /* CJK punctuation */
    if (cp >= 0xFE10 && cp <= 0xFE1F) return 1;   /* vertical forms */
    if (cp >= 0xFE30 && cp <= 0xFE6F) return 1;   /* compatibility forms */
    if (cp >= 0xFF5F && cp <= 0xFF65) return 1;   /* half-width brackets */
    if (cp >= 0xFFE0 && cp <= 0xFFEE) return 1;   /* full-width symbols */
    if (cp == 0xFEFF) return 1;                   /* BOM */
    if (cp >= 0x1F000 && cp <= 0x1FAFF) return 1; /* emoji */
    return 0;
}

/* Digit at p (ASCII, or full-width which folds to one)? */
static inline int digit_at(const unsigned char *p, const unsigned char *end)
{
    if (p >= end) return 0;
    if (is_digit(*p)) return 1;
    return end - p >= 3 && p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 &&
           p[2] <= 0x99;
}

static int ascii_ieq(const unsigned char *p, const unsigned char *end,
                     const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(end - p) < n) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = p[i];
        if (c >= 'A' && c <= 'Z') c += 32;
        if (c != (unsigned char)lit[i]) return 0;
    }
    return 1;
}

/* If a URL starts at p, return the length of its scheme prefix to skip
 * (0 for "www." which is part of the host), else -1. */
static int url_start(const unsigned char *p, const unsigned char *end)
{
    if (ascii_ieq(p, end, "https://")) return 8;
    if (ascii_ieq(p, end, "http://")) return 7;
    if (ascii_ieq(p, end, "www.")) return 0;
    return -1;
}

static inline int url_host_char(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
           c == '.' || c == '-';
}

/* Characters that may continue a URL after its host. */
static inline int url_tail_char(unsigned c)
{
    return c > 0x20 && c < 0x7F && c != '"' && c != '<' && c != '>' &&
           c != '\'' && c != '(' && c != ')';
}

#ifdef __SSE2__
/* How many of the 16 bytes at p are whole 3-byte characters in
 * U+4000..U+DFFF (lead byte E4..ED, two continuation bytes each)?  p is
 * at a character boundary and the text is valid UTF-8, so it is enough
 * to find the first byte that is neither such a lead nor a continuation
 * byte: it is the lead of the next character, and every byte before it
 * belongs to one of these characters.  If all 16 are, the 16th may be a
 * lead whose character goes on: then 15 (five characters).  Those
 * characters are copied as they are: the bulk of a Chinese text then
 * moves in steps of up to 15 bytes instead of 3. */
static inline unsigned han_prefix16(__m128i v)
{
    __m128i cont = _mm_sub_epi8(v, _mm_set1_epi8((char)0x80));
    __m128i lead = _mm_sub_epi8(v, _mm_set1_epi8((char)0xE4));
    __m128i ok = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(cont, _mm_set1_epi8(0x3F)), cont),
                              _mm_cmpeq_epi8(_mm_min_epu8(lead, _mm_set1_epi8(9)), lead));
    unsigned not_ok = ~(unsigned)_mm_movemask_epi8(ok) & 0x7FFF;
    return not_ok ? (unsigned)__builtin_ctz(not_ok) : 15;
}
#endif

/* The normaliser's state between characters: the output so far and what
 * the next character needs to know. */
typedef struct {
    char *out;
    size_t o, cap;
    int pending;                  /* a separator run is waiting */
    int prev_alnum;               /* last input char was ASCII alnum */
} norm_t;

/* Copy the Han run at *pp (lead bytes E4..ED: U+4000..U+DFFF, Han, Yi,
 * Hangul -- letters, copied as they are without decoding; the bulk of a
 * Chinese text), up to 15 bytes at a time while 16 can be read, then its
 * last few characters one by one.  Each character needs room for itself,
 * a space and the NUL, as when the main loop copied them one at a time.
 * If dup is not NULL the run is copied to *dup as well, which moves with
 * *pp (the masked text: a Han run is never masked).  0, or 1 if out is
 * full (*pp is then where it stopped). */
static inline __attribute__((always_inline)) int
norm_han(norm_t *s, const unsigned char **pp, const unsigned char *end, unsigned char **dup)
{
    const unsigned char *p = *pp, *run = p;
    char *out = s->out;
    size_t o = s->o, cap = s->cap;
    int full = 0;

    if (o + 1 + 3 + 1 > cap) return 1;
    if (s->pending && o) out[o++] = ' ';
    s->pending = 0;
    s->prev_alnum = 0;
#ifdef __SSE2__
    /* output is never ahead of input, so o + 16 <= p - in + 16 <= len
     * (and the masked text is not ahead either); the check on cap is for
     * callers with a short one */
    while (end - p >= 16 && o + 16 + 1 <= cap) {
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        unsigned k = han_prefix16(v);
        _mm_storeu_si128((__m128i *)(out + o), v);
        if (dup) {
            _mm_storeu_si128((__m128i *)*dup, v);
            *dup += k;
        }
        o += k;
        p += k;
        if (k < 15) goto ended;     /* the run ends at p */
    }
#endif
    while (p < end && *p >= 0xE4 && *p <= 0xED) {
        if (p != run && o + 1 + 3 + 1 > cap) {
            full = 1;
            break;
        }
        memcpy(out + o, p, 3);
        if (dup) {
            memcpy(*dup, p, 3);
            *dup += 3;
        }
        o += 3;
        p += 3;
    }
#ifdef __SSE2__
ended:
#endif
    s->o = o;
    *pp = p;
    return full;
}

/* Normalise the characters that start in [p, stop), reading up to end
 * (>= stop) where a character looks at the next one.  URLs are looked
 * for only if urls.  0, or 1 if out is full. */
static inline __attribute__((always_inline)) int
norm_run(norm_t *s, const unsigned char *p, const unsigned char *stop, const unsigned char *end,
         int urls)
{
    char *out = s->out;
    size_t cap = s->cap;

    while (p < stop) {
        unsigned c = *p;
        size_t n = 1;
        uint32_t cp = c;

        if (c >= 0xE4 && c <= 0xED) {
            if (norm_han(s, &p, stop, NULL)) return 1;
            continue;
        }
        size_t o = s->o;
        if (c == 0xE3 && p[1] == 0x80) {
            /* U+3000..U+303F (、。「」 and the ideographic space): all
             * separators, the most common ones in Chinese text */
            s->pending = 1;
            s->prev_alnum = 0;
            p += 3;
            continue;
        }
        if (c == 0xEF && p[1] == 0xBC && p[2] == 0x8C) {
            /* ， (U+FF0C), the commonest of all: what the full-width
             * path below does with it -- a ',' that is dropped between
             * digits and is a separator anywhere else */
            if (!(!s->pending && o && is_digit((unsigned char)out[o - 1]) && digit_at(p + 3, end)))
                s->pending = 1;
            s->prev_alnum = 0;
            p += 3;
            continue;
        }
        if (c >= 0x80) {
            cp = u8_decode(p, &n);
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                cp -= 0xFEE0;            /* full-width ASCII -> ASCII */
            } else if (cp == 0x3000 || is_sep_cp(cp)) {
                s->pending = 1;
                s->prev_alnum = 0;
                p += n;
                continue;
            } else {
                /* a letter of some script: copied as is */
                if (o + (s->pending && o) + n + 1 > cap) return 1;
                if (s->pending && o) out[o++] = ' ';
                s->pending = 0;
                memcpy(out + o, p, n);
                s->o = o + n;
                p += n;
                s->prev_alnum = 0;
                continue;
            }
        }

        /* ASCII (possibly folded from full-width) */
        if (cp >= 'A' && cp <= 'Z') cp += 32;
        if (urls && !s->prev_alnum && n == 1 && (cp == 'h' || cp == 'w')) {
            int skip = url_start(p, end);
            if (skip >= 0) {
                const unsigned char *h = p + skip, *he = h;
                while (he < end && url_host_char(*he)) he++;
                const unsigned char *t = he;
                while (t < end && url_tail_char(*t)) t++;
                while (he > h && (he[-1] == '.' || he[-1] == '-')) he--;
                if (he > h) {
                    size_t hl = (size_t)(he - h);
                    if (o + 1 + hl + 1 > cap) return 1;
                    if (o) out[o++] = ' ';
                    for (size_t k = 0; k < hl; k++) {
                        unsigned hc = h[k];
                        out[o++] = (char)(hc >= 'A' && hc <= 'Z' ? hc + 32 : hc);
                    }
                    s->o = o;
                }
                s->pending = 1;         /* the host is a token of its own */
                s->prev_alnum = 0;
                p = t;
                continue;
            }
        }
        if (is_alnum_lc(cp)) {
            if (o + 2 + 1 > cap) return 1;
            if (s->pending && o) out[o++] = ' ';
            s->pending = 0;
            out[o++] = (char)cp;
            s->o = o;
            s->prev_alnum = 1;
            p += n;
            continue;
        }
        /* '.' and ',' inside a number: keep the decimal point, drop the
         * thousands separator */
        if ((cp == '.' || cp == ',') && !s->pending && o && is_digit((unsigned char)out[o - 1]) &&
            digit_at(p + n, end)) {
            if (cp == '.') {
                if (o + 2 > cap) return 1;
                out[o++] = '.';
                s->o = o;
            }
            p += n;
            s->prev_alnum = 0;
            continue;
        }
        s->pending = 1;
        s->prev_alnum = 0;
        p += n;
    }
    return 0;
}

size_t yw_text_normalize(const char *in, size_t len, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)in, *end = p + len;
    norm_t s = {out, 0, cap, 0, 0};

    if (cap == 0) return 0;
    norm_run(&s, p, end, end, 1);
    out[s.o] = '\0';
    return s.o;
}

/* norm_run of one step of the masker, out of line: about two a record. */
static __attribute__((noinline)) int norm_span(norm_t *s, const unsigned char *p,
                                               const unsigned char *stop,
                                               const unsigned char *end)
{
    return norm_run(s, p, stop, end, 0);
}

size_t yw_text_mask_normalize(const char *in, size_t len, char *masked, size_t *masked_len,
                              unsigned *nmasked, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)in, *end = p + len;
    unsigned char *m = (unsigned char *)masked;
    norm_t s = {out, 0, cap, 0, 0};
    unsigned nm = 0;

    if (cap == 0) goto rest;
    while (p < end) {
        unsigned c = *p;
        if (c >= 0xE4 && c <= 0xED) {
            if (norm_han(&s, &p, end, &m)) goto rest;
            continue;
        }
        if (c == 0xE3 && p[1] == 0x80) {
            /* 、。 etc.: copied, a separator (as in norm_run) */
            memcpy(m, p, 3);
            m += 3;
            p += 3;
            s.pending = 1;
            s.prev_alnum = 0;
            continue;
        }
        if (c == 0xEF && p[1] == 0xBC && p[2] == 0x8C) {
            /* ，: as in norm_run; the character after it is the same in
             * the masked text (the first one of a masker's step is) */
            memcpy(m, p, 3);
            m += 3;
            if (!(!s.pending && s.o && is_digit((unsigned char)out[s.o - 1]) &&
                  digit_at(p + 3, end)))
                s.pending = 1;
            s.prev_alnum = 0;
            p += 3;
            continue;
        }
        /* ASCII punctuation and spaces, and their full-width forms
         * (U+FF01..U+FF5E, folded to ASCII by norm_run): copied, a
         * separator.  Not '.' and ',' (kept or dropped inside a number),
         * nor what folds to a letter or a digit ((a | 0x20) also sends a
         * few control characters the long way) */
        unsigned a = 'a';
        size_t n = 1;
        if (c < 0x80) {
            a = c;
        } else if (c == 0xEF && ((p[1] == 0xBC && p[2] > 0x80) || (p[1] == 0xBD && p[2] <= 0x9E))) {
            a = p[2] - (p[1] == 0xBC ? 0x60u : 0x20u);
            n = 3;
        }
        if (!is_alnum_lc(a | 0x20) && a != '.' && a != ',') {
            if (n == 1)
                *m = (unsigned char)c;
            else
                memcpy(m, p, 3);
            m += n;
            p += n;
            s.pending = 1;
            s.prev_alnum = 0;
            continue;
        }
        if (!s.prev_alnum && ((c | 0x20) == 'h' || (c | 0x20) == 'w') && url_start(p, end) >= 0) {
            /* a URL: its host is read from the masked text, which is not
             * written yet that far.  Mask the rest, then normalise it. */
            unsigned char *ms = m;
            m += yw_pii_mask_rest(in, (const char *)p, (const char *)end, (char *)m, &nm);
            norm_run(&s, ms, m, m, 1);
            goto done;
        }
        /* anything else: one step of the masker, then normalise what it
         * wrote.  norm_run looks at most one character past it (a digit
         * after '.' or ','): the next one, which is the same masked or not,
         * is put after it to be read (and overwritten by the next step). */
        unsigned char *ms = m;
        char *mw = (char *)m;           /* (m's address stays here: it is
                                           kept in a register in the loop) */
        unsigned k = nm;
        p = (const unsigned char *)yw_pii_mask_unit(in, (const char *)p, (const char *)end,
                                                    &mw, &k);
        nm = k;
        m = (unsigned char *)mw;
        size_t la = (size_t)(end - p) < 3 ? (size_t)(end - p) : 3;
        memcpy(m, p, la);
        norm_t t = s;                   /* (so that s need not live in memory) */
        int full = norm_span(&t, ms, m, m + la);
        s = t;
        if (full) goto rest;
    }
    goto done;
rest:
    /* out is full: only the masking goes on */
    m += yw_pii_mask_rest(in, (const char *)p, (const char *)end, (char *)m, &nm);
done:
    *m = '\0';
    *masked_len = (size_t)(m - (unsigned char *)masked);
    if (nmasked) *nmasked = nm;
    if (cap) out[s.o] = '\0';
    return s.o;
}
