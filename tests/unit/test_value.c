/* test_value.c - dates, amounts and phones as people type them (value.h). */
#include <stdlib.h>

#include "limits.h"
#include "value.h"
#include "tap.h"

static void date_is(const char *typed, int year, const char *want)
{
	char out[VALUE_DATE_LEN + 1] = "";
	enum fb_code rc = value_date(typed, year, out);

	if (!want) {
		ok(rc == FB_EINVAL, "date '%s' refused", typed);
		return;
	}
	ok(rc == FB_OK, "date '%s' read (in %d)", typed, year);
	is_str(out, want, "date '%s' is %s", typed, want);
}

static void amount_is(const char *typed, long long want)
{
	long long v = -1;
	enum fb_code rc = value_amount(typed, FB_AMOUNT_MAX, &v);

	if (want < 0) {
		ok(rc == FB_EINVAL, "amount '%s' refused", typed);
		return;
	}
	ok(rc == FB_OK && v == want, "amount '%s' is %lld (got %lld)", typed, want, v);
}

static void phone_is(const char *typed, const char *want)
{
	char out[32] = "";
	int fixed = value_phone_zero(typed, out, sizeof(out));

	if (!want)
		ok(!fixed && !out[0], "phone '%s' left as it is", typed);
	else
		ok(fixed && !strcmp(out, want), "phone '%s' becomes %s (got '%s')",
		   typed, want, out);
}

int main(void)
{
	/* ISO, and day-first forms. */
	date_is("2026-04-30", 2026, "2026-04-30");
	date_is("30/04/2026", 2026, "2026-04-30");
	date_is("30-04-2026", 2026, "2026-04-30");
	date_is("30.04.2026", 2026, "2026-04-30");
	date_is("1/5/2026", 2026, "2026-05-01");
	date_is("01/05/2026", 2026, "2026-05-01");
	/* dd/mm/yy: the century rule, VALUE_YY_AHEAD years ahead at most. */
	date_is("10/05/26", 2026, "2026-05-10");
	date_is("22/07/36", 2026, "2036-07-22");
	date_is("22/07/37", 2026, "1937-07-22");
	date_is("15/03/85", 2026, "1985-03-15");
	date_is("01/01/00", 2026, "2000-01-01");
	date_is("31/12/99", 2026, "1999-12-31");
	date_is("01/01/40", 2035, "2040-01-01");
	date_is("01/01/46", 2035, "1946-01-01");
	date_is("01/01/09", 2099, "2109-01-01");
	date_is("01/01/10", 2099, "2010-01-01");
	/* What is not a date, or not one we can be sure of. */
	date_is("31/04/2026", 2026, NULL);
	date_is("29/02/2025", 2026, NULL);
	date_is("29/02/2024", 2026, "2024-02-29");
	date_is("13/13/2026", 2026, NULL);
	date_is("26-1-1", 2026, NULL);
	date_is("30-04-26", 2026, NULL);
	date_is("30.04.26", 2026, NULL);
	date_is("30/04-2026", 2026, NULL);
	date_is("2026/04/30", 2026, NULL);
	date_is("30/04/202", 2026, NULL);
	date_is("30/04/20261", 2026, NULL);
	date_is("30/04/1899", 2026, NULL);
	date_is("30/04/2026 ", 2026, NULL);
	date_is("300/04/2026", 2026, NULL);
	date_is("", 2026, NULL);
	date_is("/04/2026", 2026, NULL);

	amount_is("500000", 500000);
	amount_is("500.000", 500000);
	amount_is("500,000", 500000);
	amount_is("500 000", 500000);
	amount_is("500\xc2\xa0" "000", 500000);
	amount_is("1.250.000", 1250000);
	amount_is("1,250,000", 1250000);
	amount_is("500,000 đ", 500000);
	amount_is("500.000đ", 500000);
	amount_is("500.000 ₫", 500000);
	amount_is("500.000 VND", 500000);
	amount_is("500.000 vnđ", 500000);
	amount_is("500.000 đồng", 500000);
	amount_is("500.000,00", 500000);
	amount_is("500,000.00", 500000);
	amount_is("1.500", 1500);
	amount_is("0", 0);
	amount_is("1.5", -1);
	amount_is("1,50", -1);
	amount_is("1.5000", -1);
	amount_is("1.50.000", -1);
	amount_is("1,000.000", 1000);
	amount_is("500.000,50", -1);
	amount_is("500.000,", -1);
	amount_is(".500", -1);
	amount_is("500.", -1);
	amount_is("5000.000", -1);
	amount_is("500.000 USD", -1);
	amount_is("-500", -1);
	amount_is("", -1);
	amount_is("đ", -1);
	amount_is("1.000.000.000.001", -1);
	amount_is("1.000.000.000.000", 1000000000000LL);

	phone_is("912345678", "0912345678");
	phone_is("355666777", "0355666777");
	phone_is("987000222", "0987000222");
	phone_is("2438253456", "02438253456");
	phone_is("0912345678", NULL);
	phone_is("12345678", NULL);
	phone_is("112345678", NULL);
	phone_is("84912345678", NULL);
	phone_is("+84912345678", NULL);
	phone_is("0912 345 678", NULL);
	phone_is("91234567x", NULL);
	return tap_done();
}
