/* text_impl.h -- the byte and UTF-8 helpers shared by text.c (tokens,
 * quantities), text_norm.c (normalisation) and cluster_label.c (phrases
 * re-hashed as the tokenizer hashed them), inline here so that their
 * loops inline them.  Input is trusted to be valid UTF-8 (the record
 * decoder validated it once).  Not part of the library's API: include
 * text.h instead. */
#ifndef YW_TEXT_IMPL_H
#define YW_TEXT_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* ---- UTF-8 helpers (input already validated) -------------------------- */

static inline uint32_t u8_decode(const unsigned char *p, size_t *n)
{
    unsigned c = p[0];
    if (c < 0x80) { *n = 1; return c; }
    if (c < 0xE0) { *n = 2; return ((c & 0x1Fu) << 6) | (p[1] & 0x3Fu); }
    if (c < 0xF0) {
        *n = 3;
        return ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    }
    *n = 4;
    return ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) |
           ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
}

static inline int is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
}

static inline int is_alnum_lc(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static inline int is_digit(unsigned c) { return c >= '0' && c <= '9'; }

#endif
