/* ywscenario.c -- months of four-source traffic with planted escalations and
 * their ground truth, for evaluating early warning (bench/yweval.c).
 *
 *   ywscenario --seed N --months M --background-per-day N --escalations K
 *              --out-records F.jsonl --out-truth T.jsonl [--start YYYY-MM-DD]
 *
 * Background: ywgen's ordinary traffic (every domain, Zipf-ish repeat
 * callers, neighbours joining a recent issue) with a weekly rhythm (fewer
 * records at weekends, grid patrols mostly on weekdays) and a seasonal one
 * (unpaid wages before the Spring Festival, school places in summer, noise
 * and water in summer; gas and frozen pipes in winter, waterlogging after
 * summer rainstorms), plus routine small clusters: one broken thing reported
 * by a handful of people over a few days, which must not raise an alert.
 *
 * Planted escalations, each a distinct concrete issue with names of its own:
 *   slow    4-8 weeks of growth, escalation language in the last 2-3 weeks,
 *           more sources and people as it grows;
 *   burst   quiet (a stray record or three), then 3-5 days of a steep spike;
 *   online  posts spreading (reposts, comments) for weeks before the first
 *           hotline call, then the other sources;
 *   person  one complainant calling again and again, deflected, angrier,
 *           finally threatening self-harm or going to Beijing.
 * Each ends on its petition day: 聚集 / 拉横幅 / 堵门 reported by police and
 * grid that day (the person's own act for the person shape), with a little
 * aftermath.  The truth file has one line per escalation and a summary line
 * (see bench/README.md "evaluation").
 *
 * Deterministic: one PRNG stream (gen/core.h), the same arguments give the
 * same bytes. */
#include <getopt.h>

#define GEN_PROG "ywscenario"
#include "gen/core.h"
#include "gen/escalate.h"
#include "gen/planted.h"

enum { SH_SLOW, SH_BURST, SH_ONLINE, SH_PERSON, NSHAPES };
static const char *const shape_names[NSHAPES] = { "slow", "burst", "online", "person" };

/* ---- the plan ---------------------------------------------------------------- */

typedef struct {
    int shape, kind;             /* kind: esc_kinds[] or, for person, person_kinds[] */
    int first_day, petition_day; /* day numbers (days since 1970-01-01, local) */
    int district, street, comm;
    char estate[48], company[80], company_short[40], project[64], road_no[40];
    const char *road;
    uint64_t seed;               /* the issue's own stream (amounts, buildings) */
    person_t *pool;              /* complainants (group shapes) */
    int npool, cap_pool;
    person_t who;                /* the angry person (person shape) */
    char (*ids)[40];             /* record ids, in output order (rec_t.id) */
    int nids, cap_ids;
    char name[160];              /* issue label for the truth file */
} esc_t;

typedef struct {
    const domain_t *dom;
    int villages;
    uint64_t seed;
    int core;                    /* the problem statement most records use */
    person_t first;              /* the one who reports it first (may call again) */
    int have_first;
} routine_t;

typedef struct {
    esc_t *esc;
    int nesc;
    routine_t *rt;
    int nrt, cap_rt;
    slot_t *slots;
    size_t nslots, cap_slots;
    uint64_t background, routine_records;
    double dom_mult[12][NDOMAINS];
} scen_t;

static slot_t *new_slot(gen_t *g, scen_t *sc, int src, int day, int plant, int stage, double progress)
{
    if (sc->nslots == sc->cap_slots) {
        sc->cap_slots = sc->cap_slots ? 2 * sc->cap_slots : 65536;
        sc->slots = xrealloc(sc->slots, sc->cap_slots * sizeof(slot_t));
    }
    slot_t *sl = &sc->slots[sc->nslots];
    memset(sl, 0, sizeof *sl);
    sl->idx = (uint32_t)sc->nslots++;
    sl->src = src;
    sl->day = day;
    sl->plant = plant;
    sl->stage = stage;
    sl->progress = progress;
    draw_time(g, sl, plant > 0);
    return sl;
}

static int poisson(rng_t *r, double lambda)
{
    if (lambda <= 0)
        return 0;
    if (lambda > 30) {               /* normal approximation, Box-Muller */
        double u1 = 1.0 - rng_unit(r), u2 = rng_unit(r);
        double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
        int v = (int)lround(lambda + sqrt(lambda) * z);
        return v < 0 ? 0 : v;
    }
    double l = exp(-lambda), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= rng_unit(r);
    } while (p > l);
    return k - 1;
}

static int month_of(int day)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    return m;
}

static int weekday_of(int day) { return (int)(((int64_t)day + 4) % 7); }   /* 0 Sunday */

/* ---- unique names -------------------------------------------------------------- */

