/* ywgen.c -- seeded generator of realistic contract-v1 records.
 *
 *   ywgen --seed N --records N --days D --start YYYY-MM-DD
 *         [--scenario background|demo] [--malformed N] [-o FILE]
 *
 * Writes one JSON object per line, sorted by event time, for all four
 * sources (hotline, grid, online, police) of a fictional city, 江临市.
 * Text comes from the templates in gen/vocab.h.  Background records spread
 * over many issues and places, with a Zipf-ish pool of complainants who
 * call again about their own issue; --scenario demo adds three planted
 * issues that grow day by day and escalate (see bench/README.md).
 *
 * Determinism: everything is drawn from one xoshiro256** stream seeded by
 * --seed, in event-time order, so the same arguments give the same bytes.
 * The city itself (streets, estates, companies) is built from a fixed seed
 * and is the same for every --seed.  Malformed lines come from a second
 * stream and touch no shared state, so the valid lines of a run with
 * --malformed N are exactly the lines of the same run without it. */
#include <getopt.h>

#define GEN_PROG "ywgen"
#include "gen/core.h"
#include "gen/demo.h"
#include "gen/planted.h"

/* ---- the demo scenario's planted issues -------------------------------- */

static void ctx_plant(gen_t *g, ctx_t *c, int p)
{
    const plant_def_t *pd = &plant_defs[p];
    ctx_issue(g, c, pd->domain, 0x706c616e74ULL + (uint64_t)p);
    c->street = pd->district * NSTREET_PER + pd->street;
    c->district = pd->district;
    c->comm = c->street * NCOMM_PER;
    c->E = pd->estate;
    c->O = pd->company;
    c->OS = pd->company_short;
    cpy(c->proj, sizeof c->proj, pd->project, NULL);
    c->R = pd->road;
    c->RN_fixed = pd->road_no;
    c->due_day = g->start_day - 60;
    c->since_day = g->start_day - 40;
    c->MON = p == 0 ? "两个多月" : p == 1 ? "大半年" : "一个多月";
}

static void gen_planted(gen_t *g, const slot_t *sl)
{
    rng_t *r = g->r;
    int p = sl->plant - 1, st = sl->stage;
    const plant_def_t *pd = &plant_defs[p];
    const plant_text_t *pt = &plant_texts[p];

    /* More and more distinct people, some coming back; the issue predates
     * the window, so some have called before. */
    person_t *pp = planted_person(r, &g->ppool[p], &g->npp[p], &g->cap_pp[p],
                                  0.25 + 0.2 * sl->progress, 0.3, 3);
    int repeat = person_call(pp, sl->src);

    ctx_t c;
    ctx_plant(g, &c, p);
    ctx_record(&c, sl, pp);
    c.HC = pick(r, pt->hc[st]);
    c.HH = pick(r, pt->hh[st]);
    /* each owner / worker / investor has their own amount and flat */
    static const int amt_lo[3] = { 0, 15000, 50000 }, amt_hi[3] = { 0, 60000, 500000 };
    planted_amounts(&c, pp->issue, amt_lo[p], amt_hi[p]);

    rec_reset(&g->rec);
    fill_common(g, &g->rec, sl, &c);
    stage_text_t tx = {
        .core = pt->core[st], .grid = pt->grid[st], .police = pt->police[st], .more = pt->more,
        .earlier = st > 0 ? &pt->core[st - 1] : NULL,
        .esc = pt->esc[st], .ask = pt->ask, .title = pt->title,
        .p_emotion = 0.25 + 0.5 * sl->progress,
        .p_escalate = 0.1 + 0.8 * pow(sl->progress, 1.5),
    };
    planted_text(g, &c, sl, &domains[pd->domain], &tx, repeat, pp);
}

/* One malformed line (for dead-letter tests): a plausible record, then broken
 * in one of several ways.  Uses g->bad_rng and no shared state. */
