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
int ywctl_topics(int argc, char **argv);
int ywctl_rules(int argc, char **argv);

/* ---- view.c: alert / summary JSON for people ---- */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define YWCTL_MAXTOK 2048

typedef struct {
    const char *js;
    jsmntok_t tok[YWCTL_MAXTOK];
    int n;
} ywctl_doc_t;

/* 0 when js is a JSON object. */
int ywctl_doc_parse(ywctl_doc_t *d, const char *js, size_t len);
/* Token index of the value of top-level key name, or -1. */
int ywctl_doc_find(const ywctl_doc_t *d, const char *name);
/* The raw text of a top-level value (strings without quotes). */
void ywctl_doc_field(const ywctl_doc_t *d, const char *name, char *out, size_t cap);
void ywctl_print_signals(const ywctl_doc_t *d, FILE *out);
/* A level as the views show it: "orange" -> "ORANGE", in place. */
void ywctl_level_upper(char *level);
/* "label a b c" on one line from the array of strings key, nothing when
 * it is empty or absent. */
void ywctl_print_strings(const ywctl_doc_t *d, const char *key, const char *label, FILE *out);
/* One alert as a readable block (or its JSON line when as_json). */
void ywctl_print_alert(const char *json, size_t len, bool as_json, FILE *out);

int ywctl_cluster(int argc, char **argv);

/* Load -c FILE, or NULL with the config errors printed.  rules: compile
 * the rules too (only commands that run the pipeline need them). */
#include "config.h"
yw_config_t *ywctl_load_config(const char *path, bool rules);

#endif
