/* rules.c -- `ywctl rules match`: what a rule set matches, before it goes
 * live.  The loop it serves: edit a rule file, see what it matches on one
 * text or on last month's records, then `systemctl reload yuanwangd`
 * (SIGHUP reloads the rules; docs/operations.md).
 *
 *   ywctl rules match -c FILE [--rules PATH ...] --text TEXT [--title T] [--reply R]
 *       the rules hit by one text, the normalised text they saw, and
 *       the names (estates, companies, roads, amounts, headcounts) in it;
 *   ywctl rules match -c FILE [--rules PATH ...] --input F.jsonl [--input ...]
 *                     [--show RULE [--limit N]]
 *       per rule over contract-v1 records: how many it matched and what
 *       share, the rules that never matched; --show lists the records
 *       RULE matched (id and masked text).
 *
 * The rules are the config's rules.paths, or the --rules paths instead (a
 * draft directory).  Matching goes through the daemon's own feature stage
 * (masking, normalisation, Hyperscan + PCRE2, negation), so a hit here is a
 * hit there.  Exit 0; 2 on bad usage or a rule set with errors (printed as
 * --check-config prints them); 1 when an input cannot be read. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entity.h"
#include "featurize.h"
#include "record.h"
#include "route.h"
#include "rules.h"
#include "utf8.h"
#include "ywctl.h"

#define MAX_PATHS 32

static void usage(void)
{
    fprintf(stderr,
            "usage: ywctl rules match -c FILE [--rules PATH ...] --text TEXT [--title T] [--reply R]\n"
            "       ywctl rules match -c FILE [--rules PATH ...] --input F.jsonl [--input ...]\n"
            "                         [--show RULE [--limit N]]\n");
}

typedef struct {
    const yw_rules_t *rules;
    yw_featurizer_t *fz;
    yw_features_t f;
} matcher_t;

/* One text, given on the command line. */
static int match_text(matcher_t *m, const char *text, const char *title, const char *reply)
{
    const char *parts[3] = { text, title, reply };
    for (int i = 0; i < 3; i++)
        if (parts[i] && !yw_utf8_valid(parts[i], strlen(parts[i]))) {
            fprintf(stderr, "ywctl rules: the %s is not valid UTF-8\n",
                    i == 0 ? "text" : i == 1 ? "title" : "reply");
            return 2;
        }
    yw_record_t rec;
    memset(&rec, 0, sizeof rec);
    rec.source = YW_SRC_HOTLINE;
    rec.text = (yw_str_t){ text, (uint32_t)strlen(text) };
    if (title)
        rec.title = (yw_str_t){ title, (uint32_t)strlen(title) };
    if (reply)
        rec.reply = (yw_str_t){ reply, (uint32_t)strlen(reply) };
    if (yw_features_extract(m->fz, &rec, &m->f) != 0) {
        fprintf(stderr, "ywctl rules: matching failed\n");
        return 1;
    }
    if (m->f.norm_title_len)
        printf("normalised title: %s\n", m->f.norm_title);
    printf("normalised text:  %s\n", m->f.norm);
    if (m->f.norm_reply_len)
        printf("normalised reply: %s\n", m->f.norm_reply);
    /* the names the texts give (lib/entity.c): they are the record's
     * heaviest terms and a cluster's places, so a wrong one shows here */
    if (m->f.nents) {
        printf("names:           ");
        for (size_t k = 0; k < m->f.nents; k++)
            printf(" %s %s%s", yw_entity_kind_name(m->f.ents[k].kind), m->f.ents[k].text,
                   k + 1 < m->f.nents ? "," : "");
        printf("\n");
    }
    if (!m->f.nhits) {
        printf("no rule matched\n");
        return 0;
    }
    for (size_t k = 0; k < m->f.nhits; k++) {
        const yw_rule_hit_t *h = &m->f.hits[k];
        printf("%-28s %-11s weight %-5g in %s\n", yw_rules_name(m->rules, h->rule),
               yw_rule_kind_name((yw_rule_kind_t)h->kind), (double)h->weight,
               h->field == YW_FIELD_TITLE ? "title" : h->field == YW_FIELD_REPLY ? "reply" : "text");
    }
    return 0;
}

