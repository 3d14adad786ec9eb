/* config_util.h -- the small, table-independent pieces config.c is built
 * from: collecting errors, ${VAR} substitution, strict integer and UTC-offset
 * parsing, "did you mean" distances, and the caret line under a regex error
 * (display columns, CJK counted as 2).
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

#endif
