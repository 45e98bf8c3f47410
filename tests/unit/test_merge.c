/*
 * test_merge.c - the merge rule of docs/MERGE.md (merge.h).
 *
 * A tiny in-memory "replica" holds one field (present, stamp, value) and
 * a conflict log deduplicated by the loser's stamp, and applies entries
 * through merge_field() exactly as merge.h tells a caller to.  On top of
 * the unit cases, every order of small sets of entries and many random
 * orders of larger sets must leave the same value and stamp, and no
 * value that nobody built upon may vanish: it is either current or in
 * the conflict log.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "tap.h"

#define LOG_MAX          64
#define SET_MAX          24
#define RANDOM_ENTRIES   20
#define RANDOM_ORDERS    500
#define RANDOM_SETS      4
#define RANDOM_SEED      UINT64_C(0x9e3779b97f4a7c15)

/* --- a replica of one field ----------------------------------------- */

struct logged {
	struct fb_stamp winner, loser;
	const char *winner_value, *loser_value;
};

struct replica {
	int present;
	struct fb_stamp stamp;
	const char *value;
	struct logged log[LOG_MAX];
	size_t nlog;
};

static struct fb_stamp stamp(fb_hlc hlc, const char *device)
{
	struct fb_stamp s;

	memset(&s, 0, sizeof(s));
	s.hlc = hlc;
	snprintf(s.device, sizeof(s.device), "%s", device);
	return s;
}

static struct merge_entry entry(fb_hlc hlc, const char *device, fb_hlc base_hlc,
				const char *base_device, const char *value)
{
	struct merge_entry e;

	memset(&e, 0, sizeof(e));
	e.stamp = stamp(hlc, device);
	e.base = stamp(base_hlc, base_device);
	e.value = value;
	return e;
}

static void replica_init(struct replica *r)
{
	memset(r, 0, sizeof(*r));
}

static void replica_hold(struct replica *r, fb_hlc hlc, const char *device,
			 const char *value)
{
	r->present = 1;
	r->stamp = stamp(hlc, device);
	r->value = value;
}

static const struct logged *log_find(const struct replica *r,
				     const struct fb_stamp *loser)
{
	size_t i;

	for (i = 0; i < r->nlog; i++)
		if (stamp_eq(&r->log[i].loser, loser))
			return &r->log[i];
	return NULL;
}

/* What merge_field() said, copied out (its pointers are borrowed). */
struct applied {
	enum merge_outcome outcome;
	int conflict;
	int has_sides;          /* winner/loser pointers were set */
	struct fb_stamp winner, loser;
	const char *winner_value, *loser_value;
};

/* Apply one entry as a caller of merge_field() must; returns the result. */
static struct applied replica_apply(struct replica *r,
				    const struct merge_entry *in)
{
	struct merge_field cur;
	struct merge_result res;
	struct applied a;

	memset(&cur, 0, sizeof(cur));
	cur.present = r->present;
	cur.stamp = r->stamp;
	cur.value = r->value;
	merge_field(&cur, in, &res);
	if (res.conflict && !log_find(r, res.loser_stamp)) {
		if (r->nlog == LOG_MAX)
			abort();
		r->log[r->nlog].winner = *res.winner_stamp;
		r->log[r->nlog].loser = *res.loser_stamp;
		r->log[r->nlog].winner_value = res.winner_value;
		r->log[r->nlog].loser_value = res.loser_value;
		r->nlog++;
	}
	memset(&a, 0, sizeof(a));
	a.outcome = res.outcome;
	a.conflict = res.conflict;
	a.has_sides = res.winner_stamp || res.loser_stamp || res.winner_value ||
		      res.loser_value;
	if (res.winner_stamp)
		a.winner = *res.winner_stamp;
	if (res.loser_stamp)
		a.loser = *res.loser_stamp;
	a.winner_value = res.winner_value;
	a.loser_value = res.loser_value;
	if (res.outcome == MERGE_TAKE) {
		r->present = 1;
		r->stamp = in->stamp;
		r->value = in->value;
	}
	return a;
}

/* --- stamps ---------------------------------------------------------- */

