/*
 * sheet.c - spreadsheets saved as text: decoding (iconv, utf8proc) and
 * the header row's labels.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "i18n.h"
#include "label.h"
#include "sheet.h"
#include "text.h"

/* --- encodings -------------------------------------------------------- */

/* What to do about a file that is not CSV text: after "; " in a message. */
static const char save_as_hint[] =
	N_("save it as CSV UTF-8 (Excel: File > Save As > 'CSV UTF-8 (Comma delimited)';"
	   " LibreOffice: Save As 'Text CSV', character set 'Unicode (UTF-8)')");

/* Bytes looked at to tell UTF-16 without a byte order mark. */
#define SNIFF_BYTES 4096

const char *sheet_encoding_name(enum sheet_encoding e)
{
	switch (e) {
	case SHEET_UTF8: return "UTF-8";
	case SHEET_UTF8_BOM: return _("UTF-8 with BOM");
	case SHEET_UTF16LE: return "UTF-16LE";
	case SHEET_UTF16BE: return "UTF-16BE";
	case SHEET_CP1258: return "Windows-1258";
	}
	return "?";
}

/*
 * Without a byte order mark: UTF-16 text of mostly Latin script has a
 * zero byte in every other place.  0: not UTF-16; 1: LE; 2: BE.
 */
static int sniff_utf16(const unsigned char *p, size_t len)
{
	size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES, i, even = 0, odd = 0;

	n &= ~(size_t)1;
	if (n < 2)
		return 0;
	for (i = 0; i < n; i += 2) {
		even += p[i] == 0;
		odd += p[i + 1] == 0;
	}
	/* Most pairs have their zero on one side, none on the other. */
	if (odd * 4 >= n && even == 0)
		return 1;
	if (even * 4 >= n && odd == 0)
		return 2;
	return 0;
}

/* iconv data[0..len) from `from` into out as UTF-8. */
static enum fb_code convert(const char *from, const char *data, size_t len,
			    const char *name, struct fb_buf *out,
			    struct fb_error *err)
{
	iconv_t cd = iconv_open("UTF-8", from);
	char chunk[16384], *in = (char *)data, *o;
	size_t left = len, room, r;
	enum fb_code rc = FB_OK;

	if (cd == (iconv_t)-1)
		return fb_fail(err, FB_EINTERNAL, _("this system cannot convert %s (iconv)"),
			       from);
	while (left > 0 && rc == FB_OK) {
		o = chunk;
		room = sizeof(chunk);
		r = iconv(cd, &in, &left, &o, &room);
		if (r == (size_t)-1 && errno != E2BIG) {
			rc = fb_fail(err, FB_EINVAL, _("%s is not valid %s (byte %zu); %s"),
				     name, from, (size_t)(in - data) + 1, _(save_as_hint));
			break;
		}
		rc = buf_add(out, chunk, sizeof(chunk) - room);
	}
	/* Windows-1258 holds a letter back, waiting for a tone to put on
	 * it: the end of the input lets it go. */
	if (rc == FB_OK) {
		o = chunk;
		room = sizeof(chunk);
		if (iconv(cd, NULL, NULL, &o, &room) == (size_t)-1)
			rc = fb_fail(err, FB_EINVAL, _("%s is not valid %s (at its end); %s"),
				     name, from, _(save_as_hint));
		else
			rc = buf_add(out, chunk, sizeof(chunk) - room);
	}
	iconv_close(cd);
	return rc;
}