static int clashes(const city_t *city, const scen_t *sc, int upto, const char *s)
{
    for (int i = 0; i < city->nestates; i++)
        if (strstr(city->estate[i].name, s) || strstr(s, city->estate[i].name))
            return 1;
    for (int i = 0; i < NCOMMS; i++)
        if (strstr(s, city->comm[i].name))
            return 1;
    for (int k = 0; k < CK_COUNT; k++)
        for (int i = 0; i < city->ncompany[k]; i++)
            if (strstr(city->company[k][i].full, s) || strstr(s, city->company[k][i].shortn))
                return 1;
    for (int i = 0; i < 3; i++)
        if (strstr(s, plant_defs[i].estate) || strstr(plant_defs[i].company, s))
            return 1;
    for (int i = 0; i < upto; i++) {
        const esc_t *e = &sc->esc[i];
        if (strstr(e->estate, s) || strstr(s, e->estate) || strstr(e->company, s) ||
            strstr(s, e->company_short) || strstr(e->project, s))
            return 1;
    }
    return 0;
}

/* Draw names until none clashes with the city or an earlier escalation. */
static void name_escalation(gen_t *g, scen_t *sc, int i)
{
    rng_t *r = g->r;
    esc_t *e = &sc->esc[i];
    const city_t *city = &g->city;
    int ck = CK_DEVELOPER, nk = -1;
    if (e->shape != SH_PERSON) {
        static const int ck_of_kind[] = { CK_DEVELOPER, CK_LABOUR, CK_FINANCE, CK_DEVELOPER, CK_ENV };
        ck = ck_of_kind[e->kind];
        nk = esc_kinds[e->kind].name_kind;
    } else {
        static const int ck_of_person[] = { CK_FACTORY, CK_DEVELOPER, CK_SERVICE };
        ck = ck_of_person[e->kind];
    }
    for (int tries = 0;; tries++) {
        const char *a = esc_estate_pre[rng_below(r, NEL(esc_estate_pre))];
        const char *b = esc_estate_suf[rng_below(r, NEL(esc_estate_suf))];
        if (nk == 3)
            cpy(e->estate, sizeof e->estate, esc_village_stem[rng_below(r, NEL(esc_village_stem))], "村");
        else
            cpy(e->estate, sizeof e->estate, a, b);
        const char *stem = esc_company_stem[rng_below(r, NEL(esc_company_stem))];
        int nb;
        const company_biz_t *bz = biz_table(ck, &nb);
        const company_biz_t *bb = &bz[rng_below(r, (uint32_t)nb)];
        snprintf(e->company, sizeof e->company, "江临%s%s", stem, bb->full);
        snprintf(e->company_short, sizeof e->company_short, "%s%s", stem, bb->shortn);
        const char *pre2 = esc_estate_pre[rng_below(r, NEL(esc_estate_pre))];
        switch (nk) {
        case 0: cpy(e->project, sizeof e->project, proj_phase[rng_below(r, NEL(proj_phase))], NULL); break;
        case 1: cpy(e->project, sizeof e->project, pre2, proj_site[rng_below(r, NEL(proj_site))]); break;
        case 2: cpy(e->project, sizeof e->project, stem, proj_product[rng_below(r, NEL(proj_product))]); break;
        case 3: cpy(e->project, sizeof e->project, pre2, proj_area[rng_below(r, NEL(proj_area))]); break;
        case 4: cpy(e->project, sizeof e->project, pre2, proj_plant[rng_below(r, NEL(proj_plant))]); break;
        default: e->project[0] = '\0'; break;
        }
        int ok = !clashes(city, sc, i, e->estate) && !clashes(city, sc, i, e->company_short) &&
                 (nk <= 0 || !clashes(city, sc, i, e->project));
        if (ok || tries > 200)
            break;
    }
    e->street = (int)rng_below(r, NSTREETS);
    e->district = district_of_street(e->street);
    e->comm = e->street * NCOMM_PER + (int)rng_below(r, NCOMM_PER);
    e->road = city->roads[e->district][rng_below(r, (uint32_t)city->nroads[e->district])];
    snprintf(e->road_no, sizeof e->road_no, "%s%d号", e->road, (int)rng_range(r, 1, 399));
    e->seed = rng_next(r);
    if (e->shape == SH_PERSON) {
        const person_kind_t *pk = &person_kinds[e->kind];
        person_init(&e->who, r);
        e->who.prior = rng_range(r, 1, 4);
        snprintf(e->name, sizeof e->name, "%s%s%s", e->who.sur, e->who.hon, pk->name);
    } else {
        const esc_kind_t *k = &esc_kinds[e->kind];
        snprintf(e->name, sizeof e->name, "%s%s%s", nk == 1 || nk == 2 ? e->company_short : e->estate,
                 nk == 0 || nk == 3 || nk == 4 ? e->project : "", k->name);
    }
}

/* ---- the schedule ---------------------------------------------------------------- */

static const double w_stage[4][NSRC] = {
    { 60, 5, 30, 5 }, { 45, 15, 28, 12 }, { 35, 20, 25, 20 }, { 15, 30, 15, 40 },
};

