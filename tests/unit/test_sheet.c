/*
 * test_sheet.c - spreadsheets saved as text (sheet.h): encodings,
 * separators (csv_guess_sep), header labels and --map.
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "sheet.h"
#include "tap.h"

/* Decode len bytes; the text (or NULL on failure) into *text. */
static enum fb_code decode(const char *data, size_t len, enum sheet_encoding *enc,
			   char **text, struct fb_error *err)
{
	struct fb_buf out = FB_BUF_INIT(1 << 20);
	enum fb_code rc = sheet_decode(data, len, "f.csv", &out, enc, err);

	*text = rc == FB_OK ? buf_detach(&out, NULL) : NULL;
	buf_release(&out);
	return rc;
}

static void decodes(const char *what, const char *data, size_t len,
		    enum sheet_encoding want_enc, const char *want)
{
	enum sheet_encoding enc = SHEET_UTF8;
	struct fb_error err = { 0, "" };
	char *text = NULL;
	enum fb_code rc = decode(data, len, &enc, &text, &err);

	ok(rc == FB_OK, "%s: decoded (%s)", what, err.msg);
	is_str(sheet_encoding_name(enc), sheet_encoding_name(want_enc), "%s: found %s", what,
	       sheet_encoding_name(want_enc));
	is_str(text, want, "%s: the text, NFC", what);
	free(text);
}

static void refuses(const char *what, const char *data, size_t len, const char *part)
{
	struct fb_error err = { 0, "" };
	char *text = NULL;
	enum fb_code rc = decode(data, len, NULL, &text, &err);

	ok(rc == FB_EINVAL && !text, "%s: refused", what);
	ok(strstr(err.msg, part) && strstr(err.msg, "save it as CSV UTF-8"),
	   "%s: the message says '%s' and how to save CSV UTF-8 (%s)", what, part, err.msg);
	free(text);
}

/* "Họ và tên" as the encodings write it. */
#define HO_NFC "H\xe1\xbb\x8d v\xc3\xa0 t\xc3\xaan"

static void test_decode(void)
{
	static const char u16le[] = "\xff\xfe" "H\0\xcd\x1e \0v\0\xe0\0 \0t\0\xea\0n\0";
	static const char u16be[] = "\xfe\xff" "\0H\x1e\xcd\0 \0v\0\xe0\0 \0t\0\xea\0n";
	static const char u16nobom[] = "H\0\xcd\x1e \0v\0\xe0\0 \0t\0\xea\0n\0";
	/* Windows-1258: o + combining dot below (F2), a + grave (CC)... */
	static const char cp[] = "Ho\xf2 va\xcc t\xean";
	/* Decomposed UTF-8 becomes NFC. */
	static const char nfd[] = "Ho\xcc\xa3 va\xcc\x80 te\xcc\x82n";

	decodes("UTF-8", HO_NFC, strlen(HO_NFC), SHEET_UTF8, HO_NFC);
	decodes("UTF-8 with BOM", "\xef\xbb\xbf" HO_NFC, strlen(HO_NFC) + 3, SHEET_UTF8_BOM,
		HO_NFC);
	decodes("UTF-8 in NFD", nfd, strlen(nfd), SHEET_UTF8, HO_NFC);
	decodes("UTF-16LE with BOM", u16le, sizeof(u16le) - 1, SHEET_UTF16LE, HO_NFC);
	decodes("UTF-16BE with BOM", u16be, sizeof(u16be) - 1, SHEET_UTF16BE, HO_NFC);
	decodes("UTF-16LE without BOM", u16nobom, sizeof(u16nobom) - 1, SHEET_UTF16LE, HO_NFC);
	decodes("Windows-1258", cp, strlen(cp), SHEET_CP1258, HO_NFC);
	decodes("Windows-1258 en dash and đồng sign", "2022\x96" "2027 \xfe", 11,
		SHEET_CP1258, "2022\xe2\x80\x93" "2027 \xe2\x82\xab");
	decodes("ASCII", "a,b\r\n", 5, SHEET_UTF8, "a,b\r\n");
	decodes("empty", "", 0, SHEET_UTF8, "");

	refuses("a workbook (.xlsx)", "PK\x03\x04rest", 8, "is a workbook");
	refuses("a workbook (.xls)", "\xd0\xcf\x11\xe0rest", 8, "is a workbook");
	refuses("UTF-32", "\xff\xfe\0\0H\0\0\0", 8, "UTF-32");
	/* TCVN3 (a font encoding): its letters are symbols in Windows-1258. */
	refuses("TCVN3", "H\xe4 v\xb5 t\xaan", 8, "is not UTF-8 (line 1: byte 0xE4)");
	refuses("Windows-1258 with a letter Vietnamese has not", "Stra\xdf" "e", 6,
		"is not UTF-8");
	refuses("binary", "a\0b\0\0\0c", 7, "byte 0x00");
	refuses("UTF-8 BOM then bad bytes", "\xef\xbb\xbf" "a\xff", 5, "is not valid UTF-8");
}

