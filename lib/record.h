/* record.h -- contract-v1 records: JSON bytes -> one normalised struct.
 *
 * Owns: the decoder (jsmn tokens, string unescaping, number and time
 * parsing, UTF-8 validation) and the yw_record_t every later stage reads.
 * The full contract is in docs/records.md.
 *
 * A record never points into the Kafka message: all strings are copied
 * (unescaped, validated UTF-8, NUL-terminated) into the record's own arena,
 * so the message can be released as soon as decode returns.  Strings that
 * were absent are "" with len 0. */
#ifndef YW_RECORD_H
#define YW_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    YW_SRC_HOTLINE = 0,   /* 12345 government hotline */
    YW_SRC_GRID    = 1,   /* urban grid patrol */
    YW_SRC_ONLINE  = 2,   /* online posts / message boards */
    YW_SRC_POLICE  = 3,   /* 110 non-emergency */
    YW_SRC_COUNT   = 4,
    YW_SRC_UNKNOWN = -1
} yw_source_t;

typedef enum {
    YW_OUTCOME_NONE = 0,
    YW_OUTCOME_RESOLVED,
    YW_OUTCOME_UNRESOLVED,
    YW_OUTCOME_DISSATISFIED,
    YW_OUTCOME_PENDING
} yw_outcome_t;

/* Per-record failure classes: each one is a dead-letter reason. */
typedef enum {
    YW_REC_OK = 0,
    YW_REC_EJSON     = -1,  /* not a JSON object / malformed JSON */
    YW_REC_EUTF8     = -2,  /* invalid UTF-8 in the message */
    YW_REC_EMISSING  = -3,  /* id, text or ts missing or empty */
    YW_REC_ETYPE     = -4,  /* a known field has the wrong JSON type */
    YW_REC_ETIME     = -5,  /* ts present but unparseable */
    YW_REC_EOVERSIZE = -6,  /* message larger than the configured limit */
    YW_REC_ESOURCE   = -7   /* unknown "source" and none from the topic */
} yw_rec_err_t;

typedef struct {
    const char *s;   /* NUL-terminated, inside the record's arena */
    uint32_t len;
} yw_str_t;

typedef struct yw_record {
    yw_source_t source;
    int64_t ts_ms;                 /* event time, epoch milliseconds UTC */

    yw_str_t id, text, title;
    yw_str_t district, street, community, region_code, category;
    yw_str_t outcome_raw, reply;                 /* hotline (+ online reply) */
    yw_str_t event_type, grid_code, status;      /* grid */
    yw_str_t platform, url;                      /* online */
    yw_str_t incident_type, station;             /* police */

    /* person: HMAC-SHA256(secret, person) -- the clear key is never kept. */
    bool has_person;
    uint8_t person_hmac[32];

    int32_t repeat_count;          /* -1 when absent */
    yw_outcome_t outcome;
    int64_t reposts, comments, likes;   /* -1 when absent */

    /* Where it came from (filled by the source, not the decoder). */
    const char *topic;
    int32_t partition;
    int64_t offset;

    /* Arena holding the strings above; owned by the record. */
    char *arena;
    size_t arena_len, arena_cap;
} yw_record_t;

typedef struct yw_decoder yw_decoder_t;

typedef struct {
    size_t max_message_bytes;      /* larger messages -> YW_REC_EOVERSIZE */
    int tz_offset_minutes;         /* zone for "YYYY-MM-DD HH:MM:SS" (default +480) */
    const uint8_t *hmac_key;       /* key for person hashing; copied */
    size_t hmac_key_len;
} yw_decoder_conf_t;

yw_decoder_t *yw_decoder_create(const yw_decoder_conf_t *conf, char *errbuf,
                                size_t errlen);
void yw_decoder_destroy(yw_decoder_t *dec);

/* Decode one message.  topic_source is the source implied by the topic the
 * message came from (YW_SRC_UNKNOWN when none); a "source" field in the
 * record wins.  On failure returns a yw_rec_err_t < 0 and writes a short
 * human-readable reason (e.g. "missing field: ts") into reason. The record
 * is reset on every call and may be reused across calls (its arena is kept). */
int yw_record_decode(yw_decoder_t *dec, const char *json, size_t len,
                     yw_source_t topic_source, yw_record_t *rec,
                     char *reason, size_t reasonlen);

void yw_record_init(yw_record_t *rec);
void yw_record_free(yw_record_t *rec);       /* frees the arena */
/* Deep copy (the copy owns its own arena). Returns 0 or -1 on ENOMEM. */
int yw_record_copy(yw_record_t *dst, const yw_record_t *src);

/* "hotline" | "grid" | "online" | "police" <-> enum. */
const char *yw_source_name(yw_source_t src);
yw_source_t yw_source_parse(const char *s, size_t len);
/* Stable short name of an error class, e.g. "bad_json", "bad_utf8". */
const char *yw_rec_err_name(int err);

/* Event time: RFC 3339 with offset, "YYYY-MM-DD HH:MM:SS" (read in the zone
 * tz_offset_minutes east of UTC), or an all-digit string of epoch ms.
 * Returns 0 and sets *ms, or -1. */
int yw_time_parse(const char *s, size_t len, int tz_offset_minutes, int64_t *ms);
/* The event time of an undecoded message, cheaply: the value of its "ts"
 * key (a string or a number) parsed as above, without decoding the rest.
 * For ordering messages before they are decoded (align.h); the decoder
 * remains the judge of what a record is.  Returns 0 and sets *ms, or -1. */
int yw_time_peek(const char *json, size_t len, int tz_offset_minutes, int64_t *ms);
/* Format epoch ms as RFC 3339 in the given zone: "2019-03-01T22:12:30+08:00". */
void yw_time_format(int64_t ms, int tz_offset_minutes, char *buf, size_t len);

/* Returns true when buf[0..len) is valid UTF-8 (no overlongs, surrogates). */
bool yw_utf8_valid(const char *buf, size_t len);

#endif
