/* pii.c -- masking of personal data in free text, and keyed hashing.
 *
 * The masker is one pass over the bytes: ordinary bytes are copied in a
 * tight loop, and only digits (ASCII or full-width) and ASCII letters
 * right after a Han character (a plate's province) make it look closer.
 * No regex: this runs on every text of every record before anything is
 * stored or logged, and must cost less than the tokenizer.
 * See pii.h for exactly what is masked and how. */
#include "pii.h"
#include "pii_impl.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <openssl/evp.h>
#include <openssl/hmac.h>

/* Byte classes for the fast copy loop. */
enum { B_PLAIN = 0, B_DIGIT = 1, B_LETTER = 2, B_FULL = 3 };

static unsigned char byte_class[256];
static bool classes_ready;

static void classes_init(void)
{
    /* idempotent and racy-safe: every writer writes the same values */
    for (int c = '0'; c <= '9'; c++) byte_class[c] = B_DIGIT;
    for (int c = 'A'; c <= 'Z'; c++) byte_class[c] = B_LETTER;
    for (int c = 'a'; c <= 'z'; c++) byte_class[c] = B_LETTER;
    byte_class[0xEF] = B_FULL;      /* lead byte of full-width digits */
    classes_ready = true;
}

#ifdef __SSE2__
/* Which of the 16 bytes at q may begin a mask (bit i for q[i]): ASCII
 * digits and letters, and 0xEF (the lead byte of full-width digits).
 * Every other byte is copied as it is, so the copy loop may jump to the
 * first such byte at once: all bytes before it are plain, and an ASCII
 * byte or a lead byte is never inside a character (a jump of 16 may end
 * inside one: its continuation bytes are plain too). */
static inline unsigned hits16(const unsigned char *q)
{
    __m128i v = _mm_loadu_si128((const __m128i *)q);
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    __m128i l = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    __m128i hit = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d),
                     _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(25)), l)),
        _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xEF)));
    return (unsigned)_mm_movemask_epi8(hit);
}
#endif

/* Length in bytes of a digit at p (1 ASCII, 3 full-width), 0 if none. */
static inline size_t digit_len(const unsigned char *p, const unsigned char *end)
{
    if (p >= end) return 0;
    if (*p >= '0' && *p <= '9') return 1;
    if (end - p >= 3 && p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99)
        return 3;
    return 0;
}

/* Length of a ',' or '，' at p (1 or 3 bytes), 0 if none: the separators
 * normalisation drops between two digits (text_norm.c). */
static inline size_t comma_len(const unsigned char *p, const unsigned char *end)
{
    if (p < end && *p == ',') return 1;
    if (end - p >= 3 && p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8C) return 3;
    return 0;
}

static inline bool is_x(const unsigned char *p, const unsigned char *end)
{
    return p < end && (*p == 'X' || *p == 'x');
}

