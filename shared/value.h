/*
 * value.h - dates, amounts and phone numbers as people and spreadsheets
 * write them, turned into the canonical text of model.h.
 *
 * model_check() calls value_date() and value_amount() for what is not
 * already canonical, so every way a user's value comes in (options of
 * add and edit, import) accepts the same forms; entries from other
 * devices must already be canonical and never take these paths
 * (book_apply refuses a value model_check would change).
 *
 * value_phone_zero() is not part of model_check: "912345678" is valid
 * text, and phones written before it existed stay valid.  Commands that
 * take typed input call it themselves and tell the user (import, add).
 */
#ifndef FB_VALUE_H
#define FB_VALUE_H

#include <stddef.h>
#include "error.h"

#define VALUE_DATE_LEN 10       /* YYYY-MM-DD */

/*
 * Years a two-digit year may stand for: those from this_year - 89 to
 * this_year + VALUE_YY_AHEAD, so in 2026 "00" to "36" are 2000 to 2036
 * and "37" to "99" are 1937 to 1999 (docs/COMMANDS.md, "Dates").
 */
#define VALUE_YY_AHEAD 10

/*
 * A date as typed into out (YYYY-MM-DD): YYYY-MM-DD itself, DD/MM/YYYY,
 * DD-MM-YYYY and DD.MM.YYYY (day and month of one or two digits), and
 * DD/MM/YY, which LibreOffice writes under a Vietnamese locale, its
 * century chosen by VALUE_YY_AHEAD from this_year.  The day comes
 * first: Vietnam writes day/month/year.  A two-digit year is read only
 * with '/' ("26-1-1" is no date).  The date must exist and its year lie
 * within FB_YEAR_MIN..FB_YEAR_MAX.  FB_EINVAL (no message) otherwise.
 */
enum fb_code value_date(const char *typed, int this_year,
			char out[VALUE_DATE_LEN + 1])
	FB_MUST_CHECK;

/* The local calendar year now, for value_date(). */
int value_this_year(void);

/*
 * A whole number of dong as typed: digits, optionally grouped by
 * thousands with '.', ',' or a space ("500.000", "1,250,000",
 * "500 000"), optionally followed by a currency mark ("đ", "₫", "d",
 * "VND", "VNĐ", "đồng"), and optionally with a decimal part of zeros
 * after the other separator ("500.000,00", "500,000.00").  Only forms
 * that cannot mean anything else are read: one separator followed by
 * other than three digits ("1.5", "1,50") is refused, since it may be
 * a decimal.  *out is the number, at most max.  FB_EINVAL otherwise
 * (no message).
 */
enum fb_code value_amount(const char *typed, long long max, long long *out)
	FB_MUST_CHECK;

/*
 * A Vietnamese phone number a spreadsheet took for a number and saved
 * without its leading zero: nine digits starting with 3, 5, 7, 8 or 9
 * (a mobile number, 0912345678 saved as 912345678) or ten starting
 * with 2 (a landline, 02xx...).  Then 1 and out holds the number with
 * its 0 back; otherwise 0 and out is untouched.  typed is the trimmed
 * text; out has room for outsz bytes.
 */
int value_phone_zero(const char *typed, char *out, size_t outsz);

#endif