static void test_stamp_order(void)
{
	struct fb_stamp a = stamp(10, "aaaa"), b = stamp(10, "bbbb"),
			c = stamp(11, "0000"), a2 = stamp(10, "aaaa"),
			pre = stamp(10, "abc"), longer = stamp(10, "abcd"),
			dash = stamp(10, "-"), zero = stamp(10, "0"),
			none = stamp(0, "");

	ok(stamp_cmp(&a, &b) < 0 && stamp_cmp(&b, &a) > 0,
	   "equal HLC: the greater device id orders after");
	ok(stamp_cmp(&c, &b) > 0 && stamp_cmp(&b, &c) < 0,
	   "a greater HLC orders after whatever the device ids");
	ok(stamp_cmp(&a, &a2) == 0 && stamp_eq(&a, &a2), "same HLC and device are equal");
	ok(!stamp_eq(&a, &b), "same HLC, other device: not equal");
	ok(stamp_cmp(&pre, &longer) < 0, "a device id orders before its extensions");
	ok(stamp_cmp(&dash, &zero) < 0, "device ids compare byte-wise ('-' < '0')");
	ok(stamp_cmp(&none, &a) < 0, "the zero stamp orders before every stamp");
}

/* --- the rule, case by case ----------------------------------------- */

static void test_first_value(void)
{
	struct replica r;
	struct merge_entry e = entry(100, "dev1", 0, "", "Hoa");
	struct applied res;

	replica_init(&r);
	res = replica_apply(&r, &e);
	is_int(res.outcome, MERGE_TAKE, "a field never written takes the entry");
	is_int(res.conflict, 0, "...without a conflict");
	is_str(r.value, "Hoa", "...and holds its value");

	/* The writer had a value we never saw: nothing here to lose. */
	replica_init(&r);
	e = entry(100, "dev1", 50, "dev0", "Lan");
	res = replica_apply(&r, &e);
	ok(res.outcome == MERGE_TAKE && !res.conflict,
	   "a field never written takes an entry with a base it never held, no conflict");
}

static void test_higher_hlc_wins(void)
{
	struct replica r;
	struct merge_entry newer = entry(200, "aaaa", 100, "zzzz", "new");
	struct merge_entry older = entry(50, "zzzz", 0, "", "old");
	struct applied res;

	replica_init(&r);
	replica_hold(&r, 100, "zzzz", "held");
	res = replica_apply(&r, &newer);
	is_int(res.outcome, MERGE_TAKE, "a higher HLC wins over a greater device id");
	is_int(res.conflict, 0, "...with no conflict when its base is the held value");
	is_str(r.value, "new", "...and its value is current");
	ok(r.stamp.hlc == 200 && !strcmp(r.stamp.device, "aaaa"),
	   "...with its stamp");

	res = replica_apply(&r, &older);
	is_int(res.outcome, MERGE_KEEP, "a lower HLC loses (MERGE_KEEP)");
	is_int(res.conflict, 1, "...and is logged");
	is_str(r.value, "new", "...the current value stays");
	ok(res.has_sides && res.winner.hlc == 200 && res.loser.hlc == 50,
	   "...winner is the held stamp, loser the entry's");
	is_str(res.winner_value, "new", "...winner value is the held one");
	is_str(res.loser_value, "old", "...loser value is the entry's");
}

static void test_tie_by_device(void)
{
	struct replica r;
	struct merge_entry b = entry(100, "bbbb", 0, "", "from b");
	struct merge_entry a = entry(100, "aaaa", 0, "", "from a");
	struct applied res;

	replica_init(&r);
	replica_hold(&r, 100, "aaaa", "from a");
	res = replica_apply(&r, &b);
	is_int(res.outcome, MERGE_TAKE, "equal HLC: the greater device id takes");
	is_int(res.conflict, 1, "...a conflict (base is not the held value)");
	is_str(res.loser_value, "from a", "...the smaller device's value loses");
	is_str(res.loser.device, "aaaa", "...loser stamp is device aaaa");
	is_str(res.winner.device, "bbbb", "...winner stamp is device bbbb");

	replica_init(&r);
	replica_hold(&r, 100, "bbbb", "from b");
	res = replica_apply(&r, &a);
	is_int(res.outcome, MERGE_KEEP, "equal HLC: the smaller device id is kept out");
	is_int(res.conflict, 1, "...and logged");
	is_str(r.value, "from b", "...the greater device's value stays");
	is_str(res.loser_value, "from a", "...loser value is the smaller device's");

	/* Byte-wise, not numeric or by length. */
	replica_init(&r);
	replica_hold(&r, 100, "9", "nine");
	{
		struct merge_entry e = entry(100, "10", 0, "", "ten");

		res = replica_apply(&r, &e);
		is_int(res.outcome, MERGE_KEEP,
		       "device ids compare byte-wise: \"10\" < \"9\"");
	}
	replica_init(&r);
	replica_hold(&r, 100, "abc", "short");
	{
		struct merge_entry e = entry(100, "abcd", 0, "", "long");

		res = replica_apply(&r, &e);
		is_int(res.outcome, MERGE_TAKE, "\"abcd\" > \"abc\" on an equal HLC");
	}
}

