/* cluster_label.c -- what makes a cluster readable: small space-saving
 * tables of entity, place and phrase labels kept per cluster (phrases are
 * found by re-hashing a member's text against the strongest centroid
 * terms), and the queries that read them (yw_cluster_labels,
 * yw_cluster_title, and yw_cluster_related: the other clusters about the
 * same estate or company).  The clustering itself is in cluster.c. */
#include <stdint.h>
#include <string.h>

#include "cluster_impl.h"
#include "entity.h"
#include "text.h"
#include "text_impl.h"   /* the tokenizer's UTF-8 and Han tests and its hash: phrases re-hash as it did */

/* ---- labels: small space-saving tables of readable strings ----------- */

static size_t utf8_clip(const char *s, size_t len, size_t max)
{
    if (len <= max) return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    return n;
}

/* a[0..len) == b[0..len) for the short strings labels are (len <
 * LAB_LEN), inline: most calls compare a record's place or entity with
 * the label it matches, and libc's memcmp cost a call and a dispatch each
 * time.  Overlapping word reads, none outside either string. */
static inline bool short_eq(const char *sa, const char *sb, size_t len)
{
    const uint8_t *a = (const uint8_t *)sa, *b = (const uint8_t *)sb;   /* rd4, rd8: text_impl.h */
    if (len >= 8) {
        size_t o = 0;
        for (; o + 8 <= len; o += 8)
            if (rd8(a + o) != rd8(b + o)) return false;
        return o == len || rd8(a + len - 8) == rd8(b + len - 8);
    }
    if (len >= 4)
        return rd4(a) == rd4(b) && rd4(a + len - 4) == rd4(b + len - 4);
    for (size_t i = 0; i < len; i++)
        if (a[i] != b[i]) return false;
    return true;
}

static void lab_add(label_t *t, int n, const char *s, size_t len, float inc)
{
    len = utf8_clip(s, len, LAB_LEN - 1);
    if (len == 0) return;
    int empty = -1, min = 0;
    for (int i = 0; i < n; i++) {
        if (!t[i].s[0]) {
            if (empty < 0) empty = i;
            continue;
        }
        /* (no strlen: the label matches when its first len bytes do and
         * it ends there) */
        if (t[i].s[0] == s[0] && t[i].s[len] == '\0' && short_eq(t[i].s, s, len)) {
            t[i].n += inc;
            return;
        }
        if (t[i].n < t[min].n || !t[min].s[0]) min = i;
    }
    int i = empty >= 0 ? empty : min;
    float base = empty >= 0 ? 0 : t[i].n;
    memcpy(t[i].s, s, len);
    t[i].s[len] = '\0';
    t[i].n = base + inc;
}

typedef struct {
    size_t start, end;
    float score;
    int word;              /* made of ASCII words */
} phrase_t;

static void phrase_keep(phrase_t *best, int *nbest, const phrase_t *p)
{
    if (p->end <= p->start || p->score <= 0) return;
    int min = -1;
    for (int i = 0; i < *nbest; i++)
        if (min < 0 || best[i].score < best[min].score) min = i;
    if (*nbest < N_PHRASE) best[(*nbest)++] = *p;
    else if (best[min].score < p->score) best[min] = *p;
}

/* The cluster's strongest bigram and word terms, the ones phrases are
 * made of, and a small open-addressing table to look a text's terms up in
 * them.  Taken once per ywcl_labels_add (its title and its text are
 * scanned against the same centroid), and only when a text is scanned. */
#define PT_SLOTS 256       /* a power of two; PHRASE_TERMS fill < 1/20: most of a
                           * text's bigrams find an empty slot, no compare */

typedef struct {
    bool ready;
    uint32_t n;
    yw_fterm_t top[MAX_TERMS];
    uint8_t slot[PT_SLOTS];  /* 1 + index into top, 0: empty */
} phrase_terms_t;

