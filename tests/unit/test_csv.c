/*
 * test_csv.c - the CSV reader and writer.
 *
 * Every input is read from a heap copy of exactly its length, so that
 * AddressSanitizer catches any read past r->end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "tap.h"

#define ROUNDTRIP_ITERATIONS 2000
#define ROUNDTRIP_SEED       20240601u
#define RANDOM_RECORDS_MAX   3
#define RANDOM_FIELDS_MAX    6
#define RANDOM_SYMBOLS_MAX   8
#define RANDOM_FIELD_BYTES   (RANDOM_SYMBOLS_MAX * 3 + 1)

static char *copy_exact(const char *text, size_t len)
{
	char *p = malloc(len ? len : 1);

	if (!p)
		abort();
	if (len)
		memcpy(p, text, len);
	return p;
}

static char *detach_str(struct fb_buf *b)
{
	char *s = buf_detach(b, NULL);

	if (!s) {
		s = malloc(1);
		if (!s)
			abort();
		s[0] = '\0';
	}
	return s;
}

/*
 * Read all of text[0..len) and describe it: "LINE:f1|f2\n" per record,
 * then "<strerror>: <msg>" if reading failed, or "LOOP" if the reader
 * returned more records than there are bytes.  The caller frees it.
 */
static char *dump_n(const char *text, size_t len)
{
	struct fb_buf out = FB_BUF_INIT(0);
	struct csv_reader r;
	struct fb_error err;
	char *copy = copy_exact(text, len);
	size_t i, rounds;
	enum fb_code rc;

	fb_error_clear(&err);
	csv_reader_init(&r, copy, len);
	for (rounds = 0; rounds <= len + 1; rounds++) {
		rc = csv_read_record(&r, &err);
		if (rc != FB_OK) {
			buf_printf(&out, "%s: %s", fb_strerror(rc), err.msg);
			break;
		}
		if (!r.nfields)
			break;
		buf_printf(&out, "%lu:", r.rec_line);
		for (i = 0; i < r.nfields; i++)
			buf_printf(&out, "%s%s", i ? "|" : "", r.fields[i]);
		buf_addc(&out, '\n');
	}
	if (rounds > len + 1)
		buf_adds(&out, "LOOP");
	csv_reader_release(&r);
	free(copy);
	return detach_str(&out);
}

#define check_n(text, len, want, ...) do { \
	char *d_ = dump_n((text), (len)); \
	is_str(d_, (want), __VA_ARGS__); \
	free(d_); \
} while (0)

#define check(text, want, ...) \
	check_n((text), strlen(text), (want), __VA_ARGS__)

/*
 * Read text[0..len) to its end.  Returns 1 if the reader stopped within
 * len + 1 calls, with success or an error that names its line.
 */
static int reads_to_end(const char *text, size_t len)
{
	struct csv_reader r;
	struct fb_error err;
	char *copy = copy_exact(text, len);
	size_t rounds;
	enum fb_code rc = FB_OK;
	int good = 0;

	fb_error_clear(&err);
	csv_reader_init(&r, copy, len);
	for (rounds = 0; rounds <= len + 1; rounds++) {
		rc = csv_read_record(&r, &err);
		if (rc != FB_OK || !r.nfields)
			break;
	}
	if (rounds <= len + 1)
		good = rc == FB_OK || strncmp(err.msg, "line ", 5) == 0;
	csv_reader_release(&r);
	free(copy);
	return good;
}

static void test_simple(void)
{
	check("a,b,c\r\nd,e,f\r\n", "1:a|b|c\n2:d|e|f\n", "CRLF records");
	check("a,b\nc,d\n", "1:a|b\n2:c|d\n", "LF records");
	check("a,b\r\nc,d\ne\r\n", "1:a|b\n2:c|d\n3:e\n", "mixed line ends");
	check("a\rb\r", "1:a\n2:b\n", "bare CR ends a line");
	check("one\n", "1:one\n", "one field");
	check("  a b  ,c\n", "1:  a b  |c\n", "spaces kept in unquoted fields");
	check("", "", "empty input has no records");
}