static void gen_malformed(gen_t *g, int64_t ts_ms, buf_t *out)
{
    rng_t *saved = g->r;
    g->r = &g->bad_rng;
    rng_t *r = g->r;
    slot_t sl = { 0 };
    sl.src = (int)rng_below(r, NSRC);
    sl.ts_ms = ts_ms;
    sl.day = (int)((ts_ms + TZ_MS) / DAY_MS);
    sl.ephemeral = 1;
    sl.ts_fmt = (int)rng_below(r, 3);
    if (sl.ts_fmt < 2)
        sl.ts_ms -= sl.ts_ms % 1000;
    gen_background(g, &sl);
    rec_t *rc = &g->rec;

    mutation_t mu = { 0 };
    buf_t line = { 0 };
    uint32_t kind = rng_below(r, 8);
    static const char *const bad_ts[] = {
        "\"yesterday\"", "\"昨天下午\"", "\"2026-13-45 10:00:00\"", "\"2026-03-01 25:61:00\"",
        "\"03/01/2026 10:00\"", "\"N/A\"", "\"\"", "\"2026-03-01T10:00:00+0800x\"",
    };
    switch (kind) {
    case 2: mu.omit_ts = 1; break;
    case 3: mu.raw_ts = bad_ts[rng_below(r, NEL(bad_ts))]; break;
    case 4: {
        uint32_t w = rng_below(r, 6);
        if (w == 0) mu.raw_text = "12345";
        else if (w == 1) mu.raw_id = "100234";
        else if (w == 2) mu.raw_ts = rng_chance(r, 0.5) ? "true" : "{\"$date\":\"2026-03-01T10:00:00Z\"}";
        else if (w == 3) mu.raw_text = rng_chance(r, 0.5) ? "null" : "[\"停水\",\"三天\"]";
        else if (rc->src == SRC_ONLINE) { rc->reposts = -1; mu.raw_extra_key = "reposts"; mu.raw_extra = "\"1.2万\""; }
        else { rc->repeat_count = -1; mu.raw_extra_key = "repeat_count"; mu.raw_extra = "\"三次\""; }
        break;
    }
    case 5: if (rng_chance(r, 0.5)) mu.omit_text = 1; else mu.raw_text = "\"\""; break;
    case 6: mu.omit_id = 1; break;
    default: break;
    }
    rec_json(g, rc, &mu, &line);
    line.len--;                                   /* drop the '\n' for editing */

    if (kind == 0) {                              /* truncated JSON */
        size_t cut = line.len / 4 + rng_below(r, (uint32_t)(line.len - line.len / 4 - 1));
        while (cut > 1 && ((unsigned char)line.p[cut] & 0xC0) == 0x80)
            cut--;
        line.len = cut;
    } else if (kind == 1) {                       /* invalid UTF-8 inside the text */
        static const char *const bad[] = { "\xff", "\xe6\x88", "\xc0\xaf", "\xed\xa0\x80", "\xfe\xfe" };
        const char *at = strstr(line.p, "\"text\":\"");
        const char *ins = bad[rng_below(r, NEL(bad))];
        size_t pos = at ? (size_t)(at - line.p) + 8 : 1;
        buf_t t2 = { 0 };
        buf_put(&t2, line.p, pos);
        buf_puts(&t2, ins);
        buf_put(&t2, line.p + pos, line.len - pos);
        free(line.p);
        line = t2;
    } else if (kind == 7) {                       /* an array, not an object */
        buf_put(out, "[", 1);
        buf_put(out, line.p, line.len);
        buf_put(out, "]\n", 2);
        free(line.p);
        g->r = saved;
        return;
    }
    buf_put(out, line.p, line.len);
    buf_putc(out, '\n');
    free(line.p);
    g->r = saved;
}

