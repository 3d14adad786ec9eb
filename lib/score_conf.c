/* score_conf.c -- the scorer's configuration: yw_score_conf_defaults()
 * (every default docs/scoring.md quotes) and yw_score_conf_check() (the
 * bounds and relations between keys a scorer insists on; the config
 * table runs it after its own per-key bounds, yw_scorer_create before it
 * builds anything). */
#include <stdio.h>
#include <string.h>

#include "score.h"
#include "window.h"

/* ---- configuration ------------------------------------------------------ */

void yw_score_conf_defaults(yw_score_conf_t *c)
{
    memset(c, 0, sizeof *c);
    c->tz_offset_minutes = 480;
    c->lateness_ms = 2 * YW_HOUR_MS;
    static const double w[YW_SIG_COUNT] = {
        12, 12, 10, 14, 6, 8, 12, 6, 6, 6, 4, 5, 4, 10, 10, 24 };
    /* volume 50 records/7d; burst z 8; growth x4; people 20; repeat 10;
     * sources 4; escalation 3; emotion 4; domain 2; spread 10^4; share 1;
     * outcome 3; deflection 2; selfharm 1; trend x4 over two weeks;
     * campaign 6 widely shared posts (decayed) */
    static const double sat[YW_SIG_COUNT] = {
        50, 8, 4, 20, 10, 4, 3, 4, 2, 4, 1, 3, 2, 1, 4, 6 };
    memcpy(c->weight, w, sizeof w);
    memcpy(c->sat, sat, sizeof sat);
    c->thresholds[YW_LEVEL_BLUE] = 25;
    c->thresholds[YW_LEVEL_YELLOW] = 45;
    c->thresholds[YW_LEVEL_ORANGE] = 66;
    c->thresholds[YW_LEVEL_RED] = 90;
    c->hysteresis = 8;
    c->cooldown_ms = 6 * YW_HOUR_MS;
    c->fall_hold_ms = 72 * YW_HOUR_MS;
    c->eval_step_ms = YW_HOUR_MS;
    c->half_life_h = 72;
    c->volume_days = 7;
    c->growth_days = 3;
    c->growth_min_recent = 5;
    c->growth_prior = 3;
    c->trend_step = 1.4;
    c->trend_min_ratio = 1.5;
    c->trend_min_recent = 10;
    c->trend_min_prev = 3;
    c->campaign_min_interactions = 100;
    c->campaign_min_posts = 3;
    c->campaign_min_share = 0.3;
    c->burst_beta = 1;
    c->burst_z_min = 2;
    c->burst_alpha_own = 0.2;
    c->burst_alpha_global = 0.1;
    c->burst_p_max = 0.01;
    c->burst_min_history_days = 3;
    c->global_prior_mean = 1;
    c->global_prior_sd = 1;
    c->concentration_min = 3;
    c->concentration_active = 5;
    c->focus_lo = 0.4;
    c->focus_hi = 0.8;
    c->focus_floor = 0.3;
    c->rate_sat = 0.3;
    c->warmup_days = 7;
    c->selfharm_level = YW_LEVEL_ORANGE;
    c->selfharm_floor_min = 0.25;
    c->person_cap = 65536;
    c->person_ttl_ms = 30 * YW_DAY_MS;
    c->person_min_contacts = 4;
    c->person_min_deflections = 3;
    c->person_orange_deflections = 5;
    c->person_orange_share = 0.7;
    c->person_orange_refusals = 3;
    c->person_refusals_alone = 5;
}

int yw_score_conf_check(const yw_score_conf_t *c, char *errbuf, size_t errlen)
{
    const char *why = NULL;
    for (int l = YW_LEVEL_BLUE; l <= YW_LEVEL_RED && !why; l++) {
        if (c->thresholds[l] <= 0 || c->thresholds[l] > 100)
            why = "score.thresholds must be in (0, 100]";
        else if (l > YW_LEVEL_BLUE && c->thresholds[l] <= c->thresholds[l - 1])
            why = "score.thresholds must be strictly increasing blue < yellow < orange < red";
    }
    for (int i = 0; i < YW_SIG_COUNT && !why; i++)
        if (c->weight[i] < 0 || !(c->sat[i] > 0))
            why = "score.weights must be >= 0 and saturations > 0";
    if (why) {
    } else if (c->hysteresis < 0 || c->hysteresis >= c->thresholds[YW_LEVEL_BLUE])
        why = "score.hysteresis must be >= 0 and below the blue threshold";
    else if (c->sat[YW_SIG_BURST] <= c->burst_z_min)
        why = "score burst saturation must exceed burst_z_min";
    else if (c->sat[YW_SIG_GROWTH] <= 1 || c->sat[YW_SIG_PEOPLE] <= 1 ||
             c->sat[YW_SIG_SOURCES] <= 1)
        why = "score growth, people and sources saturations must exceed 1";
    else if (c->sat[YW_SIG_TREND] <= c->trend_min_ratio || c->trend_step < 1)
        why = "score trend saturation must exceed trend_min_ratio, and trend_step be >= 1";
    else if (c->half_life_h <= 0 || c->eval_step_ms <= 0 || c->cooldown_ms < 0 ||
             c->lateness_ms < 0)
        why = "score half_life, eval_step must be > 0; cooldown, lateness >= 0";
    else if (c->volume_days < 1 || c->volume_days > YW_WIN_DAYS ||
             c->growth_days < 1 || 2 * c->growth_days > YW_WIN_DAYS)
        why = "score volume_days / growth_days out of the daily ring's range";
    else if (c->burst_alpha_own <= 0 || c->burst_alpha_own > 1 ||
             c->burst_alpha_global <= 0 || c->burst_alpha_global > 1)
        why = "score burst alphas must be in (0, 1]";
    else if (!(c->growth_prior > 0) || c->growth_min_recent < 0)
        why = "score.growth_prior must be > 0 and growth_min_recent >= 0";
    else if (!(c->focus_hi > c->focus_lo) || c->focus_lo < 0 || c->focus_hi > 1 ||
             c->focus_floor < 0 || c->focus_floor > 1)
        why = "score focus: 0 <= focus_lo < focus_hi <= 1 and focus_floor in [0, 1]";
    else if (!(c->rate_sat > 0) || c->warmup_days < 0)
        why = "score.rate_sat must be > 0 and warmup_days >= 0";
    else if (c->selfharm_level < YW_LEVEL_NONE || c->selfharm_level > YW_LEVEL_RED)
        why = "score.selfharm_level must be none..red";
    else if (c->person_cap < 1 || c->person_min_contacts < 2)
        why = "score.person_cap must be >= 1 and person_min_contacts >= 2";
    else if (c->person_orange_deflections < 1 ||
             !(c->person_orange_share >= 0 && c->person_orange_share <= 1))
        why = "score.person_orange_deflections must be >= 1 and person_orange_share in [0, 1]";
    if (why) {
        if (errbuf && errlen)
            snprintf(errbuf, errlen, "%s", why);
        return -1;
    }
    return 0;
}