static void phrase_terms_take(yw_clusterer_t *cl, uint32_t s, phrase_terms_t *pt)
{
    const uint64_t *t = cl->cterm + (size_t)s * cl->c.top_k;
    const float *w = cl->cw + (size_t)s * cl->c.top_k;
    yw_fterm_t *top = pt->top;
    uint32_t n = 0, nt = cl->clu[s].nterms;
    /* every term written, the count moved only by bigrams and words: the
     * same array, in the same order, as copying them with a branch (the
     * order decides the selection's salt and output order), without the
     * branch */
    for (uint32_t k = 0; k < nt; k++) {
        unsigned kind = (unsigned)YW_TERM_KIND(t[k]);
        top[n] = (yw_fterm_t){ t[k], w[k] };
        n += kind - YW_TERM_BIGRAM <= YW_TERM_WORD - YW_TERM_BIGRAM;
    }
    select_top(cl, top, n, PHRASE_TERMS);
    if (n > PHRASE_TERMS) n = PHRASE_TERMS;
    pt->n = n;
    memset(pt->slot, 0, sizeof pt->slot);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t h = (uint32_t)top[k].term & (PT_SLOTS - 1);
        while (pt->slot[h]) h = (h + 1) & (PT_SLOTS - 1);
        pt->slot[h] = (uint8_t)(k + 1);
    }
    pt->ready = true;
}

/* The weight of term among the phrase terms, 0 when it is not one.  (Terms
 * are hashes already: their low bits pick the slot.) */
static inline float phrase_weight(const phrase_terms_t *pt, uint64_t term)
{
    uint32_t h = (uint32_t)term & (PT_SLOTS - 1);
    for (;;) {
        unsigned x = pt->slot[h];
        if (!x) return 0;
        if (pt->top[x - 1].term == term) return pt->top[x - 1].w;
        h = (h + 1) & (PT_SLOTS - 1);
    }
}

typedef struct {
    size_t start, end;
    float score;
} clause_t;

/* Is p a Han character of 3 bytes the scan can take without decoding it?
 * Lead bytes E5..E9 are U+5000..U+9FFF, all Han; E4 is U+4000..U+4FFF,
 * Han but for U+4DC0..U+4DFF (E4 B7 xx).  Most of a Chinese text. */
static inline bool han3(const unsigned char *p)
{
    return p[0] - 0xE5u <= 0xE9u - 0xE5u || (p[0] == 0xE4 && p[1] != 0xB7);
}

/* Hashes are not readable: find the cluster's strongest bigram and word
 * terms in this member's normalised text and keep the longest runs of
 * them ("物业" "业管" "管理" -> "物业管理") as phrases.  Runs rarely (see
 * ywcl_labels_add), so its re-hashing is amortised away.  Returns the
 * weight of the strongest terms the text holds (within its first
 * max_score_bytes bytes, the part a title shows).  With clause non-NULL,
 * also the clause (a run between spaces: normalisation turned punctuation
 * into spaces) of at least 4 Han characters holding the most of that
 * weight, for clusters whose records have no title. */
