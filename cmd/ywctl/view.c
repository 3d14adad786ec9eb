/* view.c -- reading alert and summary JSON for people: a small jsmn
 * document, field lookup, and the readable alert block both
 * `ywctl alerts` and `ywctl cluster show` print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ywctl.h"

int ywctl_doc_parse(ywctl_doc_t *d, const char *js, size_t len)
{
    jsmn_parser ps;
    jsmn_init(&ps);
    d->js = js;
    d->n = jsmn_parse(&ps, js, len, d->tok, YWCTL_MAXTOK);
    return d->n > 0 && d->tok[0].type == JSMN_OBJECT ? 0 : -1;
}

/* Index of the value of top-level key `name`, or -1. */
int ywctl_doc_find(const ywctl_doc_t *d, const char *name)
{
    size_t len = strlen(name);
    for (int i = 1; i + 1 < d->n;) {
        const jsmntok_t *k = &d->tok[i];
        if (k->type == JSMN_STRING && (size_t)(k->end - k->start) == len &&
            memcmp(d->js + k->start, name, len) == 0)
            return i + 1;
        int j = i + 1, end = d->tok[i + 1].end;
        while (j < d->n && d->tok[j].start < end)
            j++;
        i = j;
    }
    return -1;
}

void ywctl_doc_field(const ywctl_doc_t *d, const char *name, char *out, size_t cap)
{
    int v = ywctl_doc_find(d, name);
    out[0] = '\0';
    if (v < 0)
        return;
    int len = d->tok[v].end - d->tok[v].start;
    snprintf(out, cap, "%.*s", len, d->js + d->tok[v].start);
}

/* "signals":[{"name":..,"value":..,"contribution":..,"detail":..},...] */
void ywctl_print_signals(const ywctl_doc_t *d, FILE *out)
{
    int v = ywctl_doc_find(d, "signals");
    if (v < 0 || d->tok[v].type != JSMN_ARRAY)
        return;
    int end = d->tok[v].end;
    for (int i = v + 1; i < d->n && d->tok[i].start < end; i++) {
        if (d->tok[i].type != JSMN_OBJECT)
            continue;
        char name[64] = "", contrib[32] = "", detail[256] = "";
        int oend = d->tok[i].end;
        for (int j = i + 1; j + 1 < d->n && d->tok[j].start < oend; j += 2) {
            const jsmntok_t *k = &d->tok[j], *val = &d->tok[j + 1];
            int kl = k->end - k->start, vl = val->end - val->start;
            const char *ks = d->js + k->start, *vs = d->js + val->start;
            if (kl == 4 && !memcmp(ks, "name", 4))
                snprintf(name, sizeof name, "%.*s", vl, vs);
            else if (kl == 12 && !memcmp(ks, "contribution", 12))
                snprintf(contrib, sizeof contrib, "%.*s", vl, vs);
            else if (kl == 6 && !memcmp(ks, "detail", 6))
                snprintf(detail, sizeof detail, "%.*s", vl, vs);
        }
        fprintf(out, "      + %-14s %6s  %s\n", name, contrib, detail);
        while (i + 1 < d->n && d->tok[i + 1].start < oend)
            i++;
    }
}

void ywctl_level_upper(char *level)
{
    for (char *p = level; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
}

void ywctl_print_strings(const ywctl_doc_t *d, const char *key, const char *label, FILE *out)
{
    int a = ywctl_doc_find(d, key);
    if (a < 0 || d->tok[a].type != JSMN_ARRAY || d->tok[a].size == 0)
        return;
    fprintf(out, "%s", label);
    for (int i = a + 1; i < d->n && d->tok[i].start < d->tok[a].end; i++)
        fprintf(out, " %.*s", d->tok[i].end - d->tok[i].start, d->js + d->tok[i].start);
    fprintf(out, "\n");
}

void ywctl_print_alert(const char *json, size_t len, bool as_json, FILE *out)
{
    if (as_json) {
        fprintf(out, "%.*s\n", (int)len, json);
        return;
    }
    ywctl_doc_t d;
    if (ywctl_doc_parse(&d, json, len) != 0) {
        fprintf(out, "(unreadable alert) %.*s\n", (int)len, json);
        return;
    }
    char level[16], prev[16], score[16], cluster[64], title[512], when[40],
        records[24], people[24], kind[16], sources[128];
    ywctl_doc_field(&d, "level", level, sizeof level);
    ywctl_doc_field(&d, "prev_level", prev, sizeof prev);
    ywctl_doc_field(&d, "score", score, sizeof score);
    ywctl_doc_field(&d, "cluster", cluster, sizeof cluster);
    ywctl_doc_field(&d, "title", title, sizeof title);
    ywctl_doc_field(&d, "event_time", when, sizeof when);
    ywctl_doc_field(&d, "records", records, sizeof records);
    ywctl_doc_field(&d, "people", people, sizeof people);
    ywctl_doc_field(&d, "kind", kind, sizeof kind);
    ywctl_doc_field(&d, "sources", sources, sizeof sources);
    ywctl_level_upper(level);
    fprintf(out, "%s  %-6s (was %s)  score %s  %s %s\n    %s\n",
            when, level, prev, score, kind, cluster, title);
    /* A person alert counts that person's contacts about the cluster's
     * issue; sources are not kept per person (docs/redis-schema.md). */
    if (strcmp(kind, "person") == 0)
        fprintf(out, "    %s records from one complainant\n", records);
    else
        fprintf(out, "    records %s, people %s, by source %s\n", records, people, sources);
    ywctl_print_strings(&d, "related", "    related:", out);
    ywctl_print_signals(&d, out);
}

