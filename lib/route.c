/* route.c -- see route.h.  A jsmn pass over the top-level keys only. */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "route.h"

#include <string.h>

#define MAXTOK 256

static int key_is(const char *line, const jsmntok_t *t, const char *name)
{
    size_t n = strlen(name);
    return t->type == JSMN_STRING && (size_t)(t->end - t->start) == n &&
           memcmp(line + t->start, name, n) == 0;
}

yw_source_t yw_route_source(const char *line, size_t len, yw_source_t dflt,
                            const char **key, size_t *keylen)
{
    jsmntok_t toks[MAXTOK];
    jsmn_parser ps;
    jsmn_init(&ps);
    *key = NULL;
    *keylen = 0;
    int n = jsmn_parse(&ps, line, len, toks, MAXTOK);
    if (n < 1 || toks[0].type != JSMN_OBJECT)
        return dflt;
    yw_source_t implied = YW_SRC_UNKNOWN, named = YW_SRC_UNKNOWN;
    /* Walk the top-level keys: skip each value's whole subtree. */
    for (int i = 1; i + 1 < n;) {
        const jsmntok_t *k = &toks[i], *v = &toks[i + 1];
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
        else if ((key_is(line, k, "repeat_count") || key_is(line, k, "outcome")) &&
                 implied == YW_SRC_UNKNOWN)
            implied = YW_SRC_HOTLINE;
        int j = i + 1, end = v->end;
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
