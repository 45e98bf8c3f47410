/* cli.c - option parsing and output helpers shared by the commands. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "cli.h"
#include "limits.h"

#define OPTS_MAX 32

static const struct { char letter; const char *name; int arg; } flag_opts[] = {
	{ 'j', "json",   no_argument },
	{ 'a', "all",    no_argument },
	{ 'b', "bom",    no_argument },
	{ 'f', "format", required_argument },
	{ 't', "type",   required_argument },
	{ 'o', "output", required_argument },
	{ 'y', "year",   required_argument },
};
#define NFLAGS (sizeof(flag_opts) / sizeof(flag_opts[0]))
#define OPT_HELP 1000
#define OPT_FIELD 2000

enum fb_code cli_usage(struct cli *c, const char *fmt, ...)
{
	char msg[FB_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fb_fail(&c->err, FB_EUSAGE, "%s (see 'fieldbook %s --help')", msg,
		       c->name);
}

enum fb_code cli_parse_opts(struct cli *c, const struct opt_field *table,
			    struct field_value *fv, size_t *nfv,
			    const char *accept, struct cli_flags *flags,
			    int *first)
{
	struct option opts[OPTS_MAX + 1];
	size_t n = 0, i, nf = 0;
	int ch;

	memset(opts, 0, sizeof(opts));
	for (i = 0; table && table[i].opt && n < OPTS_MAX; i++, n++) {
		opts[n].name = table[i].opt;
		opts[n].has_arg = required_argument;
		opts[n].val = OPT_FIELD + (int)i;
	}
	for (i = 0; i < NFLAGS && n < OPTS_MAX; i++) {
		if (!accept || !strchr(accept, flag_opts[i].letter))
			continue;
		opts[n].name = flag_opts[i].name;
		opts[n].has_arg = flag_opts[i].arg;
		opts[n].val = flag_opts[i].letter;
		n++;
	}
	opts[n].name = "help";
	opts[n].val = OPT_HELP;
	if (flags)
		memset(flags, 0, sizeof(*flags));
	*first = 0;
	opterr = 0;
	optind = 0;     /* GNU: reinitialise, argv[0] is the command */
	while ((ch = getopt_long(c->argc, c->argv,
				 accept && strchr(accept, 'o') ? ":o:" : ":",
				 opts, NULL)) != -1) {
		if (ch == OPT_HELP) {
			printf("usage: %s\n", c->usage);
			*first = -1;
			return FB_OK;
		}
		if (ch == '?')
			return cli_usage(c, "unknown option '%s'",
					 c->argv[optind - 1]);
		if (ch == ':')
			return cli_usage(c, "option '%s' needs a value",
					 c->argv[optind - 1]);
		if (ch >= OPT_FIELD) {
			const char *field = table[ch - OPT_FIELD].field;

			for (i = 0; i < nf; i++)
				if (!strcmp(fv[i].name, field))
					return cli_usage(c, "--%s given twice",
							 table[ch - OPT_FIELD].opt);
			if (nf >= FB_EDIT_FIELDS_MAX)
				return cli_usage(c, "too many options");
			fv[nf].name = field;
			fv[nf].value = optarg;
			nf++;
			continue;
		}
		switch (ch) {
		case 'j': flags->json = 1; break;
		case 'a': flags->all = 1; break;
		case 'b': flags->bom = 1; break;
		case 'f': flags->format = optarg; break;
		case 't': flags->type = optarg; break;
		case 'o': flags->output = optarg; break;
		case 'y': flags->year = optarg; break;
		default:  return cli_usage(c, "unexpected option");
		}
	}
	if (nfv)
		*nfv = nf;
	*first = optind;
	return FB_OK;
}

enum fb_code cli_open(struct cli *c, struct book **out)
{
	return book_open(c->db_path, NULL, out, &c->err);
}

enum fb_code cli_year(struct cli *c, const char *s, int *year)
{
	time_t now = time(NULL);
	struct tm tm;
	char *end;
	long y;

