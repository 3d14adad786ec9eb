/* utf8.c -- strict UTF-8 validation (Unicode 15, table 3-7).
 *
 * The acceptance ranges below are the well-formed byte sequences of the
 * Unicode standard: the second byte's range depends on the lead byte, which
 * is what excludes overlongs (E0 80..9F, F0 80..8F), surrogates (ED A0..BF)
 * and code points past U+10FFFF (F4 90..BF, F5..FF).
 *
 * Complaint texts are mostly CJK (three-byte sequences) wrapped in ASCII
 * JSON syntax, so ASCII runs are skipped eight bytes at a time and runs of
 * common three-byte characters get a loop of their own. */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

static inline bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

size_t yw_utf8_scan(const char *buf, size_t len)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t i = 0;

    while (i < len) {
        /* ASCII fast path: a word without any high bit set is all ASCII.
         * memcpy keeps the load legal for unaligned buffers. */
        while (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, sizeof w);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= len)
            break;

        /* CJK fast path: most Han characters are E1..EC plus two
         * continuation bytes, for which no other check applies. */
        while (len - i >= 3 && s[i] >= 0xE1 && s[i] <= 0xEC &&
               is_cont(s[i + 1]) && is_cont(s[i + 2]))
            i += 3;
        if (i >= len)
            break;

        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }

        size_t need;                    /* continuation bytes after the lead */
        unsigned char lo = 0x80, hi = 0xBF;   /* range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;              /* below: overlong */
            else if (c == 0xED)
                hi = 0x9F;              /* above: UTF-16 surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;              /* below: overlong */
            else if (c == 0xF4)
                hi = 0x8F;              /* above: > U+10FFFF */
        } else {
            return i;   /* C0, C1 (overlong), F5..FF, or a stray continuation */
        }

        if (len - i <= need)
            return i;                   /* truncated by the end of the buffer */
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= need; k++)
            if (!is_cont(s[i + k]))
                return i;
        i += need + 1;
    }
    return len;
}

bool yw_utf8_valid(const char *buf, size_t len)
{
    return yw_utf8_scan(buf, len) == len;
}
