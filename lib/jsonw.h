/* jsonw.h -- a small streaming JSON writer into a growable buffer.
 *
 * Used for the alert object (alert.c) and anything else that must produce
 * JSON byte-for-byte the same way every time.  The writer inserts commas and
 * colons itself, so callers write a document as a sequence of begin/key/
 * value/end calls.  Memory failure is sticky: once an allocation fails every
 * later call is a no-op and yw_jsonw_finish() returns NULL, so callers check
 * once at the end (as hiredis does with its context err).
 *
 * Strings: '"', '\\' and control characters are escaped (\n, \t, ... or
 * \u00XX); valid UTF-8 passes through unchanged; an invalid byte sequence is
 * replaced by U+FFFD so the output is always valid JSON and valid UTF-8.
 * Doubles: fixed precision with trailing zeros trimmed ("72.5", "12"), or
 * the shortest text that reads back to the same double; NaN and infinities,
 * which JSON cannot express, are written as null. */
#ifndef YW_JSONW_H
#define YW_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define YW_JSONW_MAX_DEPTH 32

typedef struct {
    char *buf;
    size_t len, cap;
    bool failed;                       /* sticky: ENOMEM or misuse */
    int depth;
    bool after_key;                    /* a key was written, value comes next */
    bool nonempty[YW_JSONW_MAX_DEPTH]; /* the container at each depth has members */
    bool is_obj[YW_JSONW_MAX_DEPTH];   /* object (keys required) or array */
} yw_jsonw_t;

/* Pass to yw_jsonw_double for the shortest round-trip representation. */
#define YW_JSONW_SHORTEST (-1)

void yw_jsonw_init(yw_jsonw_t *w);
/* Forget the content but keep the buffer (for reuse in a loop). */
void yw_jsonw_reset(yw_jsonw_t *w);
/* Free the buffer (not needed after yw_jsonw_finish). */
void yw_jsonw_free(yw_jsonw_t *w);

void yw_jsonw_obj_begin(yw_jsonw_t *w);
void yw_jsonw_obj_end(yw_jsonw_t *w);
void yw_jsonw_arr_begin(yw_jsonw_t *w);
void yw_jsonw_arr_end(yw_jsonw_t *w);

/* An object member's name; the next value call writes its value. */
void yw_jsonw_key(yw_jsonw_t *w, const char *key);

void yw_jsonw_str(yw_jsonw_t *w, const char *s);            /* NULL -> null */
void yw_jsonw_strn(yw_jsonw_t *w, const char *s, size_t len);
void yw_jsonw_int(yw_jsonw_t *w, int64_t v);
/* decimals >= 0: that many digits after the point, trailing zeros trimmed;
 * YW_JSONW_SHORTEST: shortest round-trip. */
void yw_jsonw_double(yw_jsonw_t *w, double v, int decimals);
void yw_jsonw_bool(yw_jsonw_t *w, bool v);
void yw_jsonw_null(yw_jsonw_t *w);

/* Shorthands for key + value. */
void yw_jsonw_kv_str(yw_jsonw_t *w, const char *key, const char *v);
void yw_jsonw_kv_int(yw_jsonw_t *w, const char *key, int64_t v);
void yw_jsonw_kv_double(yw_jsonw_t *w, const char *key, double v, int decimals);

/* Current text (NUL-terminated) without giving up ownership; NULL if failed. */
const char *yw_jsonw_peek(const yw_jsonw_t *w, size_t *len);

/* Hand the NUL-terminated text to the caller (free() it) and reset the
 * writer to empty.  Returns NULL if any call failed or containers are still
 * open. */
char *yw_jsonw_finish(yw_jsonw_t *w, size_t *len);

#endif
