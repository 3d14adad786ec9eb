/* config_table.c -- the key tables of the configuration (config_table.h):
 * every section and key with its type, default, bounds and description,
 * and what follows from the rows alone: yw_config_defaults(),
 * yw_config_destroy() and yw_config_print_reference() (--help and
 * docs/config.md, which a unit test keeps equal to this file). */
#include "config_table.h"

#include "rules.h"

#include "config_util.h"
#include "log.h"
#include "window.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TABLE(arr) { arr, sizeof arr / sizeof arr[0] }
#define OFF(field) offsetof(yw_config_t, field)

#define K_STR(n, field, d, minlen, desc_) \
    { .name = n, .type = CT_STR, .off = OFF(field), .def = d, .min = minlen, .desc = desc_ }
#define K_INT(n, field, d, lo, hi, unit_, desc_) \
    { .name = n, .type = CT_INT, .off = OFF(field), .def_int = d, .min = lo, \
      .max = hi, .unit = unit_, .desc = desc_ }
#define K_SUB(n, tbl, desc_) \
    { .name = n, .type = CT_TABLE, .sub = &tbl, .desc = desc_ }
#define FSIZE(field) ((unsigned)sizeof(((yw_config_t *)0)->field))
/* Keys of sections with an init: the default is what init sets. */
#define K_N(n, field, lo, hi, unit_, desc_) \
    { .name = n, .type = CT_INT, .off = OFF(field), .size = FSIZE(field), \
      .min = lo, .max = hi, .unit = unit_, .desc = desc_ }
#define K_F(n, field, lo, hi, fl, unit_, desc_) \
    { .name = n, .type = CT_FLOAT, .off = OFF(field), .size = FSIZE(field), \
      .fmin = lo, .fmax = hi, .flags = fl, .unit = unit_, .desc = desc_ }

static const char *const log_levels[] = { "error", "warn", "info", "debug", NULL };
static const char *const log_formats[] = { "text", "json", NULL };

static const cfg_key_t kafka_topic_keys[] = {
    K_STR("hotline", kafka_topics[YW_SRC_HOTLINE], "citizen.hotline", 0,
          "Topic of 12345 hotline records; \"\" = not consumed."),
    K_STR("grid", kafka_topics[YW_SRC_GRID], "citizen.grid", 0,
          "Topic of grid-patrol records; \"\" = not consumed."),
    K_STR("online", kafka_topics[YW_SRC_ONLINE], "citizen.online", 0,
          "Topic of online posts and message-board records; \"\" = not consumed."),
    K_STR("police", kafka_topics[YW_SRC_POLICE], "citizen.police", 0,
          "Topic of 110 non-emergency records; \"\" = not consumed."),
};
static const cfg_table_t kafka_topic_table = TABLE(kafka_topic_keys);

static const cfg_key_t kafka_keys[] = {
    K_STR("brokers", kafka_brokers, "localhost:9092", 1,
          "Bootstrap servers, comma-separated host:port (librdkafka bootstrap.servers)."),
    K_STR("group_id", kafka_group_id, "yuanwang", 1,
          "Consumer group; every yuanwangd of one deployment uses the same one."),
    K_SUB("topics", kafka_topic_table,
          "Input topic per source. At least one must be non-empty; the source "
          "also comes from the topic when a record has no \"source\" field."),
    K_STR("dead_letter_topic", kafka_dead_letter_topic, "yuanwang.deadletter", 1,
          "Where undecodable records go, with the reason and their origin."),
    K_INT("max_message_bytes", kafka_max_message_bytes, 1048576, 1024, 67108864,
          "bytes", "Larger messages are dead-lettered as oversize."),
    K_INT("batch_size", kafka_batch_size, 512, 1, 100000, NULL,
          "Records applied per Redis round trip and offset store."),
    K_INT("batch_timeout_ms", kafka_batch_timeout_ms, 50, 1, 60000, "ms",
          "Longest wait to fill a batch before it is applied anyway."),
    K_INT("align_idle_ms", kafka_align_idle_ms, 1000, 0, 600000, "ms",
          "Records are applied in event-time order across partitions (a "
          "backlog after an outage too); a partition that is silent (not at "
          "its end) holds the others back this long, or up to ten times this "
          "while it is known to have messages not yet read, or has not "
          "answered at all since it was assigned (a broker that has just "
          "started). 0: no alignment (the consumer's order)."),
    K_INT("align_max_held", kafka_align_max_held, 50000, 1, 10000000, NULL,
          "Most messages held back for alignment; past it the oldest goes anyway."),
    { .name = "rdkafka", .type = CT_KV, .off = OFF(kafka_rdkafka),
      .off_count = OFF(kafka_rdkafka_count),
      .desc = "Any librdkafka property, name: value (e.g. fetch.wait.max.ms: 50); "
              "checked with librdkafka itself. bootstrap.servers, group.id and "
              "enable.auto.offset.store and enable.partition.eof are set by yuanwangd and refused here. "
              "Consumer properties go to the consumer only and producer properties to the producers only "
              "(dead letters, ywctl replay), which are idempotent unless enable.idempotence is set here." },
};
static const cfg_table_t kafka_table = TABLE(kafka_keys);