/* Is cp a letter Vietnamese writes, or punctuation a sheet may hold? */
static int vietnamese_cp(utf8proc_int32_t cp)
{
	static const utf8proc_int32_t latin1[] = {
		0xC0, 0xC1, 0xC2, 0xC3, 0xC8, 0xC9, 0xCA, 0xCC, 0xCD, 0xD2, 0xD3,
		0xD4, 0xD5, 0xD9, 0xDA, 0xDD, 0xE0, 0xE1, 0xE2, 0xE3, 0xE8, 0xE9,
		0xEA, 0xEC, 0xED, 0xF2, 0xF3, 0xF4, 0xF5, 0xF9, 0xFA, 0xFD,
		0x102, 0x103, 0x110, 0x111, 0x128, 0x129, 0x168, 0x169, 0x1A0,
		0x1A1, 0x1AF, 0x1B0,
		/* tones left as marks */
		0x300, 0x301, 0x303, 0x309, 0x323,
		/* punctuation */
		0xA0, 0xAB, 0xB0, 0xB7, 0xBB, 0x2013, 0x2014, 0x2018, 0x2019,
		0x201C, 0x201D, 0x2022, 0x2026, 0x20AB, 0x20AC,
	};
	size_t i;

	if (cp < 0x80 || (cp >= 0x1EA0 && cp <= 0x1EF9))
		return 1;
	for (i = 0; i < sizeof(latin1) / sizeof(latin1[0]); i++)
		if (latin1[i] == cp)
			return 1;
	return 0;
}

static int all_vietnamese(const char *s, size_t len)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t n;
	utf8proc_int32_t cp;
	size_t i = 0;

	while (i < len) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0 || !vietnamese_cp(cp))
			return 0;
		i += (size_t)n;
	}
	return 1;
}

/* Append s[0..len) to out in NFC. */
static enum fb_code add_nfc(struct fb_buf *out, const char *s, size_t len)
{
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t n;
	enum fb_code rc;

	if (len == 0)
		return buf_add(out, "", 0);
	n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &nfc,
			 UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n < 0)
		return n == UTF8PROC_ERROR_NOMEM ? FB_ENOMEM : FB_EINVAL;
	rc = buf_add(out, nfc, (size_t)n);
	free(nfc);
	return rc;
}

/* Where the first byte that is not UTF-8 is, in the message. */
static enum fb_code not_utf8(const char *data, size_t len, const char *name,
			     struct fb_error *err)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)data;
	unsigned long line = 1;
	utf8proc_ssize_t n;
	utf8proc_int32_t cp;
	size_t i = 0;

	while (i < len) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0 || cp == 0)
			break;
		line += cp == '\n';
		i += (size_t)n;
	}
	if (i == len)   /* valid UTF-8, but not text we could read */
		return fb_fail(err, FB_EINVAL, _("%s is not text Fieldbook reads; %s"),
			       name, _(save_as_hint));
	return fb_fail(err, FB_EINVAL, _("%s is not UTF-8 (line %lu: byte 0x%02X), UTF-16"
					 " or Windows-1258; %s"), name, line, p[i], _(save_as_hint));
}

static enum fb_code not_text(const char *data, size_t len, const char *name,
			     struct fb_error *err)
{
	if (len >= 4 && (!memcmp(data, "PK\x03\x04", 4) ||
			 !memcmp(data, "\xD0\xCF\x11\xE0", 4)))
		return fb_fail(err, FB_EINVAL, _("%s is a workbook, not CSV text; %s"),
			       name, _(save_as_hint));
	if (len >= 4 && (!memcmp(data, "\xFF\xFE\x00\x00", 4) ||
			 !memcmp(data, "\x00\x00\xFE\xFF", 4)))
		return fb_fail(err, FB_EINVAL, _("%s is UTF-32, which Fieldbook does"
					 " not read; %s"), name, _(save_as_hint));
	return not_utf8(data, len, name, err);
}

enum fb_code sheet_decode(const char *data, size_t len, const char *name,
			  struct fb_buf *out, enum sheet_encoding *enc,
			  struct fb_error *err)
{
	const unsigned char *p = (const unsigned char *)data;
	struct fb_buf tmp = FB_BUF_INIT(out->cap);
	enum sheet_encoding e;
	const char *from = NULL;
	const char *text = data;
	size_t tlen = len;
	int u16;
	enum fb_code rc = FB_OK;