static void test_null_input(void)
{
	struct csv_reader r;
	struct fb_error err;

	csv_reader_init(&r, NULL, 0);
	is_int(csv_read_record(&r, &err), FB_OK, "NULL input reads");
	is_int(r.nfields, 0, "as end of input");
	csv_reader_release(&r);
}

static void test_quoted(void)
{
	check("\"a,b\",c\n", "1:a,b|c\n", "quoted comma");
	check("\"say \"\"hi\"\"\",x\n", "1:say \"hi\"|x\n", "doubled quotes");
	check("\"\"\"\"\n", "1:\"\n", "field of one quote");
	check("\"\",a\n", "1:|a\n", "quoted empty field");
	check("\"\"\n", "1:\n", "lone quoted empty field is a record");
	check("\"l1\r\nl2\",z\r\nnext\r\n", "1:l1\r\nl2|z\n3:next\n",
	      "CRLF inside quotes");
	check("\"l1\nl2\nl3\",z\nnext\n", "1:l1\nl2\nl3|z\n4:next\n",
	      "LF inside quotes");
	check("\"a\rb\",c\nd\n", "1:a\rb|c\n3:d\n", "bare CR inside quotes");
	check("\" lead\",\"trail \"\n", "1: lead|trail \n", "quoted spaces");
	check("x,\"y\"", "1:x|y\n", "quoted last field without newline");
}

static void test_empty_fields(void)
{
	struct csv_reader r;
	struct fb_error err;
	char *copy = copy_exact("a,b,\n", 5);

	check(",,\n", "1:||\n", "only commas");
	check("a,,b\n", "1:a||b\n", "empty middle field");
	check(",a\n", "1:|a\n", "empty first field");
	check("a,b,\n", "1:a|b|\n", "trailing empty field");
	check("a,b,", "1:a|b|\n", "trailing empty field at end of input");

	csv_reader_init(&r, copy, 5);
	is_int(csv_read_record(&r, &err), FB_OK, "a,b, reads");
	is_int(r.nfields, 3, "a,b, has 3 fields");
	is_str(r.fields[2], "", "third field is empty");
	is_int(csv_read_record(&r, &err), FB_OK, "then end of input");
	is_int(r.nfields, 0, "with no fields");
	csv_reader_release(&r);
	free(copy);
}

static void test_line_ends(void)
{
	check("a,b\nc,d", "1:a|b\n2:c|d\n", "missing final newline");
	check("a\r\n\r\n", "1:a\n", "empty line at the end");
	check("\n\r\na\n\n\r\nb\r\n\n", "3:a\n6:b\n", "empty lines skipped");
	check("\r\n\n\r", "", "only empty lines");
	check("a\n\r\rb", "1:a\n4:b\n", "bare CRs are lines too");
}

static void test_bom(void)
{
	check("\xEF\xBB\xBFname,x\r\n", "1:name|x\n", "BOM skipped");
	check("\xEF\xBB\xBF", "", "BOM only");
	check("\xEF\xBB\xBF\"q\"\n", "1:q\n", "quote right after BOM");
	check("a\n\xEF\xBB\xBF" "b\n", "1:a\n2:\xEF\xBB\xBF" "b\n",
	      "BOM later is data");
	check("\xEF\xBBx\n", "1:\xEF\xBBx\n", "half a BOM is data");
}

static void test_line_numbers(void)
{
	static const char text[] =
		"h1,h2\n"
		"\"multi\nline\nnote\",x\n"
		"after,1\n"
		"\"a\r\nb\",c\r\n"
		"last,2\r\n";
	struct csv_reader r;
	struct fb_error err;
	char *copy = copy_exact(text, sizeof(text) - 1);

	check(text,
	      "1:h1|h2\n2:multi\nline\nnote|x\n5:after|1\n"
	      "6:a\r\nb|c\n8:last|2\n",
	      "records after multi-line quoted fields start on the right line");

	csv_reader_init(&r, copy, sizeof(text) - 1);
	while (csv_read_record(&r, &err) == FB_OK && r.nfields)
		;
	is_int(r.line, 9, "line counts every physical line");
	csv_reader_release(&r);
	free(copy);
}

