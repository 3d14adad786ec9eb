/* fuzz_input.h -- what fuzz_features and fuzz_stage share: the input
 * format (a record made from up to six '\n'-separated fields) and the
 * check that nothing shown carries a number in clear.
 *
 * The fields are text, title, reply, district, street, community; they
 * are JSON-escaped into a contract-v1 hotline record whose event time
 * advances 7 minutes a run (from 2026-03-01), so clusters age, expire
 * and are evicted, and a long run passes the scorer's warm-up. */
#ifndef YW_FUZZ_INPUT_H
#define YW_FUZZ_INPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

#define FUZZ_NFIELDS 6

typedef struct {
    char *json;
    size_t cap;
    long runs;
} fuzz_input_t;

/* Append s[0..n) to f->json at `at` as the body of a JSON string. */
static inline size_t fuzz_put_escaped(fuzz_input_t *f, size_t at, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\')
            at += (size_t)sprintf(f->json + at, "\\%c", c);
        else if (c < 0x20)
            at += (size_t)sprintf(f->json + at, "\\u%04x", c);
        else
            f->json[at++] = (char)c;
    }
    return at;
}

/* The record for this run's input, as JSON; its length.  Counts the run. */
static inline size_t fuzz_make_json(fuzz_input_t *f, const uint8_t *data, size_t size)
{
    static const char *const names[FUZZ_NFIELDS] = {
        "text", "title", "reply", "district", "street", "community",
    };
    size_t need = size * 6 + 512;
    if (need > f->cap) {
        free(f->json);
        f->json = malloc(need);
        if (f->json == NULL)
            abort();
        f->cap = need;
    }
    long m = f->runs * 7;         /* minutes since 2026-03-01 */
    size_t at = (size_t)sprintf(f->json, "{\"id\":\"FZ-%ld\",\"source\":\"hotline\","
                                "\"ts\":\"2026-%02ld-%02ld %02ld:%02ld:00\"",
                                f->runs, 3 + m / (60 * 24 * 28) % 9, 1 + m / (60 * 24) % 28,
                                m / 60 % 24, m % 60);
    size_t start = 0;
    for (int i = 0; i < FUZZ_NFIELDS && start <= size; i++) {
        const uint8_t *nl = memchr(data + start, '\n', size - start);
        size_t end = nl ? (size_t)(nl - data) : size;
        at += (size_t)sprintf(f->json + at, ",\"%s\":\"", names[i]);
        at = fuzz_put_escaped(f, at, data + start, end - start);
        f->json[at++] = '"';
        start = end + 1;
    }
    f->json[at++] = '}';
    f->runs++;
    return at;
}

/* Say which promise broke (libFuzzer then keeps the input), and stop. */
static inline void fuzz_fail(const char *what, const char *s, size_t len)
{
    fprintf(stderr, "fuzz: %s", what);
    if (s)
        fprintf(stderr, ": \"%.*s\"", (int)(len < 400 ? len : 400), s);
    fputc('\n', stderr);
    abort();
}

/* Where the first run of 11+ ASCII digits in s starts, or -1. */
static inline long fuzz_digit_run_at(const char *s, size_t len)
{
    int run = 0;
    for (size_t i = 0; i < len; i++) {
        run = s[i] >= '0' && s[i] <= '9' ? run + 1 : 0;
        if (run >= 11)
            return (long)i - 10;
    }
    return -1;
}

/* A string that may be stored or shown: valid UTF-8 of its length, and no
 * run of 11+ digits (a phone, ID-card or bank-card number in clear). */
static inline void fuzz_check_shown(const char *what, const char *s, size_t len)
{
    if (s == NULL)
        fuzz_fail(what, NULL, 0);
    if (strlen(s) != len)
        fuzz_fail("length differs from strlen", s, strlen(s));
    if (!yw_utf8_valid(s, len))
        fuzz_fail("invalid UTF-8", s, len);
    long at = fuzz_digit_run_at(s, len);
    if (at >= 0) {
        /* around it: a payload can be long */
        size_t from = at > 200 ? (size_t)at - 200 : 0;
        fprintf(stderr, "fuzz: in %s, at byte %ld:\n", what, at);
        fuzz_fail("a run of 11+ digits in clear", s + from, len - from);
    }
}

#endif
