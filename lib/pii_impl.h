/* pii_impl.h -- the masker one step at a time, for the normaliser that
 * masks on its way (yw_text_mask_normalize, text_norm.c).  Not part of
 * the library's API: include pii.h instead.
 *
 * Both take start, where the text starts (a plate's province is looked
 * for before its letter), and write to an output with room for the rest
 * of the text and its NUL (the masked form is never longer). */
#ifndef YW_PII_IMPL_H
#define YW_PII_IMPL_H

#include <stddef.h>

/* What yw_pii_mask_n writes for the character at p and the ones it
 * takes along (a number group, a plate; one character if it is none of
 * those): written at *out, which is moved past it.  p must be where the
 * masker would look, i.e. not inside such a group.  Returns the input
 * after it; (*nmasked)++ if it masked something.  The first character
 * written is always the one at p, unchanged. */
const char *yw_pii_mask_unit(const char *start, const char *p, const char *end, char **out,
                             unsigned *nmasked);

/* yw_pii_mask_n of [p, end): the output length (NUL written after it);
 * the items masked are added to *nmasked. */
size_t yw_pii_mask_rest(const char *start, const char *p, const char *end, char *out,
                        unsigned *nmasked);

#endif