static void test_errors(void)
{
	check("a,b\nc,d\n\"open,\nx\ny\n",
	      "1:a|b\n2:c|d\nbad data: line 3: unterminated quoted field",
	      "unterminated quote names the line it opened on");
	check("x,\"abc", "bad data: line 1: unterminated quoted field",
	      "unterminated at end of input");
	check("\"", "bad data: line 1: unterminated quoted field",
	      "lone quote");
	check("\"ab\"\"", "bad data: line 1: unterminated quoted field",
	      "input ends on a doubled quote");
	check("ok\nok\nab\"c,d\n",
	      "1:ok\n2:ok\nbad data: line 3: quote inside unquoted field",
	      "quote inside unquoted field");
	check("\"a\nb\",c\"d\n",
	      "bad data: line 2: quote inside unquoted field",
	      "quote inside unquoted field on the second line of a record");
	check("x\ny\n\"abc\"d,e\n",
	      "1:x\n2:y\nbad data: line 3: text after closing quote",
	      "text after closing quote");
	check("\"a\" ,b\n", "bad data: line 1: text after closing quote",
	      "space after closing quote");
	check("1\n2\n3\n\"a\nb\"c\n",
	      "1:1\n2:2\n3:3\nbad data: line 5: text after closing quote",
	      "text after a multi-line closing quote");
	check_n("a\nb\0c\n", 6, "1:a\nbad data: line 2: NUL byte",
		"NUL in unquoted field");
	check_n("\"a\n\0\"\n", 6, "bad data: line 2: NUL byte",
		"NUL in quoted field");
	check_n("x\n\"a\"\0\n", 7, "1:x\nbad data: line 2: NUL byte",
		"NUL after closing quote");
}

static void test_stops_after_error(void)
{
	static const char text[] = "a\"b\nfine\n";
	struct csv_reader r;
	struct fb_error err;
	char *copy = copy_exact(text, sizeof(text) - 1);

	csv_reader_init(&r, copy, sizeof(text) - 1);
	is_int(csv_read_record(&r, &err), FB_EINVAL, "error is FB_EINVAL");
	is_int(err.code, FB_EINVAL, "err carries the code");
	is_int(r.nfields, 0, "no fields after an error");
	is_int(csv_read_record(&r, &err), FB_OK, "next read is end of input");
	is_int(r.nfields, 0, "with no fields");
	csv_reader_release(&r);
	free(copy);
}

/*
 * "h\n" then a record of n bytes of x, then a tail.  quoted: 0 none,
 * 1 the first and last bytes are quotes, 2 only the first is.
 */
static char *long_record(size_t n, int quoted, const char *tail, size_t *len)
{
	size_t tlen = strlen(tail);
	char *s = malloc(2 + n + tlen + 1);

	if (!s)
		abort();
	memcpy(s, "h\n", 2);
	memset(s + 2, 'x', n);
	if (quoted)
		s[2] = '"';
	if (quoted == 1)
		s[2 + n - 1] = '"';
	memcpy(s + 2 + n, tail, tlen + 1);
	*len = 2 + n + tlen;
	return s;
}

static void check_long(size_t n, int quoted, const char *tail,
		       enum fb_code want, const char *name)
{
	struct csv_reader r;
	struct fb_error err;
	size_t len;
	char *text = long_record(n, quoted, tail, &len);
	char *copy = copy_exact(text, len);
	enum fb_code rc;
	size_t want_len = quoted ? n - 2 : n;