static const cfg_key_t redis_keys[] = {
    K_STR("host", redis_host, "127.0.0.1", 0,
          "Redis host (ignored when unix_socket is set)."),
    K_INT("port", redis_port, 6379, 1, 65535, NULL, "Redis TCP port."),
    K_STR("unix_socket", redis_unix_socket, "", 0,
          "Path of a Redis unix socket; when set it wins over host and port."),
    K_STR("user", redis_user, "", 0, "ACL user for AUTH; \"\" = the default user."),
    { .name = "password", .type = CT_STR, .off = OFF(redis_password), .def = "",
      .flags = CF_SECRET,
      .desc = "AUTH password; \"\" = no AUTH. Write ${YW_REDIS_PASSWORD}, not the password." },
    K_INT("db", redis_db, 0, 0, 15, NULL, "Database number (SELECT)."),
    K_STR("key_prefix", redis_key_prefix, "yw:", 0,
          "Prefix of every key, stream and channel yuanwangd writes."),
    K_INT("pipeline_depth", redis_pipeline_depth, 256, 1, 65536, NULL,
          "Commands in flight on the connection before waiting for replies."),
    K_INT("queue_max", redis_queue_max, 100000, 1, 100000000, NULL,
          "Bound on commands queued for Redis. Each batch waits until Redis "
          "has acknowledged its commands before the next is applied, and Kafka "
          "partitions are paused while it waits longer than 1 s or while this "
          "many are queued; with the default batch size the queue stays far below it."),
    K_INT("stream_maxlen", redis_stream_maxlen, 100000, 1, 1000000000, NULL,
          "Approximate length the alert stream is trimmed to (XADD MAXLEN ~)."),
    K_INT("connect_timeout_ms", redis_connect_timeout_ms, 2000, 1, 600000, "ms",
          "Timeout of one connection attempt."),
    K_INT("retry_backoff_ms", redis_retry_backoff_ms, 100, 1, 600000, "ms",
          "First wait before reconnecting; doubles (with jitter) on each failure."),
    K_INT("retry_backoff_max_ms", redis_retry_backoff_max_ms, 5000, 1, 3600000, "ms",
          "Longest wait between reconnects; at least retry_backoff_ms."),
};
static const cfg_table_t redis_table = TABLE(redis_keys);

static const cfg_key_t records_keys[] = {
    { .name = "timezone", .type = CT_TZ, .off = OFF(tz_offset_minutes),
      .def = "+08:00",
      .desc = "UTC offset ([+-]HH:MM) for record times written without one "
              "(\"YYYY-MM-DD HH:MM:SS\")." },
};
static const cfg_table_t records_table = TABLE(records_keys);

static const cfg_key_t privacy_keys[] = {
    { .name = "hmac_secret", .type = CT_STR, .off = OFF(privacy_hmac_secret),
      .min = 16, .flags = CF_SECRET | CF_REQUIRED,
      .hint = "set it to ${YW_HMAC_SECRET} and export a secret of at least 16 bytes",
      .desc = "Key of the HMAC-SHA256 that replaces complainant keys; at least "
              "16 bytes. Keep it out of the file: write ${YW_HMAC_SECRET}. "
              "Changing it changes every person hash." },
};
static const cfg_table_t privacy_table = TABLE(privacy_keys);

/* ---- cluster: yw_cluster_conf_t (lib/cluster.h) ---------------------------
 * Bounds are yw_cluster_conf_set()'s; yw_cluster_conf_check() runs after
 * the section (index_terms <= top_k). */

static const cfg_key_t cluster_kind_keys[] = {
    K_F("bigram", cluster.kind_weight[YW_TERM_BIGRAM], 0, 100, 0, NULL,
        "Weight of character bigrams of the text."),
    K_F("word", cluster.kind_weight[YW_TERM_WORD], 0, 100, 0, NULL,
        "Weight of ASCII words (case-folded)."),
    K_F("number", cluster.kind_weight[YW_TERM_NUMBER], 0, 100, 0, NULL,
        "Weight of number classes (amount:10k-100k, ...)."),
    K_F("rule", cluster.kind_weight[YW_TERM_RULE], 0, 100, 0, NULL,
        "Weight of a hit rule (one term per rule)."),
    K_F("entity", cluster.kind_weight[YW_TERM_ENTITY], 0, 100, 0, NULL,
        "Weight of entities (estate, company, road, amount, headcount)."),
    K_F("place", cluster.kind_weight[YW_TERM_PLACE], 0, 100, 0, NULL,
        "Weight of the record's district, street and community."),
};
static const cfg_table_t cluster_kind_table = TABLE(cluster_kind_keys);

