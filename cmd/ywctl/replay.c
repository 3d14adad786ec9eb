/* replay.c -- `ywctl replay`: produce contract-v1 JSONL to Kafka.
 *
 * Each line goes, unchanged, to the topic of its source: the `source` field
 * when present; else the source its fields imply (platform -> online,
 * incident_type/station -> police, grid_code/event_type -> grid); else
 * --default-source (hotline).  Lines that are not JSON go there too,
 * unchanged, so the daemon's dead-letter path can be exercised.  The key is
 * the record's district (DESIGN.md: input co-partitioned by district).
 * Every message is waited for: the exit code is 0 only when the broker
 * acknowledged all of them. */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "kafka.h"
#include "record.h"
#include "ywctl.h"

typedef struct {
    long delivered, failed;
} dr_state_t;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    (void)rk;
    dr_state_t *st = opaque;
    if (rkm->err) {
        if (st->failed++ < 5)
            fprintf(stderr, "ywctl replay: delivery failed: %s\n", rd_kafka_err2str(rkm->err));
    } else {
        st->delivered++;
    }
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool key_is(const char *line, const jsmntok_t *t, const char *name)
{
    size_t n = strlen(name);
    return t->type == JSMN_STRING && (size_t)(t->end - t->start) == n &&
           memcmp(line + t->start, name, n) == 0;
}

/* Route a line: its source and its district (key), without a full decode. */
static yw_source_t route(const char *line, size_t len, yw_source_t dflt,
                         const char **key, size_t *keylen)
{
    jsmntok_t toks[256];
    jsmn_parser ps;
    jsmn_init(&ps);
    *key = NULL;
    *keylen = 0;
    int n = jsmn_parse(&ps, line, len, toks, 256);
    if (n < 1 || toks[0].type != JSMN_OBJECT)
        return dflt;
    yw_source_t implied = YW_SRC_UNKNOWN, named = YW_SRC_UNKNOWN;
    /* Walk the top-level keys only: skip each value's whole subtree. */
    for (int i = 1; i < n;) {
        const jsmntok_t *k = &toks[i], *v = &toks[i + 1];
        if (i + 1 >= n)
            break;
        if (key_is(line, k, "source") && v->type == JSMN_STRING)
            named = yw_source_parse(line + v->start, (size_t)(v->end - v->start));
        else if (key_is(line, k, "district") && v->type == JSMN_STRING) {
            *key = line + v->start;
            *keylen = (size_t)(v->end - v->start);
        } else if (key_is(line, k, "platform"))
            implied = YW_SRC_ONLINE;
        else if (key_is(line, k, "incident_type") || key_is(line, k, "station"))
            implied = YW_SRC_POLICE;
        else if (key_is(line, k, "grid_code") || key_is(line, k, "event_type"))
            implied = YW_SRC_GRID;
        /* next key: skip value tokens (v and everything nested in it) */
        int j = i + 1, end = toks[i + 1].end;
        while (j < n && toks[j].start < end)
            j++;
        i = j;
    }
    if (named != YW_SRC_UNKNOWN)
        return named;
    if (implied != YW_SRC_UNKNOWN)
        return implied;
    return dflt;
}

int ywctl_replay(int argc, char **argv)
{
    const char *cfgpath = NULL;
    const char *inputs[64];
    int ninputs = 0;
    double rate = 0;
    yw_source_t dflt = YW_SRC_HOTLINE;
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "input", required_argument, NULL, 'i' },
        { "rate", required_argument, NULL, 'r' },
        { "default-source", required_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:i:r:s:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfgpath = optarg; break;
        case 'i':
            if (ninputs < 64)
                inputs[ninputs++] = optarg;
            break;
        case 'r': rate = atof(optarg); break;
        case 's':
            dflt = yw_source_parse(optarg, strlen(optarg));
            if (dflt == YW_SRC_UNKNOWN) {
                fprintf(stderr, "ywctl replay: unknown source '%s'\n", optarg);
                return 2;
            }
            break;
        default: return 2;
        }
    }
    if (!ninputs) {
        fprintf(stderr, "usage: ywctl replay -c FILE --input F.jsonl [--input ...] [--rate N]\n");
        return 2;
    }
    yw_config_t *cfg = ywctl_load_config(cfgpath);
    if (!cfg)
        return 2;

    char err[512];
    dr_state_t st = { 0 };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (yw_kafka_conf_apply_producer(conf, cfg, err, sizeof err) != 0) {
        fprintf(stderr, "ywctl replay: %s\n", err);
        rd_kafka_conf_destroy(conf);
        yw_config_destroy(cfg);
        return 2;
    }
    rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, &st);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "ywctl replay: %s\n", err);
        yw_config_destroy(cfg);
        return 1;
    }

    long counts[YW_SRC_COUNT] = { 0 }, produced = 0;
    int64_t t0 = mono_ms();
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    for (int f = 0; f < ninputs && !ywctl_stop; f++) {
        FILE *in = strcmp(inputs[f], "-") == 0 ? stdin : fopen(inputs[f], "rb");
        if (!in) {
            perror(inputs[f]);
            rc = 1;
            break;
        }
        ssize_t n;
        while (!ywctl_stop && (n = getline(&line, &cap, in)) > 0) {
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                n--;
            if (n == 0)
                continue;
            const char *key;
            size_t keylen;
            yw_source_t src = route(line, (size_t)n, dflt, &key, &keylen);
            const char *topic = cfg->kafka_topics[src];
            for (;;) {
                rd_kafka_resp_err_t e = rd_kafka_producev(
                    rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(line, (size_t)n),
                    RD_KAFKA_V_KEY(key, keylen), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                    RD_KAFKA_V_END);
                if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                    rd_kafka_poll(rk, 50);
                    continue;
                }
                if (e) {
                    fprintf(stderr, "ywctl replay: produce: %s\n", rd_kafka_err2str(e));
                    rc = 1;
                }
                break;
            }
            counts[src]++;
            produced++;
            rd_kafka_poll(rk, 0);
            if (rate > 0) {
                int64_t due = t0 + (int64_t)(1000.0 * (double)produced / rate);
                while (!ywctl_stop && mono_ms() < due)
                    rd_kafka_poll(rk, (int)(due - mono_ms()));
            }
        }
        if (in != stdin)
            fclose(in);
    }
    free(line);
    /* Wait for every delivery report. */
    int64_t deadline = mono_ms() + 60000;
    while (rd_kafka_outq_len(rk) > 0 && mono_ms() < deadline)
        rd_kafka_flush(rk, 100);
    long outstanding = rd_kafka_outq_len(rk);
    double secs = (double)(mono_ms() - t0) / 1000.0;
    fprintf(stderr, "ywctl replay: %ld records (hotline %ld, grid %ld, online %ld, police %ld) "
            "delivered %ld, failed %ld, in %.2f s\n", produced, counts[0], counts[1],
            counts[2], counts[3], st.delivered, st.failed, secs);
    if (st.failed || outstanding)
        rc = 1;
    rd_kafka_destroy(rk);
    yw_config_destroy(cfg);
    return rc;
}
