/* sink.c -- Redis schema v1 (sink.h, docs/redis-schema.md).
 *
 * Each public call becomes one EVALSHA so that what must happen together
 * (marker + stream + channel; hash + ranking) happens atomically in Redis,
 * and so that a re-send after a reconnect is harmless (see sink.h). */
#include "sink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* KEYS: seen marker, stream.  ARGV: ttl, maxlen, json, alert_id, level,
 * cluster, channel.  SET NX answers nil (false in Lua) when the marker
 * exists: the alert was already delivered, so nothing else is done.
 * Returns 1 when written, 0 for a duplicate. */
static const char alert_lua[] =
    "local ok\n"
    "if tonumber(ARGV[1]) > 0 then\n"
    "  ok = redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1])\n"
    "else\n"
    "  ok = redis.call('SET', KEYS[1], '1', 'NX')\n"
    "end\n"
    "if not ok then return 0 end\n"
    "if tonumber(ARGV[2]) > 0 then\n"
    "  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'alert', ARGV[3],\n"
    "             'alert_id', ARGV[4], 'level', ARGV[5], 'cluster', ARGV[6])\n"
    "else\n"
    "  redis.call('XADD', KEYS[2], '*', 'alert', ARGV[3],\n"
    "             'alert_id', ARGV[4], 'level', ARGV[5], 'cluster', ARGV[6])\n"
    "end\n"
    "redis.call('PUBLISH', ARGV[7], ARGV[3])\n"
    "return 1\n";

/* KEYS: cluster hash, ranking zset.  ARGV: ttl, cluster id, score,
 * ranked ("1" = ZADD, "0" = ZREM), then field/value pairs for the hash. */
static const char summary_lua[] =
    "redis.call('HSET', KEYS[1], unpack(ARGV, 5, #ARGV))\n"
    "if tonumber(ARGV[1]) > 0 then\n"
    "  redis.call('EXPIRE', KEYS[1], ARGV[1])\n"
    "end\n"
    "if ARGV[4] == '1' then\n"
    "  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])\n"
    "else\n"
    "  redis.call('ZREM', KEYS[2], ARGV[2])\n"
    "end\n"
    "return 1\n";

struct yw_sink {
    yw_redis_t *r;
    char *prefix;
    int64_t stream_maxlen;
    int tz;
    int64_t seen_ttl_s, cluster_ttl_s;
    char alert_sha[41], summary_sha[41];
    char k_stream[256], k_channel[256], k_rank[256];
    yw_sink_stats_t st;
};

int yw_sink_key(char *buf, size_t len, const char *prefix, const char *suffix,
                const char *id)
{
    return snprintf(buf, len, "%s%s%s", prefix ? prefix : "", suffix,
                    id ? id : "");
}

yw_sink_t *yw_sink_create(yw_redis_t *r, const char *key_prefix,
                          int64_t stream_maxlen, int tz_offset_minutes,
                          char *errbuf, size_t errlen)
{
    if (!key_prefix)
        key_prefix = "";
    if (strlen(key_prefix) > 128) {
        snprintf(errbuf, errlen, "sink: key prefix longer than 128 bytes");
        return NULL;
    }
    yw_sink_t *s = calloc(1, sizeof *s);
    if (!s || !(s->prefix = strdup(key_prefix)))
        goto oom;
    s->r = r;
    s->stream_maxlen = stream_maxlen > 0 ? stream_maxlen : 0;
    s->tz = tz_offset_minutes;
    s->seen_ttl_s = YW_SINK_SEEN_TTL_S;
    s->cluster_ttl_s = YW_SINK_CLUSTER_TTL_S;
    yw_sink_key(s->k_stream, sizeof s->k_stream, s->prefix, YW_KEY_ALERTS, NULL);
    yw_sink_key(s->k_channel, sizeof s->k_channel, s->prefix,
                YW_KEY_ALERTS_LIVE, NULL);
    yw_sink_key(s->k_rank, sizeof s->k_rank, s->prefix,
                YW_KEY_CLUSTERS_BY_SCORE, NULL);
    if (yw_redis_script(r, alert_lua, s->alert_sha) != 0 ||
        yw_redis_script(r, summary_lua, s->summary_sha) != 0)
        goto oom;
    return s;
oom:
    snprintf(errbuf, errlen, "sink: out of memory");
    yw_sink_destroy(s);
    return NULL;
}

void yw_sink_destroy(yw_sink_t *s)
{
    if (!s)
        return;
    free(s->prefix);
    free(s);
}

