/* test_shortid.c - short ids from the random end of record ids (shared/shortid.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "shortid.h"
#include "tap.h"

static const char *const ids[] = {
	"01900000-0000-7000-8000-0000aaaaaaaa",  /* ends like the next */
	"01900000-0000-7000-8000-0001aaaaaaaa",
	"aaaaaaaa-0000-7000-8000-000000000001",  /* begins as they end */
	"01900000-0000-7000-8000-00000000beef",
	"01900000-0000-7000-8000-0000000000ef",  /* ends as the one before, on fewer digits */
	"not an id",
};
#define NIDS (sizeof(ids) / sizeof(ids[0]))

static void test_parse(void)
{
	char hex[SHORTID_HEX + 1];

	ok(shortid_parse("1c2e5b7d", hex) && !strcmp(hex, "1c2e5b7d"), "8 hex digits are an id");
	ok(shortid_parse("1C2E", hex) && !strcmp(hex, "1c2e"), "4 in capitals, lower-cased");
	ok(!shortid_parse("1c2", hex), "3 digits are not");
	ok(!shortid_parse("lan", hex), "a name is not");
	ok(!shortid_parse("abcg", hex), "nor a word with a letter past f");
	ok(shortid_parse("0190-0000", hex) && !strcmp(hex, "01900000"), "a dash between digits is skipped");
	ok(!shortid_parse("-0190", hex) && !shortid_parse("0190-", hex) && !shortid_parse("01--90", hex),
	   "but not a leading, trailing or doubled dash");
	ok(shortid_parse("01900000-0000-7000-8000-0000aaaaaaaa", hex) && strlen(hex) == SHORTID_HEX,
	   "a whole id is 32 digits");
	ok(!shortid_parse("01900000000070008000000aaaaaaaaa0", hex), "33 digits are none");
}

static void test_match(void)
{
	ok(shortid_match(ids[0], "aaaaaaaa"), "an id ends with its short id");
	ok(shortid_match(ids[0], "01900000"), "and begins with its first digits");
	ok(shortid_match(ids[0], "019000000000700080000000aaaaaaaa"), "all of it, dashes aside");
	ok(!shortid_match(ids[0], "bbbbbbbb"), "other digits do not match");
	ok(!shortid_match(ids[0], "0000aaaa0"), "nor digits from its middle");
}

static void test_set(void)
{
	struct shortid_set s;
	char out[SHORTID_HEX + 1];

	is_int(shortid_set_init(&s, (const char *const *)ids, NIDS), FB_OK, "a set of 5 ids");
	is_int((long long)s.n, 5, "what is not an id is left out");
	is_int((long long)shortid_count(&s, "aaaaaaaa"), 3, "two end with aaaaaaaa, one begins with it");
	is_int((long long)shortid_count(&s, "0aaaaaaaa"), 1, "0aaaaaaaa: one");
	is_int((long long)shortid_count(&s, "0190"), 4, "0190: four begin with it");
	is_int((long long)shortid_count(&s, "ef"), 2, "ef: two end with it");
	is_int((long long)shortid_count(&s, "1234"), 0, "none");

	shortid_of(&s, ids[0], out);
	is_str(out, "0aaaaaaaa", "two ids that share 8 digits at the end get 9");
	shortid_of(&s, ids[1], out);
	is_str(out, "1aaaaaaaa", "the other too");
	shortid_of(&s, ids[2], out);
	is_str(out, "00000001", "an id whose head others end with keeps 8 of its own tail");
	shortid_of(&s, ids[3], out);
	is_str(out, "0000beef", "8 digits where they are unique");
	shortid_of(&s, ids[4], out);
	is_str(out, "000000ef", "an id that ends as a longer one does not matter past 8");
	shortid_set_release(&s);
	ok(s.n == 0 && !s.head && !s.tail, "released");

	/* Every short id of a set finds its own id only. */
	{
		enum { N = 2000 };
		char (*many)[FB_ID_LEN + 1] = calloc(N, sizeof(*many));
		const char **p = calloc(N, sizeof(*p));
		int i, bad = 0;

		for (i = 0; many && p && i < N; i++) {
			/* Ids of one millisecond, as a burst of adds makes. */
			if (model_new_uuid(many[i]) != FB_OK)
				bad++;
			p[i] = many[i];
		}
		ok(many && p && shortid_set_init(&s, p, N) == FB_OK, "2000 new ids");
		for (i = 0; many && p && i < N; i++) {
			shortid_of(&s, many[i], out);
			if (shortid_count(&s, out) != 1 || !shortid_match(many[i], out) ||
			    strlen(out) < SHORTID_MIN)
				bad++;
		}
		is_int(bad, 0, "each of 2000 short ids matches its own id and no other");
		shortid_set_release(&s);
		free(many);
		free(p);
	}
	is_int(shortid_set_init(&s, NULL, 0), FB_OK, "an empty set");
	is_int((long long)shortid_count(&s, "abcd"), 0, "holds nothing");
	shortid_of(&s, ids[3], out);
	is_str(out, "0000beef", "an id outside the set gets its 8 digits");
	shortid_set_release(&s);
}

int main(void)
{
	test_parse();
	test_match();
	test_set();
	return tap_done();
}
