/* otab.c -- see otab.h. */
#include "otab.h"

#include <stdlib.h>
#include <string.h>

int yw_otab_init(yw_otab_t *t, uint32_t stride, uint32_t bits)
{
    t->stride = stride;
    t->bits = bits;
    t->used = 0;
    t->keys = calloc(yw_otab_cap(t), sizeof(uint64_t));
    t->vals = calloc(yw_otab_cap(t) * stride, sizeof(uint32_t));
    if (!t->keys || !t->vals) {
        free(t->keys);
        free(t->vals);
        t->keys = NULL;
        t->vals = NULL;
        return -1;
    }
    return 0;
}

void yw_otab_free(yw_otab_t *t)
{
    free(t->keys);
    free(t->vals);
    t->keys = NULL;
    t->vals = NULL;
}

size_t yw_otab_bytes(const yw_otab_t *t)
{
    return yw_otab_cap(t) * (sizeof(uint64_t) + t->stride * sizeof(uint32_t));
}

int yw_otab_grow(yw_otab_t *t)
{
    yw_otab_t n;
    if (yw_otab_init(&n, t->stride, t->bits + 1)) return -1;
    size_t mask = yw_otab_cap(&n) - 1;
    for (size_t i = 0; i < yw_otab_cap(t); i++) {
        if (!t->keys[i]) continue;
        size_t j = yw_otab_home(&n, t->keys[i]);
        while (n.keys[j]) j = (j + 1) & mask;
        n.keys[j] = t->keys[i];
        memcpy(yw_otab_val(&n, j), yw_otab_val(t, i), t->stride * sizeof(uint32_t));
    }
    n.used = t->used;
    yw_otab_free(t);
    *t = n;
    return 0;
}

/* Insert absent key k; its values start zeroed.  SIZE_MAX on ENOMEM. */
size_t yw_otab_insert(yw_otab_t *t, uint64_t k)
{
    if ((t->used + 1) * 2 > yw_otab_cap(t) && yw_otab_grow(t)) return SIZE_MAX;
    size_t mask = yw_otab_cap(t) - 1, i = yw_otab_home(t, k);
    while (t->keys[i]) i = (i + 1) & mask;
    t->keys[i] = k;
    memset(yw_otab_val(t, i), 0, t->stride * sizeof(uint32_t));
    t->used++;
    return i;
}

/* Backward-shift deletion: later entries of the probe run move up so every
 * key stays reachable from its home without tombstones. */
void yw_otab_delete(yw_otab_t *t, size_t i)
{
    size_t mask = yw_otab_cap(t) - 1, j = i;
    t->keys[i] = 0;
    t->used--;
    for (;;) {
        j = (j + 1) & mask;
        if (!t->keys[j]) break;
        size_t h = yw_otab_home(t, t->keys[j]);
        /* the entry at j may fill the hole at i unless its home lies
         * cyclically in (i, j] */
        int stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
        if (stays) continue;
        t->keys[i] = t->keys[j];
        memcpy(yw_otab_val(t, i), yw_otab_val(t, j), t->stride * sizeof(uint32_t));
        t->keys[j] = 0;
        i = j;
    }
}
