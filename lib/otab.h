/* otab.h -- an open-addressing hash table: 64-bit keys (0 = empty) to a
 * fixed number (stride) of uint32 values per key, linear probing,
 * backward-shift deletion (no tombstones), doubling at half full.  The
 * clusterer's id, posting and merge tables. */
#ifndef YW_OTAB_H
#define YW_OTAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t *keys;
    uint32_t *vals;
    uint32_t stride, bits;
    size_t used;
} yw_otab_t;

static inline size_t yw_otab_cap(const yw_otab_t *t) { return (size_t)1 << t->bits; }

static inline size_t yw_otab_home(const yw_otab_t *t, uint64_t k)
{
    return (size_t)((k * 0x9E3779B97F4A7C15ull) >> (64 - t->bits));
}

/* Index of key k, or SIZE_MAX when absent. */
static inline size_t yw_otab_find(const yw_otab_t *t, uint64_t k)
{
    size_t mask = yw_otab_cap(t) - 1, i = yw_otab_home(t, k);
    while (t->keys[i]) {
        if (t->keys[i] == k) return i;
        i = (i + 1) & mask;
    }
    return SIZE_MAX;
}

static inline uint32_t *yw_otab_val(const yw_otab_t *t, size_t i)
{
    return t->vals + i * t->stride;
}

/* 0 or -1 (ENOMEM). */
int yw_otab_init(yw_otab_t *t, uint32_t stride, uint32_t bits);
void yw_otab_free(yw_otab_t *t);
size_t yw_otab_bytes(const yw_otab_t *t);
int yw_otab_grow(yw_otab_t *t);
/* Insert absent key k; its values start zeroed.  SIZE_MAX on ENOMEM. */
size_t yw_otab_insert(yw_otab_t *t, uint64_t k);
/* Remove the entry at index i (backward shift). */
void yw_otab_delete(yw_otab_t *t, size_t i);

#endif