static float refresh_phrases(yw_clusterer_t *cl, uint32_t s, phrase_terms_t *pt,
                             const char *text, size_t len, size_t max_score_bytes,
                             clause_t *clause)
{
    if (clause)
        *clause = (clause_t){ 0, 0, 0 };
    if (!text || !len) return 0;
    if (!pt->ready) phrase_terms_take(cl, s, pt);
    if (!pt->n) return 0;
    float covered = 0;
    const uint64_t salt = yw_text_salt_bits();   /* the tokenizer's hash is salted */

    const unsigned char *b = (const unsigned char *)text;
    size_t i = 0;
    size_t prev = SIZE_MAX;            /* start of the previous Han character */
    phrase_t cur = { 0, 0, 0, 0 }, best[N_PHRASE];
    int nbest = 0;
    size_t cl_start = 0;                 /* the clause being read */
    float cl_score = 0;
    int cl_han = 0;
    for (;;) {
        if (i == len || b[i] == ' ') {   /* a clause ends */
            if (clause && cl_han >= 4 && cl_score > clause->score)
                *clause = (clause_t){ cl_start, i, cl_score };
            if (i == len)
                break;
            cl_start = i + 1;
            cl_score = 0;
            cl_han = 0;
            i++;
            prev = SIZE_MAX;
            continue;
        }
        unsigned c = b[i];
        if (c >= 0x80) {
            size_t cn = 3;
            if (!han3(b + i) && !is_han(u8_decode(b + i, &cn))) {
                i += cn;
                prev = SIZE_MAX;
                continue;
            }
            /* a run of Han characters, read in this loop while they are
             * the common 3-byte ones */
            for (;;) {
                float hit = 0;
                if (prev != SIZE_MAX) {
                    size_t bl = i + cn - prev;
                    uint64_t h = bl == 6 ? text_hash_raw(b + prev, 6) : text_hash_raw(b + prev, bl);
                    hit = phrase_weight(pt, YW_TERM_MAKE(YW_TERM_BIGRAM, h ^ salt));
                }
                cl_han++;
                if (hit > 0) {
                    cl_score += hit;
                    if (i + cn <= max_score_bytes)
                        covered += hit;
                    if (cur.end == i && !cur.word) {
                        cur.end = i + cn;
                        cur.score += hit;
                    } else {
                        phrase_keep(best, &nbest, &cur);
                        cur = (phrase_t){ prev, i + cn, hit, 0 };
                    }
                }
                prev = i;
                i += cn;
                if (i == len || !han3(b + i))
                    break;
                cn = 3;
            }
            continue;
        }
        prev = SIZE_MAX;
        if (!is_alnum_lc(c)) {
            i++;
            continue;
        }
        size_t j = i;
        int letter = 0;
        while (j < len) {
            unsigned d = b[j];
            if (is_alnum_lc(d)) {
                letter |= d >= 'a';
                j++;
            } else if ((d == '.' || d == '-' || d == '_') && j + 1 < len &&
                       is_alnum_lc(b[j + 1])) {
                j++;
            } else {
                break;
            }
        }
        float hit = 0;
        if (letter && j - i >= 3)       /* "l", "f9": noise in a title */
            hit = phrase_weight(pt, YW_TERM_MAKE(YW_TERM_WORD, yw_text_hash(b + i, j - i)));
        if (hit > 0) {
            if (j <= max_score_bytes)
                covered += hit;
            if (cur.word && cur.end + 1 == i && b[cur.end] == ' ') {
                cur.end = j;
                cur.score += hit;
            } else {
                phrase_keep(best, &nbest, &cur);
                cur = (phrase_t){ i, j, hit, 1 };
            }
        }
        i = j;
    }
    phrase_keep(best, &nbest, &cur);
    clu_t *c = &cl->clu[s];
    for (int k = 0; k < nbest; k++) {
        /* skip a phrase already kept by this refresh (the same run twice) */
        int dup = 0;
        for (int m = 0; m < k; m++)
            if (best[m].end - best[m].start == best[k].end - best[k].start &&
                memcmp(b + best[m].start, b + best[k].start,
                       best[k].end - best[k].start) == 0)
                dup = 1;
        if (!dup)
            lab_add(c->phrase, N_PHRASE, text + best[k].start,
                    best[k].end - best[k].start, best[k].score);
    }
    return covered;
}

/* A member's own title, when it holds more of the cluster's strongest
 * terms than the one kept (whose score decays a little at each offer, so
 * a cluster that drifts takes a newer title).  The masked title is kept,
 * not the normalised one: it reads as written, personal numbers masked.
 * A clause of a member's text (is_title false) is offered the same way
 * but never replaces a title. */
static bool rep_beats(bool is_title, float score, const clu_t *c)
{
    return is_title != c->rep_title ? is_title : score > c->rep_score;
}