/* ---- main ----------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
        "usage: ywgen [--seed N] [--records N] [--days D] [--start YYYY-MM-DD]\n"
        "             [--scenario background|demo] [--malformed N] [--always-source]\n"
        "             [-o FILE]\n"
        "\n"
        "Writes contract-v1 records (one JSON object per line, sorted by event\n"
        "time) for the hotline, grid, online and police sources of a fictional\n"
        "city.  Same arguments, same bytes.\n"
        "\n"
        "  --seed N         PRNG seed (default 1)\n"
        "  --records N      valid records to write (default 10000)\n"
        "  --days D         days of event time (default 7)\n"
        "  --start DATE     first day, local time +08:00 (default 2026-03-01)\n"
        "  --scenario S     background: ordinary traffic only; demo (default):\n"
        "                   background plus three planted escalations:\n");
    for (int i = 0; i < 3; i++)
        fprintf(f, "                     - %s (%s%s)\n", plant_defs[i].name,
                district_defs[plant_defs[i].district].name,
                district_defs[plant_defs[i].district].streets[plant_defs[i].street]);
    fprintf(f,
        "  --malformed N    also write N malformed lines (broken JSON, invalid\n"
        "                   UTF-8, missing/unparseable ts, wrong types ...)\n"
        "  --always-source  always write the \"source\" field (by default ~10%% of\n"
        "                   records leave it to the topic; a file has no topic)\n"
        "  -o FILE          write to FILE instead of stdout\n");
}

int main(int argc, char **argv)
{
    uint64_t seed = 1, nrec = 10000, days = 7, nbad = 0;
    int demo = 1, always_source = 0;
    const char *start = "2026-03-01", *outpath = NULL;
    static const struct option opts[] = {
        { "seed", required_argument, NULL, 's' },
        { "records", required_argument, NULL, 'n' },
        { "days", required_argument, NULL, 'd' },
        { "start", required_argument, NULL, 't' },
        { "scenario", required_argument, NULL, 'c' },
        { "malformed", required_argument, NULL, 'm' },
        { "output", required_argument, NULL, 'o' },
        { "always-source", no_argument, NULL, 'a' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        int bad = 0;
        switch (ch) {
        case 's': bad = parse_u64(optarg, UINT64_MAX, &seed); break;
        case 'n': bad = parse_u64(optarg, 100000000, &nrec); break;
        case 'd': bad = parse_u64(optarg, 3660, &days) || days == 0; break;
        case 't': start = optarg; break;
        case 'c':
            if (strcmp(optarg, "demo") == 0) demo = 1;
            else if (strcmp(optarg, "background") == 0) demo = 0;
            else bad = 1;
            break;
        case 'm': bad = parse_u64(optarg, 100000000, &nbad); break;
        case 'o': outpath = optarg; break;
        case 'a': always_source = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (bad) {
            fprintf(stderr, "ywgen: bad value for --%s: '%s'\n",
                    ch == 's' ? "seed" : ch == 'n' ? "records" : ch == 'd' ? "days (1..3660)"
                    : ch == 'c' ? "scenario (background|demo)" : "malformed", optarg);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ywgen: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    int start_day;
    if (parse_day(start, &start_day)) {
        fprintf(stderr, "ywgen: bad --start '%s' (want YYYY-MM-DD)\n", start);
        return 2;
    }

    for (int i = 0; i < NDOMAINS; i++)
        if (domains[i].title.n != domains[i].core.n || domains[i].ask.n != domains[i].core.n) {
            fprintf(stderr, "ywgen: vocab: domain %s: %d titles, %d asks for %d cores\n",
                    domains[i].name, domains[i].title.n, domains[i].ask.n, domains[i].core.n);
            return 3;
        }

    gen_t *g = gen_create(seed, start_day, (int)days, nrec, 2 + (int)(days < 10 ? days : 10));
    slot_t *slots = malloc((nrec ? nrec : 1) * sizeof(slot_t));
    if (!g || !slots) {
        fprintf(stderr, "ywgen: out of memory\n");
        return 1;
    }
    g->always_source = always_source;

    /* Planted issues: volume growing geometrically from their first day. */
    size_t n = 0;
    rng_t *r = g->r;
    if (demo) {
        for (int p = 0; p < 3; p++) {
            const plant_def_t *pd = &plant_defs[p];
            uint64_t cnt = (uint64_t)llround((double)nrec * pd->share);
            if (cnt > 5000) cnt = 5000;
            if (n + cnt > nrec / 2) cnt = nrec / 2 - n;
            int first = (int)lround(pd->start_frac * (double)days);
            if (first > (int)days - 1) first = (int)days - 1;
            int len = (int)days - first;
            double gr = len > 1 ? pow(pd->growth, 1.0 / (len - 1)) : 1.0, wsum = 0;
            for (int k = 0; k < len; k++)
                wsum += pow(gr, k);
            double cum = 0;
            uint64_t done = 0;
            for (int k = 0; k < len; k++) {
                cum += pow(gr, k) / wsum;
                uint64_t upto = (uint64_t)llround(cum * (double)cnt);
                double prog = len > 1 ? (double)k / (len - 1) : 1.0;
                int stage = prog < 0.34 ? 0 : prog < 0.67 ? 1 : 2;
                for (; done < upto; done++) {
                    slot_t *sl = &slots[n++];
                    memset(sl, 0, sizeof *sl);
                    sl->src = pick_weighted(r, pd->src_weight[stage], NSRC);
                    sl->day = g->start_day + first + k;
                    draw_time(g, sl, 1);
                    sl->plant = p + 1;
                    sl->idx = (uint32_t)(n - 1);
                    sl->progress = prog;
                    sl->stage = stage;
                }
            }
        }
    }
    static const double src_mix[NSRC] = { 45, 20, 25, 10 };
    while (n < nrec) {
        slot_t *sl = &slots[n++];
        memset(sl, 0, sizeof *sl);
        sl->idx = (uint32_t)(n - 1);
        sl->src = pick_weighted(r, src_mix, NSRC);
        sl->day = g->start_day + (int)rng_below(r, (uint32_t)days);
        draw_time(g, sl, 0);
    }
    qsort(slots, n, sizeof *slots, slot_cmp);

    /* Malformed lines: positions drawn from their own stream. */
    uint64_t *badpos = malloc((nbad ? nbad : 1) * sizeof(uint64_t));
    if (!badpos) {
        fprintf(stderr, "ywgen: out of memory\n");
        return 1;
    }
    for (uint64_t i = 0; i < nbad; i++)
        badpos[i] = rng_next(&g->bad_rng) % (nrec + 1);
    qsort(badpos, nbad, sizeof *badpos, u64_cmp);

    FILE *out = stdout;
    if (outpath && !(out = fopen(outpath, "wb"))) {
        fprintf(stderr, "ywgen: %s: %s\n", outpath, strerror(errno));
        return 1;
    }
    buf_t ob = { 0 };
    buf_reserve(&ob, 1 << 20);
    uint64_t bi = 0;
    for (size_t i = 0; i <= n; i++) {
        while (bi < nbad && badpos[bi] == i) {
            int64_t ts = i < n ? slots[i].ts_ms : (n ? slots[n - 1].ts_ms : g->start_ms);
            gen_malformed(g, ts, &ob);
            bi++;
        }
        if (i == n)
            break;
        if (slots[i].plant)
            gen_planted(g, &slots[i]);
        else
            gen_background(g, &slots[i]);
        rec_json(g, &g->rec, NULL, &ob);
        if (out_flush(&ob, out, 0))
            break;
    }
    int rc = out_flush(&ob, out, 1) ? 1 : 0;
    if ((out == stdout ? fflush(out) : fclose(out)) != 0 || rc) {
        fprintf(stderr, "ywgen: write error: %s\n", strerror(errno));
        rc = 1;
    }

    free(ob.p);
    free(badpos);
    free(slots);
    gen_destroy(g);
    return rc;
}
