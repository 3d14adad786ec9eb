/* yuanwangd -- the daemon: arguments, signals and exit codes around
 * yw_pipeline (lib/pipeline.c).
 *
 * Exit codes: 0 clean stop, 1 runtime failure (e.g. a fatal Kafka error),
 * 2 bad configuration or usage, or saved state this configuration cannot
 * load (see --discard-state). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "pipeline.h"
#include "text.h"

static volatile sig_atomic_t stop_flag, hup_flag;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        hup_flag = 1;          /* the pipeline's loop reloads the rules */
    else
        stop_flag = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: yuanwangd -c FILE            run the daemon\n"
            "       yuanwangd --discard-state -c FILE\n"
            "                                    run, starting with empty state when snapshot.dir\n"
            "                                    holds snapshots none of which can be loaded\n"
            "                                    (else the daemon refuses to start: exit 2)\n"
            "       yuanwangd --check-config -c FILE\n"
            "                                    validate FILE, print every problem\n"
            "                                    as FILE:LINE:COL: key: problem; exit 2 if any\n"
            "       yuanwangd --config-reference print every config key with its default\n"
            "       yuanwangd --version\n"
            "\n"
            "SIGINT/SIGTERM: stop fetching, write what is in hand, commit, exit 0.\n"
            "SIGHUP: reload the rule files (rules.paths); a rule set with errors is\n"
            "        logged and not used.  Other config changes need a restart.\n");
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int check = 0, reference = 0;
    yw_pipeline_opts_t popts = { 0 };
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "check-config", no_argument, NULL, 'k' },
        { "discard-state", no_argument, NULL, 'D' },
        { "config-reference", no_argument, NULL, 'r' },
        { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': path = optarg; break;
        case 'k': check = 1; break;
        case 'D': popts.discard_state = true; break;
        case 'r': reference = 1; break;
        case 'V': printf("yuanwangd %s\n", YW_VERSION); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (reference) {
        yw_config_print_reference(stdout, false);
        return 0;
    }
    if (!path) {
        usage(stderr);
        return 2;
    }
    if (check)
        return yw_config_check_main(path, stderr);

    yw_config_errors_t errs = { 0 };
    yw_config_t *cfg = yw_config_load(path, &errs);
    if (!cfg) {
        yw_config_errors_print(&errs, path, stderr);
        yw_config_errors_free(&errs);
        fprintf(stderr, "yuanwangd: %s: configuration invalid, not starting\n", path);
        return 2;
    }
    yw_config_errors_free(&errs);
    yw_log_set_level((yw_log_level_t)cfg->log_level);
    yw_log_set_format((yw_log_format_t)cfg->log_format);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    yw_log_info("main", "yuanwangd %s starting with %s", YW_VERSION, path);
    if (yw_text_salt())
        yw_log_warn("main", "built with YW_TERM_SALT=%#llx: an evaluation build, whose "
                    "snapshots no other build loads", (unsigned long long)yw_text_salt());
    char err[512];
    yw_pipeline_t *p = yw_pipeline_create(cfg, &popts, err, sizeof err);
    if (!p) {
        yw_log_error("main", "cannot start: %s", err);
        yw_config_destroy(cfg);
        return popts.state_refused ? 2 : 1;
    }
    yw_pipeline_set_hup_flag(p, &hup_flag);
    int rc = yw_pipeline_run(p, &stop_flag);
    yw_pipeline_destroy(p);
    yw_config_destroy(cfg);
    yw_log_info("main", "exit %d", rc == 0 ? 0 : 1);
    return rc == 0 ? 0 : 1;
}