static void rep_offer(clu_t *c, const char *title, size_t len, float covered, bool is_title)
{
    if (!is_title && c->rep_title)         /* before the decay: a clause does not age a title */
        return;
    while (len && (title[0] == ' ' || title[0] == '\t')) {
        title++;
        len--;
    }
    while (len && (title[len - 1] == ' ' || title[len - 1] == '\t' ||
                   title[len - 1] == '\n' || title[len - 1] == '\r'))
        len--;
    c->rep_score *= 0.8f;
    if (!len || covered <= 0 || !rep_beats(is_title, covered, c))
        return;
    len = utf8_clip(title, len, REP_LEN - 1);
    for (size_t i = 0; i < len; i++)             /* one line */
        c->rep[i] = title[i] == '\n' || title[i] == '\r' || title[i] == '\t' ? ' ' : title[i];
    c->rep[len] = '\0';
    c->rep_score = covered;
    c->rep_title = is_title;
}

static void title_phrases(yw_clusterer_t *cl, uint32_t s, phrase_terms_t *pt,
                          const yw_features_t *f)
{
    /* normalisation only shortens a title, so its first REP_LEN - 1 bytes
     * are about the part of the masked title that rep_offer keeps */
    float covered = refresh_phrases(cl, s, pt, f->norm_title, f->norm_title_len, REP_LEN - 1,
                                    NULL);
    if (f->masked_title && f->masked_title_len)
        rep_offer(&cl->clu[s], f->masked_title, f->masked_title_len, covered, true);
}

/* The text's phrases, and its best clause as the title of a cluster whose
 * records have no title (the normalised clause: its punctuation is gone,
 * and a clause has none inside; PII is masked before normalisation). */
static void text_phrases(yw_clusterer_t *cl, uint32_t s, phrase_terms_t *pt,
                         const yw_features_t *f)
{
    clause_t c;
    refresh_phrases(cl, s, pt, f->norm, f->norm_len, 0, &c);
    if (c.end > c.start)
        rep_offer(&cl->clu[s], f->norm + c.start, c.end - c.start, c.score, false);
}

void ywcl_labels_add(yw_clusterer_t *cl, uint32_t s, const yw_features_t *f,
                     const yw_record_t *rec)
{
    clu_t *c = &cl->clu[s];
    for (size_t k = 0; k < f->nents; k++) {
        const yw_entity_t *e = &f->ents[k];
        if (e->kind == YW_ENT_ESTATE || e->kind == YW_ENT_COMPANY || e->kind == YW_ENT_ROAD)
            lab_add(c->ent, N_ENT, e->text, strnlen(e->text, sizeof(e->text)), 1);
    }
    if (rec) {
        if (rec->district.len) lab_add(c->place, N_PLACE, rec->district.s, rec->district.len, 1);
        if (rec->street.len) lab_add(c->place, N_PLACE, rec->street.s, rec->street.len, 1);
        if (rec->community.len)
            lab_add(c->place, N_PLACE, rec->community.s, rec->community.len, 1);
    }
    /* Phrases.  A new cluster is labelled from its record's title alone:
     * most clusters never get a second record, and scanning every new
     * cluster's text cost ~0.7k instructions a record on ywgen.  From the
     * second record on, members' title and text on sizes 2, 4, 8, ... and
     * every 16th. */
    uint32_t n = c->n;
    phrase_terms_t pt;
    pt.ready = false;
    if (n == 1) {
        title_phrases(cl, s, &pt, f);
        return;
    }
    if ((n & (n - 1)) == 0 || n % 16 == 0) {
        title_phrases(cl, s, &pt, f);
        /* A cluster titled by a member's title shows neither phrases nor
         * a clause (yw_cluster_title: a title is never replaced by a
         * clause, and a cluster's title never goes back to none), so its
         * members' texts are not scanned: ~2k cycles each time. */
        if (!c->rep_title) text_phrases(cl, s, &pt, f);
    }
}

