/* text_impl.h -- the byte and UTF-8 helpers and the term hash shared by
 * text.c (tokens, quantities), text_norm.c (normalisation) and
 * cluster_label.c (phrases re-hashed as the tokenizer hashed them), inline
 * here so that their loops inline them.  Input is trusted to be valid UTF-8 (the record
 * decoder validated it once).  Not part of the library's API: include
 * text.h instead. */
#ifndef YW_TEXT_IMPL_H
#define YW_TEXT_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* ---- the term hash ------------------------------------------------------
 * wyhash-style: 64x64->128 multiply, fold the halves.  The constants are
 * odd 64-bit numbers with well-spread bits.  Unsalted: a term's hash is
 * this XOR yw_text_salt_bits() (text.c), which is 0 except in evaluation
 * builds. */

#define HP0 0xa0761d6478bd642full
#define HP1 0xe7037ed1a0b428dbull
#define HP2 0x8ebc6af09c88c6e3ull

static inline uint64_t mum(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t rd8(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t rd4(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint64_t text_hash_raw(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t seed = HP0 ^ ((uint64_t)len * HP2), a, b;

    if (len <= 16) {
        if (len >= 4) {
            /* two (possibly overlapping) reads cover 4..16 bytes */
            size_t q = (len >> 3) << 2;
            a = (rd4(p) << 32) | rd4(p + q);
            b = (rd4(p + len - 4) << 32) | rd4(p + len - 4 - q);
        } else if (len > 0) {
            a = ((uint64_t)p[0] << 16) | ((uint64_t)p[len >> 1] << 8) | p[len - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = len;
        while (i > 16) {
            seed = mum(rd8(p) ^ HP1, rd8(p + 8) ^ seed);
            p += 16;
            i -= 16;
        }
        a = rd8(p + i - 16);
        b = rd8(p + i - 8);
    }
    return mum(HP1 ^ len, mum(a ^ HP1, b ^ seed));
}

#endif