static void test_replay(void)
{
	struct replica r;
	struct merge_entry e = entry(300, "dev1", 0, "", "Mai");
	struct merge_entry odd = entry(300, "dev1", 7, "other", "Mai");
	struct applied res;

	replica_init(&r);
	replica_apply(&r, &e);
	res = replica_apply(&r, &e);
	is_int(res.outcome, MERGE_SAME, "replaying the held entry is MERGE_SAME");
	is_int(res.conflict, 0, "...with no conflict");
	ok(!res.has_sides,
	   "...and no conflict sides");
	is_int(r.nlog, 0, "...nothing logged");
	is_str(r.value, "Mai", "...the value is unchanged");

	res = replica_apply(&r, &odd);
	ok(res.outcome == MERGE_SAME && !res.conflict,
	   "the held stamp is MERGE_SAME whatever base it names");

	/* A replay of an entry that lost: still not a second log row. */
	{
		struct merge_entry old = entry(100, "dev2", 0, "", "Lan");

		replica_apply(&r, &old);
		replica_apply(&r, &old);
		replica_apply(&r, &old);
		is_int(r.nlog, 1, "replaying a losing entry logs it once");
		is_str(r.value, "Mai", "...and never makes it current");
	}
}

static void test_base_is_held(void)
{
	struct replica r;
	struct merge_entry e1 = entry(100, "dev1", 0, "", "v1");
	struct merge_entry e2 = entry(150, "dev2", 100, "dev1", "v2");
	struct merge_entry e3 = entry(151, "dev1", 150, "dev2", "v3");
	struct applied res;

	replica_init(&r);
	replica_apply(&r, &e1);
	res = replica_apply(&r, &e2);
	ok(res.outcome == MERGE_TAKE && !res.conflict,
	   "an entry whose base is the held stamp replaces it with no conflict");
	res = replica_apply(&r, &e3);
	ok(res.outcome == MERGE_TAKE && !res.conflict,
	   "...and again along a chain across devices");
	is_str(r.value, "v3", "the end of the chain is current");
	is_int(r.nlog, 0, "a causal chain logs nothing");

	/* Base names the same HLC as the held value but another device. */
	replica_init(&r);
	replica_hold(&r, 100, "dev1", "v1");
	{
		struct merge_entry e = entry(150, "dev2", 100, "dev3", "x");

		res = replica_apply(&r, &e);
		ok(res.outcome == MERGE_TAKE && res.conflict,
		   "a base with the held HLC but another device is concurrent");
	}
}

static void check_concurrent_pair(const char *order, struct replica *r)
{
	is_str(r->value, "Hòa", "%s: the greater stamp's value is current", order);
	ok(r->stamp.hlc == 120 && !strcmp(r->stamp.device, "dev2"),
	   "%s: with its stamp", order);
	is_int(r->nlog, 1, "%s: one conflict logged", order);
	if (r->nlog == 1) {
		ok(r->log[0].winner.hlc == 120 && !strcmp(r->log[0].winner.device, "dev2"),
		   "%s: conflict winner is dev2@120", order);
		ok(r->log[0].loser.hlc == 110 && !strcmp(r->log[0].loser.device, "dev1"),
		   "%s: conflict loser is dev1@110", order);
		is_str(r->log[0].winner_value, "Hòa", "%s: winner value", order);
		is_str(r->log[0].loser_value, "Hoà", "%s: loser value", order);
	}
}

static void test_concurrent(void)
{
	/* Both edit the value O that both had; neither saw the other. */
	struct merge_entry a = entry(110, "dev1", 100, "dev0", "Hoà");
	struct merge_entry b = entry(120, "dev2", 100, "dev0", "Hòa");
	struct applied res;
	struct replica r;

	replica_init(&r);
	replica_hold(&r, 100, "dev0", "Hoa");
	res = replica_apply(&r, &a);
	ok(res.outcome == MERGE_TAKE && !res.conflict, "A,B: A follows O cleanly");
	res = replica_apply(&r, &b);
	ok(res.outcome == MERGE_TAKE && res.conflict,
	   "A,B: B takes over A and reports a conflict");
	check_concurrent_pair("A,B", &r);

	replica_init(&r);
	replica_hold(&r, 100, "dev0", "Hoa");
	res = replica_apply(&r, &b);
	ok(res.outcome == MERGE_TAKE && !res.conflict, "B,A: B follows O cleanly");
	res = replica_apply(&r, &a);
	ok(res.outcome == MERGE_KEEP && res.conflict,
	   "B,A: A is kept out and reports a conflict");
	check_concurrent_pair("B,A", &r);
}

