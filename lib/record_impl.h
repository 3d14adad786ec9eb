/* record_impl.h -- the decoder's private JSON layer, shared by record.c
 * (the decoder, the contract's fields and the record) and record_json.c
 * (the structural pre-scan, string unescaping and the grammar walk over
 * jsmn's tokens).  Not part of the library's API: include record.h
 * instead. */
#ifndef YW_RECORD_IMPL_H
#define YW_RECORD_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"

/* jsmn is header-only, and its options change its token type, so every
 * file includes it from here.  record.c defines YW_RECORD_JSMN_IMPL first:
 * it is the one translation unit that instantiates jsmn (static); the
 * others only see its types.  Strict mode rejects unquoted keys and bare
 * words; parent links make closing a container O(depth) instead of a scan
 * back over all tokens. */
#ifdef YW_RECORD_JSMN_IMPL
#define JSMN_STATIC
#else
#define JSMN_HEADER
#endif
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

/* Records are flat objects; unknown fields may nest, but not deeply.  The
 * limit also bounds jsmn's O(depth) work per closing bracket. */
#define YW_REC_MAX_DEPTH 32

#define NFIELDS 24          /* entries of record.c's fields[] (checked there) */
#define MAX_FIELD_NAME 16   /* longer keys cannot be a known field */

/* Index of the contract field named key in record.c's fields[], or -1. */
int ywrec_field_lookup(const char *key, size_t len);

/* ---- record_json.c ------------------------------------------------------ */

static inline bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Lexes the message the way jsmn will: refuses nesting deeper than
 * YW_REC_MAX_DEPTH and counts the tokens jsmn will need.  0, or -1 with
 * *errpos and *err set. */
int ywrec_prescan(const char *js, size_t len, size_t *ntok, size_t *errpos,
                  const char **err);

typedef struct {
    size_t at;          /* offset in the source string of the problem */
    const char *what;
} str_err_t;

/* Unescapes the JSON string body src[0..n) into out, or only validates it
 * when out is NULL: the output length, or -1 with *e filled. */
long ywrec_unescape(const char *src, size_t n, char *out, str_err_t *e,
                    bool *has_nul);

typedef struct {
    const char *js;
    size_t len;
    const jsmntok_t *t;
    int n;              /* tokens jsmn produced */
    int ti;             /* next token */
    size_t p;           /* next byte */
    int val[NFIELDS];   /* value token of each known field (last one wins) */
    size_t errpos;
    const char *err;
} walk_t;

static inline void skip_ws(walk_t *w)
{
    while (w->p < w->len && is_ws(w->js[w->p]))
        w->p++;
}

/* Checks the object or array at w->p against the JSON grammar; at the
 * root (depth 0) records the value token of each known field in w->val.
 * 0, or -1 with w->errpos and w->err set. */
int ywrec_walk_container(walk_t *w, int depth);

#endif