static const cfg_key_t cluster_keys[] = {
    K_F("threshold", cluster.threshold, 0, 1, 0, NULL,
        "A record joins its most similar cluster when the similarity (cosine "
        "x time damping) reaches this; else it starts a new cluster."),
    K_F("merge_threshold", cluster.merge_threshold, 0, 1.01, 0, NULL,
        "Two clusters a record is similar to are merged when their centroids' "
        "cosine reaches this (above 1 = never)."),
    K_F("dup_jaccard", cluster.dup_jaccard, 0, 1.01, 0, NULL,
        "Estimated Jaccard (bottom-8 signatures) at which a record is a "
        "near-duplicate of a member: counted, but does not move the centroid "
        "(above 1 = never)."),
    K_N("top_k", cluster.top_k, 4, 256, NULL,
        "Terms kept in a centroid.  The scoring is calibrated at 48: with "
        "top_k and record_terms at 32, centroids are mostly place names, one "
        "street's unrelated complaints share a cluster that looks like an "
        "escalation, and the evaluation's false orange+ alerts went from 14 "
        "to 812 (bench/README.md)."),
    K_N("record_terms", cluster.record_terms, 4, 256, NULL,
        "Strongest terms of a record compared.  At 64 a ~300-byte record keeps "
        "all its terms, so no tie between equal weights decides what it is "
        "compared by; at 48 the evaluation's false alarms moved 0.33-1.18 a "
        "week per 100k with the term hash alone, at 64 0.38-0.59 "
        "(bench/README.md).  See top_k before lowering."),
    K_N("index_terms", cluster.index_terms, 1, 32, NULL,
        "Strongest centroid terms in the inverted index; at most top_k."),
    K_N("query_terms", cluster.query_terms, 1, 64, NULL,
        "Strongest record terms looked up in the index for candidates."),
    K_N("posting_cap", cluster.posting_cap, 1, 1024, NULL,
        "Clusters listed per index term; when full, the smallest is dropped."),
    K_N("max_candidates", cluster.max_candidates, 1, 256, NULL,
        "Candidates (most shared weight first) scored exactly."),
    K_N("max_clusters", cluster.max_clusters, 2, 100000000, NULL,
        "Live clusters per shard; beyond it the least recently updated is "
        "evicted (one-record clusters first). Bounds memory (~2-5 KiB each)."),
    K_F("expiry_hours", cluster.expiry_hours, 0.001, 1e6, 0, "hours",
        "A cluster quiet this long (event time) expires."),
    K_F("singleton_expiry_hours", cluster.singleton_expiry_hours, 0.001, 1e6, 0,
        "hours", "A one-record cluster quiet this long expires."),
    K_F("half_life_hours", cluster.half_life_hours, 0, 1e6, 0, "hours",
        "Half-life of the members' weight in a centroid (event time); 0 = no decay."),
    K_F("time_scale_hours", cluster.time_scale_hours, 0, 1e6, 0, "hours",
        "Similarity is multiplied by exp(-quiet gap / this), so issues far apart "
        "in time do not share a cluster; 0 = no damping."),
    K_F("idf_min", cluster.idf_min, 0, 100, 0, NULL,
        "Floor under a term's idf (term weight = (1 + ln tf) x max(idf, idf_min) "
        "x kind weight)."),
    K_SUB("kind_weights", cluster_kind_table,
          "Weight of each kind of term (multiplies its TF-IDF)."),
    K_N("df_width_log2", cluster.df_width_log2, 8, 26, NULL,
        "Document-frequency counters: 4 x 2^this, one per term at a hash (18: 4 MiB)."),
    K_N("df_n_floor", cluster.df_n_floor, 1, 1000000000, NULL,
        "Documents assumed at least, in idf = ln((max(N, floor) + 1) / (df + 1)) "
        "+ 1, so the first records' terms do not look rare."),
    K_N("merge_memory", cluster.merge_memory, 1, 100000000, NULL,
        "Merges remembered, to resolve an absorbed cluster id to the cluster "
        "that holds its records now."),
};
static const cfg_table_t cluster_table = TABLE(cluster_keys);

/* ---- score: yw_score_conf_t (lib/score.h, docs/scoring.md) ----------------
 * Signal names are yw_score_signal_name()'s, in yw_signal_id_t order (a
 * unit test holds them equal).  yw_score_conf_check() runs after the
 * section (hysteresis below blue, burst saturation above burst_z_min, ...). */

#define SIG_W(sig, n, desc_) \
    K_F(n, score.weight[sig], 0, 100, 0, NULL, desc_)
#define SIG_S(sig, n, desc_) \
    K_F(n, score.sat[sig], 0, 1e9, CF_GT_MIN, NULL, desc_)

static const cfg_key_t score_weight_keys[] = {
    SIG_W(YW_SIG_VOLUME, "volume", "Records in the last volume_days."),
    SIG_W(YW_SIG_BURST, "burst", "Last 24 h against the cluster's own and the global baseline."),
    SIG_W(YW_SIG_GROWTH, "growth", "Last growth_days against the growth_days before."),
    SIG_W(YW_SIG_PEOPLE, "people", "New distinct complainants (decayed)."),
    SIG_W(YW_SIG_REPEAT, "repeat", "Repeat contacts by the same person (decayed)."),
    SIG_W(YW_SIG_SOURCES, "sources", "Sources (hotline, grid, online, police) in volume_days."),
    SIG_W(YW_SIG_ESCALATION, "escalation", "Rules of kind escalation (decayed weight)."),
    SIG_W(YW_SIG_EMOTION, "emotion", "Rules of kind emotion (decayed weight)."),
    SIG_W(YW_SIG_DOMAIN, "domain", "Rules of kind domain (decayed weight)."),
    SIG_W(YW_SIG_SPREAD, "spread", "Online reposts, comments and likes (log10, decayed)."),
    SIG_W(YW_SIG_CONCENTRATION, "concentration", "Share of records in the top street/community."),
    SIG_W(YW_SIG_OUTCOME, "outcome", "Unresolved and dissatisfied outcomes (decayed)."),
    SIG_W(YW_SIG_DEFLECTION, "deflection", "Rules of kind deflection in replies (decayed)."),
    SIG_W(YW_SIG_SELFHARM, "selfharm", "Rules of kind selfharm (decayed); also a level floor."),
    SIG_W(YW_SIG_TREND, "trend", "Weekly counts rising week after week (last 7 days over the 7 two weeks before)."),
    SIG_W(YW_SIG_CAMPAIGN, "campaign", "Several widely shared posts making up much of the cluster (an online campaign)."),
};
static const cfg_table_t score_weight_table = TABLE(score_weight_keys);