static void test_late_older(void)
{
	struct replica r;
	struct merge_entry newer = entry(500, "dev1", 0, "", "new");
	struct merge_entry late = entry(400, "dev2", 0, "", "late");
	struct applied res;

	replica_init(&r);
	replica_apply(&r, &newer);
	res = replica_apply(&r, &late);
	is_int(res.outcome, MERGE_KEEP, "an older entry arriving late is MERGE_KEEP");
	is_int(res.conflict, 1, "...and is logged");
	ok(log_find(&r, &late.stamp) != NULL, "...under its own stamp");
	is_str(r.value, "new", "...the newer value stays");
	is_str(r.log[0].loser_value, "late", "...the log keeps the late value");
	is_str(r.log[0].winner_value, "new", "...beside the value that won");
}

/* --- convergence over orders ---------------------------------------- */

struct set {
	const char *name;
	size_t n;
	struct merge_entry e[SET_MAX];
	/* held before any entry arrives (hlc 0: nothing) */
	fb_hlc init_hlc;
	const char *init_device, *init_value;
};

struct outcome_check {
	int ok_value, ok_log, ok_winners, ok_final_not_logged;
	char first_bad[160];
};

static int is_base_of_some(const struct set *s, const struct fb_stamp *st)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (stamp_eq(&s->e[i].base, st))
			return 1;
	return 0;
}

/* The entry with the greatest stamp, decided without merge_field. */
static const struct merge_entry *set_max(const struct set *s)
{
	const struct merge_entry *m = &s->e[0];
	size_t i;

	for (i = 1; i < s->n; i++)
		if (s->e[i].stamp.hlc > m->stamp.hlc ||
		    (s->e[i].stamp.hlc == m->stamp.hlc &&
		     strcmp(s->e[i].stamp.device, m->stamp.device) > 0))
			m = &s->e[i];
	return m;
}

static void run_order(const struct set *s, const size_t *order,
		      struct outcome_check *oc)
{
	const struct merge_entry *want = set_max(s);
	struct replica r;
	size_t i, j;

	replica_init(&r);
	if (s->init_hlc)
		replica_hold(&r, s->init_hlc, s->init_device, s->init_value);
	for (i = 0; i < s->n; i++)
		replica_apply(&r, &s->e[order[i]]);

	if (!r.present || !stamp_eq(&r.stamp, &want->stamp) ||
	    strcmp(r.value, want->value)) {
		if (oc->ok_value)
			snprintf(oc->first_bad, sizeof(oc->first_bad),
				 "value '%s' @%llu:%s, want '%s'", r.value ? r.value : "",
				 (unsigned long long)r.stamp.hlc, r.stamp.device,
				 want->value);
		oc->ok_value = 0;
	}
	/* Nothing anybody typed is lost: every value that no other entry
	 * replaced knowingly (named as its base) is current or logged. */
	for (i = 0; i < s->n; i++) {
		const struct merge_entry *e = &s->e[i];

		if (stamp_eq(&e->stamp, &r.stamp) || is_base_of_some(s, &e->stamp))
			continue;
		if (!log_find(&r, &e->stamp)) {
			if (oc->ok_log)
				snprintf(oc->first_bad, sizeof(oc->first_bad),
					 "value '%s' neither current nor logged",
					 e->value);
			oc->ok_log = 0;
		} else if (strcmp(log_find(&r, &e->stamp)->loser_value, e->value)) {
			oc->ok_log = 0;
		}
	}
	if (log_find(&r, &r.stamp))
		oc->ok_final_not_logged = 0;
	for (j = 0; j < r.nlog; j++)
		if (stamp_cmp(&r.log[j].winner, &r.log[j].loser) <= 0)
			oc->ok_winners = 0;
}

static int next_permutation(size_t *a, size_t n)
{
	size_t i, j, t;

	if (n < 2)
		return 0;
	i = n - 1;
	while (i > 0 && a[i - 1] >= a[i])
		i--;
	if (i == 0)
		return 0;
	j = n - 1;
	while (a[j] <= a[i - 1])
		j--;
	t = a[i - 1]; a[i - 1] = a[j]; a[j] = t;
	for (j = n - 1; i < j; i++, j--) {
		t = a[i]; a[i] = a[j]; a[j] = t;
	}
	return 1;
}

static void check_all_orders(const struct set *s)
{
	struct outcome_check oc = { 1, 1, 1, 1, "" };
	size_t order[SET_MAX], i, count = 0;

	for (i = 0; i < s->n; i++)
		order[i] = i;
	do {
		run_order(s, order, &oc);
		count++;
	} while (next_permutation(order, s->n));
	ok(oc.ok_value, "%s: all %zu orders end on '%s' with its stamp", s->name,
	   count, set_max(s)->value);
	if (!oc.ok_value || !oc.ok_log)
		printf("#   %s\n", oc.first_bad);
	ok(oc.ok_log, "%s: every value nobody replaced is current or logged, in all orders",
	   s->name);
	ok(oc.ok_winners, "%s: every logged winner orders after its loser", s->name);
	ok(oc.ok_final_not_logged, "%s: the final value is never logged as a loser",
	   s->name);
}