/* Fold absorbed cluster cb's labels into ca's (cluster_merge). */
void ywcl_labels_merge(clu_t *ca, const clu_t *cb)
{
    if (cb->rep[0] && rep_beats(cb->rep_title, cb->rep_score, ca)) {
        memcpy(ca->rep, cb->rep, sizeof ca->rep);
        ca->rep_score = cb->rep_score;
        ca->rep_title = cb->rep_title;
    }
    for (int k = 0; k < N_ENT; k++)
        if (cb->ent[k].s[0]) lab_add(ca->ent, N_ENT, cb->ent[k].s, strlen(cb->ent[k].s), cb->ent[k].n);
    for (int k = 0; k < N_PLACE; k++)
        if (cb->place[k].s[0])
            lab_add(ca->place, N_PLACE, cb->place[k].s, strlen(cb->place[k].s), cb->place[k].n);
    for (int k = 0; k < N_PHRASE; k++)
        if (cb->phrase[k].s[0])
            lab_add(ca->phrase, N_PHRASE, cb->phrase[k].s, strlen(cb->phrase[k].s), cb->phrase[k].n);
}

/* ---- queries ---------------------------------------------------------- */

size_t yw_cluster_labels(const yw_clusterer_t *cl, uint64_t id, char kind,
                         const char **out, size_t cap)
{
    uint32_t s = slot_of(cl, id);
    if (s == NIL) return 0;
    const clu_t *c = &cl->clu[s];
    const label_t *t;
    int n;
    switch (kind) {
    case 'e': t = c->ent; n = N_ENT; break;
    case 'p': t = c->place; n = N_PLACE; break;
    case 't': t = c->phrase; n = N_PHRASE; break;
    default: return 0;
    }
    int order[N_PHRASE > N_ENT ? N_PHRASE : N_ENT];
    int m = 0;
    for (int i = 0; i < n; i++)
        if (t[i].s[0]) order[m++] = i;
    for (int i = 1; i < m; i++)        /* insertion sort by count, desc */
        for (int j = i; j > 0 && t[order[j]].n > t[order[j - 1]].n; j--) {
            int x = order[j];
            order[j] = order[j - 1];
            order[j - 1] = x;
        }
    size_t k = 0;
    for (; k < (size_t)m && k < cap; k++) out[k] = t[order[k]].s;
    return k;
}

/* The name a cluster is about: its most frequent entity label, when at
 * least two members and RELATED_SHARE of them give it.  A name only a few
 * members mention in passing (where a caller lives, a road on the way)
 * says nothing about the issue: on ywgen's background records, whose
 * estates come from a small pool, such names linked unrelated clusters. */
#define RELATED_SHARE 0.3f

static const char *lead_name(const clu_t *c)
{
    const label_t *best = NULL;
    for (int i = 0; i < N_ENT; i++)
        if (c->ent[i].s[0] && (!best || c->ent[i].n > best->n)) best = &c->ent[i];
    if (!best || best->n < 2 || best->n < RELATED_SHARE * (float)c->n) return NULL;
    return best->s;
}

/* Could a and b be in the same place?  Not when both have place labels
 * (district, street, community) and share none: 上林花园 in 北城区 is not
 * 上林花园 in 南塘区. */
static bool same_place(const clu_t *a, const clu_t *b)
{
    bool any_a = false, any_b = false;
    for (int i = 0; i < N_PLACE; i++) {
        any_a |= a->place[i].s[0] != '\0';
        any_b |= b->place[i].s[0] != '\0';
        for (int j = 0; j < N_PLACE; j++)
            if (a->place[i].s[0] && strcmp(a->place[i].s, b->place[j].s) == 0) return true;
    }
    return !any_a || !any_b;
}

