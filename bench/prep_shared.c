/* prep_shared.c -- the shared data sets -> contract-v1 JSONL (+ labels).
 *
 *   prep_shared tweets     crisislex_t26_labeled.jsonl   RECORDS LABELS
 *   prep_shared citizen    messages_with_replies.jsonl   RECORDS
 *   prep_shared categories labelled_messages.jsonl       RECORDS LABELS
 *
 * RECORDS are contract-v1 records (source "online"); LABELS are
 * {"id":...,"label":...} lines for bench/quality.  String values are copied
 * as their raw JSON text (escapes included), so nothing is unescaped and
 * re-escaped on the way.  Ids are "<prefix><line>" so they are unique
 * even where the source repeats an id.
 *
 * tweets: ts = created_at read as UTC, text = tweet, label = event.
 * citizen: ts = time (+08:00 local), title, text = detail, reply, person =
 * user.  categories: no times in the data, so every record gets the same
 * ts (time cannot help or hurt); label = label_l1. */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOK 128

typedef struct {
    const char *s;
    int len;
    int is_str;
} val_t;

static val_t get(const char *line, const jsmntok_t *t, int n, const char *key)
{
    size_t kl = strlen(key);
    for (int i = 1; i + 1 < n; i += 2) {
        /* flat objects only: values are never containers in these files */
        const jsmntok_t *k = &t[i], *v = &t[i + 1];
        if (k->type == JSMN_STRING && (size_t)(k->end - k->start) == kl &&
            memcmp(line + k->start, key, kl) == 0)
            return (val_t){ line + v->start, v->end - v->start, v->type == JSMN_STRING };
    }
    return (val_t){ NULL, 0, 0 };
}

/* "key":"raw" (a non-string value is quoted as its text) */
static void put(FILE *out, int *first, const char *key, val_t v)
{
    if (!v.s) return;
    fprintf(out, "%s\"%s\":\"%.*s\"", *first ? "" : ",", key, v.len, v.s);
    *first = 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: prep_shared tweets|citizen|categories IN RECORDS [LABELS]\n");
        return 2;
    }
    const char *kind = argv[1];
    int tweets = strcmp(kind, "tweets") == 0, citizen = strcmp(kind, "citizen") == 0,
        cats = strcmp(kind, "categories") == 0;
    if (!tweets && !citizen && !cats) {
        fprintf(stderr, "prep_shared: unknown kind '%s'\n", kind);
        return 2;
    }
    if ((tweets || cats) && argc < 5) {
        fprintf(stderr, "prep_shared: %s needs a LABELS output\n", kind);
        return 2;
    }
    FILE *in = fopen(argv[2], "r"), *out = fopen(argv[3], "w");
    FILE *lab = argc > 4 ? fopen(argv[4], "w") : NULL;
    if (!in || !out || (argc > 4 && !lab)) {
        perror("prep_shared");
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0, written = 0, skipped = 0;
    jsmntok_t tok[MAX_TOK];
    while ((len = getline(&line, &cap, in)) > 0) {
        lineno++;
        jsmn_parser p;
        jsmn_init(&p);
        int n = jsmn_parse(&p, line, (size_t)len, tok, MAX_TOK);
        if (n < 1 || tok[0].type != JSMN_OBJECT) {
            skipped++;
            continue;
        }
        char id[32];
        int first = 1;
        if (tweets) {
            val_t t = get(line, tok, n, "created_at"), x = get(line, tok, n, "text"),
                  ev = get(line, tok, n, "event");
            if (!t.s || t.len != 19 || !x.s || !ev.s) {
                skipped++;
                continue;
            }
            snprintf(id, sizeof(id), "t%06ld", lineno);
            fprintf(out, "{\"id\":\"%s\",\"source\":\"online\",\"ts\":\"%.10sT%.8s+00:00\"",
                    id, t.s, t.s + 11);
            first = 0;
            put(out, &first, "text", x);
            put(out, &first, "platform", (val_t){ "twitter", 7, 1 });
            fprintf(lab, "{\"id\":\"%s\",\"label\":\"%.*s\"}\n", id, ev.len, ev.s);
        } else if (citizen) {
            val_t t = get(line, tok, n, "time"), x = get(line, tok, n, "detail");
            if (!t.s || !x.s) {
                skipped++;
                continue;
            }
            snprintf(id, sizeof(id), "m%06ld", lineno);
            fprintf(out, "{\"id\":\"%s\",\"source\":\"online\"", id);
            first = 0;
            put(out, &first, "ts", t);
            put(out, &first, "title", get(line, tok, n, "title"));
            put(out, &first, "text", x);
            put(out, &first, "person", get(line, tok, n, "user"));
            put(out, &first, "reply", get(line, tok, n, "reply"));
        } else {
            val_t x = get(line, tok, n, "text"), l = get(line, tok, n, "label_l1");
            if (!x.s || !l.s) {
                skipped++;
                continue;
            }
            snprintf(id, sizeof(id), "k%06ld", lineno);
            fprintf(out, "{\"id\":\"%s\",\"source\":\"online\",\"ts\":\"2020-01-01 00:00:00\"",
                    id);
            first = 0;
            put(out, &first, "text", x);
            fprintf(lab, "{\"id\":\"%s\",\"label\":\"%.*s\"}\n", id, l.len, l.s);
        }
        fputs("}\n", out);
        written++;
    }
    free(line);
    fclose(in);
    if (fclose(out) || (lab && fclose(lab))) {
        perror("prep_shared");
        return 1;
    }
    fprintf(stderr, "prep_shared %s: %ld records written, %ld lines skipped\n", kind, written,
            skipped);
    return 0;
}
