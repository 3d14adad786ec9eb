/* config_util.h -- the small, table-independent pieces config.c is built
 * from: collecting errors, ${VAR} substitution, strict integer and UTC-offset
 * parsing, "did you mean" distances, the caret line under a regex error
 * (display columns, CJK counted as 2), the regex and librdkafka checks.
 *
 * Internal to the config module; exported only so tests can pin the
 * behaviour down.  Not for other stages. */
#ifndef YW_CONFIG_UTIL_H
#define YW_CONFIG_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Append one error.  key may be NULL; line/col 0 = not tied to a line.
 * Returns 0, or -1 when out of memory (the error is then lost: callers keep
 * their own count so a load still fails). */
int yw_cfgu_error_add(yw_config_errors_t *errs, int line, int col,
                      const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Stable sort of errs->items[from..count) by position; errors with no line
 * (file-level problems) go last. */
void yw_cfgu_errors_sort(yw_config_errors_t *errs, size_t from);

/* Expand ${VAR} and ${VAR:-default} in in[0..len) into a new string *out
 * (caller frees).  "$${" is a literal "${".  *substituted tells whether any
 * variable was used.  Returns 0; -1 with a message ("problem; hint") in why
 * when a variable is unset or a reference is malformed; -2 out of memory. */
int yw_cfgu_env_expand(const char *in, size_t len, char **out,
                       bool *substituted, char *why, size_t whylen);

/* Plain decimal integer, optional leading '-', nothing else (no '+', no
 * '_', no hex, no suffix).  Returns 0; -1 not an integer; -2 overflows. */
int yw_cfgu_parse_int(const char *s, int64_t *v);

/* Decimal number: optional '-', digits, optional '.' and digits, optional
 * exponent (1e-3, 2.5E+2); nothing else (no NaN, inf, hex, '+', ".5", "5.",
 * '_').  Returns 0; -1 not a number; -2 overflows a double. */
int yw_cfgu_parse_double(const char *s, double *v);

/* "+08:00" / "-05:30" -> minutes east of UTC.  Returns 0 or -1. */
int yw_cfgu_parse_tz(const char *s, int *minutes);

/* Optimal-string-alignment distance (Levenshtein + adjacent swaps). */
int yw_cfgu_edit_distance(const char *a, const char *b);

/* Is `d` close enough to suggest for a typo of length len? */
bool yw_cfgu_close_enough(size_t len, int d);

/* Terminal columns of s[0..len): 2 for East Asian wide characters, 0 for
 * combining marks, 1 otherwise (invalid bytes count 1 each). */
size_t yw_cfgu_display_width(const char *s, size_t len);

/* The two extra lines under a regex error: "\n    PATTERN\n    <pad>^",
 * showing the line of pat that holds byte offset off.  Caller frees. */
char *yw_cfgu_caret(const char *pat, size_t len, size_t off);

/* Key paths for messages ("kafka" + "brokers" -> "kafka.brokers"); a path
 * longer than len is cut, which only shortens a message. */
void yw_cfgu_join(char *out, size_t len, const char *prefix, const char *name);
void yw_cfgu_pathf(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The whole file (caller frees), or NULL with "cannot open: ..." in why. */
char *yw_cfgu_read_file(const char *path, size_t *len, char *why, size_t whylen);

/* Compile pat as the stage will (PCRE2_UTF | PCRE2_UCP, then JIT).
 * Returns 0; 1 compile error (PCRE2's message in msg, byte offset in *off);
 * 2 JIT failed (message in msg). */
int yw_cfgu_regex_check(const char *pat, size_t len, char *msg, size_t msglen,
                        size_t *off);

/* Why a kafka.rdkafka property is refused (yuanwangd sets it), or NULL. */
const char *yw_cfgu_rdkafka_reserved(const char *name);

/* The librdkafka property closest to an unknown name, if close enough. */
bool yw_cfgu_rdkafka_suggest(const char *name, char *out, size_t outlen);

/* Replace every occurrence of secret in msg (size len) by raw, so a message
 * about a value from the environment shows the ${...} text instead. */
void yw_cfgu_redact(char *msg, size_t len, const char *secret, const char *raw);

#endif