static const cfg_key_t score_sat_keys[] = {
    SIG_S(YW_SIG_VOLUME, "volume", "Records (log scale)."),
    SIG_S(YW_SIG_BURST, "burst", "z-score; above burst_z_min."),
    SIG_S(YW_SIG_GROWTH, "growth", "Ratio recent / previous; above 1."),
    SIG_S(YW_SIG_PEOPLE, "people", "Decayed new people; above 1."),
    SIG_S(YW_SIG_REPEAT, "repeat", "Decayed repeat contacts."),
    SIG_S(YW_SIG_SOURCES, "sources", "Sources; above 1."),
    SIG_S(YW_SIG_ESCALATION, "escalation", "Decayed rule weight."),
    SIG_S(YW_SIG_EMOTION, "emotion", "Decayed rule weight."),
    SIG_S(YW_SIG_DOMAIN, "domain", "Decayed rule weight."),
    SIG_S(YW_SIG_SPREAD, "spread", "log10 of interactions (4 = 10^4)."),
    SIG_S(YW_SIG_CONCENTRATION, "concentration", "Share of records in the top place."),
    SIG_S(YW_SIG_OUTCOME, "outcome", "Decayed unresolved/dissatisfied outcomes."),
    SIG_S(YW_SIG_DEFLECTION, "deflection", "Decayed rule weight."),
    SIG_S(YW_SIG_SELFHARM, "selfharm", "Decayed rule weight."),
    SIG_S(YW_SIG_TREND, "trend", "Ratio last week / two weeks before; above 1."),
    SIG_S(YW_SIG_CAMPAIGN, "campaign", "Widely shared posts, decayed (log scale)."),
};
static const cfg_table_t score_sat_table = TABLE(score_sat_keys);

static const cfg_key_t score_threshold_keys[] = {
    K_F("blue", score.thresholds[YW_LEVEL_BLUE], 0, 100, CF_GT_MIN, NULL,
        "Score at which a cluster rises to blue."),
    K_F("yellow", score.thresholds[YW_LEVEL_YELLOW], 0, 100, CF_GT_MIN, NULL,
        "Score for yellow; greater than blue."),
    K_F("orange", score.thresholds[YW_LEVEL_ORANGE], 0, 100, CF_GT_MIN, NULL,
        "Score for orange; greater than yellow."),
    K_F("red", score.thresholds[YW_LEVEL_RED], 0, 100, CF_GT_MIN, NULL,
        "Score for red; greater than orange."),
};
static const cfg_table_t score_threshold_table = TABLE(score_threshold_keys);

static const char *const score_levels[] = { "none", "blue", "yellow", "orange",
                                            "red", NULL };

