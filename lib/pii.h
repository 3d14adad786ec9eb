/* pii.h -- personal data: masking in free text and keyed hashing.
 *
 * Owns: the masker that runs over every text before it is stored or
 * logged, and the keyed hash (HMAC-SHA256, OpenSSL libcrypto) used for
 * complainant keys.  No regex: one pass over the bytes looking for digit
 * runs (ASCII or full-width digits) and plate letters.
 *
 * What is masked (the first and last few characters stay, so an analyst
 * can still tell two numbers apart in a sample):
 * - any run of 11 or more digits, optionally ending in X/x (mobile numbers,
 *   18-digit ID cards, 16-19-digit bank cards, landlines written without
 *   a separator), also when written in groups split by single '-' or ' '
 *   ("138 1234 5678") or by ',' / '，' anywhere between digits (normalisation
 *   drops those, so "1,000" and "1000" read the same, and would join the
 *   groups): all digits but the first 3 and last 4 become '*'
 *   -> 138****1234, 110***********123X;
 * - landlines 0AA-NNNNNNN / 0AAA-NNNNNNNN: the local part but its last 4
 *   -> 0731-****5678;
 * - licence plates (province character + letter + 5 or 6 letters/digits):
 *   all but the last character -> 京A****5.
 * A masked full-width digit becomes one ASCII '*', so the output is never
 * longer than the input. */
#ifndef YW_PII_H
#define YW_PII_H

#include <stddef.h>
#include <stdint.h>

/* Mask in[0..len) into out (cap >= len + 1 always suffices; NUL written).
 * in must be valid UTF-8.  Returns the output length; *nmasked (if not
 * NULL) gets the number of items masked.  If cap is too small the output
 * is truncated (never splitting a character) and the return value is
 * still the length written. */
size_t yw_pii_mask(const char *in, size_t len, char *out, size_t cap);
size_t yw_pii_mask_n(const char *in, size_t len, char *out, size_t cap,
                     unsigned *nmasked);

/* HMAC-SHA256(key, data) -> out32.  Returns 0, or -1 on a libcrypto error. */
int yw_pii_hmac(const uint8_t *key, size_t keylen, const void *data,
                size_t len, uint8_t out32[32]);

/* Short printable key: "p:" + the first 8 bytes of the HMAC as 16 lower
 * case hex digits, NUL-terminated (19 bytes).  Returns 0 or -1. */
#define YW_PII_KEY_LEN 18
int yw_pii_key(const uint8_t *key, size_t keylen, const void *data,
               size_t len, char out[YW_PII_KEY_LEN + 1]);
/* The same from an HMAC already computed (e.g. yw_record_t.person_hmac). */
void yw_pii_key_from_hmac(const uint8_t hmac32[32],
                          char out[YW_PII_KEY_LEN + 1]);

#endif