static void add_day(gen_t *g, scen_t *sc, int ei, int day, int n, const double *w, int stage,
                    double progress, int last_day)
{
    if (day > last_day)
        return;
    for (int k = 0; k < n; k++)
        new_slot(g, sc, pick_weighted(g->r, w, NSRC), day, ei + 1, stage, progress);
}

/* The petition day and its aftermath. */
static void add_petition(gen_t *g, scen_t *sc, int ei, int n, int last_day)
{
    rng_t *r = g->r;
    const esc_t *e = &sc->esc[ei];
    static const double after_w[NSRC] = { 40, 20, 30, 10 };
    /* at least one police and one grid report of the gathering itself */
    new_slot(g, sc, SRC_POLICE, e->petition_day, ei + 1, 3, 1.0);
    new_slot(g, sc, SRC_GRID, e->petition_day, ei + 1, 3, 1.0);
    add_day(g, sc, ei, e->petition_day, n - 2, w_stage[3], 3, 1.0, last_day);
    for (int d = 1; d <= 2; d++)
        add_day(g, sc, ei, e->petition_day + d, rng_range(r, 1, 4), after_w, 3, 1.0, last_day);
}

static void plan_escalation(gen_t *g, scen_t *sc, int ei, int first_day, int last_day)
{
    rng_t *r = g->r;
    esc_t *e = &sc->esc[ei];
    int P = e->petition_day;
    switch (e->shape) {
    case SH_SLOW: {
        int L = rng_range(r, 28, 56), esc_days = rng_range(r, 14, 21);
        if (P - L < first_day) L = P - first_day;
        double l0 = 0.4 + 0.4 * rng_unit(r), l1 = 4.0 + 4.0 * rng_unit(r);
        double gr = L > 1 ? pow(l1 / l0, 1.0 / (L - 1)) : 1.0;
        e->first_day = P - L;
        for (int t = 0; t < L; t++) {
            int day = P - L + t;
            double p = L > 1 ? (double)t / (L - 1) : 1.0;
            int st = P - day <= esc_days ? 2 : p >= 0.4 ? 1 : 0;
            int n = poisson(r, l0 * pow(gr, t));
            if (t == 0 && n == 0) n = 1;
            add_day(g, sc, ei, day, n, w_stage[st], st, p, last_day);
        }
        add_petition(g, sc, ei, rng_range(r, 4, 9), last_day);
        break;
    }
    case SH_BURST: {
        int B = rng_range(r, 3, 5), quiet = rng_range(r, 1, 3);
        double peak = 25.0 + 25.0 * rng_unit(r);
        e->first_day = P - B;
        for (int q = 0; q < quiet; q++) {
            int day = P - B - rng_range(r, 2, 40);
            if (day < first_day) day = first_day;
            if (day < e->first_day) e->first_day = day;
            add_day(g, sc, ei, day, 1, w_stage[0], 0, 0.0, last_day);
        }
        for (int k = 0; k < B; k++) {
            int st = k >= B - 2 ? 2 : 1;
            double p = 0.6 + 0.4 * (double)k / (B - 1);
            add_day(g, sc, ei, P - B + k, poisson(r, peak * (k + 1) * (k + 1) / (B * B)) + 1,
                    w_stage[st], st, p, last_day);
        }
        add_petition(g, sc, ei, rng_range(r, 6, 12), last_day);
        break;
    }
    case SH_ONLINE: {
        int L = rng_range(r, 21, 42), esc_days = rng_range(r, 10, 14);
        if (P - L < first_day) L = P - first_day;
        int online_only = (int)lround(L * (0.55 + 0.1 * rng_unit(r)));
        static const double w_online[NSRC] = { 0, 0, 100, 0 }, w_join[NSRC] = { 40, 15, 35, 10 };
        e->first_day = P - L;
        for (int t = 0; t < L; t++) {
            int day = P - L + t;
            double p = L > 1 ? (double)t / (L - 1) : 1.0;
            int st = P - day <= esc_days ? 2 : t >= online_only / 2 ? 1 : 0;
            double lam = t < online_only ? 0.5 + 2.5 * t / (online_only > 1 ? online_only - 1 : 1)
                                         : 3.0 + 5.0 * (t - online_only) / (L - online_only);
            int n = poisson(r, lam);
            if (t == 0 && n == 0) n = 1;
            add_day(g, sc, ei, day, n, t < online_only ? w_online : w_join, st, p, last_day);
        }
        add_petition(g, sc, ei, rng_range(r, 4, 9), last_day);
        break;
    }
    default: {       /* one angry person: contacts closer and closer together */
        int L = rng_range(r, 35, 56);
        if (P - L < first_day) L = P - first_day;
        e->first_day = P - L;
        static const double w_early[NSRC] = { 85, 0, 10, 5 }, w_late[NSRC] = { 70, 0, 18, 12 };
        int day = P - rng_range(r, 1, 2);
        while (day >= e->first_day) {
            double p = L > 0 ? (double)(day - e->first_day) / L : 1.0;
            int st = p < 0.4 ? 0 : p < 0.7 ? 1 : 2;
            int n = st == 2 && rng_chance(r, 0.3) ? 2 : 1;
            add_day(g, sc, ei, day, n, st ? w_late : w_early, st, p, last_day);
            day -= 1 + (int)lround((1.0 - p) * rng_range(r, 2, 7));
        }
        if (P <= last_day) {
            new_slot(g, sc, SRC_POLICE, P, ei + 1, 3, 1.0);
            new_slot(g, sc, SRC_GRID, P, ei + 1, 3, 1.0);
        }
        break;
    }
    }
}