static void test_permutations(void)
{
	/* Three devices write on the same field without seeing anything. */
	struct set s3a = { "3 concurrent, 3 devices", 3, {
		entry(10, "dev1", 0, "", "a"),
		entry(20, "dev2", 0, "", "b"),
		entry(15, "dev3", 0, "", "c"),
	}, 0, NULL, NULL };
	/* A chain A <- B across devices, and C concurrent with both. */
	struct set s3b = { "chain + concurrent, 3 devices", 3, {
		entry(10, "dev1", 0, "", "a"),
		entry(30, "dev2", 10, "dev1", "b"),
		entry(20, "dev3", 0, "", "c"),
	}, 0, NULL, NULL };
	/* All on one HLC: device id decides. */
	struct set s3c = { "equal HLCs, 3 devices", 3, {
		entry(77, "dev2", 5, "dev0", "two"),
		entry(77, "dev3", 5, "dev0", "three"),
		entry(77, "dev1", 5, "dev0", "one"),
	}, 5, "dev0", "zero" };
	/* Two devices: O, then each edits O; then dev1 edits its own. */
	struct set s4a = { "fork of O, 2 devices", 4, {
		entry(10, "dev1", 0, "", "O"),
		entry(20, "dev1", 10, "dev1", "A"),
		entry(25, "dev2", 10, "dev1", "B"),
		entry(30, "dev1", 20, "dev1", "A2"),
	}, 0, NULL, NULL };
	/* The newest entry's base is the loser of an earlier conflict. */
	struct set s4b = { "merge on an old base, 3 devices", 4, {
		entry(40, "dev1", 1, "dev0", "x"),
		entry(40, "dev2", 1, "dev0", "y"),
		entry(41, "dev3", 40, "dev1", "z"),
		entry(39, "dev3", 1, "dev0", "w"),
	}, 1, "dev0", "start" };
	struct set s4c = { "4 concurrent on a held value, 2 devices", 4, {
		entry(100, "aa", 50, "init", "p"),
		entry(100, "ab", 50, "init", "q"),
		entry(101, "aa", 50, "init", "r"),
		entry(99, "ab", 50, "init", "s"),
	}, 50, "init", "i" };
	struct set s5a = { "5 entries, chains and forks, 3 devices", 5, {
		entry(10, "dev1", 0, "", "a"),
		entry(20, "dev2", 10, "dev1", "b"),
		entry(20, "dev3", 10, "dev1", "c"),
		entry(25, "dev1", 20, "dev3", "d"),
		entry(22, "dev2", 20, "dev2", "e"),
	}, 0, NULL, NULL };
	struct set s5b = { "5 concurrent with ties, 3 devices", 5, {
		entry(50, "dev1", 0, "", "v1"),
		entry(50, "dev2", 0, "", "v2"),
		entry(49, "dev3", 0, "", "v3"),
		entry(51, "dev1", 0, "", "v4"),
		entry(51, "dev3", 0, "", "v5"),
	}, 0, NULL, NULL };
	struct set s5c = { "5 entries, 2 devices, Vietnamese", 5, {
		entry(1000, "0a1b2c3d4e5f6071", 900, "0a1b2c3d4e5f6071", "Nguyễn Thị Hoa"),
		entry(1001, "f0e1d2c3b4a59687", 900, "0a1b2c3d4e5f6071", "Nguyễn Thị Hòa"),
		entry(1002, "0a1b2c3d4e5f6071", 1000, "0a1b2c3d4e5f6071", "Nguyễn Thị Hoà"),
		entry(1002, "f0e1d2c3b4a59687", 1001, "f0e1d2c3b4a59687", "Trần Thị Hòa"),
		entry(1003, "0a1b2c3d4e5f6071", 1002, "f0e1d2c3b4a59687", "Trần Thị Hoà"),
	}, 900, "0a1b2c3d4e5f6071", "Nguyen Thi Hoa" };

	check_all_orders(&s3a);
	check_all_orders(&s3b);
	check_all_orders(&s3c);
	check_all_orders(&s4a);
	check_all_orders(&s4b);
	check_all_orders(&s4c);
	check_all_orders(&s5a);
	check_all_orders(&s5b);
	check_all_orders(&s5c);
}

/* --- random orders of larger sets ----------------------------------- */