static const cfg_key_t score_keys[] = {
    K_N("lateness_ms", score.lateness_ms, 0, 604800000, "ms",
        "Allowed lateness: the watermark is the largest event time seen minus this; "
        "older records are late (not in the hourly buckets)."),
    K_SUB("weights", score_weight_table,
          "Points each signal adds at saturation (the score is their sum, capped at 100)."),
    K_SUB("saturation", score_sat_table,
          "Value of each signal at which it adds its full weight."),
    K_SUB("thresholds", score_threshold_table,
          "Score at which a cluster rises to each level; strictly increasing."),
    K_F("hysteresis", score.hysteresis, 0, 100, 0, NULL,
        "A level is kept until the score drops below its threshold minus this; "
        "below the blue threshold."),
    K_N("cooldown_ms", score.cooldown_ms, 0, 2592000000, "ms",
        "No second rise within this much event time after a rise, unless the "
        "level jumps by 2 or self-harm forces it."),
    K_N("fall_hold_ms", score.fall_hold_ms, 0, 2592000000, "ms",
        "A level is given up only after the score has stayed below its fall line "
        "(threshold - hysteresis) this long."),
    K_N("eval_step_ms", score.eval_step_ms, 1000, 86400000, "ms",
        "Clusters with a level are re-evaluated this often as the watermark "
        "moves, so quiet ones decay and are downgraded."),
    K_F("half_life_hours", score.half_life_h, 0, 1e6, CF_GT_MIN, "hours",
        "Half-life of the decayed sums (people, repeats, rule kinds, spread, outcomes)."),
    K_N("volume_days", score.volume_days, 1, YW_WIN_DAYS, "days",
        "Window of the volume and sources signals."),
    K_N("growth_days", score.growth_days, 1, YW_WIN_DAYS / 2, "days",
        "Growth compares the last N days with the N days before."),
    K_F("growth_min_recent", score.growth_min_recent, 0, 1e6, 0, NULL,
        "Records needed in the last growth_days before growth adds points."),
    K_F("growth_prior", score.growth_prior, 0, 1e6, 0, NULL,
        "Pseudo-count added to both growth windows, so a new cluster going "
        "0 -> 3 is not 'growth' (also used by trend)."),
    K_F("trend_step", score.trend_step, 1, 1e6, 0, NULL,
        "Trend: each of the last three weeks must hold this many times the week before."),
    K_F("trend_min_ratio", score.trend_min_ratio, 1, 1e6, 0, NULL,
        "Trend: the ratio (last week / two weeks before) at which points start."),
    K_F("trend_min_recent", score.trend_min_recent, 0, 1e6, 0, NULL,
        "Trend: records needed in the last 7 days."),
    K_F("trend_min_prev", score.trend_min_prev, 0, 1e6, 0, NULL,
        "Trend: records needed in the 7 days before those."),
    K_F("campaign_min_interactions", score.campaign_min_interactions, 0, 1e12, 0, NULL,
        "Campaign: reposts + comments + likes/10 a post needs to count as widely shared."),
    K_F("campaign_min_posts", score.campaign_min_posts, 0, 1e6, 0, NULL,
        "Campaign: widely shared posts (decayed) needed before it adds points."),
    K_F("campaign_min_share", score.campaign_min_share, 0, 1, 0, NULL,
        "Campaign: widely shared posts as a share of the cluster's records (decayed)."),
    K_F("focus_lo", score.focus_lo, 0, 1, 0, NULL,
        "Top street's share of a cluster's placed records at or below which "
        "size signals count only focus_floor of their points."),
    K_F("focus_hi", score.focus_hi, 0, 1, 0, NULL,
        "Top street's share at or above which size signals count in full."),
    K_F("focus_floor", score.focus_floor, 0, 1, 0, NULL,
        "Share of the size signals' points kept by a spread-out cluster."),
    K_F("rate_sat", score.rate_sat, 0, 1e6, CF_GT_MIN, NULL,
        "Per-record rate of a language signal (escalation, emotion, outcome, "
        "deflection) at which it counts in full."),
    K_N("warmup_days", score.warmup_days, 0, 365, "days",
        "No level above yellow in the stream's first N days (self-harm excepted): "
        "there is no baseline yet."),
    K_F("burst_beta", score.burst_beta, 0, 1e6, CF_GT_MIN, NULL,
        "Bias in z = (x - max(mean, beta)) / (sd + beta), in records; keeps tiny "
        "counts from dividing by ~0."),
    K_F("burst_z_min", score.burst_z_min, 0, 1000, 0, NULL,
        "A burst z-score below this adds nothing; below saturation.burst."),
    K_F("burst_alpha_own", score.burst_alpha_own, 0, 1, CF_GT_MIN, NULL,
        "EWMA weight of a day in the cluster's own baseline."),
    K_F("burst_alpha_global", score.burst_alpha_global, 0, 1, CF_GT_MIN, NULL,
        "EWMA weight of a day in the global baseline."),
    K_F("burst_p_max", score.burst_p_max, 0, 1, CF_GT_MIN, NULL,
        "A burst counts only if its Poisson tail P(X >= x) is at most this."),
    K_N("burst_min_history_days", score.burst_min_history_days, 0, YW_WIN_DAYS,
        "days", "The cluster's own baseline is used once it is this old."),
    K_F("global_prior_mean", score.global_prior_mean, 0, 1e6, 0, NULL,
        "Global baseline mean (records per cluster-day) before the first full day."),
    K_F("global_prior_sd", score.global_prior_sd, 0, 1e6, CF_GT_MIN, NULL,
        "Global baseline standard deviation before the first full day."),
    K_F("concentration_min", score.concentration_min, 0, 1e6, 0, NULL,
        "Records naming a place needed before concentration counts."),
    K_F("concentration_active", score.concentration_active, 0, 1e6, CF_GT_MIN, NULL,
        "Decayed records for concentration's full weight."),
    { .name = "selfharm_level", .type = CT_ENUM, .off = OFF(score.selfharm_level),
      .choices = score_levels,
      .desc = "Level floor while self-harm language is recent (none = no floor)." },
    K_F("selfharm_floor_min", score.selfharm_floor_min, 0, 1e6, CF_GT_MIN, NULL,
        "Decayed self-harm weight that holds the floor (0.25: ~6 days after one hit)."),
    K_N("person_cap", score.person_cap, 1, 16777216, NULL,
        "Persons tracked for person alerts (one entry per person, in the cluster of "
        "their latest contact); least recently "
        "contacted evicted first."),
    K_N("person_ttl_ms", score.person_ttl_ms, 1, 31536000000, "ms",
        "A person quiet this long is forgotten."),
    K_N("person_min_contacts", score.person_min_contacts, 2, 65535, NULL,
        "Contacts by one person about one cluster for a person alert."),
    K_N("person_min_deflections", score.person_min_deflections, 0, 255, NULL,
        "Of which deflected or unresolved, for a person alert."),
    K_N("person_orange_deflections", score.person_orange_deflections, 1, 65535, NULL,
        "A person alert is orange once this many contacts were deflected or unresolved ..."),
    K_F("person_orange_share", score.person_orange_share, 0, 1, 0, NULL,
        "... and at least this share of the person's answered contacts (a reply or an "
        "outcome) ..."),
    K_N("person_orange_refusals", score.person_orange_refusals, 0, 65535, NULL,
        "... and at least this many replies that hit a deflection rule (不归我办...)."),
    K_N("person_refusals_alone", score.person_refusals_alone, 1, 65535, NULL,
        "Refusals that stand in for a rise in emotion: a caller refused this often "
        "is escalating even if angry from the first call."),
};
static const cfg_table_t score_table = TABLE(score_keys);

static void cluster_init(yw_config_t *cfg)
{
    yw_cluster_conf_default(&cfg->cluster);
}

static int cluster_check(const yw_config_t *cfg, char *err, size_t errlen)
{
    return yw_cluster_conf_check(&cfg->cluster, err, errlen);
}

static void score_init(yw_config_t *cfg)
{
    yw_score_conf_defaults(&cfg->score);
    cfg->score.tz_offset_minutes = cfg->tz_offset_minutes;
}

static int score_check(const yw_config_t *cfg, char *err, size_t errlen)
{
    return yw_score_conf_check(&cfg->score, err, errlen);
}

static const cfg_key_t log_keys[] = {
    { .name = "level", .type = CT_ENUM, .off = OFF(log_level),
      .def_int = YW_LOG_INFO, .choices = log_levels,
      .desc = "Least severe level written." },
    { .name = "format", .type = CT_ENUM, .off = OFF(log_format),
      .def_int = YW_LOG_TEXT, .choices = log_formats,
      .desc = "text: one readable line per event; json: one JSON object per line." },
};
static const cfg_table_t log_table = TABLE(log_keys);

