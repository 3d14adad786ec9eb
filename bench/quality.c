/* quality.c -- how good are the clusters, against labels.
 *
 *   quality --assign ASSIGN.jsonl --labels LABELS.jsonl
 *           [--kmeans RECORDS.jsonl [--seed N]] [--per-label]
 *
 * ASSIGN is `ywctl backtest --assignments` output ({"id","cluster"} lines,
 * in processing = event-time order); LABELS is {"id","label"} lines.
 * Prints, over the records that have a label:
 *   purity (each cluster counted by its majority label), B-cubed
 *   precision / recall / F1, NMI (arithmetic normalisation, as sklearn),
 *   the number of clusters per label, each label's share held by its
 *   largest cluster, and when that cluster formed: the position of its
 *   first record among the label's records in processing order (0 = it
 *   was the label's first record), as a fraction of the label's size.
 * --kmeans: an offline reference in the same run -- spherical k-means on
 * sublinear TF-IDF over the same tokens (text.h; bigrams + words), told
 * the true k, k-means++ seeding, 30 iterations -- scored the same way. */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "text.h"

/* ---- string interning: a tiny open-addressing map string -> index ---- */

typedef struct {
    char **keys;
    int *vals;
    size_t cap, n;
    char **names;           /* index -> string */
} smap_t;

static uint64_t shash(const char *s) { return yw_text_hash(s, strlen(s)); }

static int smap_get(smap_t *m, const char *s, int add)
{
    if (m->n * 2 + 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        char **nk = calloc(ncap, sizeof(char *));
        int *nv = calloc(ncap, sizeof(int));
        if (!nk || !nv) exit(1);
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = shash(m->keys[i]) & (ncap - 1);
            while (nk[j]) j = (j + 1) & (ncap - 1);
            nk[j] = m->keys[i];
            nv[j] = m->vals[i];
        }
        free(m->keys);
        free(m->vals);
        m->keys = nk;
        m->vals = nv;
        m->cap = ncap;
        m->names = realloc(m->names, ncap * sizeof(char *));
    }
    size_t j = shash(s) & (m->cap - 1);
    while (m->keys[j]) {
        if (strcmp(m->keys[j], s) == 0) return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    if (!add) return -1;
    m->keys[j] = strdup(s);
    m->vals[j] = (int)m->n;
    m->names[m->n] = m->keys[j];
    return (int)m->n++;
}

static void smap_free(smap_t *m)
{
    for (size_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    free(m->names);
}

/* ---- reading {"a":"..","b":".."} lines ------------------------------- */

static int field(const char *line, const jsmntok_t *t, int n, const char *key, char *out,
                 size_t cap)
{
    size_t kl = strlen(key);
    for (int i = 1; i + 1 < n; i += 2)
        if ((size_t)(t[i].end - t[i].start) == kl && memcmp(line + t[i].start, key, kl) == 0) {
            int l = t[i + 1].end - t[i + 1].start;
            if ((size_t)l >= cap) l = (int)cap - 1;
            memcpy(out, line + t[i + 1].start, (size_t)l);
            out[l] = '\0';
            return 0;
        }
    return -1;
}

/* Read pairs (a, b) of a JSONL file; calls fn for each. */
static long read_pairs(const char *path, const char *ka, const char *kb,
                       void (*fn)(void *, const char *, const char *), void *arg)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        perror(path);
        exit(1);
    }
    char *line = NULL, a[512], b[512];
    size_t cap = 0;
    ssize_t len;
    long n = 0;
    jsmntok_t tok[32];
    while ((len = getline(&line, &cap, fp)) > 0) {
        jsmn_parser p;
        jsmn_init(&p);
        int nt = jsmn_parse(&p, line, (size_t)len, tok, 32);
        if (nt < 1 || field(line, tok, nt, ka, a, sizeof(a)) ||
            field(line, tok, nt, kb, b, sizeof(b)))
            continue;
        fn(arg, a, b);
        n++;
    }
    free(line);
    fclose(fp);
    return n;
}

/* ---- state ------------------------------------------------------------ */

typedef struct {
    smap_t ids, labels, clusters;
    int *id_label;           /* by id index: label index or -1 */
    size_t id_label_cap;
    int *item_label, *item_cluster;   /* processing order */
    size_t nitems, items_cap;
} q_t;

static void on_label(void *arg, const char *id, const char *label)
{
    q_t *q = arg;
    int i = smap_get(&q->ids, id, 1), l = smap_get(&q->labels, label, 1);
    if ((size_t)i >= q->id_label_cap) {
        size_t n = q->id_label_cap ? q->id_label_cap * 2 : 4096;
        while (n <= (size_t)i) n *= 2;
        q->id_label = realloc(q->id_label, n * sizeof(int));
        for (size_t k = q->id_label_cap; k < n; k++) q->id_label[k] = -1;
        q->id_label_cap = n;
    }
    q->id_label[i] = l;
}