static void sep_is(const char *what, const char *data, char want)
{
	char got = csv_guess_sep(data, strlen(data));

	ok(got == want, "separator of %s: '%c' (got '%c')", what, want == '\t' ? 'T' : want,
	   got == '\t' ? 'T' : got);
}

static void test_sep(void)
{
	sep_is("a comma file", "a,b,c\n1,2,3\n", ',');
	sep_is("a semicolon file", "a;b;c\n1;2;3\n", ';');
	sep_is("a tab file", "a\tb\tc\n1\t2\t3\n", '\t');
	sep_is("semicolons with commas in cells", "Họ tên;Ghi chú\nLan;\"a, b\"\nHoa;c, d, e\n",
	       ';');
	sep_is("commas with a semicolon in a quoted cell", "a,b\n1,\"x;y;z\"\n", ',');
	sep_is("tabs with commas in cells", "a\tb\n1,2\tx, y\n", '\t');
	sep_is("one column", "full_name\nLan\n", ',');
	sep_is("a BOM first", "\xef\xbb\xbf" "a;b\n1;2\n", ';');
	sep_is("an uneven comma split loses to an even one",
	       "a;b\n\"1,5\";2\nx,y,z;3\n", ';');
	sep_is("empty", "", ',');
}

/* The kinds of header cells, as a string: F(field) I D S R B. */
static void columns_are(const char *tname, const char *spec, const char *const *h,
			size_t n, const char *want)
{
	const struct type_def *t = model_type_named(tname);
	struct sheet_column cols[16];
	struct sheet_map m;
	struct fb_error err = { 0, "" };
	char got[FB_ERRMSG_MAX + 64] = "";
	size_t i;
	enum fb_code rc = sheet_map_parse(t, spec, &m, &err);

	if (rc == FB_OK)
		rc = sheet_columns(t, &m, (char *const *)h, n, cols, &err);
	for (i = 0; rc == FB_OK && i < n; i++) {
		const char *k = cols[i].kind == SHEET_FIELD ? t->fields[cols[i].field].name
			      : cols[i].kind == SHEET_ID ? "id"
			      : cols[i].kind == SHEET_DELETED ? "deleted"
			      : cols[i].kind == SHEET_SKIP ? "skip"
			      : cols[i].kind == SHEET_ROWNUM ? "rownum" : "blank";

		strcat(got, i ? " " : "");
		strcat(got, k);
	}
	if (rc != FB_OK)
		snprintf(got, sizeof(got), "error %d: %s", rc, err.msg);
	is_str(got, want, "%s columns %s", tname, want ? want : "-");
	sheet_map_release(&m);
}