static uint64_t rng_state = RANDOM_SEED;

static uint64_t rng(void)
{
	/* xorshift64*: fixed seed, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static const char *const random_devices[] = {
	"1111111111111111", "2222222222222222", "aaaaaaaaaaaaaaaa"
};

/*
 * RANDOM_ENTRIES entries from three devices with dense HLCs (so ties
 * happen) and bases that are either nothing or an earlier entry.
 */
static void random_set(struct set *s, char values[][48], int k)
{
	size_t i, j;

	memset(s, 0, sizeof(*s));
	s->name = "random";
	s->n = RANDOM_ENTRIES;
	for (i = 0; i < s->n; i++) {
		struct merge_entry *e = &s->e[i];
		int unique;

		do {
			e->stamp = stamp(1 + rng() % 30, random_devices[rng() % 3]);
			unique = 1;
			for (j = 0; j < i; j++)
				if (stamp_eq(&s->e[j].stamp, &e->stamp))
					unique = 0;
		} while (!unique);
		memset(&e->base, 0, sizeof(e->base));
		if (i > 0 && rng() % 4 != 0) {
			const struct merge_entry *b = &s->e[rng() % i];

			if (stamp_cmp(&b->stamp, &e->stamp) < 0)
				e->base = b->stamp;
		}
		snprintf(values[i], sizeof(values[i]), "s%d-v%zu", k, i);
		e->value = values[i];
	}
}

static void test_random_orders(void)
{
	static char values[RANDOM_SETS][SET_MAX][48];
	struct set s;
	int k, t;

	for (k = 0; k < RANDOM_SETS; k++) {
		struct outcome_check oc = { 1, 1, 1, 1, "" };
		size_t order[SET_MAX], i, j, tmp;

		random_set(&s, values[k], k);
		for (t = 0; t < RANDOM_ORDERS; t++) {
			for (i = 0; i < s.n; i++)
				order[i] = i;
			for (i = s.n - 1; i > 0; i--) {
				j = rng() % (i + 1);
				tmp = order[i]; order[i] = order[j]; order[j] = tmp;
			}
			run_order(&s, order, &oc);
		}
		ok(oc.ok_value, "random set %d: %d orders of %d entries end on '%s'", k,
		   RANDOM_ORDERS, RANDOM_ENTRIES, set_max(&s)->value);
		if (!oc.ok_value || !oc.ok_log)
			printf("#   %s\n", oc.first_bad);
		ok(oc.ok_log, "random set %d: nothing nobody replaced is lost", k);
		ok(oc.ok_winners && oc.ok_final_not_logged,
		   "random set %d: log winners beat losers, final never a loser", k);
	}
}

/* --- edit against delete -------------------------------------------- */

static void test_edit_vs_delete_rule(void)
{
	struct fb_stamp del = stamp(100, "dddd");
	struct fb_stamp newer_other = stamp(101, "eeee");
	struct fb_stamp older_other = stamp(99, "eeee");
	struct fb_stamp newer_same = stamp(150, "dddd");
	struct fb_stamp tie_greater = stamp(100, "eeee");
	struct fb_stamp tie_smaller = stamp(100, "cccc");
	struct fb_stamp made = stamp(10, "dev0"), none = stamp(0, "");

	/* A delete of the previous release: no seen vector. */
	is_int(merge_edit_vs_delete(&newer_other, &del, NULL), 1,
	       "no vector: a newer edit by another device meets the delete");
	is_int(merge_edit_vs_delete(&older_other, &del, NULL), 0,
	       "no vector: an older edit by another device does not");
	is_int(merge_edit_vs_delete(&newer_same, &del, NULL), 0,
	       "no vector: a newer edit by the deleting device does not");
	is_int(merge_edit_vs_delete(&tie_greater, &del, NULL), 1,
	       "no vector: equal HLC, a greater device id is the newer edit");
	is_int(merge_edit_vs_delete(&tie_smaller, &del, NULL), 0,
	       "no vector: equal HLC, a smaller device id is the older edit");
	is_int(merge_edit_vs_delete(&del, &del, NULL), 0,
	       "no vector: the delete against itself: no");

	/* With the vector: what the deleter held decides, not the delete's stamp. */
	is_int(merge_edit_vs_delete(&older_other, &del, &made), 1,
	       "an edit older than the delete, which held an older value, meets it");
	is_int(merge_edit_vs_delete(&newer_other, &del, &made), 1,
	       "so does a newer one");
	is_int(merge_edit_vs_delete(&older_other, &del, &older_other), 0,
	       "an edit the delete lists as seen does not");
	is_int(merge_edit_vs_delete(&made, &del, &older_other), 0,
	       "nor an older value than the one it saw");
	is_int(merge_edit_vs_delete(&older_other, &del, &none), 1,
	       "a field the vector does not list: any value meets the delete");
	is_int(merge_edit_vs_delete(&newer_same, &del, &made), 1,
	       "a later value by the deleting device itself meets it too");
}

/*
 * A record of one field (name), `deleted` and a seen vector, replicated
 * as book_apply() does: each entry merges into its field (a delete's
 * vector, which lists name's stamp, merges like a field and logs
 * nothing); then, as merge_into() does, every open delete conflict is
 * settled and the one the state has is opened (again).
 */
struct rec_logged {
	struct fb_stamp loser, winner;
	int open;
};

struct rec_replica {
	struct replica name, deleted, seen;
	struct fb_stamp seen_name;      /* what the held vector lists */
	struct rec_logged log[LOG_MAX];
	size_t nlog;
};

struct rec_entry {
	int is_delete_field;
	struct merge_entry e;
	int has_seen;                   /* a delete with its vector */
	struct fb_stamp seen_name, seen_base;
};

static void rec_apply(struct rec_replica *r, const struct rec_entry *in)
{
	const struct fb_stamp *vector = NULL;
	size_t i;

	replica_apply(in->is_delete_field ? &r->deleted : &r->name, &in->e);
	if (in->has_seen) {
		struct merge_entry s = in->e;
		struct applied a;

		s.base = in->seen_base;
		s.value = "vector";
		a = replica_apply(&r->seen, &s);
		if (a.outcome == MERGE_TAKE)
			r->seen_name = in->seen_name;
		r->seen.nlog = 0;       /* a vector never logs */
	}
	for (i = 0; i < r->nlog; i++)
		r->log[i].open = 0;
	if (!r->deleted.present || strcmp(r->deleted.value, "1") || !r->name.present)
		return;
	if (r->seen.present && stamp_eq(&r->seen.stamp, &r->deleted.stamp))
		vector = &r->seen_name;
	if (!merge_edit_vs_delete(&r->name.stamp, &r->deleted.stamp, vector))
		return;
	for (i = 0; i < r->nlog && !stamp_eq(&r->log[i].loser, &r->name.stamp); i++)
		;
	if (i == r->nlog) {
		if (r->nlog == LOG_MAX)
			abort();
		r->log[r->nlog++].loser = r->name.stamp;
	}
	r->log[i].winner = r->deleted.stamp;
	r->log[i].open = 1;
}

static int rec_same_state(const struct rec_replica *a,
			  const struct rec_replica *b)
{
	return !strcmp(a->name.value, b->name.value) &&
	       !strcmp(a->deleted.value, b->deleted.value) &&
	       stamp_eq(&a->name.stamp, &b->name.stamp) &&
	       stamp_eq(&a->deleted.stamp, &b->deleted.stamp);
}

static size_t rec_open(const struct rec_replica *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nlog; i++)
		n += r->log[i].open;
	return n;
}