static void push_item(q_t *q, int label, int cluster)
{
    if (q->nitems == q->items_cap) {
        q->items_cap = q->items_cap ? q->items_cap * 2 : 4096;
        q->item_label = realloc(q->item_label, q->items_cap * sizeof(int));
        q->item_cluster = realloc(q->item_cluster, q->items_cap * sizeof(int));
    }
    q->item_label[q->nitems] = label;
    q->item_cluster[q->nitems++] = cluster;
}

static void on_assign(void *arg, const char *id, const char *cluster)
{
    q_t *q = arg;
    int i = smap_get(&q->ids, id, 0);
    if (i < 0 || (size_t)i >= q->id_label_cap || q->id_label[i] < 0) return;
    push_item(q, q->id_label[i], smap_get(&q->clusters, cluster, 1));
}

/* ---- metrics ---------------------------------------------------------- */

typedef struct {
    uint64_t key;
    long n;
} cell_t;

static int cmp_cell(const void *a, const void *b)
{
    const cell_t *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* Score items (label[i], cluster[i]) i < n, in processing order. */
static void report(const char *name, const int *lab, const int *clu, size_t n, int nl, int nc,
                   char **label_names, int per_label)
{
    long *ln = calloc((size_t)nl, sizeof(long)), *cn = calloc((size_t)nc, sizeof(long));
    cell_t *cells = malloc(n * sizeof(cell_t));
    for (size_t i = 0; i < n; i++) {
        ln[lab[i]]++;
        cn[clu[i]]++;
        cells[i].key = ((uint64_t)(uint32_t)clu[i] << 32) | (uint32_t)lab[i];
        cells[i].n = 1;
    }
    qsort(cells, n, sizeof(cell_t), cmp_cell);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && cells[m - 1].key == cells[i].key) cells[m - 1].n++;
        else cells[m++] = cells[i];
    }
    double N = (double)n, bp = 0, br = 0, mi = 0, hc = 0, hl = 0, pur = 0;
    long *cmax = calloc((size_t)nc, sizeof(long));
    long *lbest = calloc((size_t)nl, sizeof(long));
    int *lbestc = malloc((size_t)nl * sizeof(int)), *lnclu = calloc((size_t)nl, sizeof(int));
    for (size_t k = 0; k < m; k++) {
        int c = (int)(cells[k].key >> 32), l = (int)(cells[k].key & 0xffffffffu);
        double x = (double)cells[k].n;
        bp += x * x / (double)cn[c];
        br += x * x / (double)ln[l];
        mi += x / N * log(x * N / ((double)cn[c] * (double)ln[l]));
        if (cells[k].n > cmax[c]) cmax[c] = cells[k].n;
        if (cells[k].n > lbest[l]) {
            lbest[l] = cells[k].n;
            lbestc[l] = c;
        }
        lnclu[l]++;
    }
    int nonempty = 0, multi = 0;
    for (int c = 0; c < nc; c++) {
        if (!cn[c]) continue;
        nonempty++;
        multi += cn[c] > 1;
        hc -= (double)cn[c] / N * log((double)cn[c] / N);
        pur += (double)cmax[c];
    }
    for (int l = 0; l < nl; l++)
        if (ln[l]) hl -= (double)ln[l] / N * log((double)ln[l] / N);
    bp /= N;
    br /= N;
    double f1 = bp + br > 0 ? 2 * bp * br / (bp + br) : 0;
    double nmi = hc + hl > 0 ? 2 * mi / (hc + hl) : 0;
    /* formation: first record of the label's largest cluster, by position
     * among the label's records */
    long *seen = calloc((size_t)nl, sizeof(long)), *first = malloc((size_t)nl * sizeof(long));
    for (int l = 0; l < nl; l++) first[l] = -1;
    for (size_t i = 0; i < n; i++) {
        int l = lab[i];
        if (first[l] < 0 && clu[i] == lbestc[l]) first[l] = seen[l];
        seen[l]++;
    }
    int labels = 0, early = 0;
    double share_sum = 0, share_min = 1, nclu_sum = 0;
    for (int l = 0; l < nl; l++) {
        if (!ln[l]) continue;
        labels++;
        double share = (double)lbest[l] / (double)ln[l], pos = (double)first[l] / (double)ln[l];
        share_sum += share;
        if (share < share_min) share_min = share;
        nclu_sum += lnclu[l];
        early += pos <= 0.10;
    }
    printf("%-10s items %zu  clusters %d (%d with 2+)  purity %.3f  B3 P %.3f R %.3f F1 %.3f  "
           "NMI %.3f\n",
           name, n, nonempty, multi, pur / N, bp, br, f1, nmi);
    printf("%-10s labels %d  clusters/label mean %.1f  largest-cluster share mean %.3f min %.3f"
           "  largest formed in first 10%%: %d/%d\n",
           name, labels, nclu_sum / labels, share_sum / labels, share_min, early, labels);
    if (per_label) {
        printf("  %-34s %6s %8s %7s %9s\n", "label", "items", "clusters", "share", "formed@");
        for (int l = 0; l < nl; l++)
            if (ln[l])
                printf("  %-34s %6ld %8d %7.3f %9.3f\n", label_names[l], ln[l], lnclu[l],
                       (double)lbest[l] / (double)ln[l], (double)first[l] / (double)ln[l]);
    }
    free(ln);
    free(cn);
    free(cells);
    free(cmax);
    free(lbest);
    free(lbestc);
    free(lnclu);
    free(seen);
    free(first);
}