	fb_error_clear(&err);
	csv_reader_init(&r, copy, len);
	csv_read_record(&r, &err);
	rc = csv_read_record(&r, &err);
	is_int(rc, want, "%s: code", name);
	if (want == FB_OK) {
		ok(r.nfields >= 1 && strlen(r.fields[0]) == want_len,
		   "%s: whole field read", name);
	} else {
		is_str(err.msg, "line 2: record longer than 65536 bytes",
		       "%s: message", name);
	}
	csv_reader_release(&r);
	free(copy);
	free(text);
}

static void test_caps(void)
{
	check_long(FB_CSV_LINE_MAX, 0, "\n", FB_OK, "record of the cap");
	check_long(FB_CSV_LINE_MAX, 0, "", FB_OK, "cap-sized record at end");
	check_long(FB_CSV_LINE_MAX, 0, "\r\n", FB_OK, "cap-sized record, CRLF");
	check_long(FB_CSV_LINE_MAX, 1, "\n", FB_OK, "quoted record of the cap");
	check_long(FB_CSV_LINE_MAX + 1, 0, "\n", FB_ETOOBIG, "one byte over");
	check_long(FB_CSV_LINE_MAX + 1, 0, "", FB_ETOOBIG, "over at end");
	check_long(FB_CSV_LINE_MAX, 0, ",", FB_ETOOBIG, "comma over the cap");
	check_long(FB_CSV_LINE_MAX + 1, 1, "\n", FB_ETOOBIG, "quoted over");
	check_long(FB_CSV_LINE_MAX, 1, "\"\n", FB_ETOOBIG,
		   "doubled quote across the cap");
	check_long(FB_CSV_LINE_MAX * 4, 1, "", FB_ETOOBIG,
		   "quoted field far over the cap");
	check_long(FB_CSV_LINE_MAX * 4, 2, "", FB_ETOOBIG,
		   "unterminated quote far over the cap");
}

/* n fields "f0,f1,..." on line line_no, after blank-free filler lines. */
static char *many_fields(size_t n, unsigned line_no, size_t *len)
{
	struct fb_buf b = FB_BUF_INIT(0);
	size_t i;
	unsigned l;

	for (l = 1; l < line_no; l++)
		buf_printf(&b, "l%u\n", l);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%sf%zu", i ? "," : "", i);
	buf_adds(&b, "\n");
	*len = b.len;
	return detach_str(&b);
}

static void test_fields_cap(void)
{
	struct csv_reader r;
	struct fb_error err;
	size_t len;
	char *text, *copy;
	char *d;

	text = many_fields(FB_CSV_FIELDS_MAX, 1, &len);
	copy = copy_exact(text, len);
	csv_reader_init(&r, copy, len);
	is_int(csv_read_record(&r, &err), FB_OK, "64 fields read");
	is_int(r.nfields, FB_CSV_FIELDS_MAX, "all 64 of them");
	is_str(r.fields[FB_CSV_FIELDS_MAX - 1], "f63", "last one intact");
	is_str(r.fields[0], "f0", "first one intact after the store grew");
	csv_reader_release(&r);
	free(copy);
	free(text);

	text = many_fields(FB_CSV_FIELDS_MAX + 1, 9, &len);
	d = dump_n(text, len);
	ok(strstr(d, "over a limit: line 9: more than 64 fields") != NULL,
	   "65 fields on line 9 refused");
	free(d);
	free(text);

	text = many_fields(FB_CSV_FIELDS_MAX, 1, &len);
	text[len - 1] = ',';
	check_n(text, len, "over a limit: line 1: more than 64 fields",
		"64 fields and a trailing comma refused");
	free(text);
}

