/* planted.h -- what a planted issue's records are made of, shared by
 * ywgen's demo issues (demo.h) and ywscenario's escalations (escalate.h):
 * the issue's complainants, their amounts and flats, and the text of a
 * record at its stage.  The two programs differ in their numbers (how often
 * people come back, how angry a stage is), not in how a record is drawn.
 *
 * Moving this here changed neither program's output (same bytes for the
 * same arguments).  Everything is static, as in core.h.
 *
 * Included by the bench generators only, after gen/core.h. */
#ifndef YWGEN_PLANTED_H
#define YWGEN_PLANTED_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

/* A complainant of a planted issue, from its pool of *n (room for *cap):
 * with p_again one who has written before, else a new one, who has called
 * 1..prior_max times before the window with p_prior and whose own issue
 * seed fixes their amount and flat.  More and more distinct people as the
 * issue grows, some coming back. */
static person_t *planted_person(rng_t *r, person_t **pool, int *n, int *cap, double p_again,
                                double p_prior, int prior_max)
{
    if (*n && rng_chance(r, p_again))
        return &(*pool)[rng_below(r, (uint32_t)*n)];
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        *pool = xrealloc(*pool, (size_t)*cap * sizeof(person_t));
    }
    person_t *pp = &(*pool)[(*n)++];
    person_init(pp, r);
    pp->prior = rng_chance(r, p_prior) ? rng_range(r, 1, prior_max) : 0;
    pp->issue = rng_next(r);
    return pp;
}

/* The amount (lo..hi yuan, in thousands; none when hi is 0) and the flat
 * of the person or issue that seed stands for: their own stream, so the
 * same person names the same figures every time. */
static void planted_amounts(ctx_t *c, uint64_t seed, int lo, int hi)
{
    rng_t pr;
    rng_seed(&pr, seed);
    if (hi > 0)
        c->amt = rng_range(&pr, lo, hi) / 1000 * 1000;
    c->bld_style = (int)rng_below(&pr, 5);
    c->bld[0] = rng_range(&pr, 1, 18);
    c->bld[1] = rng_range(&pr, 1, 3);
    c->bld[2] = rng_range(&pr, 2, 33);
    c->bld[3] = rng_range(&pr, 1, 4);
}

/* What a planted record's text is drawn from, at the record's stage. */
typedef struct {
    list_t core, grid, police;   /* the problem statement, by source */
    list_t more;                 /* details: two, one for police */
    const list_t *earlier;       /* the stage before's statements; NULL at the first */
    list_t esc, ask, title;
    double p_emotion, p_escalate;
} stage_text_t;

/* The text of a planted record and its source's fields (c says where and
 * who). */
static void planted_text(gen_t *g, const ctx_t *c, const slot_t *sl, const domain_t *dom,
                         const stage_text_t *st, int repeat, const person_t *pp)
{
    rng_t *r = g->r;
    rec_t *rc = &g->rec;
    text_plan_t tp = { 0 };
    if (sl->src == SRC_GRID)
        tp.core = pick(r, st->grid);
    else if (sl->src == SRC_POLICE)
        tp.core = pick(r, st->police);
    else
        tp.core = pick(r, st->core);
    int nm = st->more.n, m0 = (int)rng_below(r, (uint32_t)nm);
    tp.more[tp.nmore++] = st->more.v[m0];
    if (sl->src != SRC_POLICE) {
        tp.more[tp.nmore++] = st->more.v[(m0 + 1 + (int)rng_below(r, (uint32_t)nm - 1)) % nm];
        if (st->earlier)
            tp.more[tp.nmore++] = pick(r, *st->earlier);
    }
    tp.emotion = rng_chance(r, st->p_emotion);
    tp.escalate = rng_chance(r, st->p_escalate);
    if (tp.escalate)
        tp.esc_tpl = rng_chance(r, 0.75) ? pick(r, st->esc) : NULL;
    tp.pii = rng_chance(r, 0.15);
    if (sl->src == SRC_HOTLINE || sl->src == SRC_ONLINE)
        tp.ask = pick(r, st->ask);
    tp.newline = sl->src == SRC_ONLINE && rng_chance(r, 0.06);
    build_text(g, c, &tp, &rc->text);
    fill_source_fields(g, rc, c, dom, 1, sl->progress, pick(r, st->title), repeat, pp);
}

#pragma GCC diagnostic pop

#endif
