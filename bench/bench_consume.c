/* bench_consume.c -- the baseline for end-to-end figures: how fast a bare
 * librdkafka high-level consumer reads the same messages, doing nothing
 * with them.
 *
 *   bench_consume BOOTSTRAP EXPECTED [TOPIC ...]
 *
 * Subscribes with a fresh group id, reads until EXPECTED messages arrived,
 * prints messages/s and MB/s from the first message to the last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_consume BOOTSTRAP EXPECTED TOPIC...\n");
        return 2;
    }
    long expected = atol(argv[2]);
    char err[512], group[64];
    snprintf(group, sizeof group, "bench-consume-%ld", (long)time(NULL));
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) ||
        rd_kafka_conf_set(conf, "group.id", group, err, sizeof err) ||
        rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err) ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err) ||
        rd_kafka_conf_set(conf, "fetch.wait.max.ms", "20", err, sizeof err)) {
        fprintf(stderr, "bench_consume: %s\n", err);
        return 2;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "bench_consume: %s\n", err);
        return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(argc - 3);
    for (int i = 3; i < argc; i++)
        rd_kafka_topic_partition_list_add(sub, argv[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);

    long n = 0;
    double bytes = 0, t0 = 0, t1 = 0, deadline = now_s() + 120;
    while (n < expected && now_s() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (!m->err) {
            if (n == 0)
                t0 = now_s();
            n++;
            bytes += (double)m->len;
            t1 = now_s();
        }
        rd_kafka_message_destroy(m);
    }
    double secs = t1 > t0 ? t1 - t0 : 1e-9;
    printf("raw consume: %ld messages in %.3f s = %.0f msg/s, %.1f MB/s\n", n, secs,
           (double)n / secs, bytes / secs / 1e6);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return n == expected ? 0 : 1;
}
