/* metrics.c -- see metrics.h.  A flat list of samples; HELP/TYPE lines are
 * written once per metric name, before its first sample. */
#include "metrics.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char name[64];
    char help[160];
    char labels[128];
    const char *type;
    double value;
} sample_t;

struct yw_metrics {
    sample_t *s;
    size_t n, cap;
};

yw_metrics_t *yw_metrics_create(void) { return calloc(1, sizeof(yw_metrics_t)); }

void yw_metrics_destroy(yw_metrics_t *m)
{
    if (!m)
        return;
    free(m->s);
    free(m);
}

void yw_metrics_reset(yw_metrics_t *m) { m->n = 0; }

static void add(yw_metrics_t *m, const char *type, const char *name,
                const char *help, const char *labels, double value)
{
    if (m->n == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 64;
        sample_t *ns = realloc(m->s, nc * sizeof *ns);
        if (!ns)
            return;
        m->s = ns;
        m->cap = nc;
    }
    sample_t *s = &m->s[m->n++];
    snprintf(s->name, sizeof s->name, "%s", name);
    snprintf(s->help, sizeof s->help, "%s", help);
    snprintf(s->labels, sizeof s->labels, "%s", labels ? labels : "");
    s->type = type;
    s->value = value;
}

void yw_metrics_counter(yw_metrics_t *m, const char *name, const char *help,
                        const char *labels, double value)
{
    add(m, "counter", name, help, labels, value);
}

void yw_metrics_gauge(yw_metrics_t *m, const char *name, const char *help,
                      const char *labels, double value)
{
    add(m, "gauge", name, help, labels, value);
}

void yw_metrics_render(const yw_metrics_t *m, FILE *out)
{
    for (size_t i = 0; i < m->n; i++) {
        const sample_t *s = &m->s[i];
        bool first = true;
        for (size_t j = 0; j < i; j++)
            if (strcmp(m->s[j].name, s->name) == 0)
                first = false;
        if (first)
            fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", s->name, s->help,
                    s->name, s->type);
        if (s->labels[0])
            fprintf(out, "%s{%s} %.17g\n", s->name, s->labels, s->value);
        else
            fprintf(out, "%s %.17g\n", s->name, s->value);
    }
}

int yw_metrics_write_file(const yw_metrics_t *m, const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    yw_metrics_render(m, f);
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}
