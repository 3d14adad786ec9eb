/* evtime.c -- event-time parsing and formatting for contract-v1 records.
 *
 * Accepted forms (docs/records.md):
 *   2019-03-01T22:12:30+08:00     RFC 3339 with an offset or Z
 *   2019-03-01T14:12:30.5Z        ... with 1-9 fractional digits (truncated to ms)
 *   2019-03-01 22:12:30           no offset: read in the configured zone
 *   1551449550000                 all digits: epoch milliseconds
 *
 * Civil dates are converted with our own day arithmetic rather than
 * timegm()/mktime(): those depend on the TZ environment and the C library,
 * and a replay must give the same event times on every machine. */
#include "record.h"

#include <stdio.h>
#include <string.h>

/* 9999-12-31T23:59:59.999Z: the last instant a four-digit year can name. */
#define YW_TIME_MAX_MS INT64_C(253402300799999)
/* Days from 0001-01-01 to 1970-01-01 in the proleptic Gregorian calendar. */
#define DAYS_0001_TO_1970 719162
#define DAYS_PER_400Y 146097

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days before the first of month m (1-12) in a year. */
static int days_before_month(int64_t y, int m)
{
    static const int cum[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273,
                                304, 334};
    return cum[m - 1] + (m > 2 && is_leap(y));
}

/* Days since 1970-01-01 of a valid date with year >= 1. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t n = y - 1;   /* whole years before y, counted from year 1 */
    int64_t days = 365 * n + n / 4 - n / 100 + n / 400;
    return days + days_before_month(y, m) + (d - 1) - DAYS_0001_TO_1970;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Inverse of days_from_civil for any day count, by 400/100/4/1-year
 * cycles (a 400-year cycle always has 146097 days). */
static void civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t n = days + DAYS_0001_TO_1970;   /* days since 0001-01-01 */
    int64_t cycles = floor_div(n, DAYS_PER_400Y);
    int64_t r = n - cycles * DAYS_PER_400Y;   /* 0 .. 146096 */

    int64_t c100 = r / 36524;           /* 36524 days per ordinary century */
    if (c100 == 4)
        c100 = 3;                       /* last day of a leap 400th year */
    r -= c100 * 36524;
    int64_t c4 = r / 1461;              /* 1461 days per four years */
    r -= c4 * 1461;
    int64_t c1 = r / 365;
    if (c1 == 4)
        c1 = 3;                         /* 31 December of a leap year */
    r -= c1 * 365;

    int64_t year = 1 + 400 * cycles + 100 * c100 + 4 * c4 + c1;
    int month = 1;
    while (month < 12 && r >= days_before_month(year, month + 1))
        month++;
    *y = year;
    *m = month;
    *d = (int)(r - days_before_month(year, month)) + 1;
}

/* Reads exactly n decimal digits at s; -1 if any is not a digit. */
static int64_t digits(const char *s, size_t n)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int yw_time_parse(const char *s, size_t len, int tz_offset_minutes, int64_t *ms)
{
    if (s == NULL || len == 0)
        return -1;

    /* Epoch milliseconds.  18 digits always fit in int64; the range check
     * keeps the result inside what the formatter can write back. */
    size_t ndig = 0;
    while (ndig < len && s[ndig] >= '0' && s[ndig] <= '9')
        ndig++;
    if (ndig == len) {
        if (len > 18)
            return -1;
        int64_t v = digits(s, len);
        if (v > YW_TIME_MAX_MS)
            return -1;
        *ms = v;
        return 0;
    }

    /* YYYY-MM-DD?HH:MM:SS = 19 bytes, ? one of T t or space. */
    if (len < 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':')
        return -1;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return -1;
    int64_t year = digits(s, 4), mon = digits(s + 5, 2), day = digits(s + 8, 2);
    int64_t hh = digits(s + 11, 2), mm = digits(s + 14, 2), ss = digits(s + 17, 2);
    if (year < 1 || mon < 1 || mon > 12 || day < 1 ||
        day > days_in_month(year, (int)mon))
        return -1;
    /* Second 60 is a leap second in RFC 3339; like POSIX time we fold it
     * into the next second rather than reject a real record. */
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return -1;

    size_t i = 19;
    int64_t frac_ms = 0;
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        size_t nd = i - start;
        if (nd == 0 || nd > 9)
            return -1;
        /* Truncate to milliseconds: the first three digits, zero-padded. */
        for (size_t k = 0; k < 3; k++)
            frac_ms = frac_ms * 10 + (k < nd ? s[start + k] - '0' : 0);
    }

    int64_t offset_min;
    if (i == len) {
        offset_min = tz_offset_minutes;     /* no offset: configured zone */
    } else if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
        offset_min = 0;
    } else if ((s[i] == '+' || s[i] == '-') && i + 6 == len && s[i + 3] == ':') {
        int64_t oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return -1;
        offset_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
    } else {
        return -1;
    }

    int64_t secs = days_from_civil(year, (int)mon, (int)day) * 86400 +
                   hh * 3600 + mm * 60 + ss - offset_min * 60;
    *ms = secs * 1000 + frac_ms;
    return 0;
}

