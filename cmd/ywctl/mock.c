/* mock.c -- `ywctl mock-kafka`: librdkafka's in-process mock cluster as a
 * stand-alone process, so the demo and the tests can run the daemon and the
 * producer as separate processes against it over real TCP.
 *
 * Caveats (DESIGN.md): the mock keeps only ~5 MiB or 100k message sets per
 * partition, and it shares the machine's cores with everything else.
 * `free-port` lives here too: both exist to set up local test beds. */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "ywctl.h"

int ywctl_mock_kafka(int argc, char **argv)
{
    int partitions = 4, brokers = 1;
    const char *topics = "citizen.hotline,citizen.grid,citizen.online,citizen.police,yuanwang.deadletter";
    const char *bootstrap_file = NULL;
    static const struct option opts[] = {
        { "partitions", required_argument, NULL, 'p' },
        { "brokers", required_argument, NULL, 'b' },
        { "topics", required_argument, NULL, 't' },
        { "bootstrap-file", required_argument, NULL, 'f' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "p:b:t:f:", opts, NULL)) != -1) {
        switch (ch) {
        case 'p': partitions = atoi(optarg); break;
        case 'b': brokers = atoi(optarg); break;
        case 't': topics = optarg; break;
        case 'f': bootstrap_file = optarg; break;
        default: return 2;
        }
    }
    if (partitions < 1 || brokers < 1) {
        fprintf(stderr, "ywctl mock-kafka: --partitions and --brokers must be >= 1\n");
        return 2;
    }
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "ywctl mock-kafka: %s\n", err);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) {
        fprintf(stderr, "ywctl mock-kafka: cannot create the mock cluster\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    char *list = strdup(topics);
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, t, partitions, 1);
        if (e)
            fprintf(stderr, "ywctl mock-kafka: topic %s: %s\n", t, rd_kafka_err2str(e));
    }
    free(list);
    const char *bs = rd_kafka_mock_cluster_bootstraps(mc);
    printf("%s\n", bs);
    fflush(stdout);
    if (bootstrap_file) {
        /* Written last and renamed into place: its existence means ready. */
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", bootstrap_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%s\n", bs) < 0 || fclose(f) != 0 ||
            rename(tmp, bootstrap_file) != 0) {
            perror(bootstrap_file);
            rd_kafka_mock_cluster_destroy(mc);
            rd_kafka_destroy(rk);
            return 1;
        }
    }
    while (!ywctl_stop)
        pause();
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}

int ywctl_free_port(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0 };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        perror("free-port");
        return 1;
    }
    printf("%d\n", ntohs(sa.sin_port));
    close(fd);
    return 0;
}