	if (!data)
		data = text = "";
	/* UTF-32 and workbooks, before their bytes pass for anything else. */
	if (len >= 4 && (!memcmp(p, "\xFF\xFE\x00\x00", 4) ||
			 !memcmp(p, "\x00\x00\xFE\xFF", 4) || !memcmp(p, "PK\x03\x04", 4) ||
			 !memcmp(p, "\xD0\xCF\x11\xE0", 4)))
		return not_text(data, len, name, err);
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
		e = SHEET_UTF8_BOM;
		text += 3;
		tlen -= 3;
	} else if (len >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
		e = SHEET_UTF16LE;
		from = "UTF-16LE";
		text += 2;
		tlen -= 2;
	} else if (len >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
		e = SHEET_UTF16BE;
		from = "UTF-16BE";
		text += 2;
		tlen -= 2;
	} else if ((u16 = sniff_utf16(p, len)) != 0) {
		e = u16 == 1 ? SHEET_UTF16LE : SHEET_UTF16BE;
		from = u16 == 1 ? "UTF-16LE" : "UTF-16BE";
	} else if (memchr(data, '\0', len)) {
		return not_text(data, len, name, err);
	} else if (text_valid_utf8(data, len)) {
		e = SHEET_UTF8;
	} else {
		e = SHEET_CP1258;
		from = "WINDOWS-1258";
	}
	if (from) {
		rc = convert(from, text, tlen, name, &tmp, err);
		if (rc == FB_EINVAL && e == SHEET_CP1258)
			rc = not_text(data, len, name, err);
		if (rc != FB_OK)
			goto out;
		if (e == SHEET_CP1258 && !all_vietnamese(tmp.data, tmp.len)) {
			rc = not_text(data, len, name, err);
			goto out;
		}
		text = tmp.data;
		tlen = tmp.len;
	} else if (e == SHEET_UTF8_BOM && !text_valid_utf8(text, tlen)) {
		rc = fb_fail(err, FB_EINVAL, _("%s starts as UTF-8 but is not valid UTF-8; %s"),
			     name, _(save_as_hint));
		goto out;
	}
	rc = add_nfc(out, text, tlen);
	if (rc == FB_EINVAL)
		rc = not_text(data, len, name, err);
out:
	if (rc == FB_ETOOBIG)
		fb_fail(err, rc, _("%s is too large to import"), name);
	else if (rc == FB_ENOMEM)
		fb_fail(err, rc, _("out of memory"));
	if (rc == FB_OK && enc)
		*enc = e;
	buf_release(&tmp);
	return rc;
}

/* --- labels ----------------------------------------------------------- */

#define LABELS_MAX 8
#define ANY_TYPE REC_NTYPES

/*
 * The header labels of each field, the one `export --lang vi` writes
 * first.  The Vietnamese ones are what branch heads' sheets say
 * (docs/COMMANDS.md); the English ones are the options of `add`.
 */
static const struct {
	enum rec_type type;     /* ANY_TYPE: every type's */
	const char *field;
	const char *labels[LABELS_MAX];
} labels[] = {
	{ ANY_TYPE, "id", { "Mã", "ID", NULL } },
	{ ANY_TYPE, FIELD_DELETED, { "Đã xóa", NULL } },
	{ ANY_TYPE, "notes", { "Ghi chú", "Notes", NULL } },

	{ REC_MEMBER, "full_name", { "Họ và tên", "Họ tên", "Tên hội viên", "Name",
				     "Full name", NULL } },
	{ REC_MEMBER, "role", { "Vai trò", "Chức vụ", "Role", NULL } },
	{ REC_MEMBER, "birth_year", { "Năm sinh", "Birth year", NULL } },
	{ REC_MEMBER, "phone", { "Số điện thoại", "Điện thoại", "SĐT", "ĐT", "Phone",
				 NULL } },
	{ REC_MEMBER, "joined", { "Ngày vào hội", "Ngày gia nhập", "Joined", NULL } },

	{ REC_TRAINING, "title", { "Tên lớp tập huấn", "Tên lớp", "Tên khóa học",
				   "Title", NULL } },
	{ REC_TRAINING, "start_date", { "Từ ngày", "Ngày bắt đầu", "Ngày", "Date",
					"Start date", NULL } },
	{ REC_TRAINING, "end_date", { "Đến ngày", "Ngày kết thúc", "End date", NULL } },
	{ REC_TRAINING, "topics", { "Chủ đề", "Topic", NULL } },
	{ REC_TRAINING, "location", { "Địa điểm", "Nơi tổ chức", "Location", NULL } },
	{ REC_TRAINING, "organizer_level", { "Cấp tổ chức", "Cấp", "Organizer", NULL } },
	{ REC_TRAINING, "trainer", { "Giảng viên", "Người dạy", "Báo cáo viên",
				     "Trainer", NULL } },

	{ REC_ATTENDANCE, "training_id", { "Mã lớp tập huấn", "Mã lớp", NULL } },
	{ REC_ATTENDANCE, "member_id", { "Mã hội viên", NULL } },

	{ REC_VISIT, "visit_date", { "Ngày thăm", "Ngày", "Date", NULL } },
	{ REC_VISIT, "reason", { "Lý do", "Reason", NULL } },
	{ REC_VISIT, "member_id", { "Mã hội viên", "Member", NULL } },
	{ REC_VISIT, "person_name", { "Người được thăm", "Họ và tên", "Họ tên",
				      "Person", NULL } },
	{ REC_VISIT, "support", { "Hình thức hỗ trợ", "Hỗ trợ", "Support", NULL } },
	{ REC_VISIT, "amount_vnd", { "Số tiền (đồng)", "Số tiền", "Thành tiền",
				     "Amount", "Amount VND", NULL } },
	{ REC_VISIT, "gift", { "Quà tặng", "Quà", "Gift", NULL } },
	{ REC_VISIT, "visitors", { "Người đi thăm", "Visitors", NULL } },
};