static inline bool is_alnum(unsigned c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* A number group starting at p: digit runs joined by single '-' or ' '
 * when both sides have >= 3 digits ("138 1234 5678", "0731-88885678"),
 * so dates ("2019-04-25") are not glued into long runs; and by a single
 * ',' or '，' between any two digits, because normalisation drops those
 * (a thousands separator: "1,000" -> "1000", text_norm.c) and would
 * otherwise join what was left unmasked here: "622，021234567" came out
 * of it as twelve digits in clear (found by fuzz_features). */
typedef struct {
    const unsigned char *end;   /* one past the group */
    size_t digits;              /* digits in the group (a final X counts) */
    size_t runs;
    size_t first_len, second_len;
    unsigned char first_digit;  /* ASCII value of the first digit */
    unsigned char first_sep;
} numgroup_t;

static size_t scan_run(const unsigned char *p, const unsigned char *end,
                       const unsigned char **after)
{
    size_t n = 0, dl;
    while ((dl = digit_len(p, end)) != 0) {
        p += dl;
        n++;
    }
    *after = p;
    return n;
}

static void scan_group(const unsigned char *p, const unsigned char *end,
                       numgroup_t *g)
{
    const unsigned char *q;
    size_t n = scan_run(p, end, &q);

    memset(g, 0, sizeof(*g));
    g->first_digit = p[0] == 0xEF ? (unsigned char)('0' + (p[2] - 0x90)) : p[0];
    g->first_len = n;
    g->digits = n;
    g->runs = 1;
    size_t last = n;
    for (;;) {
        size_t sl = 0;
        bool comma = false;
        if (q < end && (*q == '-' || *q == ' ')) {
            sl = 1;
        } else if ((sl = comma_len(q, end)) != 0) {
            comma = true;
        }
        if (!sl || (!comma && last < 3) || !digit_len(q + sl, end)) break;
        const unsigned char *r;
        size_t m = scan_run(q + sl, end, &r);
        if (!comma && m < 3) break;
        if (g->runs == 1) {
            g->second_len = m;
            g->first_sep = comma ? ',' : *q;
        }
        g->runs++;
        g->digits += m;
        last = m;
        q = r;
    }
    /* ID cards end in a check character that may be X */
    if (g->digits == 17 && is_x(q, end) && !(q + 1 < end && is_alnum(q[1]))) {
        g->digits++;
        q++;
    }
    g->end = q;
}

static const uint32_t provinces[] = {
    0x4EAC, 0x6D25, 0x6CAA, 0x6E1D, 0x5180, 0x8C6B, 0x4E91, 0x8FBD, /* 京津沪渝冀豫云辽 */
    0x9ED1, 0x6E58, 0x7696, 0x9C81, 0x65B0, 0x82CF, 0x6D59, 0x8D63, /* 黑湘皖鲁新苏浙赣 */
    0x9102, 0x6842, 0x7518, 0x664B, 0x8499, 0x9655, 0x5409, 0x95FD, /* 鄂桂甘晋蒙陕吉闽 */
    0x8D35, 0x7CA4, 0x9752, 0x85CF, 0x5DDD, 0x5B81, 0x743C,         /* 贵粤青藏川宁琼 */
};

static bool province_before(const unsigned char *start, const unsigned char *p)
{
    if (p - start < 3 || (p[-3] & 0xF0) != 0xE0) return false;
    uint32_t cp = ((uint32_t)(p[-3] & 0x0F) << 12) | ((uint32_t)(p[-2] & 0x3F) << 6) |
                  (p[-1] & 0x3F);
    for (size_t i = 0; i < sizeof(provinces) / sizeof(provinces[0]); i++)
        if (provinces[i] == cp) return true;
    return false;
}

/* A plate body after the province: letter, optional '·' or ' ' or '-',
 * then 5-6 letters/digits with at least one digit, then a boundary.
 * Returns the total length (letter .. last char) and sets *body. */
static size_t plate_at(const unsigned char *p, const unsigned char *end,
                       const unsigned char **body, size_t *bodylen)
{
    const unsigned char *q = p + 1;
    if (q + 1 < end && q[0] == 0xC2 && q[1] == 0xB7) q += 2;       /* · */
    else if (q < end && (*q == ' ' || *q == '-')) q++;
    const unsigned char *b = q;
    int digits = 0;
    while (q < end && is_alnum(*q) && q - b < 7) {
        digits += *q >= '0' && *q <= '9';
        q++;
    }
    size_t n = (size_t)(q - b);
    if (n < 5 || n > 6 || !digits) return 0;
    if (q < end && (is_alnum(*q) || digit_len(q, end))) return 0;
    /* nor before a comma and a digit: normalisation drops that comma, and
     * the body's last character, kept in clear, would join the number
     * after it ("京A12345，6789012345" came out of it as "56789012345":
     * fuzz_features).  Not a plate, then: the letter is copied and the
     * digits are a number group of their own. */
    size_t cl = comma_len(q, end);
    if (cl && digit_len(q + cl, end)) return 0;
    *body = b;
    *bodylen = n;
    return (size_t)(q - p);
}

/* The masker's step at p, a character its copy loop stopped at (a digit,
 * an ASCII letter, 0xEF) or any other character (copied as it is): write
 * its masked form at out + *o and return the input after it, or NULL if
 * out (cap) is full.  start is where the text starts (the look back for
 * a plate's province).  Nothing here reads past a character that is not
 * an ASCII byte, a full-width digit or '，', so a step never depends on
 * the text after the next Han character. */
static inline __attribute__((always_inline)) const unsigned char *
mask_step(const unsigned char *start, const unsigned char *p, const unsigned char *end,
          char *out, size_t *op, size_t cap, unsigned *masked)
{
    size_t o = *op;
    unsigned cls = byte_class[*p];

    if (cls == B_LETTER) {
        const unsigned char *body;
        size_t bodylen, pl;
        if (province_before(start, p) && (pl = plate_at(p, end, &body, &bodylen)) != 0) {
            if (o + pl + 1 > cap) return NULL;
            size_t keep = (size_t)(body - p);
            memcpy(out + o, p, keep);
            o += keep;
            for (size_t k = 0; k + 1 < bodylen; k++) out[o++] = '*';
            out[o++] = (char)body[bodylen - 1];
            (*masked)++;
            *op = o;
            return p + pl;
        }
        /* an ordinary letter: copy it; digits after it are still
         * looked at ("tel13812345678" is masked) */
        if (o + 1 >= cap) return NULL;
        out[o++] = (char)*p;
        *op = o;
        return p + 1;
    }
    if (cls != B_DIGIT && !digit_len(p, end)) {
        /* some other character (a full-width one after 0xEF): copy it whole */
        size_t n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        if (n > (size_t)(end - p)) n = (size_t)(end - p);
        if (o + n + 1 > cap) return NULL;
        memcpy(out + o, p, n);
        *op = o + n;
        return p + n;
    }

    numgroup_t g;
    scan_group(p, end, &g);
    size_t keep_head = 0, keep_tail = 0;
    bool mask = false;
    if (g.runs >= 2 && g.first_digit == '0' && g.first_sep == '-' && g.first_len >= 3 &&
        g.first_len <= 4 && g.second_len >= 7 && g.second_len <= 8 &&
        g.digits - g.first_len - g.second_len <= 6) {
        /* landline: area code stays, local part but its last 4 masked,
         * an extension after it stays; more than an extension's digits
         * after it is another number ("0731-8456783-17867890 6222..."
         * kept 16 digits in clear: fuzz_features), and the rule below
         * masks the whole group */
        keep_head = g.first_len;
        keep_tail = g.digits - g.first_len - g.second_len + 4;
        mask = true;
    } else if (g.digits >= 11) {
        keep_head = 3;
        keep_tail = 4;
        mask = true;
    }
    if (!mask) {
        size_t n = (size_t)(g.end - p);
        if (o + n + 1 > cap) return NULL;
        memcpy(out + o, p, n);
        *op = o + n;
        return g.end;
    }
    /* the masked form is never longer than the group */
    if (o + (size_t)(g.end - p) + 1 > cap) return NULL;
    size_t idx = 0;
    while (p < g.end) {
        size_t dl = digit_len(p, g.end);
        if (!dl && is_x(p, g.end)) dl = 1;      /* the ID check char */
        if (!dl) {                              /* a separator */
            out[o++] = (char)*p++;
            continue;
        }
        if (idx < keep_head || idx >= g.digits - keep_tail) {
            memcpy(out + o, p, dl);
            o += dl;
        } else {
            out[o++] = '*';
        }
        idx++;
        p += dl;
    }
    (*masked)++;
    *op = o;
    return p;
}

/* Mask [p, end) of the text that starts at start into out; see
 * yw_pii_mask_n. */
static size_t mask_range(const unsigned char *start, const unsigned char *p,
                         const unsigned char *end, char *out, size_t cap, unsigned *nmasked)
{
    size_t o = 0;
    unsigned masked = 0;

    if (!classes_ready) classes_init();
    if (nmasked) *nmasked = 0;
    if (cap == 0) return 0;

    while (p < end) {
        /* copy plain bytes in one go; stop only where a mask could begin */
        const unsigned char *q = p;
        for (;;) {
#ifdef __SSE2__
            while (end - q >= 16) {
                unsigned m = hits16(q);
                if (m) {
                    q += __builtin_ctz(m);     /* the scalar loop stops there */
                    break;
                }
                q += 16;
            }
#endif
            while (q < end) {
                unsigned x = *q;
                /* a 3-byte character in U+4000..U+9FFF (most of a Chinese
                 * text) is never a digit or a letter: one step, not three */
                if (x >= 0xE4 && x <= 0xE9 && end - q >= 3) {
                    q += 3;
                    continue;
                }
                if (byte_class[x] != B_PLAIN) break;
                q++;
            }
            /* full-width punctuation (，！？：) is copied as it is as well:
             * of the full-width characters only digits begin a mask */
            if (q < end && *q == 0xEF && end - q >= 3 && !digit_len(q, end)) {
                q += 3;
                continue;
            }
            break;
        }
        if (q > p) {
            size_t n = (size_t)(q - p);
            if (o + n + 1 > cap) {
                n = cap - 1 - o;                       /* whole characters only */
                while (n > 0 && (p[n] & 0xC0) == 0x80) n--;
                memcpy(out + o, p, n);
                o += n;
                goto full;
            }
            memcpy(out + o, p, n);
            o += n;
            p = q;
        }
        if (p >= end) break;
        p = mask_step(start, p, end, out, &o, cap, &masked);
        if (!p) goto full;
    }
full:
    out[o] = '\0';
    if (nmasked) *nmasked = masked;
    return o;
}

size_t yw_pii_mask_n(const char *in, size_t len, char *out, size_t cap,
                     unsigned *nmasked)
{
    const unsigned char *p = (const unsigned char *)in;
    return mask_range(p, p, p + len, out, cap, nmasked);
}

const char *yw_pii_mask_unit(const char *start, const char *p, const char *end, char **out,
                             unsigned *nmasked)
{
    size_t o = 0;
    if (!classes_ready) classes_init();
    const unsigned char *q = mask_step((const unsigned char *)start, (const unsigned char *)p,
                                       (const unsigned char *)end, *out, &o, SIZE_MAX, nmasked);
    *out += o;
    return (const char *)q;
}

size_t yw_pii_mask_rest(const char *start, const char *p, const char *end, char *out,
                        unsigned *nmasked)
{
    unsigned n = 0;
    size_t o = mask_range((const unsigned char *)start, (const unsigned char *)p,
                          (const unsigned char *)end, out, SIZE_MAX, &n);
    *nmasked += n;
    return o;
}

size_t yw_pii_mask(const char *in, size_t len, char *out, size_t cap)
{
    return yw_pii_mask_n(in, len, out, cap, NULL);
}

int yw_pii_hmac(const uint8_t *key, size_t keylen, const void *data,
                size_t len, uint8_t out32[32])
{
    unsigned int outlen = 0;
    static const uint8_t empty;
    /* HMAC() rejects a NULL key even with length 0 */
    if (!HMAC(EVP_sha256(), key ? (const void *)key : &empty, (int)keylen,
              data ? data : (const void *)&empty, len, out32, &outlen) ||
        outlen != 32)
        return -1;
    return 0;
}

void yw_pii_key_from_hmac(const uint8_t hmac32[32], char out[YW_PII_KEY_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    out[0] = 'p';
    out[1] = ':';
    for (int i = 0; i < 8; i++) {
        out[2 + 2 * i] = hex[hmac32[i] >> 4];
        out[3 + 2 * i] = hex[hmac32[i] & 15];
    }
    out[YW_PII_KEY_LEN] = '\0';
}

int yw_pii_key(const uint8_t *key, size_t keylen, const void *data, size_t len,
               char out[YW_PII_KEY_LEN + 1])
{
    uint8_t mac[32];
    if (yw_pii_hmac(key, keylen, data, len, mac) != 0) return -1;
    yw_pii_key_from_hmac(mac, out);
    return 0;
}