static void test_writer(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "mid space", "mid space" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "\"", "\"\"\"\"" },
		{ " lead", "\" lead\"" },
		{ "trail ", "\"trail \"" },
		{ " ", "\" \"" },
		{ "l1\nl2", "\"l1\nl2\"" },
		{ "l1\r\nl2", "\"l1\r\nl2\"" },
		{ "cr\r", "\"cr\r\"" },
		{ "Nguyễn", "Nguyễn" },
	};
	static const char *const rec[] = { "a", "b c", "d,e" };
	static const char *const empty1[] = { "" };
	static const char *const empty2[] = { "", "" };
	struct fb_buf b = FB_BUF_INIT(0);
	struct fb_buf small = FB_BUF_INIT(8);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		is_int(csv_write_field(&b, cases[i].in, 1), FB_OK,
		       "write field %zu", i);
		is_str(buf_str(&b), cases[i].out, "field %zu as expected", i);
	}

	buf_reset(&b);
	csv_write_field(&b, "x", 1);
	csv_write_field(&b, "y", 0);
	is_str(buf_str(&b), "x,y", "comma before a field that is not first");

	buf_reset(&b);
	is_int(csv_write_record(&b, rec, 3), FB_OK, "write record");
	is_str(buf_str(&b), "a,b c,\"d,e\"\r\n", "record ends with CRLF");

	buf_reset(&b);
	csv_write_record(&b, empty1, 1);
	is_str(buf_str(&b), "\"\"\r\n", "lone empty field is quoted");
	check(buf_str(&b), "1:\n", "and reads back as one empty field");

	buf_reset(&b);
	csv_write_record(&b, empty2, 2);
	is_str(buf_str(&b), ",\r\n", "two empty fields");

	buf_adds(&small, "ab");
	is_int(csv_write_field(&small, "cd,ef", 0), FB_ETOOBIG,
	       "field over the buffer cap");
	is_str(buf_str(&small), "ab", "buffer unchanged after failed field");
	is_int(csv_write_record(&small, rec, 3), FB_ETOOBIG,
	       "record over the buffer cap");
	is_str(buf_str(&small), "ab", "buffer unchanged after failed record");
	is_int(small.len, 2, "length unchanged too");

	buf_release(&small);
	buf_release(&b);
}

/* Write records, read them back, compare.  Returns 1 if all match. */
static int roundtrip(const char *const *const *recs, const size_t *counts,
		     size_t nrecs, int show)
{
	struct fb_buf out = FB_BUF_INIT(0);
	struct csv_reader r;
	struct fb_error err;
	char *copy = NULL;
	size_t i, j;
	int good = 0;

	for (i = 0; i < nrecs; i++)
		if (csv_write_record(&out, recs[i], counts[i]) != FB_OK)
			goto out;
	copy = copy_exact(buf_str(&out), out.len);
	csv_reader_init(&r, copy, out.len);
	for (i = 0; i < nrecs; i++) {
		if (csv_read_record(&r, &err) != FB_OK) {
			if (show)
				printf("# read error: %s\n", err.msg);
			goto release;
		}
		if (r.nfields != counts[i])
			goto release;
		for (j = 0; j < counts[i]; j++)
			if (strcmp(r.fields[j], recs[i][j]))
				goto release;
	}
	good = csv_read_record(&r, &err) == FB_OK && r.nfields == 0;
release:
	csv_reader_release(&r);
out:
	if (!good && show)
		printf("# written: '%s'\n", buf_str(&out));
	free(copy);
	buf_release(&out);
	return good;
}

static void test_vietnamese(void)
{
	static const char *const names[] = {
		"Nguyễn Thị Hồng Nhung", "Phòng chống bạo lực gia đình",
		"Hà Nội, Việt Nam", "\"Đồng ý\" – đã ký", " Trần Văn Ơn ",
	};
	static const char *const header[] = { "họ tên", "chủ đề" };
	const char *const *recs[] = { header, names };
	size_t counts[] = { 2, 5 };
	struct fb_buf out = FB_BUF_INIT(0);

	ok(roundtrip(recs, counts, 2, 1), "Vietnamese text round-trips");
	csv_write_record(&out, names, 2);
	is_str(buf_str(&out),
	       "Nguyễn Thị Hồng Nhung,Phòng chống bạo lực gia đình\r\n",
	       "Vietnamese text needs no quotes");
	buf_release(&out);
}