/* Routine clusters: one thing reported by a few people over a few days. */
static void plan_routine(gen_t *g, scen_t *sc, const domain_t *dom, int villages, int day, int size,
                         int span, int last_day, int *per_day, int first_day)
{
    rng_t *r = g->r;
    if (sc->nrt == sc->cap_rt) {
        sc->cap_rt = sc->cap_rt ? 2 * sc->cap_rt : 1024;
        sc->rt = xrealloc(sc->rt, (size_t)sc->cap_rt * sizeof(routine_t));
    }
    routine_t *rt = &sc->rt[sc->nrt++];
    memset(rt, 0, sizeof *rt);
    rt->dom = dom;
    rt->villages = villages;
    rt->seed = rng_next(r);
    rt->core = (int)rng_below(r, (uint32_t)dom->core.n);
    double w[NSRC];
    for (int s = 0; s < NSRC; s++)
        w[s] = dom->weight[s];
    for (int k = 0; k < size; k++) {
        int d = day + (int)rng_below(r, (uint32_t)span);
        if (d > last_day)
            continue;
        new_slot(g, sc, pick_weighted(r, w, NSRC), d, -sc->nrt, 0, 0.0);
        per_day[d - first_day]++;
    }
}

/* ---- records ------------------------------------------------------------------------ */

static void esc_ctx(gen_t *g, const esc_t *e, ctx_t *c, const domain_t *dom, int villages,
                    const slot_t *sl, const person_t *pp)
{
    ctx_issue_dom(g, c, dom, villages, e->seed);
    c->street = e->street;
    c->district = e->district;
    c->comm = e->comm;
    c->E = e->estate;
    c->O = e->company;
    c->OS = e->company_short;
    cpy(c->proj, sizeof c->proj, e->project, NULL);
    c->R = e->road;
    c->RN_fixed = e->road_no;
    c->due_day = e->first_day - 120;
    c->since_day = e->first_day - 30;
    c->MON = "好几个月";
    ctx_record(c, sl, pp);
}

static void gen_group(gen_t *g, esc_t *e, const slot_t *sl)
{
    rng_t *r = g->r;
    rec_t *rc = &g->rec;
    const esc_kind_t *k = &esc_kinds[e->kind];
    const domain_t *dom = &domains[k->domain];
    int st = sl->stage;

    person_t *pp = planted_person(r, &e->pool, &e->npool, &e->cap_pool,
                                  0.2 + 0.25 * sl->progress, 0.2, 2);
    int repeat = person_call(pp, sl->src);

    ctx_t c;
    esc_ctx(g, e, &c, dom, k->domain == 4, sl, pp);
    c.HC = pick(r, k->hc[st]);
    static const int amt_lo[5] = { 300000, 8000, 20000, 100000, 1000 };
    static const int amt_hi[5] = { 1500000, 60000, 500000, 400000, 5000 };
    planted_amounts(&c, pp->issue, amt_lo[e->kind], amt_hi[e->kind]);
    if (e->kind == 3)
        c.amt = 1500 + (int)(e->seed % 1500);   /* yuan per square metre, the same for all */

    rec_reset(rc);
    fill_common(g, rc, sl, &c);
    static const double esc_p[4] = { 0.08, 0.3, 0.75, 0.5 };
    stage_text_t tx = {
        .core = k->core[st], .grid = k->grid[st], .police = k->police[st], .more = k->more,
        .earlier = st > 0 ? &k->core[st - 1] : NULL,
        .esc = k->esc[st < 2 ? st : 2], .ask = k->ask, .title = k->title,
        .p_emotion = st == 3 ? 0.8 : 0.15 + 0.6 * sl->progress,
        .p_escalate = esc_p[st],
    };
    planted_text(g, &c, sl, dom, &tx, repeat, pp);
    if (st == 3 && sl->src == SRC_POLICE)
        rc->incident_type = "群体性事件/聚集";
    if (st >= 2 && sl->src == SRC_GRID)
        rc->event_type = "信访苗头";
    if (sl->src == SRC_ONLINE && (e->shape == SH_ONLINE || e->shape == SH_BURST)) {
        /* online-first issues spread long before anyone calls; bursts go viral */
        double boost = e->shape == SH_ONLINE ? 1.0 + 40.0 * pow(sl->progress, 1.5) : 1.0 + 10.0 * st;
        rc->reposts = (int64_t)((double)(rc->reposts + 1) * boost);
        rc->comments = (int64_t)((double)(rc->comments + 1) * boost);
        rc->likes = (int64_t)((double)(rc->likes + 1) * boost);
    }
}

