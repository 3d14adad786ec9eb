/* text_fvec.c -- building a yw_fvec_t by hand (yw_text_fvec_*, see
 * text.h): append a term, sort by term and merge duplicates (radix sort
 * for the sizes a record has, quicksort otherwise), free.  The tokenizer's
 * own append and the term sets are in text.c. */
#include "text.h"

#include <stdlib.h>
#include <string.h>

int yw_text_fvec_add(yw_fvec_t *vec, uint64_t term, float w)
{
    if (vec->n == vec->cap) {
        uint32_t ncap = vec->cap ? vec->cap * 2 : 256;
        yw_fterm_t *t = realloc(vec->t, (size_t)ncap * sizeof(*t));
        if (!t) return -1;
        vec->t = t;
        vec->cap = ncap;
    }
    vec->t[vec->n].term = term;
    vec->t[vec->n].w = w;
    vec->n++;
    return 0;
}

/* Insertion pass by term: finishes quick_terms' small ranges and orders
 * the radix sort's ties; an element already in place costs one compare. */
static void insert_terms(yw_fterm_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (a[i - 1].term <= a[i].term) continue;
        yw_fterm_t t = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1].term > t.term) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = t;
    }
}

/* Quicksort by term with insertion sort for short ranges (inlined
 * compares: several times faster than qsort()). */
static void quick_terms(yw_fterm_t *a, size_t n)
{
    while (n > 16) {
        size_t m = n / 2;
        uint64_t x = a[0].term, y = a[m].term, z = a[n - 1].term;
        uint64_t piv = x < y ? (y < z ? y : (x < z ? z : x))
                             : (x < z ? x : (y < z ? z : y));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i].term < piv) i++;
            while (a[j].term > piv) j--;
            if (i >= j) break;
            yw_fterm_t t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* [0, j] <= piv <= [j+1, n): recurse into the smaller half */
        size_t left = j + 1;
        if (left < n - left) {
            quick_terms(a, left);
            a += left;
            n -= left;
        } else {
            quick_terms(a + left, n - left);
            n = left;
        }
    }
    insert_terms(a, n);
}

/* LSD radix sort on the top 16 bits (the kind and 12 hash bits), 8 bits
 * a pass, then one insertion pass to order the keys that tie on those
 * bits.  A record's ~100-400 terms are random hashes, so comparison sorts
 * mispredict about every other branch; this has no data-dependent
 * branches.  Two passes instead of four (the high 32 bits): at n = 100-400
 * the 16-bit prefix already separates all but a few pairs (expected
 * n^2 / 2^13 ties within one kind), so the insertion pass stays linear,
 * and the sort costs about a third of the 32-bit version's instructions. */
#define RADIX_MAX 1024

static void radix_terms(yw_fterm_t *a, size_t n)
{
    yw_fterm_t tmp[RADIX_MAX];
    uint32_t c0[256], c1[256];

    memset(c0, 0, sizeof(c0));
    memset(c1, 0, sizeof(c1));
    for (size_t i = 0; i < n; i++) {
        uint32_t k = (uint32_t)(a[i].term >> 48);
        c0[k & 0xFF]++;
        c1[k >> 8]++;
    }
    uint32_t s0 = 0, s1 = 0;
    for (int v = 0; v < 256; v++) {
        uint32_t t0 = c0[v], t1 = c1[v];
        c0[v] = s0;
        c1[v] = s1;
        s0 += t0;
        s1 += t1;
    }
    for (size_t i = 0; i < n; i++) tmp[c0[(a[i].term >> 48) & 0xFF]++] = a[i];
    for (size_t i = 0; i < n; i++) a[c1[tmp[i].term >> 56]++] = tmp[i];
    insert_terms(a, n);                       /* ties on the top 16 bits */
}

static void sort_terms(yw_fterm_t *a, size_t n)
{
    if (n > 64 && n <= RADIX_MAX) radix_terms(a, n);
    else quick_terms(a, n);
}

void yw_text_fvec_finish(yw_fvec_t *vec)
{
    if (vec->n < 2) return;
    sort_terms(vec->t, vec->n);
    uint32_t o = 0;
    for (uint32_t i = 1; i < vec->n; i++) {
        if (vec->t[i].term == vec->t[o].term)
            vec->t[o].w += vec->t[i].w;
        else
            vec->t[++o] = vec->t[i];
    }
    vec->n = o + 1;
}

void yw_text_fvec_free(yw_fvec_t *vec)
{
    free(vec->t);
    vec->t = NULL;
    vec->n = vec->cap = 0;
}