#define NLABELS (sizeof(labels) / sizeof(labels[0]))

/* Headers of a sheet's own row numbers (folded). */
static const char *const rownum_keys[] = { "stt", "tt", "so tt", "so thu tu", "no", NULL };

const char *const *sheet_labels(const struct type_def *t, const char *field)
{
	size_t i;

	for (i = 0; i < NLABELS; i++)
		if ((labels[i].type == t->type || labels[i].type == ANY_TYPE) &&
		    !strcmp(labels[i].field, field))
			return labels[i].labels;
	return NULL;
}

const char *sheet_label(const struct type_def *t, const char *field)
{
	const char *const *l = sheet_labels(t, field);

	return l ? l[0] : field;
}

/* --- the map ---------------------------------------------------------- */

void sheet_map_release(struct sheet_map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->e[i].header);
		free(m->e[i].key);
	}
	m->n = 0;
}

/* What a FIELD of --map or a header's folded key names, by field name. */
static int named_column(const struct type_def *t, const char *name,
			struct sheet_column *col)
{
	const struct field_def *f = model_user_field(t, name);

	if (!strcmp(name, "id")) {
		col->kind = SHEET_ID;
	} else if (!strcmp(name, FIELD_DELETED)) {
		col->kind = SHEET_DELETED;
	} else if (f) {
		col->kind = SHEET_FIELD;
		col->field = model_field_index(t, name);
	} else {
		return 0;
	}
	return 1;
}

