/* replay.c -- `ywctl replay`: produce contract-v1 JSONL to Kafka.
 *
 * Each line goes, unchanged, to the topic of its source (lib/route.h: the
 * `source` field, else what its fields imply, else --default-source,
 * hotline).  Lines that are not JSON go there too,
 * unchanged, so the daemon's dead-letter path can be exercised.  The key is
 * the record's district (DESIGN.md: input co-partitioned by district), or
 * none with --no-key (benchmarks: a few districts would otherwise fill a few
 * partitions, past the mock cluster's ~5 MiB retention per partition).
 * Every message is waited for: the exit code is 0 only when the broker
 * acknowledged all of them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "kafka.h"
#include "record.h"
#include "route.h"
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

int ywctl_replay(int argc, char **argv)
{
    const char *cfgpath = NULL;
    const char *inputs[64];
    int ninputs = 0;
    double rate = 0;
    yw_source_t dflt = YW_SRC_HOTLINE;
    bool keyed = true;
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "input", required_argument, NULL, 'i' },
        { "rate", required_argument, NULL, 'r' },
        { "default-source", required_argument, NULL, 's' },
        { "no-key", no_argument, NULL, 'K' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:i:r:s:K", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfgpath = optarg; break;
        case 'i':
            if (ninputs < 64)
                inputs[ninputs++] = optarg;
            break;
        case 'r': rate = atof(optarg); break;
        case 'K': keyed = false; break;
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
        fprintf(stderr, "usage: ywctl replay -c FILE --input F.jsonl [--input ...] [--rate N] "
                "[--no-key] [--default-source S]\n");
        return 2;
    }
    yw_config_t *cfg = ywctl_load_config(cfgpath, false);
    if (!cfg)
        return 2;

    char err[512];
    dr_state_t st = { 0 };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* idempotent, so the file's order survives retries (kafka.h) */
    if (yw_kafka_conf_producer(conf, cfg, err, sizeof err) != 0) {
        fprintf(stderr, "ywctl replay: %s\n", err);
        rd_kafka_conf_destroy(conf);
        yw_config_destroy(cfg);
        return 2;
    }
    /* Unkeyed: a random partition per message, not sticky batches, so the
     * partitions fill evenly. */
    if (!keyed)
        rd_kafka_conf_set(conf, "sticky.partitioning.linger.ms", "0", err, sizeof err);
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
            yw_source_t src = yw_route_source(line, (size_t)n, dflt, &key, &keylen);
            if (!keyed) {
                key = NULL;     /* spread evenly over partitions */
                keylen = 0;
            }
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