static void test_columns(void)
{
	static const char *const members[] = { "STT", "Họ và tên", "Vai trò", "Năm sinh",
					       "Số điện thoại", "Ghi chú" };
	static const char *const members2[] = { "ho ten", "CHỨC VỤ", "SĐT", "Ngày vào hội",
						"", "Mã", "Đã xóa", "branch" };
	static const char *const members3[] = { "Full_Name", "birth-year", "Điện thoại:" };
	static const char *const trainings[] = { "Số TT", "Tên lớp", "Từ ngày", "Đến ngày",
						 "Chủ đề", "Nơi tổ chức", "Cấp",
						 "Người dạy" };
	static const char *const trainings2[] = { "Tên lớp tập huấn", "Ngày bắt đầu",
						  "Ngày kết thúc", "Địa điểm", "Cấp tổ chức",
						  "Giảng viên", "Báo cáo viên" };
	static const char *const visits[] = { "Ngày thăm", "Lý do", "Người được thăm",
					      "Số tiền (đồng)", "Quà tặng" };
	static const char *const unknown[] = { "Họ tên", "Quê quán" };
	static const char *const near[] = { "Họ tên", "Số điện thoại di động" };
	static const char *const twice[] = { "Họ tên", "Điện thoại", "SĐT" };
	static const char *const mapped[] = { "Họ tên", "Quê quán", "Di động" };

	columns_are("member", NULL, members, 6,
		    "rownum full_name role birth_year phone notes");
	columns_are("member", NULL, members2, 8,
		    "full_name role phone joined blank id deleted skip");
	columns_are("member", NULL, members3, 3, "full_name birth_year phone");
	columns_are("training", NULL, trainings, 8,
		    "rownum title start_date end_date topics location organizer_level trainer");
	columns_are("training", NULL, trainings2, 6,
		    "title start_date end_date location organizer_level trainer");
	columns_are("visit", NULL, visits, 5, "visit_date reason person_name amount_vnd gift");
	columns_are("member", NULL, unknown, 2,
		    "error 2: column 2: unknown column 'Quê quán' (a member has full_name, role,"
		    " birth_year, phone, joined, notes); name it with --map \"Quê quán=FIELD\""
		    " or leave it out with --map \"Quê quán=skip\"");
	columns_are("member", NULL, near, 2,
		    "error 2: column 2: unknown column 'Số điện thoại di động' (it might be"
		    " phone (\"Số điện thoại\")); name it with --map \"Số điện thoại di động=FIELD\"");
	columns_are("member", NULL, twice, 3,
		    "error 2: column 3: 'SĐT' is phone again (column 2 'Điện thoại')");
	columns_are("member", "que quan=skip, Di Động=phone", mapped, 3,
		    "full_name skip phone");
	columns_are("member", "Họ tên=notes", unknown + 0, 1, "notes");
	columns_are("member", "Nơi ở=notes", unknown + 0, 1,
		    "error 1: --map: no column is called 'Nơi ở'");
	columns_are("member", "Quê quán", unknown, 2,
		    "error 1: --map: 'Quê quán' is not HEADER=FIELD");
	columns_are("member", "Quê quán=shoe", unknown, 2,
		    "error 1: --map: a member has no field 'shoe' (full_name, role, birth_year,"
		    " phone, joined, notes, id, or skip)");
	columns_are("member", "a=notes,A=role", unknown, 2, "error 1: --map: 'A' is given twice");
	is_str(sheet_label(model_type(REC_MEMBER), "full_name"), "Họ và tên",
	       "export label of full_name");
	is_str(sheet_label(model_type(REC_TRAINING), "id"), "Mã", "export label of id");
	is_str(sheet_label(model_type(REC_VISIT), "amount_vnd"), "Số tiền (đồng)",
	       "export label of amount_vnd");
}

/* Every field users name has a Vietnamese header, read back as itself. */
static void test_labels_round_trip(void)
{
	int k, i, all = 1;

	for (k = 0; k < REC_NTYPES; k++) {
		const struct type_def *t = model_type((enum rec_type)k);

		for (i = 0; t->fields[i].name; i++) {
			const char *h[1];
			struct sheet_column col;
			struct sheet_map m = { 0 };

			if (t->fields[i].internal)
				continue;
			h[0] = sheet_label(t, t->fields[i].name);
			if (!strcmp(h[0], t->fields[i].name) ||
			    sheet_columns(t, &m, (char *const *)h, 1, &col, NULL) != FB_OK ||
			    (col.kind == SHEET_FIELD ? strcmp(t->fields[col.field].name,
							      t->fields[i].name) != 0
						     : col.kind != SHEET_DELETED)) {
				all = 0;
				printf("# %s.%s: '%s'\n", t->name, t->fields[i].name, h[0]);
			}
		}
	}
	ok(all, "every field's Vietnamese header reads back as that field");
}

int main(void)
{
	test_decode();
	test_sep();
	test_columns();
	test_labels_round_trip();
	return tap_done();
}
