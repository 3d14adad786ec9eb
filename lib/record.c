/* record.c -- contract-v1 decoder: one Kafka message (JSON) -> yw_record_t.
 *
 * The order of checks is the order of the dead-letter reasons' severity:
 *   1. size            (oversize)   before touching the bytes at all;
 *   2. UTF-8           (bad_utf8)   once over the whole message;
 *   3. structure       (bad_json)   a cheap pre-scan, jsmn, then a walk over
 *                                   jsmn's tokens that checks the real JSON
 *                                   grammar (jsmn, even strict, accepts
 *                                   `{"a" "b"}`, `[1,]`, `tru`, raw control
 *                                   characters and trailing bytes); the
 *                                   pre-scan and the walk are in
 *                                   record_json.c;
 *   4. strings         (bad_json)   unescaping of the known fields;
 *   5. fields          (bad_type, missing_field, bad_source, bad_time) in
 *                                   contract order, first failure wins.
 * So a message is only blamed for a field once it is known to be JSON.
 *
 * Memory: the decoder keeps its token array and a scratch buffer, the record
 * keeps its arena; all three only grow, so after warm-up a decode allocates
 * nothing of its own (OpenSSL 3 still makes two small allocations per HMAC).
 *
 * A decoder is not thread-safe: one per consumer thread. */
/* this file instantiates jsmn (record_impl.h) */
#define YW_RECORD_JSMN_IMPL
#include "record_impl.h"
#include "pii.h"
#include "utf8.h"
#include "log.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define YW_REC_DEFAULT_MAX_BYTES ((size_t)1 << 20)
/* jsmn keeps offsets in int. */
#define YW_REC_HARD_MAX_BYTES ((size_t)64 << 20)

static const char yw_empty[1] = "";

/* ---- the contract's fields --------------------------------------------- */

typedef enum {
    K_STR,        /* optional string */
    K_REQ,        /* required non-empty string (id, text) */
    K_TS,         /* string or integer event time (required) */
    K_SOURCE,     /* source name, else the topic's */
    K_PERSON,     /* hashed, never stored */
    K_OUTCOME,    /* string + enum */
    K_INT32,      /* non-negative integer, int32 */
    K_INT64       /* non-negative integer, int64 */
} kind_t;

typedef struct {
    const char *name;
    uint8_t len;
    uint8_t kind;
    uint16_t off;           /* offsetof the yw_str_t / integer in the record */
} field_t;

#define FIELD(n, k, m) { n, sizeof n - 1, k, offsetof(yw_record_t, m) }

/* Contract order: errors are reported for the first failing field here. */
static const field_t fields[] = {
    FIELD("id", K_REQ, id),
    { "source", 6, K_SOURCE, 0 },
    { "ts", 2, K_TS, 0 },
    FIELD("text", K_REQ, text),
    FIELD("title", K_STR, title),
    { "person", 6, K_PERSON, 0 },
    FIELD("district", K_STR, district),
    FIELD("street", K_STR, street),
    FIELD("community", K_STR, community),
    FIELD("region_code", K_STR, region_code),
    FIELD("category", K_STR, category),
    FIELD("repeat_count", K_INT32, repeat_count),
    FIELD("outcome", K_OUTCOME, outcome_raw),
    FIELD("reply", K_STR, reply),
    FIELD("event_type", K_STR, event_type),
    FIELD("grid_code", K_STR, grid_code),
    FIELD("status", K_STR, status),
    FIELD("platform", K_STR, platform),
    FIELD("url", K_STR, url),
    FIELD("reposts", K_INT64, reposts),
    FIELD("comments", K_INT64, comments),
    FIELD("likes", K_INT64, likes),
    FIELD("incident_type", K_STR, incident_type),
    FIELD("station", K_STR, station),
};
_Static_assert(sizeof fields / sizeof fields[0] == NFIELDS,
               "NFIELDS in record_impl.h must count fields[]");