static void gen_person(gen_t *g, esc_t *e, const slot_t *sl)
{
    rng_t *r = g->r;
    rec_t *rc = &g->rec;
    const person_kind_t *k = &person_kinds[e->kind];
    const domain_t *dom = &domains[k->domain];
    int st = sl->stage;
    person_t *pp = &e->who;
    int repeat = person_call(pp, sl->src);

    ctx_t c;
    esc_ctx(g, e, &c, dom, k->domain == 4, sl, pp);
    planted_amounts(&c, e->seed, 30000, 300000);

    rec_reset(rc);
    fill_common(g, rc, sl, &c);

    text_plan_t tp = { 0 };
    if (sl->src == SRC_GRID)
        tp.core = pick(r, k->grid3);
    else if (sl->src == SRC_POLICE)
        tp.core = pick(r, k->police[st]);
    else
        tp.core = pick(r, k->core[st < 3 ? st : 2]);
    int nm = k->more.n;
    if (sl->src != SRC_POLICE && sl->src != SRC_GRID) {
        int m0 = (int)rng_below(r, (uint32_t)nm);
        tp.more[tp.nmore++] = k->more.v[m0];
        tp.more[tp.nmore++] = k->more.v[(m0 + 1) % nm];
        if (st > 0)
            tp.more[tp.nmore++] = pick(r, k->core[st - 1]);
    }
    tp.emotion = rng_chance(r, 0.3 + 0.6 * sl->progress);
    static const double threat_p[4] = { 0.0, 0.5, 0.85, 0.0 };
    tp.escalate = rng_chance(r, threat_p[st]);
    if (tp.escalate)
        tp.esc_tpl = pick(r, k->threat[st]);
    tp.pii = rng_chance(r, 0.15);
    if (sl->src == SRC_HOTLINE || sl->src == SRC_ONLINE)
        tp.ask = pick(r, k->ask);
    build_text(g, &c, &tp, &rc->text);
    fill_source_fields(g, rc, &c, dom, 1, sl->progress, pick(r, k->title), repeat, pp);
    /* the same person every time, on every channel */
    set_person(rc, sl->src == SRC_ONLINE ? pp->account : pp->phone);
    if (sl->src == SRC_HOTLINE) {
        if (rng_chance(r, 0.75)) {       /* deflected: not our business */
            rc->reply.len = 0;
            expand_str(g, &c, &rc->reply, pick(r, (list_t)LIST(q_deflect)));
            rc->outcome = rng_chance(r, 0.5) ? "unresolved" : "dissatisfied";
        }
    }
    if (sl->src == SRC_POLICE)      /* one person, not a crowd */
        rc->incident_type = st == 3 ? "求助/扬言轻生" : dom->incident_type;
    if (st == 3 && sl->src == SRC_GRID)
        rc->event_type = "信访苗头";
}

static void gen_routine(gen_t *g, routine_t *rt, const slot_t *sl)
{
    rng_t *r = g->r;
    rec_t *rc = &g->rec;
    const domain_t *dom = rt->dom;
    person_t one, *pp = &one;
    if (rt->have_first && rng_chance(r, 0.2))
        pp = &rt->first;                     /* the first reporter chases it up */
    else
        person_init(&one, r);
    if (!rt->have_first) {
        rt->first = one;
        rt->have_first = 1;
    }
    int repeat = person_call(pp, sl->src);

    ctx_t c;
    ctx_issue_dom(g, &c, dom, rt->villages, rt->seed);
    ctx_record(&c, sl, pp);

    rec_reset(rc);
    fill_common(g, rc, sl, &c);
    text_plan_t tp = { 0 };
    int k = rng_chance(r, 0.8) ? rt->core : (int)rng_below(r, (uint32_t)dom->core.n);
    tp.core = sl->src == SRC_POLICE ? pick(r, dom->police) : dom->core.v[k];
    int m0 = (int)rng_below(r, (uint32_t)dom->more.n);
    for (int i = 0; i < 3 && i < dom->more.n; i++)
        tp.more[tp.nmore++] = dom->more.v[(m0 + i) % dom->more.n];
    tp.emotion = rng_chance(r, 0.1);
    tp.escalate = rng_chance(r, 0.02);
    tp.pii = rng_chance(r, 0.15);
    if (sl->src == SRC_HOTLINE || sl->src == SRC_ONLINE)
        tp.ask = dom->ask.v[k];
    build_text(g, &c, &tp, &rc->text);
    fill_source_fields(g, rc, &c, dom, 0, 0.0, dom->title.v[k], repeat, pp);
}

/* ---- truth ------------------------------------------------------------------------------ */

static void put_day(buf_t *b, int day)
{
    int y, m, d;
    char s[40];
    civil_from_days(day, &y, &m, &d);
    snprintf(s, sizeof s, "%04d-%02d-%02d", y, m, d);
    j_str(b, s, strlen(s));
}