size_t yw_cluster_related(const yw_clusterer_t *cl, uint64_t id, uint64_t *out, size_t cap)
{
    uint32_t s = slot_of(cl, id);
    if (s == NIL || !cap) return 0;
    const char *name = lead_name(&cl->clu[s]);
    if (!name) return 0;
    /* a label does not keep its kind: the name's term as an estate and as
     * a company.  Not as a road: a road runs past many estates, and
     * generic ones (商业街) are in every district */
    static const yw_entity_kind_t kinds[] = { YW_ENT_ESTATE, YW_ENT_COMPANY };
    size_t n = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t i = yw_otab_find(&cl->post, yw_entity_term(kinds[k], name, strlen(name)));
        if (i == SIZE_MAX) continue;
        const uint32_t *v = yw_otab_val(&cl->post, i);
        for (uint32_t j = 0; j < v[0]; j++) {
            uint32_t o = v[1 + j];
            const clu_t *c = &cl->clu[o];
            if (o == s || !c->id) continue;
            const char *on = lead_name(c);
            if (!on || strcmp(on, name) != 0 || !same_place(&cl->clu[s], c)) continue;
            bool dup = false;
            for (size_t m = 0; m < n && !dup; m++) dup = out[m] == c->id;
            if (dup) continue;
            /* the cap with most records, by insertion */
            size_t at;
            if (n < cap)
                at = n++;
            else if (cl->clu[slot_of(cl, out[cap - 1])].n < c->n)
                at = cap - 1;
            else
                continue;
            while (at > 0 && cl->clu[slot_of(cl, out[at - 1])].n < c->n) {
                out[at] = out[at - 1];
                at--;
            }
            out[at] = c->id;
        }
    }
    return n;
}

/* Append s to buf (UTF-8 safe); returns the new length. */
static size_t title_put(char *buf, size_t len, size_t at, const char *s)
{
    if (!len || at + 1 >= len) return at;
    size_t n = utf8_clip(s, strlen(s), len - 1 - at);
    memcpy(buf + at, s, n);
    buf[at + n] = '\0';
    return at + n;
}

/* Where, then what: the top place and the representative member title
 * when the cluster has one ("北城区: 宏建劳务拖欠北辰壹号院项目农民工工资");
 * else the top place, the leading entity and the strongest phrases.  (The
 * entity is left out next to a title: its walk-back from 公司/小区/路 reads
 * worse than the title's own words, "据物业公司".) */
size_t yw_cluster_title(const yw_clusterer_t *cl, uint64_t id, char *buf, size_t len)
{
    if (!len) return 0;
    buf[0] = '\0';
    uint32_t s = slot_of(cl, id);
    if (s == NIL) return 0;
    const char *rep = cl->clu[s].rep[0] ? cl->clu[s].rep : NULL;
    const char *pl[2], *en[2], *ph[N_PHRASE];
    size_t npl = yw_cluster_labels(cl, id, 'p', pl, 1);
    size_t nen = yw_cluster_labels(cl, id, 'e', en, 1);
    size_t nph = yw_cluster_labels(cl, id, 't', ph, 3);
    size_t at = 0;
    if (npl && !(rep && strstr(rep, pl[0]))) at = title_put(buf, len, at, pl[0]);
    if (rep) {
        if (at) at = title_put(buf, len, at, ": ");
        return title_put(buf, len, at, rep);
    }
    if (nen && !(npl && strstr(pl[0], en[0]))) {
        if (at) at = title_put(buf, len, at, " ");
        at = title_put(buf, len, at, en[0]);
    }
    int first = 1;
    for (size_t k = 0; k < nph; k++) {
        if ((nen && strstr(en[0], ph[k])) || (npl && strstr(pl[0], ph[k]))) continue;
        /* one of two overlapping phrases is enough ("景观廊桥" in "景观廊桥和") */
        int overlap = 0;
        for (size_t m = 0; m < k; m++)
            overlap |= strstr(ph[m], ph[k]) != NULL || strstr(ph[k], ph[m]) != NULL;
        if (overlap) continue;
        if (first && at) at = title_put(buf, len, at, ": ");
        else if (!first) at = title_put(buf, len, at, " ");
        at = title_put(buf, len, at, ph[k]);
        first = 0;
    }
    return at;
}