/* Same state and the same open delete conflicts, with the same winner. */
static int rec_same(const struct rec_replica *a, const struct rec_replica *b)
{
	size_t i, j;

	if (rec_open(a) != rec_open(b) || !rec_same_state(a, b))
		return 0;
	for (i = 0; i < a->nlog; i++) {
		if (!a->log[i].open)
			continue;
		for (j = 0; j < b->nlog; j++)
			if (b->log[j].open && stamp_eq(&a->log[i].loser, &b->log[j].loser) &&
			    stamp_eq(&a->log[i].winner, &b->log[j].winner))
				break;
		if (j == b->nlog)
			return 0;
	}
	return 1;
}

static void rec_run(const struct rec_entry *es, size_t n, const size_t *order,
		    struct rec_replica *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	/* Both fields were written by dev0 when the record was made. */
	replica_hold(&r->name, 10, "dev0", "Lan");
	replica_hold(&r->deleted, 10, "dev0", "0");
	for (i = 0; i < n; i++)
		rec_apply(r, &es[order[i]]);
}

static struct rec_entry rec_delete(fb_hlc hlc, const char *device, fb_hlc base,
				   const char *base_device, fb_hlc seen,
				   const char *seen_device)
{
	struct rec_entry d;

	memset(&d, 0, sizeof(d));
	d.is_delete_field = 1;
	d.e = entry(hlc, device, base, base_device, "1");
	d.has_seen = 1;
	d.seen_name = stamp(seen, seen_device);
	return d;
}

static struct rec_entry rec_edit(fb_hlc hlc, const char *device, fb_hlc base,
				 const char *base_device, const char *value)
{
	struct rec_entry e;

	memset(&e, 0, sizeof(e));
	e.e = entry(hlc, device, base, base_device, value);
	return e;
}