	if (!s) {
		localtime_r(&now, &tm);
		*year = tm.tm_year + 1900;
		return FB_OK;
	}
	errno = 0;
	y = strtol(s, &end, 10);
	if (errno || *end || strlen(s) != 4 || y < FB_YEAR_MIN || y > FB_YEAR_MAX)
		return fb_fail(&c->err, FB_EINVAL, "--year: '%s' is not a year (%d to %d)",
			       s, FB_YEAR_MIN, FB_YEAR_MAX);
	*year = (int)y;
	return FB_OK;
}

enum fb_code cli_write(struct cli *c, const char *path, const struct fb_buf *b)
{
	FILE *f = stdout;
	int bad;

	if (path && strcmp(path, "-")) {
		f = fopen(path, "wbx");
		if (!f && errno == EEXIST)
			return fb_fail(&c->err, FB_EIO,
				       "%s exists; choose another name or remove it", path);
		if (!f)
			return fb_fail(&c->err, FB_EIO, "cannot create %s: %s", path,
				       strerror(errno));
	}
	bad = b->len && fwrite(b->data, 1, b->len, f) != b->len;
	bad |= fflush(f) != 0;
	if (f != stdout) {
		/* On disk before we say it is written; a file that could
		 * not be written whole is not left behind half. */
		bad |= fsync(fileno(f)) != 0;
		bad |= fclose(f) != 0;
		if (bad) {
			int saved = errno;

			unlink(path);
			errno = saved;
		}
	}
	if (bad)
		return fb_fail(&c->err, FB_EIO, "writing %s: %s",
			       path && strcmp(path, "-") ? path : "output", strerror(errno));
	return FB_OK;
}

enum fb_code cli_print_json(struct cli *c, cJSON *doc)
{
	struct fb_buf b = FB_BUF_INIT(0);
	char *s;
	enum fb_code rc;

	if (!doc)
		return fb_fail(&c->err, FB_ENOMEM, "out of memory");
	s = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!s)
		return fb_fail(&c->err, FB_ENOMEM, "out of memory");
	rc = buf_adds(&b, s);
	if (rc == FB_OK)
		rc = buf_addc(&b, '\n');
	free(s);
	if (rc == FB_OK)
		rc = cli_write(c, NULL, &b);
	else
		fb_fail(&c->err, rc, "out of memory");
	buf_release(&b);
	return rc;
}

static const struct { const char *code, *label; } labels[] = {
	{ "association_work", "Công tác Hội" },
	{ "gender_equality", "Bình đẳng giới" },
	{ "population_family_planning", "Dân số - Kế hoạch hóa gia đình" },
	{ "parenting", "Nuôi dạy con" },
	{ "food_safety", "An toàn thực phẩm" },
	{ "domestic_violence", "Phòng chống bạo lực gia đình" },
	{ "child_injury", "Phòng chống tai nạn thương tích trẻ em" },
	{ "digital_transformation", "Chuyển đổi số" },
	{ "political_theory", "Lý luận chính trị" },
	{ "leadership", "Kỹ năng lãnh đạo" },
	{ "trusted_address", "Địa chỉ tin cậy" },
	{ "stem", "STEM" },
	{ "legal_consulting", "Tư vấn pháp luật" },
	{ "member", "Hội viên" },
	{ "branch_head", "Chi hội trưởng" },
	{ "branch_deputy", "Chi hội phó" },
	{ "commune_president", "Chủ tịch Hội LHPN xã" },
	{ "commune_vice", "Phó Chủ tịch Hội LHPN xã" },
	{ "commune_president_planned", "Quy hoạch Chủ tịch xã" },
	{ "official", "Cán bộ Hội" },
	{ "illness", "Ốm đau" },
	{ "hardship", "Hoàn cảnh khó khăn" },
	{ "tet", "Thăm hỏi dịp Tết" },
	{ "health_check", "Khám sức khỏe" },
	{ "childbirth", "Sinh con" },
	{ "bereavement", "Hiếu sự" },
	{ "other", "Khác" },
};

const char *cli_label(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(labels[i].code, code))
			return labels[i].label;
	return code;
}