void yw_time_format(int64_t ms, int tz_offset_minutes, char *buf, size_t len)
{
    if (buf == NULL || len == 0)
        return;
    /* Keep the arithmetic below far from int64 overflow; such values are
     * not event times anyway (about +-146 million years). */
    const int64_t lim = INT64_C(1) << 62;
    if (ms > lim)
        ms = lim;
    if (ms < -lim)
        ms = -lim;
    if (tz_offset_minutes > 24 * 60 || tz_offset_minutes < -24 * 60)
        tz_offset_minutes = 0;

    int64_t local = ms + (int64_t)tz_offset_minutes * 60000;
    int64_t days = floor_div(local, 86400000);
    int64_t rem = local - days * 86400000;    /* 0 .. 86399999 */
    int64_t y;
    int mon, day;
    civil_from_days(days, &y, &mon, &day);

    int hh = (int)(rem / 3600000), mi = (int)(rem / 60000 % 60);
    int ss = (int)(rem / 1000 % 60), milli = (int)(rem % 1000);
    int off = tz_offset_minutes < 0 ? -tz_offset_minutes : tz_offset_minutes;
    if (y >= 0 && y <= 9999 && len >= 30) {
        /* The common case by hand: snprintf was the largest cost of an
         * alert's JSON.  Same text as the general path below. */
        char *p = buf;
        int f[] = { (int)y / 100, (int)y % 100, mon, day, hh, mi, ss };
        static const char sep[7] = { 0, 0, '-', '-', 'T', ':', ':' };
        for (int i = 0; i < 7; i++) {
            if (sep[i])
                *p++ = sep[i];
            *p++ = (char)('0' + f[i] / 10);
            *p++ = (char)('0' + f[i] % 10);
        }
        if (milli != 0) {
            *p++ = '.';
            *p++ = (char)('0' + milli / 100);
            *p++ = (char)('0' + milli / 10 % 10);
            *p++ = (char)('0' + milli % 10);
        }
        *p++ = tz_offset_minutes < 0 ? '-' : '+';
        int oh = off / 60, om = off % 60;
        *p++ = (char)('0' + oh / 10);
        *p++ = (char)('0' + oh % 10);
        *p++ = ':';
        *p++ = (char)('0' + om / 10);
        *p++ = (char)('0' + om % 10);
        *p = '\0';
        return;
    }
    char frac[8] = "";
    if (milli != 0)
        snprintf(frac, sizeof frac, ".%03d", milli);
    snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02d%s%c%02d:%02d",
             (long long)y, mon, day, hh, mi, ss, frac,
             tz_offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* "ts" with its quotes cannot occur inside a JSON string (a quote there is
 * escaped), so the first "ts" followed by a colon is the key. */
int yw_time_peek(const char *json, size_t len, int tz_offset_minutes, int64_t *ms)
{
    const char *end = json + len, *q = json;
    while ((q = memchr(q, '"', (size_t)(end - q))) != NULL) {
        if (end - q < 4 || q[1] != 't' || q[2] != 's' || q[3] != '"') {
            q++;
            continue;
        }
        const char *v = q + 4;
        q += 4;
        while (v < end && is_space(*v))
            v++;
        if (v == end || *v != ':')
            continue;
        for (v++; v < end && is_space(*v); v++)
            ;
        const char *s = v;
        if (v < end && *v == '"') {
            for (s = ++v; v < end && *v != '"' && *v != '\\'; v++)
                ;
            if (v == end || *v != '"')
                return -1;
        } else {
            while (v < end && *v >= '0' && *v <= '9')
                v++;
        }
        return yw_time_parse(s, (size_t)(v - s), tz_offset_minutes, ms);
    }
    return -1;
}
