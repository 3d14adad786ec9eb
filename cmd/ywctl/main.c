/* ywctl -- the operator's and analyst's command line: dispatch only. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ywctl.h"

volatile sig_atomic_t ywctl_stop;

static void on_signal(int sig)
{
    (void)sig;
    ywctl_stop = 1;
}

yw_config_t *ywctl_load_config(const char *path, bool rules)
{
    if (!path) {
        fprintf(stderr, "ywctl: -c FILE is required\n");
        return NULL;
    }
    yw_config_errors_t errs = { 0 };
    yw_config_t *cfg = rules ? yw_config_load(path, &errs) : yw_config_load_no_rules(path, &errs);
    if (!cfg)
        yw_config_errors_print(&errs, path, stderr);
    yw_config_errors_free(&errs);
    return cfg;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ywctl COMMAND [options]\n"
            "\n"
            "  replay -c FILE --input F.jsonl [--input ...] [--rate N]\n"
            "        produce contract-v1 records to the topic of each record's source\n"
            "  alerts tail -c FILE [--group G] [--consumer NAME] [--json] [--count N] [--timeout-ms N]\n"
            "        work the alert queue: consumer group, highest level first, XACK when shown\n"
            "  alerts list -c FILE [--from-start] [--json] [--count N] [--timeout-ms N]\n"
            "        every alert in the stream, in order (no group)\n"
            "  cluster show -c FILE [--json] ID\n"
            "        one cluster: summary, why (signals), per-source timeline, masked samples\n"
            "  topics create (-c FILE | --brokers B) [--topic T ...] [--partitions N] [--replication N]\n"
            "        create the config's four topics and dead-letter topic (or the named ones) on a broker\n"
            "  rules match -c FILE [--rules PATH ...] (--text TEXT [--title T] [--reply R] |\n"
            "              --input F.jsonl [--input ...] [--show RULE [--limit N]])\n"
            "        what the rules match, before a reload: one text's hits, or each rule's share of records\n"
            "  mock-kafka [--partitions N] [--topics a,b,...] [--bootstrap-file F]\n"
            "        run librdkafka's in-process mock cluster until SIGTERM (demo, tests)\n"
            "  backtest -c FILE --input F.jsonl [--input ...] --assignments A.jsonl [--clusters C.jsonl] [--set cluster.KEY=V]\n"
            "        run features + clustering offline in event-time order; one {id, cluster} line per record\n"
            "  free-port\n"
            "        print a free TCP port on 127.0.0.1\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    const char *cmd = argv[1];
    if (strcmp(cmd, "replay") == 0)
        return ywctl_replay(argc - 1, argv + 1);
    if (strcmp(cmd, "alerts") == 0)
        return ywctl_alerts(argc - 1, argv + 1);
    if (strcmp(cmd, "cluster") == 0)
        return ywctl_cluster(argc - 1, argv + 1);
    if (strcmp(cmd, "topics") == 0)
        return ywctl_topics(argc - 1, argv + 1);
    if (strcmp(cmd, "mock-kafka") == 0)
        return ywctl_mock_kafka(argc - 1, argv + 1);
    if (strcmp(cmd, "backtest") == 0)
        return ywctl_backtest(argc - 1, argv + 1);
    if (strcmp(cmd, "rules") == 0)
        return ywctl_rules(argc - 1, argv + 1);
    if (strcmp(cmd, "free-port") == 0)
        return ywctl_free_port(argc - 1, argv + 1);
    fprintf(stderr, "ywctl: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