static const cfg_key_t metrics_keys[] = {
    K_STR("file", metrics_file, "", 0,
          "Prometheus text file rewritten periodically (atomically); \"\" = off."),
    K_INT("interval_ms", metrics_interval_ms, 5000, 100, 3600000, "ms",
          "How often the metrics file is rewritten."),
};
static const cfg_table_t metrics_table = TABLE(metrics_keys);

static const cfg_key_t snapshot_keys[] = {
    K_STR("dir", snapshot_dir, "", 0,
          "Directory of state snapshots (created if missing; one per yuanwangd). "
          "\"\" = off: a restart starts clustering and scoring from empty state "
          "(offsets are then stored as soon as Redis acknowledged a batch)."),
    K_INT("interval_ms", snapshot_interval_ms, 10000, 100, 86400000, "ms",
          "Write a snapshot when this long has passed since the last one (checked "
          "after each batch is in Redis). Offsets are committed only at snapshots, "
          "so this bounds what a crash makes the daemon read again."),
    K_INT("interval_records", snapshot_interval_records, 0, 0, 1000000000, NULL,
          "Also write one after this many records since the last (0 = only by time)."),
    K_INT("keep", snapshot_keep, 2, 2, 100, NULL,
          "Snapshots kept; loading falls back to an older one when the newest is "
          "damaged."),
};
static const cfg_table_t snapshot_table = TABLE(snapshot_keys);

static const cfg_key_t rules_keys[] = {
    { .name = "paths", .type = CT_STRLIST, .off = OFF(rules_paths),
      .off_count = OFF(rules_path_count), .def = "rules",
      .desc = "Rule files, or directories whose *.yaml and *.yml files are all "
              "loaded (in name order). Relative paths are relative to the working "
              "directory of the process, not to the config file. Every rule error "
              "is reported with the rule file's FILE:LINE." },
};
static const cfg_table_t rules_table = TABLE(rules_keys);

static const cfg_key_t root_keys[] = {
    K_SUB("kafka", kafka_table, "Where records come from."),
    K_SUB("redis", redis_table, "Where alerts and cluster summaries go."),
    K_SUB("records", records_table, "How input records are read."),
    K_SUB("privacy", privacy_table, "Personal data protection."),
    K_SUB("rules", rules_table,
          "Rule files for the feature stage (docs/rules.md); --check-config "
          "and every start load and check them."),
    { .name = "cluster", .type = CT_TABLE, .sub = &cluster_table,
      .init = cluster_init, .check = cluster_check,
      .desc = "Incremental clustering of records into concrete issues "
              "(lib/cluster.h; bench/README.md, \"clustering\")." },
    { .name = "score", .type = CT_TABLE, .sub = &score_table,
      .init = score_init, .check = score_check,
      .desc = "Risk score, levels and alerts per cluster (lib/score.h; every "
              "signal and formula in docs/scoring.md). Days start at local "
              "midnight of records.timezone." },
    K_SUB("snapshot", snapshot_table,
          "State snapshots: clusters, windows, baselines and the Kafka offsets they "
          "reflect, so a restart resumes exactly where the last snapshot stopped "
          "(docs/decisions.md, \"State and restarts\")."),
    K_SUB("log", log_table, "Logging to stderr."),
    K_SUB("metrics", metrics_table, "Prometheus metrics."),
};
const cfg_table_t yw_cfg_root = TABLE(root_keys);

const cfg_key_t *yw_cfg_find(const cfg_table_t *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->keys[i].name, name))
            return &t->keys[i];
    return NULL;
}

void yw_cfg_free_str(char **p, bool secret)
{
    if (*p && secret)
        explicit_bzero(*p, strlen(*p));
    free(*p);
    *p = NULL;
}

/* ---- defaults and destruction, driven by the tables ------------------------ */

int yw_cfg_set_defaults(const cfg_table_t *t, void *base)
{
    for (size_t i = 0; i < t->n; i++) {
        const cfg_key_t *e = &t->keys[i];
        void *p = yw_cfg_field(base, e->off);
        switch (e->type) {
        case CT_STR:
        case CT_REGEX:
            if (e->def && !(*(char **)p = strdup(e->def)))
                return -1;
            break;
        case CT_INT:
            yw_cfg_set_int(e, base, e->def_int);
            break;
        case CT_FLOAT:
            break;              /* only in sections with an init */
        case CT_ENUM:
            *(int *)p = (int)e->def_int;
            break;
        case CT_TZ:
            if (yw_cfgu_parse_tz(e->def, (int *)p) < 0)
                return -1;
            break;
        case CT_STRLIST:
            if (e->def) {
                char **list = calloc(1, sizeof *list);
                if (!list || !(list[0] = strdup(e->def))) {
                    free(list);
                    return -1;
                }
                *(char ***)p = list;
                *(size_t *)yw_cfg_field(base, e->off_count) = 1;
            }
            break;
        case CT_KV:
            break;              /* empty by default (the struct is zeroed) */
        case CT_TABLE:
            if (e->init)
                e->init(base);  /* the module's defaults, every field */
            else if (yw_cfg_set_defaults(e->sub, base) < 0)
                return -1;
            break;
        }
    }
    return 0;
}