/* Every yw_str_t in the record, for reset and copy. */
static const uint16_t str_offsets[] = {
    offsetof(yw_record_t, id), offsetof(yw_record_t, text),
    offsetof(yw_record_t, title), offsetof(yw_record_t, district),
    offsetof(yw_record_t, street), offsetof(yw_record_t, community),
    offsetof(yw_record_t, region_code), offsetof(yw_record_t, category),
    offsetof(yw_record_t, outcome_raw), offsetof(yw_record_t, reply),
    offsetof(yw_record_t, event_type), offsetof(yw_record_t, grid_code),
    offsetof(yw_record_t, status), offsetof(yw_record_t, platform),
    offsetof(yw_record_t, url), offsetof(yw_record_t, incident_type),
    offsetof(yw_record_t, station),
};
#define NSTRS (sizeof str_offsets / sizeof str_offsets[0])

static yw_str_t *str_at(yw_record_t *rec, size_t off)
{
    return (yw_str_t *)(void *)((char *)rec + off);
}

int ywrec_field_lookup(const char *key, size_t len)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (fields[i].len == len && memcmp(fields[i].name, key, len) == 0)
            return (int)i;
    return -1;
}

/* ---- the decoder ---------------------------------------------------------- */

struct yw_decoder {
    size_t max_bytes;
    int tz_offset_minutes;
    EVP_MAC_CTX *mac;        /* HMAC-SHA256, keyed once at create */
    jsmntok_t *toks;
    size_t toks_cap;
    char *scratch;           /* the unescaped person key, wiped after use */
    size_t scratch_cap;
};

yw_decoder_t *yw_decoder_create(const yw_decoder_conf_t *conf, char *errbuf,
                                size_t errlen)
{
    yw_decoder_conf_t defaults = { YW_REC_DEFAULT_MAX_BYTES, 480, NULL, 0 };
    yw_decoder_t *dec = NULL;
    EVP_MAC *hmac = NULL;
    static const uint8_t no_key[1] = { 0 };

    if (conf == NULL)
        conf = &defaults;
    if (conf->max_message_bytes > YW_REC_HARD_MAX_BYTES) {
        snprintf(errbuf, errlen, "max_message_bytes %zu exceeds the limit of %zu",
                 conf->max_message_bytes, YW_REC_HARD_MAX_BYTES);
        return NULL;
    }
    if (conf->tz_offset_minutes < -14 * 60 || conf->tz_offset_minutes > 14 * 60) {
        snprintf(errbuf, errlen, "tz_offset_minutes %d outside -840..840",
                 conf->tz_offset_minutes);
        return NULL;
    }
    if (conf->hmac_key == NULL && conf->hmac_key_len != 0) {
        snprintf(errbuf, errlen, "hmac_key is NULL but hmac_key_len is %zu",
                 conf->hmac_key_len);
        return NULL;
    }

    dec = calloc(1, sizeof *dec);
    if (dec == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    dec->max_bytes = conf->max_message_bytes ? conf->max_message_bytes
                                             : YW_REC_DEFAULT_MAX_BYTES;
    dec->tz_offset_minutes = conf->tz_offset_minutes;

    /* One keyed context, re-initialised per record: the one-shot HMAC()
     * fetches the algorithm and builds a context every call (measured ~6x
     * slower and 13 allocations per call on OpenSSL 3.0). */
    hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (hmac == NULL || (dec->mac = EVP_MAC_CTX_new(hmac)) == NULL) {
        snprintf(errbuf, errlen, "OpenSSL: HMAC is not available");
        goto fail;
    }
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_end()
    };
    /* An empty key is legal HMAC; OpenSSL wants a non-NULL pointer for it. */
    const uint8_t *key = conf->hmac_key_len ? conf->hmac_key : no_key;
    if (!EVP_MAC_init(dec->mac, key, conf->hmac_key_len, params)) {
        snprintf(errbuf, errlen, "OpenSSL: cannot key HMAC-SHA256");
        goto fail;
    }
    EVP_MAC_free(hmac);
    return dec;

fail:
    EVP_MAC_free(hmac);
    yw_decoder_destroy(dec);
    return NULL;
}

