/* fuzz_config.c -- libFuzzer target for the YAML config loader.
 *
 * Feeds arbitrary bytes to yw_config_load_string(): libyaml parsing, the
 * section tables, ${VAR} substitution, PCRE2 compilation of
 * stage.categories and librdkafka's checks of kafka.rdkafka.*.  Besides
 * what ASan/UBSan catch, it checks the loader's contract: exactly one of
 * "a config" or "at least one error" comes back, every error has a
 * message, and printing them (into a memory FILE) works.  A loaded config
 * is destroyed again so leaks show up in LeakSanitizer.
 *
 * Seeds: tests/config/valid, tests/config/invalid, config/.
 * Build and run: see tests/fuzz/CMakeLists.txt. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A few variables for ${VAR} and ${VAR:-default} to resolve: a valid
 * secret (so otherwise-valid inputs get past privacy.hmac_secret), an
 * empty one (the :- default applies), a numeric one (used in int keys)
 * and one with YAML/regex metacharacters (substitution happens after
 * parsing, so this must stay a plain string). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("YW_HMAC_SECRET", "fuzz-secret-0123456789abcdef", 1);
    setenv("YW_FUZZ_EMPTY", "", 1);
    setenv("YW_FUZZ_NUM", "6379", 1);
    setenv("YW_FUZZ_META", "a: [b, {c}] ${NOT_AGAIN} \\ (x|", 1);
    unsetenv("YW_FUZZ_UNSET");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The loader takes (yaml, len): hand it an exact-size copy, not
     * NUL-terminated, so ASan sees any read past len. */
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);

    yw_config_errors_t errs = { 0 };
    yw_config_t *cfg = yw_config_load_string("fuzz.yaml", buf, size, &errs);
    if ((cfg != NULL) == (errs.count > 0))
        abort();
    for (size_t i = 0; i < errs.count; i++)
        if (errs.items[i].msg == NULL || errs.items[i].msg[0] == '\0' ||
            errs.items[i].line < 0 || errs.items[i].col < 0)
            abort();

    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    if (out != NULL) {
        yw_config_errors_print(&errs, "fuzz.yaml", out);
        fclose(out);
        /* One line at least per error, each starting with the file name. */
        if (errs.count > 0 && (text == NULL || strncmp(text, "fuzz.yaml", 9) != 0))
            abort();
        free(text);
    }

    yw_config_errors_free(&errs);
    yw_config_destroy(cfg);
    free(buf);
    return 0;
}