int64_t yw_cfg_get_int(const cfg_key_t *e, const void *base)
{
    const char *p = (const char *)base + e->off;
    if (e->size == 4) {
        int32_t v;              /* int or uint32_t (bounds fit in int32_t) */
        memcpy(&v, p, sizeof v);
        return v;
    }
    int64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

void yw_cfg_set_int(const cfg_key_t *e, void *base, int64_t v)
{
    char *p = yw_cfg_field(base, e->off);
    if (e->size == 4) {
        int32_t x = (int32_t)v;
        memcpy(p, &x, sizeof x);
    } else {
        memcpy(p, &v, sizeof v);
    }
}

double yw_cfg_get_float(const cfg_key_t *e, const void *base)
{
    const char *p = (const char *)base + e->off;
    if (e->size == 4) {
        float v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    double v;
    memcpy(&v, p, sizeof v);
    return v;
}

void yw_cfg_set_float(const cfg_key_t *e, void *base, double v)
{
    char *p = yw_cfg_field(base, e->off);
    if (e->size == 4) {
        float x = (float)v;
        memcpy(p, &x, sizeof x);
    } else {
        memcpy(p, &v, sizeof v);
    }
}

void yw_cfg_float_range(const cfg_key_t *e, char *buf, size_t len)
{
    snprintf(buf, len, "%s%.15g, %.15g]", e->flags & CF_GT_MIN ? "(" : "[", e->fmin,
             e->fmax);
}

void yw_cfg_free_fields(const cfg_table_t *t, void *base)
{
    for (size_t i = 0; i < t->n; i++) {
        const cfg_key_t *e = &t->keys[i];
        void *p = yw_cfg_field(base, e->off);
        size_t *count = e->off_count ? yw_cfg_field(base, e->off_count) : NULL;
        switch (e->type) {
        case CT_STR:
        case CT_REGEX:
            yw_cfg_free_str(p, e->flags & CF_SECRET);
            break;
        case CT_STRLIST: {
            char **list = *(char ***)p;
            for (size_t j = 0; j < *count; j++)
                free(list[j]);
            free(list);
            *(char ***)p = NULL;
            *count = 0;
            break;
        }
        case CT_KV: {
            yw_kv_t *kv = *(yw_kv_t **)p;
            for (size_t j = 0; j < *count; j++) {
                free(kv[j].key);
                /* librdkafka properties include sasl.password & co. */
                yw_cfg_free_str(&kv[j].value, true);
            }
            free(kv);
            *(yw_kv_t **)p = NULL;
            *count = 0;
            break;
        }
        case CT_TABLE:
            yw_cfg_free_fields(e->sub, base);
            break;
        case CT_INT:
        case CT_FLOAT:
        case CT_ENUM:
        case CT_TZ:
            break;
        }
    }
}

yw_config_t *yw_config_defaults(void)
{
    yw_config_t *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return NULL;
    if (yw_cfg_set_defaults(&yw_cfg_root, cfg) < 0) {
        yw_config_destroy(cfg);
        return NULL;
    }
    /* Not a key of its own: score's days start at records.timezone. */
    cfg->score.tz_offset_minutes = cfg->tz_offset_minutes;
    return cfg;
}

void yw_config_destroy(yw_config_t *cfg)
{
    if (!cfg)
        return;
    yw_cfg_free_fields(&yw_cfg_root, cfg);
    yw_rules_destroy(cfg->rules);
    free(cfg->path);
    free(cfg);
}

/* ---- the reference (--help and docs/config.md) ---------------------------- */

static void type_text(const cfg_key_t *e, char *buf, size_t len)
{
    switch (e->type) {
    case CT_STR:        snprintf(buf, len, "string"); break;
    case CT_REGEX:      snprintf(buf, len, "PCRE2 regex"); break;
    case CT_INT:
        if (e->unit)
            snprintf(buf, len, "integer (%s)", e->unit);
        else
            snprintf(buf, len, "integer");
        break;
    case CT_FLOAT:
        if (e->unit)
            snprintf(buf, len, "number (%s)", e->unit);
        else
            snprintf(buf, len, "number");
        break;
    case CT_ENUM:       snprintf(buf, len, "enum"); break;
    case CT_TZ:         snprintf(buf, len, "UTC offset"); break;
    case CT_STRLIST:    snprintf(buf, len, "list of strings"); break;
    case CT_KV:         snprintf(buf, len, "map of name: value"); break;
    case CT_TABLE:      snprintf(buf, len, "mapping"); break;
    }
}

/* Numbers and enums are read back from defs (a yw_config_defaults()), so
 * sections filled by their module's init show its real defaults. */
static void default_text(const cfg_key_t *e, const yw_config_t *defs,
                         char *buf, size_t len)
{
    switch (e->type) {
    case CT_STR:
    case CT_REGEX:
        if (e->flags & CF_REQUIRED)
            snprintf(buf, len, "(required)");
        else
            snprintf(buf, len, "\"%s\"", e->def ? e->def : "");
        break;
    case CT_INT:
        snprintf(buf, len, "%" PRId64, defs ? yw_cfg_get_int(e, defs) : e->def_int);
        break;
    case CT_FLOAT:
        snprintf(buf, len, "%g", defs ? yw_cfg_get_float(e, defs) : NAN);
        break;
    case CT_ENUM: {
        int i = defs ? *(const int *)((const char *)defs + e->off) : (int)e->def_int;
        snprintf(buf, len, "%s", e->choices[i]);
        break;
    }
    case CT_TZ:         snprintf(buf, len, "\"%s\"", e->def); break;
    case CT_STRLIST:    snprintf(buf, len, "[\"%s\"]", e->def); break;
    case CT_KV:         snprintf(buf, len, "{}"); break;
    case CT_TABLE:      snprintf(buf, len, "-"); break;
    }
}

static void allowed_text(const cfg_key_t *e, char *buf, size_t len)
{
    buf[0] = '\0';
    if (e->type == CT_INT) {
        snprintf(buf, len, "%" PRId64 "..%" PRId64, e->min, e->max);
    } else if (e->type == CT_FLOAT) {
        yw_cfg_float_range(e, buf, len);
    } else if (e->type == CT_ENUM) {
        size_t n = 0;
        for (int i = 0; e->choices[i]; i++)
            n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
                                  e->choices[i]);
    } else if (e->type == CT_TZ) {
        snprintf(buf, len, "[+-]HH:MM");
    } else if ((e->type == CT_STR || e->type == CT_REGEX) && e->min > 1) {
        snprintf(buf, len, "at least %" PRId64 " bytes", e->min);
    } else if ((e->type == CT_STR || e->type == CT_REGEX) && e->min == 1) {
        snprintf(buf, len, "non-empty");
    }
}

static void print_rows(FILE *out, bool md, const cfg_table_t *t, const char *prefix,
                       const yw_config_t *defs)
{
    for (size_t i = 0; i < t->n; i++) {
        const cfg_key_t *e = &t->keys[i];
        char path[256], type[64], def[128], allowed[128];
        yw_cfgu_join(path, sizeof path, prefix, e->name);
        type_text(e, type, sizeof type);
        default_text(e, defs, def, sizeof def);
        allowed_text(e, allowed, sizeof allowed);
        /* Markdown: code-format real defaults, not "(required)" or "-". */
        bool code = !(e->flags & CF_REQUIRED) && e->type != CT_TABLE;
        if (md) {
            fprintf(out, "| `%s` | %s | %s%s%s | %s | %s |\n", path, type,
                    code ? "`" : "", e->type == CT_TABLE ? "" : def,
                    code ? "`" : "", allowed, e->desc);
        } else if (e->type != CT_TABLE) {
            fprintf(out, "  %-34s %-18s default %s%s%s\n      %s\n", path, type,
                    def, *allowed ? ", allowed " : "", allowed, e->desc);
        } else {
            fprintf(out, "  %-34s %s\n", path, e->desc);
        }
        if (e->type == CT_TABLE)
            print_rows(out, md, e->sub, path, defs);
    }
}

void yw_config_print_reference(FILE *out, bool markdown)
{
    yw_config_t *defs = yw_config_defaults();  /* NULL (no memory): table defaults */
    if (markdown) {
        fputs("# Configuration reference\n\n"
              "<!-- Generated from the tables in lib/config_table.c by "
              "yw_config_print_reference(); do not edit.\n"
              "     Regenerate: build/tests/test_config --write-docs "
              "docs/config.md -->\n\n"
              "`yuanwangd -c FILE` reads one YAML file; every key is optional "
              "except `privacy.hmac_secret`.\n"
              "`yuanwangd --check-config -c FILE` checks a file without "
              "starting: it prints `FILE: ok` and exits 0,\n"
              "or prints every problem and exits 2. Each problem is one line\n\n"
              "    FILE:LINE:COL: section.key: problem; hint\n\n"
              "`config/yuanwang.yaml` is a complete, commented example.\n\n"
              "Rules for values:\n\n"
              "- `${VAR}` in any value is replaced by the environment variable "
              "`VAR`; `${VAR:-default}` uses\n"
              "  `default` when `VAR` is unset or empty; an unset `VAR` without "
              "a default is an error; `$${`\n"
              "  is a literal `${`. Messages show the `${...}` text, never the "
              "value it stands for.\n"
              "- Integers are plain decimal (`5000`): no `_`, no hex, no unit "
              "suffixes; durations are in the\n"
              "  unit the key names (`_ms`, `_hours`), sizes in bytes.\n"
              "- Every key may appear once per mapping; unknown keys are errors.\n"
              "- Values with a backslash go in single quotes or block scalars "
              "(`\"C:\\data\"` in double quotes is a\n"
              "  YAML error).\n"
              "- Numbers are decimal with an optional fraction and exponent "
              "(`0.25`, `3`, `1e-3`); no NaN,\n"
              "  infinity, hex or leading `.`. `[0, 1]` includes both ends, "
              "`(0, 1]` excludes 0.\n"
              "- `rules.paths` are loaded by `--check-config` and at every "
              "start; a bad rule is reported as\n"
              "  `RULEFILE:LINE: rule NAME: problem` (a bad pattern adds the "
              "pattern and a `^` line), after\n"
              "  the problems of the config file itself.\n"
              "- After `cluster:` and `score:` are read, the modules' own checks "
              "run on the whole section\n"
              "  (e.g. `cluster.index_terms` at most `cluster.top_k`, "
              "`score.hysteresis` below the blue\n"
              "  threshold); a failure is reported at the section as "
              "`FILE:LINE:COL: score: problem`.\n", out);
        for (size_t i = 0; i < yw_cfg_root.n; i++) {
            const cfg_key_t *s = &yw_cfg_root.keys[i];
            fprintf(out, "\n## %s\n\n%s\n\n", s->name, s->desc);
            fputs("| key | type | default | allowed | description |\n"
                  "| --- | --- | --- | --- | --- |\n", out);
            print_rows(out, true, s->sub, s->name, defs);
        }
        yw_config_destroy(defs);
        return;
    }
    fputs("Configuration keys (YAML; ${VAR} and ${VAR:-default} are taken from "
          "the environment):\n", out);
    for (size_t i = 0; i < yw_cfg_root.n; i++) {
        const cfg_key_t *s = &yw_cfg_root.keys[i];
        fprintf(out, "\n%s: %s\n", s->name, s->desc);
        print_rows(out, false, s->sub, s->name, defs);
    }
    yw_config_destroy(defs);
}
