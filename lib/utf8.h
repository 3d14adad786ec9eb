/* utf8.h -- strict UTF-8 validation for whole messages.
 *
 * record.c validates every Kafka message once, before tokenising, so that
 * every later stage (PCRE2 with PCRE2_NO_UTF_CHECK, Hyperscan, Redis JSON)
 * can trust its strings.  yw_utf8_valid() itself is declared in record.h. */
#ifndef YW_UTF8_H
#define YW_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Offset of the first byte of the first invalid sequence in buf[0..len),
 * or len when the whole buffer is valid UTF-8.  Rejects overlong forms,
 * UTF-16 surrogates (U+D800..U+DFFF), code points above U+10FFFF, stray
 * continuation bytes and sequences cut short by the end of the buffer. */
size_t yw_utf8_scan(const char *buf, size_t len);

bool yw_utf8_valid(const char *buf, size_t len);

#endif
