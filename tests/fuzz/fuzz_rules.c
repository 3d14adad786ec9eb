/* fuzz_rules.c -- libFuzzer target for the rules loader and matcher.
 *
 * Feeds arbitrary bytes to yw_rules_load_string(): libyaml parsing, rule
 * validation, PCRE2 compilation and the Hyperscan database build.  When a
 * rule set loads, it is matched (with its own scratch) against a few fixed
 * texts and against the input itself when that is valid UTF-8 (the engine
 * requires validated UTF-8), both raw and normalised.  Checked besides
 * ASan/UBSan: load returns rules xor errors, errors print, hits name
 * existing rules of the right kind, never twice, never past cap.
 *
 * Hyperscan compiles are slow (milliseconds per pattern), so inputs with
 * many sequence items are rejected before loading (see MAX_ITEMS) and the
 * runs use a small -max_len; exec/s is in the commit note.
 *
 * Seeds: rules/, tests/data/rules_bad/.
 * Build and run: see tests/fuzz/CMakeLists.txt. */
#include "record.h"
#include "rules.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Upper bound on "- " block items plus ',' flow separators: a cheap
 * over-estimate of the pattern count that keeps a compile per input in
 * the milliseconds.  Inputs over it are rejected (-1: not added to the
 * corpus).  YW_FUZZ_RULES_MAX_ITEMS overrides it (0 = no limit): the
 * seed replay sets 0 so the full starter rules load and match. */
#define MAX_ITEMS 24

static long max_items = MAX_ITEMS;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *s = getenv("YW_FUZZ_RULES_MAX_ITEMS");
    if (s != NULL && *s != '\0')
        max_items = strtol(s, NULL, 10);
    return 0;
}

#define HITS_CAP 8

static const char *const texts[] = {
    "拖欠工资 三个月 农民工 联名 上访",
    "不是欠薪 工资已经发放",
    "这个问题 不归我办 请找 街道",
    "拆迁 补偿 没人管 踢皮球 不想活了",
    "abc 123 www.example.com",
    "",
};

static long count_items(const uint8_t *data, size_t size)
{
    long n = 0;
    for (size_t i = 0; i < size; i++)
        if (data[i] == ',' ||
            (data[i] == '-' && i + 1 < size && (data[i + 1] == ' ' ||
                                                data[i + 1] == '\n')))
            n++;
    return n;
}

static void match_one(const yw_rules_t *rules, yw_rules_scratch_t *scr,
                      yw_field_t field, const char *s, size_t len)
{
    yw_rule_hit_t hits[HITS_CAP];
    size_t nhits = 0;
    size_t nrules = yw_rules_count(rules);
    int rc = yw_rules_match(rules, scr, field, s, len, hits, &nhits, HITS_CAP);
    if (rc < -1 || (rc >= 0 && (size_t)rc != nhits) || nhits > HITS_CAP)
        abort();
    for (size_t i = 0; i < nhits; i++) {
        if (hits[i].rule >= nrules ||
            hits[i].kind != yw_rules_kind(rules, hits[i].rule) ||
            hits[i].field != field ||
            yw_rules_name(rules, hits[i].rule) == NULL)
            abort();
        for (size_t j = 0; j < i; j++)
            if (hits[j].rule == hits[i].rule)
                abort();
    }
    /* The same text again as another field: already-hit rules stay out. */
    size_t before = nhits;
    rc = yw_rules_match(rules, scr, YW_FIELD_TITLE, s, len, hits, &nhits,
                        HITS_CAP);
    if (rc >= 0 && (size_t)rc != nhits - before)
        abort();
    for (size_t i = before; i < nhits; i++)
        for (size_t j = 0; j < i; j++)
            if (hits[j].rule == hits[i].rule)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (max_items > 0 && count_items(data, size) > max_items)
        return -1;

    /* Exact-size copy, not NUL-terminated, so ASan sees reads past len. */
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);

    yw_rules_errors_t errs = { 0 };
    yw_rules_t *rules = yw_rules_load_string("fuzz.yaml", buf, size, &errs);
    if ((rules != NULL) == (errs.count > 0))
        abort();
    for (size_t i = 0; i < errs.count; i++)
        if (errs.msgs[i] == NULL || errs.msgs[i][0] == '\0')
            abort();
    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    if (out != NULL) {
        yw_rules_errors_print(&errs, out);
        fclose(out);
        free(text);
    }
    yw_rules_errors_free(&errs);

    if (rules != NULL) {
        size_t n = yw_rules_count(rules);
        for (uint32_t id = 0; id < n; id++)
            if (yw_rules_name(rules, id) == NULL ||
                (unsigned)yw_rules_kind(rules, id) >= YW_RULE_KIND_COUNT ||
                !(yw_rules_weight(rules, id) > 0))
                abort();

        char err[256];
        yw_rules_scratch_t *scr = yw_rules_scratch_create(rules, err, sizeof err);
        if (scr == NULL)
            abort();
        for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
            match_one(rules, scr, YW_FIELD_TEXT, texts[i], strlen(texts[i]));
        if (yw_utf8_valid(buf, size)) {
            match_one(rules, scr, YW_FIELD_REPLY, buf, size);
            char *norm = malloc(size + 1);
            if (norm != NULL) {
                size_t nlen = yw_text_normalize(buf, size, norm, size + 1);
                match_one(rules, scr, YW_FIELD_TEXT, norm, nlen);
                free(norm);
            }
        }
        yw_rules_scratch_destroy(scr);
        yw_rules_destroy(rules);
    }
    free(buf);
    return 0;
}