void yw_decoder_destroy(yw_decoder_t *dec)
{
    if (dec == NULL)
        return;
    EVP_MAC_CTX_free(dec->mac);
    free(dec->toks);
    if (dec->scratch)
        OPENSSL_cleanse(dec->scratch, dec->scratch_cap);
    free(dec->scratch);
    free(dec);
}

/* Makes room for need elements of elem bytes (growing by doubling from
 * min); *out is the buffer to use from now on.  On failure the old buffer
 * is left as it was. */
static int grow(void *buf, size_t *cap, size_t need, size_t elem, size_t min,
                void **out)
{
    *out = buf;
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : min;
    while (n < need)
        n *= 2;
    void *p = realloc(buf, n * elem);
    if (p == NULL)
        return -1;
    *out = p;
    *cap = n;
    return 0;
}

/* ---- errors ----------------------------------------------------------------- */

__attribute__((format(printf, 4, 5)))
static int fail(char *reason, size_t reasonlen, int code, const char *fmt, ...)
{
    if (reason != NULL && reasonlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(reason, reasonlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *yw_rec_err_name(int err)
{
    switch (err) {
    case YW_REC_OK:        return "ok";
    case YW_REC_EJSON:     return "bad_json";
    case YW_REC_EUTF8:     return "bad_utf8";
    case YW_REC_EMISSING:  return "missing_field";
    case YW_REC_ETYPE:     return "bad_type";
    case YW_REC_ETIME:     return "bad_time";
    case YW_REC_EOVERSIZE: return "oversize";
    case YW_REC_ESOURCE:   return "bad_source";
    default:               return "unknown";
    }
}

static const char *const source_names[YW_SRC_COUNT] = {
    "hotline", "grid", "online", "police"
};

const char *yw_source_name(yw_source_t src)
{
    if (src < 0 || src >= YW_SRC_COUNT)
        return "unknown";
    return source_names[src];
}

yw_source_t yw_source_parse(const char *s, size_t len)
{
    for (int i = 0; i < YW_SRC_COUNT; i++)
        if (s != NULL && strlen(source_names[i]) == len &&
            memcmp(source_names[i], s, len) == 0)
            return (yw_source_t)i;
    return YW_SRC_UNKNOWN;
}


/* ---- records ------------------------------------------------------------------ */

void yw_record_init(yw_record_t *rec)
{
    memset(rec, 0, sizeof *rec);
    for (size_t i = 0; i < NSTRS; i++)
        *str_at(rec, str_offsets[i]) = (yw_str_t){ yw_empty, 0 };
    rec->source = YW_SRC_UNKNOWN;
    rec->repeat_count = -1;
    rec->reposts = rec->comments = rec->likes = -1;
    rec->outcome = YW_OUTCOME_NONE;
    rec->topic = NULL;
    rec->partition = -1;
    rec->offset = -1;
}

/* Back to "nothing decoded", keeping the arena and the Kafka coordinates
 * (the source may fill those before or after decoding). */
static void record_reset(yw_record_t *rec)
{
    for (size_t i = 0; i < NSTRS; i++)
        *str_at(rec, str_offsets[i]) = (yw_str_t){ yw_empty, 0 };
    rec->source = YW_SRC_UNKNOWN;
    rec->ts_ms = 0;
    rec->has_person = false;
    memset(rec->person_hmac, 0, sizeof rec->person_hmac);
    rec->repeat_count = -1;
    rec->outcome = YW_OUTCOME_NONE;
    rec->reposts = rec->comments = rec->likes = -1;
    rec->arena_len = 0;
}

void yw_record_free(yw_record_t *rec)
{
    if (rec == NULL)
        return;
    free(rec->arena);
    yw_record_init(rec);
}

int yw_record_copy(yw_record_t *dst, const yw_record_t *src)
{
    /* dst is treated as uninitialised: release its arena first if reusing. */
    char *arena = NULL;
    if (src->arena_len > 0) {
        arena = malloc(src->arena_len);
        if (arena == NULL) {
            yw_record_init(dst);
            return -1;
        }
        memcpy(arena, src->arena, src->arena_len);
    }
    *dst = *src;
    dst->arena = arena;
    dst->arena_len = dst->arena_cap = src->arena_len;

    uintptr_t lo = (uintptr_t)src->arena, hi = lo + src->arena_len;
    for (size_t i = 0; i < NSTRS; i++) {
        yw_str_t *s = str_at(dst, str_offsets[i]);
        uintptr_t p = (uintptr_t)s->s;
        if (arena != NULL && p >= lo && p < hi)
            s->s = arena + (p - lo);
        /* anything else is the shared static "" */
    }
    return 0;
}

static const char *const outcome_names[] = {
    NULL, "resolved", "unresolved", "dissatisfied", "pending"
};

static yw_outcome_t outcome_parse(const yw_str_t *s)
{
    for (int i = YW_OUTCOME_RESOLVED; i <= YW_OUTCOME_PENDING; i++)
        if (strlen(outcome_names[i]) == s->len &&
            memcmp(outcome_names[i], s->s, s->len) == 0)
            return (yw_outcome_t)i;
    return YW_OUTCOME_NONE;
}

/* Non-negative decimal integer of at most 18 digits (always fits int64). */
static int parse_uint(const char *s, size_t n, int64_t *v)
{
    if (n == 0 || n > 18)
        return -1;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 0;
}

static bool is_null(const char *js, const jsmntok_t *t)
{
    return t->type == JSMN_PRIMITIVE && js[t->start] == 'n';
}

/* The place fields are free text shown in alerts and cluster summaries
 * (labels, titles): a number in one (a phone typed into the street) is
 * masked here, as the features stage masks text, title and reply.  The
 * other string fields are codes or enums that are neither shown nor
 * personal (region_code is a 12-digit administrative code). */
static bool is_place(const field_t *fd)
{
    return fd->off == offsetof(yw_record_t, district) ||
           fd->off == offsetof(yw_record_t, street) ||
           fd->off == offsetof(yw_record_t, community);
}

/* Mask s[0..len) in place (valid UTF-8: the message was validated); the
 * new length, never longer, or -1 when out of memory. */
static long mask_place(yw_decoder_t *dec, char *s, size_t len)
{
    void *mem;
    if (grow(dec->scratch, &dec->scratch_cap, len + 1, 1, 64, &mem) < 0)
        return -1;
    dec->scratch = mem;
    unsigned nmasked = 0;
    size_t n = yw_pii_mask_n(s, len, dec->scratch, len + 1, &nmasked);
    if (nmasked)
        memcpy(s, dec->scratch, n + 1);
    return nmasked ? (long)n : (long)len;
}

/* HMAC-SHA256 of the person key into rec->person_hmac. */
static int hash_person(yw_decoder_t *dec, const char *key, size_t len,
                       yw_record_t *rec)
{
    size_t outl = 0;
    if (!EVP_MAC_init(dec->mac, NULL, 0, NULL) ||
        !EVP_MAC_update(dec->mac, (const unsigned char *)key, len) ||
        !EVP_MAC_final(dec->mac, rec->person_hmac, &outl,
                       sizeof rec->person_hmac) ||
        outl != sizeof rec->person_hmac)
        return -1;
    return 0;
}

/* A short excerpt of a bad value for the reason text, only when it is
 * plain printable ASCII (never cut a UTF-8 sequence or echo a free-text
 * field: this is only used for ts), and masked as a text is: the reason
 * reaches the debug log, and a phone number typed into ts must not. */
static const char *excerpt(const char *s, size_t n, char *buf, size_t cap)
{
    if (n == 0 || n >= cap)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7E || s[i] == '"' || s[i] == '\\')
            return NULL;
    yw_pii_mask(s, n, buf, cap);
    return buf;
}

static int decode(yw_decoder_t *dec, const char *js, size_t len,
                  yw_source_t topic_source, yw_record_t *rec, char *reason,
                  size_t reasonlen)
{
    if (js == NULL && len > 0)
        return fail(reason, reasonlen, YW_REC_EJSON, "no message");
    if (len > dec->max_bytes)
        return fail(reason, reasonlen, YW_REC_EOVERSIZE,
                    "message of %zu bytes exceeds the limit of %zu bytes", len,
                    dec->max_bytes);
    size_t bad = yw_utf8_scan(js, len);
    if (bad < len)
        return fail(reason, reasonlen, YW_REC_EUTF8, "invalid UTF-8 at byte %zu",
                    bad);

    /* ---- structure ---- */
    size_t ntok = 0, errpos = 0;
    const char *err = NULL;
    if (ywrec_prescan(js, len, &ntok, &errpos, &err) < 0)
        return fail(reason, reasonlen, YW_REC_EJSON, "%s at byte %zu", err,
                    errpos);
    if (ntok == 0)
        return fail(reason, reasonlen, YW_REC_EJSON, "empty message");
    void *mem;
    if (grow(dec->toks, &dec->toks_cap, ntok, sizeof(jsmntok_t), 64, &mem) < 0)
        return fail(reason, reasonlen, YW_REC_EJSON, "out of memory for %zu tokens",
                    ntok);
    dec->toks = mem;
    jsmn_parser parser;
    int r;
    for (;;) {
        jsmn_init(&parser);
        r = jsmn_parse(&parser, js, len, dec->toks, (unsigned int)dec->toks_cap);
        /* The pre-scan's count should make this rare; stay correct anyway. */
        if (r != JSMN_ERROR_NOMEM)
            break;
        if (grow(dec->toks, &dec->toks_cap, dec->toks_cap * 2, sizeof(jsmntok_t),
                 64, &mem) < 0)
            return fail(reason, reasonlen, YW_REC_EJSON, "out of memory for tokens");
        dec->toks = mem;
    }
    /* jsmn fails on junk after a complete object too ("{...} 1" is a
     * truncated literal to it); name the real problem. */
    if (r < 0 && parser.toknext > 0 && dec->toks[0].type == JSMN_OBJECT &&
        dec->toks[0].end > 0)
        return fail(reason, reasonlen, YW_REC_EJSON,
                    "trailing data after the object at byte %d", dec->toks[0].end);
    if (r == JSMN_ERROR_INVAL)
        return fail(reason, reasonlen, YW_REC_EJSON, "malformed JSON at byte %u",
                    parser.pos);
    if (r == JSMN_ERROR_PART || r < 0)
        return fail(reason, reasonlen, YW_REC_EJSON, "truncated JSON");

    walk_t w = { .js = js, .len = len, .t = dec->toks, .n = r };
    for (size_t i = 0; i < NFIELDS; i++)
        w.val[i] = -1;
    skip_ws(&w);
    if (r == 0 || w.t[0].type != JSMN_OBJECT)
        return fail(reason, reasonlen, YW_REC_EJSON, "top level is not a JSON object");
    if (ywrec_walk_container(&w, 0) < 0)
        return fail(reason, reasonlen, YW_REC_EJSON, "%s at byte %zu", w.err,
                    w.errpos);
    skip_ws(&w);
    if (w.p != len || w.ti != w.n)
        return fail(reason, reasonlen, YW_REC_EJSON,
                    "trailing data after the object at byte %zu", w.p);

    /* ---- strings of the known fields, into the arena ---- */
    size_t need = 0;
    for (size_t f = 0; f < NFIELDS; f++) {
        int ti = w.val[f];
        if (ti >= 0 && w.t[ti].type == JSMN_STRING && fields[f].kind != K_PERSON)
            need += (size_t)(w.t[ti].end - w.t[ti].start) + 1;
    }
    if (grow(rec->arena, &rec->arena_cap, need, 1, 256, &mem) < 0)
        return fail(reason, reasonlen, YW_REC_EJSON, "out of memory for %zu bytes",
                    need);
    rec->arena = mem;

    yw_str_t vals[NFIELDS];     /* unescaped string values, by field */
    for (size_t f = 0; f < NFIELDS; f++) {
        int ti = w.val[f];
        vals[f] = (yw_str_t){ yw_empty, 0 };
        if (ti < 0 || w.t[ti].type != JSMN_STRING)
            continue;
        const char *src = js + w.t[ti].start;
        size_t n = (size_t)(w.t[ti].end - w.t[ti].start);
        char *out;
        if (fields[f].kind == K_PERSON) {
            if (grow(dec->scratch, &dec->scratch_cap, n + 1, 1, 64, &mem) < 0)
                return fail(reason, reasonlen, YW_REC_EJSON, "out of memory");
            out = dec->scratch = mem;
        } else {
            out = rec->arena + rec->arena_len;
        }
        str_err_t e;
        bool nul = false;
        long ol = ywrec_unescape(src, n, out, &e, &nul);
        if (ol < 0 || nul) {
            if (out == dec->scratch)
                OPENSSL_cleanse(dec->scratch, n);
            if (ol < 0)
                return fail(reason, reasonlen, YW_REC_EJSON,
                            "field %s: %s at byte %zu", fields[f].name, e.what,
                            (size_t)w.t[ti].start + e.at);
            return fail(reason, reasonlen, YW_REC_EJSON,
                        "field %s: \\u0000 is not allowed", fields[f].name);
        }
        if (fields[f].kind == K_PERSON) {
            /* Hash straight away and wipe: the clear key is never stored.
             * An empty or blank key names nobody, so it is no person (or
             * every anonymous caller would count as one repeat caller). */
            size_t k = 0;
            while (k < (size_t)ol && (out[k] == ' ' || out[k] == '\t'))
                k++;
            if (k < (size_t)ol) {
                if (hash_person(dec, out, (size_t)ol, rec) < 0)
                    yw_log_error("record", "HMAC-SHA256 failed; person dropped");
                else
                    rec->has_person = true;
            }
            OPENSSL_cleanse(out, (size_t)ol);
            continue;
        }
        out[ol] = '\0';
        if (is_place(&fields[f]) && ol > 0) {
            long ml = mask_place(dec, out, (size_t)ol);
            if (ml < 0)
                return fail(reason, reasonlen, YW_REC_EJSON, "out of memory");
            ol = ml;
        }
        vals[f] = (yw_str_t){ out, (uint32_t)ol };
        rec->arena_len += (size_t)ol + 1;
    }

    /* ---- fields, in contract order ---- */
    bool have_source = false;
    for (size_t f = 0; f < NFIELDS; f++) {
        const field_t *fd = &fields[f];
        int ti = w.val[f];
        const jsmntok_t *t = ti >= 0 ? &w.t[ti] : NULL;
        if (t != NULL && is_null(js, t))
            t = NULL;                   /* null is the same as absent */
        bool is_str = t != NULL && t->type == JSMN_STRING;
        const yw_str_t *v = &vals[f];

        switch ((kind_t)fd->kind) {
        case K_STR:
        case K_REQ:
        case K_OUTCOME:
            if (t != NULL && !is_str)
                return fail(reason, reasonlen, YW_REC_ETYPE,
                            "field %s: expected string", fd->name);
            if (fd->kind == K_REQ && v->len == 0)
                return fail(reason, reasonlen, YW_REC_EMISSING,
                            "missing field: %s", fd->name);
            *str_at(rec, fd->off) = *v;
            if (fd->kind == K_OUTCOME)
                rec->outcome = outcome_parse(v);
            break;

        case K_PERSON:
            if (t != NULL && !is_str)
                return fail(reason, reasonlen, YW_REC_ETYPE,
                            "field %s: expected string", fd->name);
            break;

        case K_SOURCE:
            if (t != NULL && !is_str)
                return fail(reason, reasonlen, YW_REC_ETYPE,
                            "field %s: expected string", fd->name);
            if (t != NULL) {
                rec->source = yw_source_parse(v->s, v->len);
                if (rec->source == YW_SRC_UNKNOWN)
                    return fail(reason, reasonlen, YW_REC_ESOURCE,
                                "field source: unknown source (expected hotline, "
                                "grid, online or police)");
                have_source = true;
            }
            break;

        case K_TS: {
            const char *s;
            size_t n;
            if (t == NULL || (is_str && v->len == 0))
                return fail(reason, reasonlen, YW_REC_EMISSING,
                            "missing field: %s", fd->name);
            if (is_str) {
                s = v->s;
                n = v->len;
            } else if (t->type == JSMN_PRIMITIVE && js[t->start] != 't' &&
                       js[t->start] != 'f') {
                s = js + t->start;      /* a JSON number: epoch ms */
                n = (size_t)(t->end - t->start);
            } else {
                return fail(reason, reasonlen, YW_REC_ETYPE,
                            "field %s: expected string or integer", fd->name);
            }
            if (yw_time_parse(s, n, dec->tz_offset_minutes, &rec->ts_ms) < 0) {
                char buf[48];
                const char *ex = excerpt(s, n, buf, sizeof buf);
                if (ex != NULL)
                    return fail(reason, reasonlen, YW_REC_ETIME,
                                "field ts: unparseable time \"%s\"", ex);
                return fail(reason, reasonlen, YW_REC_ETIME,
                            "field ts: unparseable time");
            }
            break;
        }

        case K_INT32:
        case K_INT64: {
            if (t == NULL || (is_str && v->len == 0))
                break;                  /* absent, null or "": stays -1 */
            const char *s;
            size_t n;
            if (is_str) {
                s = v->s;
                n = v->len;
            } else if (t->type == JSMN_PRIMITIVE) {
                s = js + t->start;
                n = (size_t)(t->end - t->start);
            } else {
                return fail(reason, reasonlen, YW_REC_ETYPE,
                            "field %s: expected integer", fd->name);
            }
            int64_t x;
            if (n > 0 && s[0] == '-' && parse_uint(s + 1, n - 1, &x) == 0)
                return fail(reason, reasonlen, YW_REC_ETYPE,
                            "field %s: integer out of range (negative)", fd->name);
            if (parse_uint(s, n, &x) < 0) {
                bool all_digits = n > 0;
                for (size_t i = 0; i < n; i++)
                    all_digits = all_digits && s[i] >= '0' && s[i] <= '9';
                if (all_digits)
                    return fail(reason, reasonlen, YW_REC_ETYPE,
                                "field %s: integer out of range", fd->name);
                return fail(reason, reasonlen, YW_REC_ETYPE,
                            "field %s: expected integer", fd->name);
            }
            if (fd->kind == K_INT32) {
                if (x > INT32_MAX)
                    return fail(reason, reasonlen, YW_REC_ETYPE,
                                "field %s: integer out of range", fd->name);
                *(int32_t *)(void *)((char *)rec + fd->off) = (int32_t)x;
            } else {
                *(int64_t *)(void *)((char *)rec + fd->off) = x;
            }
            break;
        }
        }
    }

    if (!have_source) {
        if (topic_source < 0 || topic_source >= YW_SRC_COUNT)
            return fail(reason, reasonlen, YW_REC_ESOURCE,
                        "missing field: source, and the topic names no source");
        rec->source = topic_source;
    }
    return YW_REC_OK;
}

int yw_record_decode(yw_decoder_t *dec, const char *json, size_t len,
                     yw_source_t topic_source, yw_record_t *rec,
                     char *reason, size_t reasonlen)
{
    if (reason != NULL && reasonlen > 0)
        reason[0] = '\0';
    if (dec == NULL || rec == NULL)
        return fail(reason, reasonlen, YW_REC_EJSON, "no decoder or record");
    record_reset(rec);
    int rc = decode(dec, json, len, topic_source, rec, reason, reasonlen);
    if (rc != YW_REC_OK)
        record_reset(rec);      /* never hand out half a record */
    return rc;
}