static void write_truth(FILE *f, const gen_t *g, const scen_t *sc, uint64_t seed, int first, int last)
{
    buf_t b = { 0 };
    for (int i = 0; i < sc->nesc; i++) {
        const esc_t *e = &sc->esc[i];
        int fl = 1;
        b.len = 0;
        buf_putc(&b, '{');
        j_kv(&b, &fl, "issue", e->name);
        j_kv(&b, &fl, "shape", shape_names[e->shape]);
        j_kv(&b, &fl, "kind", e->shape == SH_PERSON ? person_kinds[e->kind].name : esc_kinds[e->kind].name);
        char place[128];
        snprintf(place, sizeof place, "%s%s%s", district_defs[e->district].name,
                 district_defs[e->district].streets[e->street % NSTREET_PER], g->city.comm[e->comm].name);
        j_kv(&b, &fl, "place", place);
        j_kv(&b, &fl, "estate", e->estate);
        j_kv(&b, &fl, "company", e->company);
        if (e->project[0])
            j_kv(&b, &fl, "project", e->project);
        j_key(&b, &fl, "first_day");
        put_day(&b, e->first_day);
        j_key(&b, &fl, "petition_day");
        put_day(&b, e->petition_day);
        if (e->shape == SH_PERSON) {
            j_kv(&b, &fl, "person", e->who.phone);
            j_kv(&b, &fl, "person_account", e->who.account);
        }
        j_key(&b, &fl, "records");
        buf_int(&b, e->nids);
        j_key(&b, &fl, "record_ids");
        buf_putc(&b, '[');
        for (int k = 0; k < e->nids; k++) {
            if (k)
                buf_putc(&b, ',');
            j_str(&b, e->ids[k], strlen(e->ids[k]));
        }
        buf_puts(&b, "]}\n");
        fwrite(b.p, 1, b.len, f);
    }
    int fl = 1;
    b.len = 0;
    buf_puts(&b, "{\"summary\":{");
    j_key(&b, &fl, "seed");
    char s[32];
    snprintf(s, sizeof s, "%" PRIu64, seed);
    buf_puts(&b, s);
    j_key(&b, &fl, "start");
    put_day(&b, first);
    j_key(&b, &fl, "end");
    put_day(&b, last);
    j_key(&b, &fl, "days");
    buf_int(&b, last - first + 1);
    uint64_t planted = 0;
    for (int i = 0; i < sc->nesc; i++)
        planted += (uint64_t)sc->esc[i].nids;
    j_key(&b, &fl, "records");
    buf_int(&b, (int64_t)(planted + sc->background));
    j_key(&b, &fl, "background_records");
    buf_int(&b, (int64_t)sc->background);
    j_key(&b, &fl, "routine_clusters");
    buf_int(&b, sc->nrt);
    j_key(&b, &fl, "routine_records");
    buf_int(&b, (int64_t)sc->routine_records);
    j_key(&b, &fl, "escalations");
    buf_int(&b, sc->nesc);
    j_key(&b, &fl, "planted_records");
    buf_int(&b, (int64_t)planted);
    buf_puts(&b, "}}\n");
    fwrite(b.p, 1, b.len, f);
    free(b.p);
}

/* ---- seasons ------------------------------------------------------------------------------- */

static void seasons(scen_t *sc)
{
    for (int m = 0; m < 12; m++)
        for (int i = 0; i < NDOMAINS; i++)
            sc->dom_mult[m][i] = 1.0;
    /* index: month - 1; domains as in vocab.h */
    sc->dom_mult[11][3] = 1.8; sc->dom_mult[0][3] = 2.5; sc->dom_mult[1][3] = 1.5;   /* 欠薪 before 春节 */
    for (int m = 5; m <= 8; m++) sc->dom_mult[m][2] = 1.4;                           /* 噪音, windows open */
    sc->dom_mult[6][1] = sc->dom_mult[7][1] = 1.6;                                    /* 停水停电 in the heat */
    sc->dom_mult[0][1] = 1.3;
    sc->dom_mult[5][8] = 1.8; sc->dom_mult[6][8] = 2.2; sc->dom_mult[7][8] = 2.0;     /* 教育学位: enrolment */
    sc->dom_mult[8][8] = 1.4;
    sc->dom_mult[6][11] = sc->dom_mult[7][11] = 1.2;                                  /* 市容环境 */
}

static double volume_factor(int day)
{
    int m = month_of(day), wd = weekday_of(day);
    double f = wd == 0 || wd == 6 ? 0.75 : 1.06;
    if (m == 2) f *= 0.85;                 /* Spring Festival */
    if (m == 7 || m == 8) f *= 1.1;
    return f;
}