/* Print at most max bytes of s, cut at a character boundary, on one line. */
static void print_clip(const char *s, size_t len, size_t max)
{
    if (len > max) {
        len = max;
        while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    for (size_t i = 0; i < len; i++)
        putchar(s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i]);
}

typedef struct {
    uint32_t rule;
    uint64_t hits;
} count_t;

static int by_hits(const void *a, const void *b)
{
    const count_t *x = a, *y = b;
    if (x->hits != y->hits)
        return x->hits > y->hits ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Every record of the files: counts per rule, or the records of --show. */
static int match_files(matcher_t *m, const yw_config_t *cfg, char **inputs, int ninputs,
                       const char *show, long limit)
{
    size_t nrules = yw_rules_count(m->rules);
    int64_t show_id = -1;
    if (show) {
        for (uint32_t i = 0; i < nrules; i++)
            if (strcmp(yw_rules_name(m->rules, i), show) == 0)
                show_id = i;
        if (show_id < 0) {
            fprintf(stderr, "ywctl rules: --show: no rule named '%s'\n", show);
            return 2;
        }
    }
    char err[256];
    yw_decoder_t *dec = yw_config_decoder(cfg, err, sizeof err);
    count_t *cnt = calloc(nrules ? nrules : 1, sizeof *cnt);
    if (!dec || !cnt) {
        fprintf(stderr, "ywctl rules: %s\n", dec ? "out of memory" : err);
        yw_decoder_destroy(dec);
        free(cnt);
        return 1;
    }
    for (uint32_t i = 0; i < nrules; i++)
        cnt[i].rule = i;
    yw_record_t rec;
    yw_record_init(&rec);
    uint64_t nrec = 0, bad = 0, shown = 0;
    int rc = 0;
    char *line = NULL;
    size_t cap = 0;
    for (int i = 0; i < ninputs && rc == 0; i++) {
        FILE *fp = fopen(inputs[i], "rb");
        if (!fp) {
            perror(inputs[i]);
            rc = 1;
            break;
        }
        ssize_t len;
        long lineno = 0;
        while ((len = getline(&line, &cap, fp)) > 0) {
            lineno++;
            while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                line[--len] = '\0';
            if (!len)
                continue;
            /* a line without `source` gets the one its fields imply, as in
             * backtest and replay (route.h) */
            const char *key;
            size_t keylen;
            yw_source_t src = yw_route_source(line, (size_t)len, YW_SRC_HOTLINE, &key, &keylen);
            int drc = yw_record_decode(dec, line, (size_t)len, src, &rec, err, sizeof err);
            if (drc != YW_REC_OK) {
                if (++bad <= 10)    /* as backtest reports them */
                    fprintf(stderr, "%s:%ld: %s: %s\n", inputs[i], lineno,
                            yw_rec_err_name(drc), err);
                continue;
            }
            if (yw_features_extract(m->fz, &rec, &m->f) != 0) {
                fprintf(stderr, "ywctl rules: matching failed\n");
                rc = 1;
                break;
            }
            nrec++;
            for (size_t k = 0; k < m->f.nhits; k++) {
                cnt[m->f.hits[k].rule].hits++;
                if ((int64_t)m->f.hits[k].rule == show_id && (long)shown < limit) {
                    shown++;
                    printf("%s\t", rec.id.s);
                    if (m->f.masked_title_len) {
                        print_clip(m->f.masked_title, m->f.masked_title_len, 90);
                        printf(" | ");
                    }
                    print_clip(m->f.masked, m->f.masked_len, 240);
                    putchar('\n');
                }
            }
        }
        fclose(fp);
    }
    free(line);
    if (rc == 0 && !show) {
        printf("records %llu (%llu bad lines skipped), rules %zu\n", (unsigned long long)nrec,
               (unsigned long long)bad, nrules);
        qsort(cnt, nrules, sizeof *cnt, by_hits);
        printf("%-28s %-11s %10s %8s\n", "rule", "kind", "records", "share");
        size_t never = 0;
        for (size_t i = 0; i < nrules; i++) {
            if (!cnt[i].hits) {
                never++;
                continue;
            }
            printf("%-28s %-11s %10llu %7.2f%%\n", yw_rules_name(m->rules, cnt[i].rule),
                   yw_rule_kind_name(yw_rules_kind(m->rules, cnt[i].rule)),
                   (unsigned long long)cnt[i].hits, nrec ? 100.0 * (double)cnt[i].hits / (double)nrec : 0);
        }
        if (never) {
            printf("never matched (%zu):", never);
            for (size_t i = 0; i < nrules; i++)
                if (!cnt[i].hits)
                    printf(" %s", yw_rules_name(m->rules, cnt[i].rule));
            putchar('\n');
        }
    } else if (rc == 0) {
        fprintf(stderr, "%s: %llu of %llu records (%llu shown)\n", show,
                (unsigned long long)cnt[show_id].hits, (unsigned long long)nrec,
                (unsigned long long)shown);
    }
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
    free(cnt);
    return rc;
}

int ywctl_rules(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "match") != 0) {
        usage();
        return 2;
    }
    argc--;
    argv++;
    const char *cfgpath = NULL, *text = NULL, *title = NULL, *reply = NULL, *show = NULL;
    char *rule_paths[MAX_PATHS], *inputs[MAX_PATHS];
    int nrules = 0, ninputs = 0;
    long limit = 20;
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "rules", required_argument, NULL, 'r' },
        { "text", required_argument, NULL, 't' },
        { "title", required_argument, NULL, 'T' },
        { "reply", required_argument, NULL, 'R' },
        { "input", required_argument, NULL, 'i' },
        { "show", required_argument, NULL, 's' },
        { "limit", required_argument, NULL, 'l' },
        { 0, 0, 0, 0 },
    };
    int o;
    while ((o = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (o) {
        case 'c': cfgpath = optarg; break;
        case 'r':
        case 'i':
            if ((o == 'r' ? nrules : ninputs) == MAX_PATHS) {
                fprintf(stderr, "ywctl rules: at most %d --%s\n", MAX_PATHS,
                        o == 'r' ? "rules" : "input");
                return 2;
            }
            if (o == 'r')
                rule_paths[nrules++] = optarg;
            else
                inputs[ninputs++] = optarg;
            break;
        case 't': text = optarg; break;
        case 'T': title = optarg; break;
        case 'R': reply = optarg; break;
        case 's': show = optarg; break;
        case 'l': limit = strtol(optarg, NULL, 10); break;
        default: usage(); return 2;
        }
    }
    if (optind != argc || (!text) == (ninputs == 0) || ((title || reply) && !text) ||
        (show && !ninputs) || limit < 0) {
        usage();
        return 2;
    }
    yw_config_t *cfg = ywctl_load_config(cfgpath, false);
    if (!cfg)
        return 2;
    const char *const *paths = nrules ? (const char *const *)rule_paths
                                      : (const char *const *)cfg->rules_paths;
    size_t npaths = nrules ? (size_t)nrules : cfg->rules_path_count;
    yw_rules_errors_t errs = { 0 };
    matcher_t m = { 0 };
    int rc = 2;
    char err[256];
    if (!(m.rules = yw_rules_load(paths, npaths, &errs))) {
        yw_rules_errors_print(&errs, stderr);
        goto done;
    }
    if (!(m.fz = yw_featurizer_create(m.rules, err, sizeof err))) {
        fprintf(stderr, "ywctl rules: %s\n", err);
        rc = 1;
        goto done;
    }
    yw_features_init(&m.f);
    rc = text ? match_text(&m, text, title, reply)
              : match_files(&m, cfg, inputs, ninputs, show, limit);
    yw_features_free(&m.f);
done:
    yw_featurizer_destroy(m.fz);
    yw_rules_destroy((yw_rules_t *)m.rules);
    yw_rules_errors_free(&errs);
    yw_config_destroy(cfg);
    return rc;
}