void yw_sink_set_ttls(yw_sink_t *s, int64_t seen_ttl_s, int64_t cluster_ttl_s)
{
    s->seen_ttl_s = seen_ttl_s > 0 ? seen_ttl_s : 0;
    s->cluster_ttl_s = cluster_ttl_s > 0 ? cluster_ttl_s : 0;
}

void yw_sink_stats(const yw_sink_t *s, yw_sink_stats_t *st)
{
    *st = s->st;
}

uint64_t yw_sink_alert(yw_sink_t *s, const yw_alert_t *a)
{
    size_t jlen = 0;
    char *json = yw_alert_to_json(a, s->tz, &jlen);
    if (!json) {
        s->st.failures++;
        return 0;
    }
    char seen[256], ttl[24], maxlen[24];
    yw_sink_key(seen, sizeof seen, s->prefix, YW_KEY_ALERT_SEEN, a->alert_id);
    snprintf(ttl, sizeof ttl, "%lld", (long long)s->seen_ttl_s);
    snprintf(maxlen, sizeof maxlen, "%lld", (long long)s->stream_maxlen);
    const char *level = yw_level_name(a->level);

    const char *argv[] = {
        "EVALSHA", s->alert_sha, "2", seen, s->k_stream,
        ttl, maxlen, json, a->alert_id, level, a->cluster, s->k_channel
    };
    size_t lens[sizeof argv / sizeof argv[0]];
    for (size_t i = 0; i < sizeof argv / sizeof argv[0]; i++)
        lens[i] = strlen(argv[i]);
    lens[7] = jlen;
    uint64_t seq = yw_redis_append(s->r, (int)(sizeof argv / sizeof argv[0]),
                                   argv, lens);
    free(json);
    if (seq)
        s->st.alerts++;
    else
        s->st.failures++;
    return seq;
}

uint64_t yw_sink_summary(yw_sink_t *s, const yw_alert_t *a)
{
    return yw_sink_summary_detail(s, a, NULL, 0);
}

uint64_t yw_sink_summary_detail(yw_sink_t *s, const yw_alert_t *a,
                                const char *detail, size_t detail_len)
{
    size_t jlen = 0;
    char *json = yw_alert_to_json(a, s->tz, &jlen);
    if (!json) {
        s->st.failures++;
        return 0;
    }
    char hkey[256], ttl[24], score[32], records[24], people[24];
    char first_seen[48], last_event[48], updated[24];
    yw_sink_key(hkey, sizeof hkey, s->prefix, YW_KEY_CLUSTER, a->cluster);
    snprintf(ttl, sizeof ttl, "%lld", (long long)s->cluster_ttl_s);
    snprintf(score, sizeof score, "%.2f", a->score);
    snprintf(records, sizeof records, "%lld", (long long)a->records);
    snprintf(people, sizeof people, "%lld", (long long)a->people);
    first_seen[0] = last_event[0] = '\0';
    yw_time_format(a->first_seen, s->tz, first_seen, sizeof first_seen);
    yw_time_format(a->event_time, s->tz, last_event, sizeof last_event);
    snprintf(updated, sizeof updated, "%lld", (long long)a->event_time);
    const char *ranked = a->level != YW_LEVEL_NONE ? "1" : "0";

    const char *argv[] = {
        "EVALSHA", s->summary_sha, "2", hkey, s->k_rank,
        ttl, a->cluster, score, ranked,
        "json", json,
        "title", a->title,
        "level", yw_level_name(a->level),
        "score", score,
        "records", records,
        "people", people,
        "first_seen", first_seen,
        "last_event_time", last_event,
        "updated_at_event", updated,
        "detail", detail ? detail : ""
    };
    enum { N = sizeof argv / sizeof argv[0] };
    size_t lens[N];
    for (size_t i = 0; i < N; i++)
        lens[i] = argv[i] == detail && detail ? detail_len : strlen(argv[i]);
    lens[10] = jlen;
    /* Without a detail, leave the field out (an older hash keeps its own). */
    uint64_t seq = yw_redis_append(s->r, detail ? N : N - 2, argv, lens);
    free(json);
    if (seq)
        s->st.summaries++;
    else
        s->st.failures++;
    return seq;
}

uint64_t yw_sink_forget(yw_sink_t *s, const char *cluster)
{
    const char *argv[] = { "ZREM", s->k_rank, cluster };
    return yw_redis_append(s->r, 3, argv, NULL);
}