/* ---- main ------------------------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fprintf(f,
        "usage: ywscenario [--seed N] [--months M] [--background-per-day N]\n"
        "                  [--escalations K] [--start YYYY-MM-DD]\n"
        "                  --out-records F.jsonl --out-truth T.jsonl\n"
        "\n"
        "Writes months of contract-v1 records (hotline, grid, online, police) with\n"
        "background traffic and K planted escalations of mixed shapes (slow, burst,\n"
        "online, person), and the ground truth: one JSON line per escalation\n"
        "(record ids, petition day) and a summary line (background size).\n"
        "Same arguments, same bytes.\n"
        "\n"
        "  --seed N                PRNG seed (default 1)\n"
        "  --months M              months of event time, 30.44 days each (default 6)\n"
        "  --background-per-day N  mean background records a day (default 2000)\n"
        "  --escalations K         planted escalations (default 12, shapes in turn)\n"
        "  --start DATE            first day, local time +08:00 (default 2026-02-01)\n"
        "  --out-records FILE      the records, sorted by event time\n"
        "  --out-truth FILE        the ground truth\n");
}

int main(int argc, char **argv)
{
    uint64_t seed = 1, months = 6, per_day = 2000, nesc = 12;
    const char *start = "2026-02-01", *out_rec = NULL, *out_truth = NULL;
    static const struct option opts[] = {
        { "seed", required_argument, NULL, 's' },
        { "months", required_argument, NULL, 'm' },
        { "background-per-day", required_argument, NULL, 'b' },
        { "escalations", required_argument, NULL, 'e' },
        { "start", required_argument, NULL, 't' },
        { "out-records", required_argument, NULL, 'r' },
        { "out-truth", required_argument, NULL, 'T' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (ch) {
        case 's': bad = parse_u64(optarg, UINT64_MAX, &seed); break;
        case 'm': bad = parse_u64(optarg, 120, &months) || months == 0; break;
        case 'b': bad = parse_u64(optarg, 1000000, &per_day); break;
        case 'e': bad = parse_u64(optarg, 1000, &nesc); break;
        case 't': start = optarg; break;
        case 'r': out_rec = optarg; break;
        case 'T': out_truth = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (bad) {
            fprintf(stderr, "ywscenario: bad value for --%s: '%s'\n",
                    ch == 's' ? "seed" : ch == 'm' ? "months (1..120)"
                    : ch == 'b' ? "background-per-day (0..1000000)" : "escalations (0..1000)", optarg);
            return 2;
        }
    }
    if (optind < argc || !out_rec || !out_truth) {
        if (optind < argc)
            fprintf(stderr, "ywscenario: unexpected argument '%s'\n", argv[optind]);
        else
            fprintf(stderr, "ywscenario: --out-records and --out-truth are required\n");
        usage(stderr);
        return 2;
    }
    int start_day;
    if (parse_day(start, &start_day)) {
        fprintf(stderr, "ywscenario: bad --start '%s' (want YYYY-MM-DD)\n", start);
        return 2;
    }
    int days = (int)lround((double)months * 30.44);
    if (nesc && days < 21) {
        fprintf(stderr, "ywscenario: escalations need at least one month\n");
        return 2;
    }

    /* complainant pool as in ywgen, sized for the whole run */
    gen_t *g = gen_create(seed, start_day, days, per_day * (uint64_t)days, 12);
    scen_t *sc = calloc(1, sizeof *sc);
    if (!g || !sc) {
        fprintf(stderr, "ywscenario: out of memory\n");
        return 1;
    }
    g->always_source = 1;        /* a file has no topic to infer the source from */
    int first = g->start_day, last = first + days - 1;
    rng_t *r = g->r;
    seasons(sc);

    /* escalations: shapes in turn, petition days spread over the run after a
     * lead-in long enough for the slowest shape */
    sc->nesc = (int)nesc;
    sc->esc = calloc(nesc ? nesc : 1, sizeof(esc_t));
    if (!sc->esc) {
        fprintf(stderr, "ywscenario: out of memory\n");
        return 1;
    }
    int lead_in = days >= 90 ? 60 : days / 2, p_lo = first + lead_in, p_hi = last - 3;
    if (p_hi < p_lo) p_hi = p_lo;
    for (int i = 0; i < sc->nesc; i++) {
        esc_t *e = &sc->esc[i];
        e->shape = i % NSHAPES;
        e->kind = e->shape == SH_PERSON ? (i / NSHAPES) % NPERSON_KINDS
                                        : (int)((i / NSHAPES * 3 + e->shape) % NESC_KINDS);
        double at = (i + 0.25 + 0.5 * rng_unit(r)) / sc->nesc;
        e->petition_day = p_lo + (int)(at * (p_hi - p_lo));
        name_escalation(g, sc, i);
        plan_escalation(g, sc, i, first, last);
    }

    /* routine clusters (with seasonal ones), then the background to fill each day */
    int *routine_day = calloc((size_t)days, sizeof(int));
    if (!routine_day) {
        fprintf(stderr, "ywscenario: out of memory\n");
        return 1;
    }
    double rt_rate = (double)per_day / 400.0;
    for (int day = first; day <= last; day++) {
        int m = month_of(day);
        int winter = m == 12 || m <= 2, summer = m >= 6 && m <= 8;
        int n = poisson(r, rt_rate * volume_factor(day));
        if (winter && rng_chance(r, 0.08))
            n += rng_range(r, 5, 12) * (int)(rt_rate / 5 + 1);          /* a cold snap */
        int storm = summer && rng_chance(r, 0.1);
        if (storm)
            n += rng_range(r, 8, 20) * (int)(rt_rate / 5 + 1);          /* a rainstorm */
        for (int k = 0; k < n; k++) {
            const domain_t *dom;
            int villages = 0;
            double u = rng_unit(r);
            if (winter && u < 0.3)
                dom = &season_domains[0];
            else if (summer && (storm ? u < 0.6 : u < 0.1))
                dom = &season_domains[1];
            else {
                double w[NDOMAINS];
                for (int i = 0; i < NDOMAINS; i++)
                    w[i] = domains[i].weight[0] * sc->dom_mult[m - 1][i];
                int di = pick_weighted(r, w, NDOMAINS);
                dom = &domains[di];
                villages = di == 4;
            }
            int size = 2;
            if (rng_chance(r, 0.05))
                size = rng_range(r, 8, 15);
            else
                while (size < 8 && rng_chance(r, 0.45))
                    size++;
            plan_routine(g, sc, dom, villages, day, size, rng_range(r, 1, 4), last, routine_day, first);
        }
    }
    static const double mix_weekday[NSRC] = { 45, 20, 25, 10 }, mix_weekend[NSRC] = { 48, 8, 31, 13 };
    for (int day = first; day <= last; day++) {
        double want = (double)per_day * volume_factor(day) * (0.93 + 0.14 * rng_unit(r));
        int n = (int)lround(want) - routine_day[day - first];
        int wd = weekday_of(day);
        for (int k = 0; k < n; k++)
            new_slot(g, sc, pick_weighted(r, wd == 0 || wd == 6 ? mix_weekend : mix_weekday, NSRC),
                     day, 0, 0, 0.0);
    }
    free(routine_day);
    qsort(sc->slots, sc->nslots, sizeof *sc->slots, slot_cmp);

    FILE *out = fopen(out_rec, "wb");
    if (!out) {
        fprintf(stderr, "ywscenario: %s: %s\n", out_rec, strerror(errno));
        return 1;
    }
    buf_t ob = { 0 };
    buf_reserve(&ob, 1 << 20);
    int rc = 0;
    for (size_t i = 0; i < sc->nslots && !rc; i++) {
        slot_t *sl = &sc->slots[i];
        g->dom_mult = sc->dom_mult[month_of(sl->day) - 1];
        if (sl->plant > 0) {
            esc_t *e = &sc->esc[sl->plant - 1];
            if (e->shape == SH_PERSON)
                gen_person(g, e, sl);
            else
                gen_group(g, e, sl);
            if (e->nids == e->cap_ids) {
                e->cap_ids = e->cap_ids ? 2 * e->cap_ids : 128;
                e->ids = xrealloc(e->ids, (size_t)e->cap_ids * sizeof *e->ids);
            }
            snprintf(e->ids[e->nids++], sizeof *e->ids, "%s", g->rec.id);
        } else if (sl->plant < 0) {
            gen_routine(g, &sc->rt[-sl->plant - 1], sl);
            sc->background++;
            sc->routine_records++;
        } else {
            gen_background(g, sl);
            sc->background++;
        }
        rec_json(g, &g->rec, NULL, &ob);
        if (out_flush(&ob, out, 0))
            rc = 1;
    }
    if (!rc && out_flush(&ob, out, 1))
        rc = 1;
    if (fclose(out) != 0 || rc) {
        fprintf(stderr, "ywscenario: %s: write error: %s\n", out_rec, strerror(errno));
        return 1;
    }
    FILE *tf = fopen(out_truth, "wb");
    if (!tf) {
        fprintf(stderr, "ywscenario: %s: %s\n", out_truth, strerror(errno));
        return 1;
    }
    write_truth(tf, g, sc, seed, first, last);
    if (fclose(tf) != 0) {
        fprintf(stderr, "ywscenario: %s: write error: %s\n", out_truth, strerror(errno));
        return 1;
    }
    uint64_t planted = 0;
    for (int i = 0; i < sc->nesc; i++)
        planted += (uint64_t)sc->esc[i].nids;
    fprintf(stderr, "ywscenario: %d days, %zu records: %" PRIu64 " background (%" PRIu64
            " in %d routine clusters), %" PRIu64 " in %d escalations\n",
            days, sc->nslots, sc->background, sc->routine_records, sc->nrt, planted, sc->nesc);

    free(ob.p);
    for (int i = 0; i < sc->nesc; i++) {
        free(sc->esc[i].pool);
        free(sc->esc[i].ids);
    }
    free(sc->esc);
    free(sc->rt);
    free(sc->slots);
    free(sc);
    gen_destroy(g);
    return 0;
}