/*
 * A sample with every construct; reading any prefix of it, or it with
 * one byte replaced, must end (with records or an error) and stay
 * inside the buffer.
 */
static void test_truncated_and_mutated(void)
{
	static const char sample[] =
		"\xEF\xBB\xBFid,name,note\r\n"
		"1,\"Nguyễn Thị Hồng Nhung\",\"say \"\"hi\"\"\r\nline2\"\r\n"
		"\r\n"
		"2,,\"a,b\"\n"
		"3,x,\"\"\r"
		"4,\"\n\",\"\"\"\"";
	static const char swaps[] = { '"', ',', '\r', '\n', '\0', 'x' };
	size_t len = sizeof(sample) - 1, i, k;
	size_t bad_prefix = 0, bad_mutant = 0;
	char *d, *m;

	d = dump_n(sample, len);
	is_str(d, "1:id|name|note\n"
		  "2:1|Nguyễn Thị Hồng Nhung|say \"hi\"\r\nline2\n"
		  "5:2||a,b\n"
		  "6:3|x|\n"
		  "7:4|\n|\"\n",
	       "whole sample reads");
	free(d);

	for (i = 0; i <= len; i++)
		if (!reads_to_end(sample, i))
			bad_prefix++;
	ok(!bad_prefix, "all %zu prefixes read to an end", len + 1);

	m = copy_exact(sample, len);
	for (i = 0; i < len; i++) {
		for (k = 0; k < sizeof(swaps); k++) {
			char was = m[i];

			m[i] = swaps[k];
			if (!reads_to_end(m, len))
				bad_mutant++;
			m[i] = was;
		}
	}
	ok(!bad_mutant, "all %zu one-byte mutants read to an end",
	   len * sizeof(swaps));
	free(m);
}

static uint32_t rng_state = ROUNDTRIP_SEED;

/* xorshift32: the same sequence on every platform. */
static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void test_random_roundtrip(void)
{
	static const char *const alphabet[] = {
		"a", "b", ",", "\"", "\r", "\n", " ", "ễ",
	};
	const size_t nsym = sizeof(alphabet) / sizeof(alphabet[0]);
	char text[RANDOM_RECORDS_MAX][RANDOM_FIELDS_MAX][RANDOM_FIELD_BYTES];
	const char *fields[RANDOM_RECORDS_MAX][RANDOM_FIELDS_MAX];
	const char *const *recs[RANDOM_RECORDS_MAX];
	size_t counts[RANDOM_RECORDS_MAX];
	size_t it, i, j, k, nrecs, nsyms;
	int failures = 0;

	for (it = 0; it < ROUNDTRIP_ITERATIONS; it++) {
		nrecs = 1 + rng() % RANDOM_RECORDS_MAX;
		for (i = 0; i < nrecs; i++) {
			counts[i] = 1 + rng() % RANDOM_FIELDS_MAX;
			for (j = 0; j < counts[i]; j++) {
				text[i][j][0] = '\0';
				nsyms = rng() % (RANDOM_SYMBOLS_MAX + 1);
				for (k = 0; k < nsyms; k++)
					strcat(text[i][j],
					       alphabet[rng() % nsym]);
				fields[i][j] = text[i][j];
			}
			recs[i] = fields[i];
		}
		if (!roundtrip(recs, counts, nrecs, failures == 0))
			failures++;
	}
	is_int(failures, 0, "%d random records round-trip",
	       ROUNDTRIP_ITERATIONS);
}

int main(void)
{
	test_simple();
	test_null_input();
	test_quoted();
	test_empty_fields();
	test_line_ends();
	test_bom();
	test_line_numbers();
	test_errors();
	test_stops_after_error();
	test_caps();
	test_fields_cap();
	test_writer();
	test_vietnamese();
	test_truncated_and_mutated();
	test_random_roundtrip();
	return tap_done();
}