/* "full_name, role, ..." : the fields a sheet of t may have. */
static void field_list(const struct type_def *t, char *out, size_t size)
{
	size_t len = 0;
	int i, n;

	out[0] = '\0';
	for (i = 0; t->fields[i].name; i++) {
		if (t->fields[i].internal || !strcmp(t->fields[i].name, FIELD_DELETED))
			continue;
		n = snprintf(out + len, size - len, "%s%s", len ? ", " : "",
			     t->fields[i].name);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}

enum fb_code sheet_map_parse(const struct type_def *t, const char *spec,
			     struct sheet_map *m, struct fb_error *err)
{
	char *copy = NULL, *save = NULL, *pair, *eq, *field, *h;
	char fields[256];
	size_t i, n;
	enum fb_code rc = FB_OK;

	memset(m, 0, sizeof(*m));
	if (!spec || !*spec)
		return FB_OK;
	if (!(copy = strdup(spec)))
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	for (pair = strtok_r(copy, ",", &save); pair && rc == FB_OK;
	     pair = strtok_r(NULL, ",", &save)) {
		struct sheet_column col = { SHEET_SKIP, -1 };

		eq = strrchr(pair, '=');
		if (!eq) {
			rc = fb_fail(err, FB_EUSAGE, _("--map: '%s' is not HEADER=FIELD"), pair);
			break;
		}
		*eq = '\0';
		field = eq + 1;
		while (*field == ' ')
			field++;
		for (n = strlen(field); n > 0 && field[n - 1] == ' '; n--)
			field[n - 1] = '\0';
		if (strcmp(field, "skip") && !named_column(t, field, &col)) {
			field_list(t, fields, sizeof(fields));
			rc = fb_fail(err, FB_EUSAGE, _("--map: a %s has no field '%s' (%s, id, or skip)"),
				     label_type(t->type), field, fields);
			break;
		}
		if (m->n == SHEET_MAP_MAX) {
			rc = fb_fail(err, FB_EUSAGE, _("--map: more than %d columns"),
				     SHEET_MAP_MAX);
			break;
		}
		if (!(h = strdup(pair))) {
			rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
			break;
		}
		m->e[m->n].header = h;
		m->e[m->n].col = col;
		m->e[m->n].used = 0;
		m->e[m->n].key = NULL;
		m->n++;
		if (!text_valid_utf8(h, strlen(h)) ||
		    text_fold(h, TEXT_FOLD_ACCENTS, &m->e[m->n - 1].key) != FB_OK) {
			rc = fb_fail(err, FB_EUSAGE, _("--map: '%s' is not UTF-8 text"), pair);
			break;
		}
		if (!*m->e[m->n - 1].key) {
			rc = fb_fail(err, FB_EUSAGE, _("--map: '%s=%s' names no header"),
				     pair, field);
			break;
		}
		for (i = 0; i + 1 < m->n; i++)
			if (!strcmp(m->e[i].key, m->e[m->n - 1].key)) {
				rc = fb_fail(err, FB_EUSAGE, _("--map: '%s' is given twice"), pair);
				break;
			}
	}
	free(copy);
	return rc;
}

/* --- columns ---------------------------------------------------------- */

/* Levenshtein distance of two short strings, capped at 99. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

/* Does folded header `key` come near folded name `name`? */
static int near(const char *key, const char *name)
{
	size_t lk = strlen(key), ln = strlen(name), most = ln >= 8 ? ln / 4 : 1;

	if (!lk || !ln)
		return 0;
	/* "so dien thoai di dong" holds "so dien thoai" */
	if (ln >= 3 && lk >= 3 && (strstr(key, name) || strstr(name, key)))
		return 1;
	return distance(key, name) <= most;
}

/*
 * Each field (or id) a header's key might be, in fields order, into out
 * as `phone ("Số điện thoại")`, joined by " or ".
 */
static void suggest(const struct type_def *t, const char *key, char *out, size_t size)
{
	size_t len = 0;
	int i, k, hit, n;

	out[0] = '\0';
	for (i = 0; t->fields[i].name; i++) {
		const struct field_def *f = &t->fields[i];
		const char *const *l = sheet_labels(t, f->name);
		char *fk = NULL;

		if (f->internal || !strcmp(f->name, FIELD_DELETED))
			continue;
		hit = text_fold(f->name, TEXT_FOLD_ACCENTS, &fk) == FB_OK && near(key, fk);
		free(fk);
		for (k = 0; !hit && l && l[k]; k++) {
			hit = text_fold(l[k], TEXT_FOLD_ACCENTS, &fk) == FB_OK && near(key, fk);
			free(fk);
			fk = NULL;
		}
		if (!hit)
			continue;
		n = snprintf(out + len, size - len, "%s%s%s%s%s", len ? " or " : "",
			     f->name, l ? " (\"" : "", l ? l[0] : "", l ? "\")" : "");
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}

/* What a header's folded key names without the map; 0 when nothing. */
static int labelled_column(const struct type_def *t, const char *key,
			   struct sheet_column *col)
{
	char *fk = NULL;
	size_t i;
	int k, same;

	for (i = 0; rownum_keys[i]; i++)
		if (!strcmp(key, rownum_keys[i])) {
			col->kind = SHEET_ROWNUM;
			return 1;
		}
	if (!strcmp(key, "branch") || !strcmp(key, "type")) {
		col->kind = SHEET_SKIP;
		return 1;
	}
	/* A field's own name, folded ("Full_Name", "full name"). */
	for (i = 0; t->fields[i].name; i++) {
		if (t->fields[i].internal)
			continue;
		same = text_fold(t->fields[i].name, TEXT_FOLD_ACCENTS, &fk) == FB_OK &&
		       !strcmp(fk, key);
		free(fk);
		fk = NULL;
		if (same)
			return named_column(t, t->fields[i].name, col);
	}
	if (!strcmp(key, "id"))
		return named_column(t, "id", col);
	for (i = 0; i < NLABELS; i++) {
		if (labels[i].type != t->type && labels[i].type != ANY_TYPE)
			continue;
		if (strcmp(labels[i].field, "id") && strcmp(labels[i].field, FIELD_DELETED) &&
		    !model_user_field(t, labels[i].field))
			continue;       /* notes: of every type that has it */
		for (k = 0; labels[i].labels[k]; k++) {
			same = text_fold(labels[i].labels[k], TEXT_FOLD_ACCENTS, &fk) == FB_OK &&
			       !strcmp(fk, key);
			free(fk);
			fk = NULL;
			if (same)
				return named_column(t, labels[i].field, col);
		}
	}
	return 0;
}

static const char *col_name(const struct type_def *t, const struct sheet_column *c)
{
	return c->kind == SHEET_ID ? "id" : c->kind == SHEET_DELETED ? FIELD_DELETED
	       : t->fields[c->field].name;
}

enum fb_code sheet_columns(const struct type_def *t, struct sheet_map *m,
			   char *const *headers, size_t n,
			   struct sheet_column *cols, struct fb_error *err)
{
	char hint[320], fields[256];
	char *key = NULL;
	size_t i, j, k;
	enum fb_code rc = FB_OK;

	for (i = 0; i < n && rc == FB_OK; i++) {
		free(key);
		key = NULL;
		if ((rc = text_fold(headers[i], TEXT_FOLD_ACCENTS, &key)) != FB_OK) {
			rc = fb_fail(err, rc, _("column %zu: %s"), i + 1, fb_strerror(rc));
			break;
		}
		cols[i].field = -1;
		cols[i].kind = SHEET_BLANK;
		for (k = 0; k < m->n; k++)
			if (!strcmp(m->e[k].key, key))
				break;
		if (k < m->n) {
			cols[i] = m->e[k].col;
			m->e[k].used = 1;
		} else if (!*key) {
			cols[i].kind = SHEET_BLANK;
		} else if (!labelled_column(t, key, &cols[i])) {
			suggest(t, key, hint, sizeof(hint));
			field_list(t, fields, sizeof(fields));
			if (hint[0])
				rc = fb_fail(err, FB_EINVAL,
					     _("column %zu: unknown column '%s' (it might be %s); "
					       "name it with --map \"%s=FIELD\""),
					     i + 1, headers[i], hint, headers[i]);
			else
				rc = fb_fail(err, FB_EINVAL,
					     _("column %zu: unknown column '%s' (a %s has %s); "
					       "name it with --map \"%s=FIELD\" or leave it out with"
					       " --map \"%s=skip\""),
					     i + 1, headers[i], label_type(t->type), fields, headers[i],
					     headers[i]);
			break;
		}
		if (cols[i].kind != SHEET_FIELD && cols[i].kind != SHEET_ID &&
		    cols[i].kind != SHEET_DELETED)
			continue;
		for (j = 0; j < i; j++)
			if (cols[j].kind == cols[i].kind && cols[j].field == cols[i].field) {
				rc = fb_fail(err, FB_EINVAL,
					     _("column %zu: '%s' is %s again (column %zu '%s')"),
					     i + 1, headers[i], col_name(t, &cols[i]), j + 1,
					     headers[j]);
				break;
			}
	}
	free(key);
	for (k = 0; k < m->n && rc == FB_OK; k++)
		if (!m->e[k].used)
			rc = fb_fail(err, FB_EUSAGE, _("--map: no column is called '%s'"),
				     m->e[k].header);
	return rc;
}
