/* config_table.h -- the declarative key tables behind config.c (internal).
 *
 * One row per key: name, type, where it lands in the struct, default,
 * bounds or allowed values, description.  config_table.c holds the rows and
 * everything that only needs the rows (defaults, destruction, the printed
 * reference); config.c walks a YAML document against them. */
#ifndef YW_CONFIG_TABLE_H
#define YW_CONFIG_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

typedef enum {
    CT_STR,         /* char * */
    CT_REGEX,       /* char *, must compile as PCRE2 (UTF, UCP, JIT) */
    CT_INT,         /* integer within [min, max]; int64_t, or 4 bytes (int,
                       uint32_t) when size is 4 */
    CT_FLOAT,       /* double (or float when size is 4) within fmin..fmax */
    CT_ENUM,        /* int: index into choices */
    CT_TZ,          /* int minutes, written "+08:00" */
    CT_STRLIST,     /* char ** + size_t count at off_count */
    CT_KV,          /* yw_kv_t * + count: kafka.rdkafka */
    CT_TABLE        /* a nested mapping described by sub */
} cfg_type_t;

#define CF_SECRET   0x1u    /* never echoed back */
#define CF_REQUIRED 0x2u    /* no default: the file must set it */
#define CF_GT_MIN   0x4u    /* FLOAT: the minimum itself is not allowed */

typedef struct cfg_table cfg_table_t;

typedef struct {
    const char *name;
    cfg_type_t type;
    size_t off;                  /* field in the struct being filled */
    size_t off_count;            /* lists and maps: their size_t count */
    const char *def;             /* text default (STR, REGEX, TZ, STRLIST) */
    int64_t def_int;             /* INT default; ENUM default index (not
                                  * used inside a section with init) */
    int64_t min, max;            /* INT range; STR minimum length in min */
    double fmin, fmax;           /* FLOAT range (CF_GT_MIN: fmin excluded) */
    unsigned size;               /* INT, FLOAT: bytes of the field (0 = 8) */
    const char *const *choices;  /* ENUM names, NULL-terminated */
    const cfg_table_t *sub;      /* TABLE */
    unsigned flags;
    const char *unit;            /* "ms", "bytes", "hours" or NULL */
    const char *hint;            /* for required / empty values */
    const char *desc;
    /* Sections (TABLE rows of the root) whose defaults come from their
     * module: init fills every field of the section (its rows' def_int
     * are then unused; the printed defaults are read back from it), and
     * check is the module's own check, run after the section is read
     * when no key of it had an error (0, or -1 with a message). */
    void (*init)(yw_config_t *cfg);
    int (*check)(const yw_config_t *cfg, char *err, size_t errlen);
} cfg_key_t;

struct cfg_table {
    const cfg_key_t *keys;
    size_t n;
};

/* The top level: one CT_TABLE row per section. */
extern const cfg_table_t yw_cfg_root;

/* The row called name in t, or NULL. */
const cfg_key_t *yw_cfg_find(const cfg_table_t *t, const char *name);

/* Fill / free every field t describes inside the struct at base. */
int yw_cfg_set_defaults(const cfg_table_t *t, void *base);
void yw_cfg_free_fields(const cfg_table_t *t, void *base);

/* Free *p and NULL it; secrets are wiped first so they do not linger. */
void yw_cfg_free_str(char **p, bool secret);

static inline void *yw_cfg_field(void *base, size_t off)
{
    return (char *)base + off;
}

/* An INT or FLOAT field read / written at its width. */
int64_t yw_cfg_get_int(const cfg_key_t *e, const void *base);
void yw_cfg_set_int(const cfg_key_t *e, void *base, int64_t v);
double yw_cfg_get_float(const cfg_key_t *e, const void *base);
void yw_cfg_set_float(const cfg_key_t *e, void *base, double v);

/* "[0, 1]" or "(0, 100]": the allowed range of a FLOAT row. */
void yw_cfg_float_range(const cfg_key_t *e, char *buf, size_t len);

#endif