/* Every order of es: the same state and open log as the first; *last is it. */
static int rec_all_orders(const struct rec_entry *es, size_t n,
			  struct rec_replica *last)
{
	size_t order[SET_MAX], i;
	struct rec_replica first;
	int same = 1;

	for (i = 0; i < n; i++)
		order[i] = i;
	rec_run(es, n, order, &first);
	do {
		rec_run(es, n, order, last);
		if (!rec_same(last, &first))
			same = 0;
	} while (next_permutation(order, n));
	return same;
}

static void test_edit_vs_delete_orders(void)
{
	struct rec_entry legacy_newer[2], legacy_older[2], older[2], newer[2], saw[2],
			 restore[3], redelete[3];
	struct rec_replica r;

	/* Deletes of the previous release, without a vector. */
	legacy_newer[0] = rec_edit(100, "dddd", 10, "dev0", "1");
	legacy_newer[0].is_delete_field = 1;
	legacy_newer[1] = rec_edit(120, "eeee", 10, "dev0", "Lan Anh");
	legacy_older[0] = legacy_newer[0];
	legacy_older[1] = rec_edit(80, "eeee", 10, "dev0", "Lan Anh");
	ok(rec_all_orders(legacy_newer, 2, &r),
	   "no vector, newer edit vs delete: same state and open log in both orders");
	is_str(r.deleted.value, "1", "...the record stays deleted");
	is_str(r.name.value, "Lan Anh", "...the edit's value is kept in the record");
	ok(rec_open(&r) == 1 && r.log[0].loser.hlc == 120, "...and logged against the delete");
	ok(rec_all_orders(legacy_older, 2, &r) && rec_open(&r) == 0,
	   "no vector, older edit: same in both orders, nothing logged (the old rule)");

	/* The delete lists name as made (10): it never saw the edit. */
	older[0] = rec_delete(100, "dddd", 10, "dev0", 10, "dev0");
	older[1] = rec_edit(80, "eeee", 10, "dev0", "Lan Anh");
	ok(rec_all_orders(older, 2, &r), "older edit vs a delete that never saw it:"
	   " same state and open log in both orders");
	ok(rec_open(&r) == 1 && r.log[0].loser.hlc == 80 && r.log[0].winner.hlc == 100,
	   "...the edit is logged against the delete");
	is_str(r.name.value, "Lan Anh", "...and its value is kept for a restore");
	newer[0] = older[0];
	newer[1] = rec_edit(120, "eeee", 10, "dev0", "Lan Anh");
	ok(rec_all_orders(newer, 2, &r) && rec_open(&r) == 1,
	   "a newer edit the delete never saw: logged in both orders");

	/* The delete lists the edit: it saw it, then deleted. */
	saw[0] = rec_delete(100, "dddd", 10, "dev0", 80, "eeee");
	saw[1] = older[1];
	ok(rec_all_orders(saw, 2, &r) && rec_open(&r) == 0,
	   "a delete that saw the edit: nothing logged in either order");

	/* A restore (which saw the delete) settles it, in all 6 orders. */
	restore[0] = older[0];
	restore[1] = older[1];
	restore[2] = rec_edit(130, "dddd", 100, "dddd", "0");
	restore[2].is_delete_field = 1;
	ok(rec_all_orders(restore, 3, &r), "delete, older edit, restore: the same state"
	   " and open log in all 6 orders");
	ok(!strcmp(r.deleted.value, "0") && !strcmp(r.name.value, "Lan Anh") &&
	   rec_open(&r) == 0, "...restored with the edit's value, nothing open");

	/* Two deletes: the later one saw the edit, the first did not. */
	redelete[0] = older[0];
	redelete[1] = older[1];
	redelete[2] = rec_delete(140, "ffff", 10, "dev0", 80, "eeee");
	ok(rec_all_orders(redelete, 3, &r) && rec_open(&r) == 0,
	   "a later delete that saw the edit wins: nothing open in all 6 orders");
	redelete[2] = rec_delete(90, "ffff", 10, "dev0", 80, "eeee");
	ok(rec_all_orders(redelete, 3, &r) && rec_open(&r) == 1 &&
	   r.log[0].winner.hlc == 100,
	   "an earlier delete saw it, the winning one did not: open in all 6 orders");
}

int main(void)
{
	test_stamp_order();
	test_first_value();
	test_higher_hlc_wins();
	test_tie_by_device();
	test_replay();
	test_base_is_held();
	test_concurrent();
	test_late_older();
	test_permutations();
	test_random_orders();
	test_edit_vs_delete_rule();
	test_edit_vs_delete_orders();
	return tap_done();
}
