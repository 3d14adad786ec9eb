/* alert.h -- the alert object: what an analyst reads and a dashboard draws.
 *
 * One JSON object, identical in the Redis stream, on the pub/sub channel and
 * in `ywctl backtest --alerts` output.  Fields follow ../shared/DESIGN.md
 * ("Redis contract") and are documented in docs/redis-schema.md; the
 * serialisation here is the single place that spells them.
 *
 * alert_id is deterministic: a hash of (kind, cluster, level, prev_level,
 * event_time), so replaying the same input yields the same ids and the sink
 * can de-duplicate on write. */
#ifndef YW_ALERT_H
#define YW_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define YW_SCHEMA_VERSION 1

typedef enum {
    YW_LEVEL_NONE = 0,
    YW_LEVEL_BLUE = 1,
    YW_LEVEL_YELLOW = 2,
    YW_LEVEL_ORANGE = 3,
    YW_LEVEL_RED = 4
} yw_level_t;

typedef enum { YW_ALERT_CLUSTER = 0, YW_ALERT_PERSON = 1 } yw_alert_kind_t;

#define YW_ALERT_MAX_SIGNALS 24
#define YW_ALERT_MAX_PLACES 8
#define YW_ALERT_MAX_SAMPLES 8
#define YW_ALERT_MAX_RELATED 4

typedef struct {
    char name[32];          /* "volume", "burst", "escalation", ... */
    double value;           /* the raw measurement */
    double contribution;    /* points added to the 0-100 score */
    char detail[128];       /* short readable reason, masked */
} yw_signal_t;

typedef struct {
    int schema_version;
    char alert_id[33];              /* 32 hex chars */
    yw_alert_kind_t kind;
    char cluster[48];               /* cluster id */
    char person[24];                /* kind=person: masked key ("p:" + 16 hex of the HMAC) */
    yw_level_t level, prev_level;
    double score;                   /* 0..100 */
    int64_t event_time;             /* ms; the event time that triggered it */
    char title[256];                /* readable label, masked */
    char places[YW_ALERT_MAX_PLACES][96];
    int nplaces;
    int64_t sources[YW_SRC_COUNT];  /* record counts per source */
    int64_t records;
    int64_t people;                 /* distinct complainants */
    int64_t repeat_contacts;
    int64_t first_seen;             /* ms */
    yw_signal_t signals[YW_ALERT_MAX_SIGNALS];
    int nsignals;
    char sample_ids[YW_ALERT_MAX_SAMPLES][64];
    int nsamples;
    /* other live clusters with the same leading name (yw_cluster_related) */
    char related[YW_ALERT_MAX_RELATED][24];
    int nrelated;
} yw_alert_t;

const char *yw_level_name(yw_level_t level);     /* "none","blue",... */
int yw_level_parse(const char *s);               /* -1 if unknown */

/* Fill alert_id from the identifying fields (call after setting them). */
void yw_alert_make_id(yw_alert_t *a);

/* Serialise as one JSON object (no newline) into a malloc'd string; event
 * times are written as RFC 3339 in the zone tz_offset_minutes.  Returns NULL
 * on ENOMEM.  *len gets the length. */
char *yw_alert_to_json(const yw_alert_t *a, int tz_offset_minutes, size_t *len);

#endif
