/* topics.c -- `ywctl topics create`: create the topics a config consumes
 * (kafka.topics.*) and produces to (kafka.dead_letter_topic) on a real
 * broker, through librdkafka's admin API.  yuanwangd never creates topics
 * itself: a deployment's topics are the operator's, with their own
 * partitions, replication and retention.  This is for local brokers
 * (scripts/kafka-broker.sh) and first set-ups.
 *
 * A topic that already exists is fine and left as it is.  Exit 0 when every
 * topic exists afterwards, 1 when one could not be created (the broker's
 * reason is printed), 2 on bad usage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "kafka.h"
#include "ywctl.h"

#define MAX_TOPICS 64

static void usage(void)
{
    fprintf(stderr, "usage: ywctl topics create (-c FILE | --brokers HOST:PORT) [--topic T ...]\n"
            "                           [--partitions N] [--replication N] [--timeout-ms N]\n");
}

typedef struct {
    int partitions, replication;
} report_t;

static void report(void *opaque, const char *topic, rd_kafka_resp_err_t err,
                   const char *reason)
{
    const report_t *r = opaque;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        printf("%s: created (partitions %d, replication %d)\n", topic, r->partitions,
               r->replication);
    else if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        printf("%s: exists\n", topic);
    else
        fprintf(stderr, "ywctl topics: %s: %s\n", topic, reason);
}

int ywctl_topics(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "create") != 0) {
        usage();
        return 2;
    }
    argc--;
    argv++;
    const char *cfgpath = NULL, *brokers = NULL;
    const char *names[MAX_TOPICS];
    int n = 0, partitions = 4, replication = 1, timeout_ms = 10000;
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "brokers", required_argument, NULL, 'b' },
        { "topic", required_argument, NULL, 't' },
        { "partitions", required_argument, NULL, 'p' },
        { "replication", required_argument, NULL, 'r' },
        { "timeout-ms", required_argument, NULL, 'T' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:b:t:p:r:T:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfgpath = optarg; break;
        case 'b': brokers = optarg; break;
        case 't':
            if (n == MAX_TOPICS) {
                fprintf(stderr, "ywctl topics: at most %d topics\n", MAX_TOPICS);
                return 2;
            }
            names[n++] = optarg;
            break;
        case 'p': partitions = atoi(optarg); break;
        case 'r': replication = atoi(optarg); break;
        case 'T': timeout_ms = atoi(optarg); break;
        default: usage(); return 2;
        }
    }
    if ((!cfgpath && !brokers) || optind != argc || partitions < 1 || replication < 1 ||
        timeout_ms < 1) {
        usage();
        return 2;
    }

    yw_config_t *cfg = NULL;
    if (cfgpath && !(cfg = ywctl_load_config(cfgpath, false)))
        return 2;
    /* Without --topic: the config's source topics and its dead-letter topic. */
    if (n == 0 && cfg) {
        for (int s = 0; s < YW_SRC_COUNT; s++)
            if (cfg->kafka_topics[s][0])
                names[n++] = cfg->kafka_topics[s];
        if (cfg->kafka_dead_letter_topic[0])
            names[n++] = cfg->kafka_dead_letter_topic;
    }
    if (n == 0) {
        fprintf(stderr, "ywctl topics: no topic named (--topic T, or -c FILE)\n");
        yw_config_destroy(cfg);
        return 2;
    }

    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* With a config: its brokers and kafka.rdkafka.* (security settings). */
    if ((cfg && yw_kafka_conf_apply_producer(conf, cfg, err, sizeof err) != 0) ||
        (brokers && rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err,
                                      sizeof err) != RD_KAFKA_CONF_OK)) {
        fprintf(stderr, "ywctl topics: %s\n", err);
        rd_kafka_conf_destroy(conf);
        yw_config_destroy(cfg);
        return 2;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "ywctl topics: %s\n", err);
        rd_kafka_conf_destroy(conf);
        yw_config_destroy(cfg);
        return 1;
    }
    report_t r = { partitions, replication };
    int rc = yw_kafka_create_topics(rk, names, n, partitions, replication, timeout_ms, report,
                                    &r, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "ywctl topics: %s\n", err);
        rc = 1;
    }
    rd_kafka_destroy(rk);
    yw_config_destroy(cfg);
    return rc;
}