/* ---- offline reference: spherical k-means on TF-IDF ------------------ */

typedef struct {
    uint32_t *term;          /* dense term index */
    float *w;
    uint32_t n;
    int label;
} doc_t;

static uint64_t rng_state = 88172645463325252ull;
static double rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

static void kmeans(q_t *q, const char *records_path, int per_label)
{
    FILE *fp = fopen(records_path, "r");
    if (!fp) {
        perror(records_path);
        return;
    }
    yw_decoder_conf_t dc = { .max_message_bytes = 1 << 20, .tz_offset_minutes = 480 };
    char err[256], reason[128];
    yw_decoder_t *dec = yw_decoder_create(&dc, err, sizeof(err));
    if (!dec) {
        fprintf(stderr, "kmeans: %s\n", err);
        fclose(fp);
        return;
    }
    yw_record_t rec;
    yw_record_init(&rec);
    yw_fvec_t v = { 0 };
    /* vocabulary: term hash -> dense index, via an open-addressing table */
    size_t vcap = 1 << 20, nv = 0;
    uint64_t *vk = calloc(vcap, sizeof(uint64_t));
    uint32_t *vi = malloc(vcap * sizeof(uint32_t));
    uint32_t *df = calloc(vcap, sizeof(uint32_t));   /* by dense index (< vcap/2) */
    doc_t *docs = NULL;
    size_t nd = 0, dcap = 0;
    char *line = NULL, *norm = NULL;
    size_t cap = 0, ncap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, fp)) > 0) {
        if (yw_record_decode(dec, line, (size_t)len, YW_SRC_UNKNOWN, &rec, reason,
                             sizeof(reason)) != YW_REC_OK)
            continue;
        int i = smap_get(&q->ids, rec.id.s, 0);
        if (i < 0 || (size_t)i >= q->id_label_cap || q->id_label[i] < 0) continue;
        size_t need = (size_t)rec.title.len + rec.text.len + 2;
        if (need > ncap) {
            ncap = need * 2;
            norm = realloc(norm, ncap);
        }
        v.n = 0;
        size_t nl = yw_text_normalize(rec.title.s, rec.title.len, norm, ncap);
        yw_text_tokens(norm, nl, &v);
        nl = yw_text_normalize(rec.text.s, rec.text.len, norm, ncap);
        yw_text_tokens(norm, nl, &v);
        yw_text_fvec_finish(&v);
        if (nd == dcap) {
            dcap = dcap ? dcap * 2 : 4096;
            docs = realloc(docs, dcap * sizeof(doc_t));
        }
        doc_t *d = &docs[nd++];
        d->n = v.n;
        d->label = q->id_label[i];
        d->term = malloc((v.n + 1) * sizeof(uint32_t));
        d->w = malloc((v.n + 1) * sizeof(float));
        for (uint32_t k = 0; k < v.n; k++) {
            size_t j = (v.t[k].term * 0x9E3779B97F4A7C15ull) >> 44;   /* 20 bits */
            while (vk[j] && vk[j] != v.t[k].term) j = (j + 1) & (vcap - 1);
            if (!vk[j]) {
                if (nv * 2 > vcap) break;     /* vocabulary full: ignore the rest */
                vk[j] = v.t[k].term;
                vi[j] = (uint32_t)nv++;
            }
            d->term[k] = vi[j];
            d->w[k] = 1.0f + logf(v.t[k].w);
            df[vi[j]]++;
        }
    }
    fclose(fp);
    free(line);
    free(norm);
    for (size_t i = 0; i < nd; i++) {
        double ss = 0;
        for (uint32_t k = 0; k < docs[i].n; k++) {
            docs[i].w[k] *= (float)log((double)nd / df[docs[i].term[k]]);
            ss += (double)docs[i].w[k] * docs[i].w[k];
        }
        float inv = ss > 0 ? (float)(1 / sqrt(ss)) : 0;
        for (uint32_t k = 0; k < docs[i].n; k++) docs[i].w[k] *= inv;
    }
    int k = (int)q->labels.n;
    float *cen = calloc((size_t)k * nv, sizeof(float));
    int *asg = malloc(nd * sizeof(int));
    int *lab = malloc(nd * sizeof(int));
    double *dmin = malloc(nd * sizeof(double));
    /* k-means++ seeding on cosine distance */
    size_t c0 = (size_t)(rnd() * (double)nd);
    for (int c = 0; c < k; c++) {
        size_t pick = c0;
        if (c > 0) {
            double tot = 0;
            for (size_t i = 0; i < nd; i++) tot += dmin[i];
            double r = rnd() * tot;
            for (pick = 0; pick + 1 < nd && (r -= dmin[pick]) > 0; pick++) {}
        }
        float *cc = cen + (size_t)c * nv;
        for (uint32_t t = 0; t < docs[pick].n; t++) cc[docs[pick].term[t]] = docs[pick].w[t];
        for (size_t i = 0; i < nd; i++) {
            double dot = 0;
            for (uint32_t t = 0; t < docs[i].n; t++) dot += docs[i].w[t] * cc[docs[i].term[t]];
            double dd = 1 - dot;
            if (dd < 0) dd = 0;
            if (c == 0 || dd < dmin[i]) dmin[i] = dd;
        }
    }
    for (int it = 0; it < 30; it++) {
        size_t changed = 0;
        for (size_t i = 0; i < nd; i++) {
            int best = 0;
            double bd = -1;
            for (int c = 0; c < k; c++) {
                const float *cc = cen + (size_t)c * nv;
                double dot = 0;
                for (uint32_t t = 0; t < docs[i].n; t++) dot += docs[i].w[t] * cc[docs[i].term[t]];
                if (dot > bd) {
                    bd = dot;
                    best = c;
                }
            }
            if (it == 0 || asg[i] != best) changed++;
            asg[i] = best;
        }
        memset(cen, 0, (size_t)k * nv * sizeof(float));
        for (size_t i = 0; i < nd; i++) {
            float *cc = cen + (size_t)asg[i] * nv;
            for (uint32_t t = 0; t < docs[i].n; t++) cc[docs[i].term[t]] += docs[i].w[t];
        }
        for (int c = 0; c < k; c++) {
            float *cc = cen + (size_t)c * nv;
            double ss = 0;
            for (size_t t = 0; t < nv; t++) ss += (double)cc[t] * cc[t];
            float inv = ss > 0 ? (float)(1 / sqrt(ss)) : 0;
            for (size_t t = 0; t < nv; t++) cc[t] *= inv;
        }
        if (!changed) break;
    }
    for (size_t i = 0; i < nd; i++) lab[i] = docs[i].label;
    char name[32];
    snprintf(name, sizeof(name), "kmeans%d", k);
    report(name, lab, asg, nd, (int)q->labels.n, k, q->labels.names, per_label);
    for (size_t i = 0; i < nd; i++) {
        free(docs[i].term);
        free(docs[i].w);
    }
    free(docs);
    free(cen);
    free(asg);
    free(lab);
    free(dmin);
    free(vk);
    free(vi);
    free(df);
    yw_text_fvec_free(&v);
    yw_record_free(&rec);
    yw_decoder_destroy(dec);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "assign", required_argument, NULL, 'a' },
        { "labels", required_argument, NULL, 'l' },
        { "kmeans", required_argument, NULL, 'k' },
        { "seed", required_argument, NULL, 's' },
        { "per-label", no_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    const char *apath = NULL, *lpath = NULL, *kpath = NULL;
    int per_label = 0, o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'a': apath = optarg; break;
        case 'l': lpath = optarg; break;
        case 'k': kpath = optarg; break;
        case 's': rng_state = strtoull(optarg, NULL, 10) * 2654435761ull + 1; break;
        case 'p': per_label = 1; break;
        default:
            fprintf(stderr, "usage: quality --assign A.jsonl --labels L.jsonl "
                            "[--kmeans RECORDS.jsonl] [--seed N] [--per-label]\n");
            return 2;
        }
    }
    if (!apath || !lpath) {
        fprintf(stderr, "quality: --assign and --labels are required\n");
        return 2;
    }
    q_t q;
    memset(&q, 0, sizeof(q));
    read_pairs(lpath, "id", "label", on_label, &q);
    read_pairs(apath, "id", "cluster", on_assign, &q);
    if (!q.nitems) {
        fprintf(stderr, "quality: no labelled records in %s\n", apath);
        return 1;
    }
    report("yuanwang", q.item_label, q.item_cluster, q.nitems, (int)q.labels.n,
           (int)q.clusters.n, q.labels.names, per_label);
    if (kpath) kmeans(&q, kpath, per_label);
    free(q.id_label);
    free(q.item_label);
    free(q.item_cluster);
    smap_free(&q.ids);
    smap_free(&q.labels);
    smap_free(&q.clusters);
    return 0;
}
