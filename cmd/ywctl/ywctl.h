/* ywctl.h -- the subcommands of ywctl, one file each. */
#ifndef YWCTL_H
#define YWCTL_H

#include <signal.h>

extern volatile sig_atomic_t ywctl_stop;

int ywctl_replay(int argc, char **argv);
int ywctl_alerts(int argc, char **argv);
int ywctl_mock_kafka(int argc, char **argv);
int ywctl_free_port(int argc, char **argv);
int ywctl_backtest(int argc, char **argv);

/* Load -c FILE or exit 2 with the config errors printed. */
struct yw_config;
#include "config.h"
yw_config_t *ywctl_load_config(const char *path);

#endif
