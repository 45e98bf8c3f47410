/* report_text.c - a report's sections as table lines (report_text.h). */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "report_text.h"
#include "text.h"
#include "vocab.h"

void report_money(long long v, char out[REPORT_MONEY_MAX])
{
	char digits[24];
	size_t n, i, j = 0, first = 0;

	snprintf(digits, sizeof(digits), "%lld", v);
	n = strlen(digits);
	if (digits[0] == '-')
		out[j++] = digits[first++];
	for (i = first; i < n; i++) {
		if (i > first && (n - i) % 3 == 0)
			out[j++] = '.';
		out[j++] = digits[i];
	}
	out[j] = '\0';
}

/* indent, then s padded to width columns (display width). */
static enum fb_code label(struct fb_buf *o, const char *indent, const char *s,
			  size_t width)
{
	enum fb_code rc = buf_adds(o, indent);

	return rc == FB_OK ? text_pad(o, s, width) : rc;
}

/* "<indent>  <label padded>  a  [b]": b < 0 leaves the second column out. */
static enum fb_code row(struct fb_buf *o, const char *indent, const char *lab,
			long long a, long long b)
{
	enum fb_code rc = buf_adds(o, indent);

	if (rc == FB_OK)
		rc = label(o, "  ", lab, REPORT_LABEL_COLS);
	if (rc == FB_OK)
		rc = buf_printf(o, "%7lld", a);
	if (rc == FB_OK && b >= 0)
		rc = buf_printf(o, "  %11lld", b);
	return rc == FB_OK ? buf_addc(o, '\n') : rc;
}

enum fb_code report_text_roles(struct fb_buf *o, const struct report *r,
			       const char *indent)
{
	enum fb_code rc = buf_adds(o, indent);
	int k;

	if (rc == FB_OK)
		rc = buf_printf(o, _("Members by role (%ld)"), r->members_total);
	if (rc == FB_OK)
		rc = buf_addc(o, '\n');
	for (k = 0; rc == FB_OK && model_roles[k]; k++)
		if (r->members_by_role[k])
			rc = row(o, indent, vocab_label(model_roles[k]), r->members_by_role[k], -1);
	return rc;
}

/* One person not yet trained. */
static enum fb_code person(struct fb_buf *o, const char *indent,
			   const struct report_person *p, int flags)
{
	enum fb_code rc = buf_printf(o, "%s    %s %s", indent, _("not yet trained:"), p->name);

	if (rc == FB_OK && (flags & REPORT_TEXT_WHO)) {
		if (p->birth_year > 0)
			rc = buf_printf(o, _(", born %d"), p->birth_year);
		if (rc == FB_OK)
			rc = buf_printf(o, _(", branch %s"), p->branch);
	}
	if (rc == FB_OK)
		rc = buf_printf(o, " (%s)\n", vocab_label(p->role));
	return rc;
}

enum fb_code report_text_targets(struct fb_buf *o, const struct report *r,
				 const char *indent, int flags)
{
	enum fb_code rc = buf_adds(o, indent);
	size_t i;
	int g;

	if (rc == FB_OK)
		rc = buf_printf(o, _("Trained in %d (target)"), r->year);
	if (rc == FB_OK)
		rc = buf_addc(o, '\n');
	for (g = 0; rc == FB_OK && g < REPORT_GROUPS; g++) {
		const struct report_group *gr = &r->group[g];

		if (g > 0 && gr->total == 0 && !(flags & REPORT_TEXT_ALL_GROUPS))
			continue;
		rc = buf_adds(o, indent);
		if (rc == FB_OK)
			rc = label(o, "  ", _(gr->title), REPORT_LABEL_COLS);
		if (rc == FB_OK)
			rc = buf_printf(o, _("%4ld of %-4ld %5.1f%%  target %d%%  %s\n"),
					gr->trained, gr->total, report_pct(gr), gr->target_pct,
					!gr->total ? _("no one") : report_met(gr) ? _("met")
					: _("NOT MET"));
		for (i = 0; rc == FB_OK && i < gr->nuntrained; i++)
			rc = person(o, indent, &gr->untrained[i], flags);
	}
	return rc;
}

/* s right-aligned in cols columns of the screen (a translated title
 * may take fewer columns than bytes). */
static enum fb_code right(struct fb_buf *o, const char *s, size_t cols)
{
	enum fb_code rc = FB_OK;

	for (size_t w = text_width(s); rc == FB_OK && w < cols; w++)
		rc = buf_addc(o, ' ');
	return rc == FB_OK ? buf_adds(o, s) : rc;
}

/* A section's heading: its title padded to the labels, then the titles
 * of its two columns, right-aligned over them (widths a and b). */
static enum fb_code heading(struct fb_buf *o, const char *indent, const char *title,
			    const char *col_a, size_t a, const char *col_b, size_t b)
{
	enum fb_code rc = label(o, indent, title, REPORT_LABEL_COLS + 2);

	if (rc == FB_OK)
		rc = right(o, col_a, a);
	if (rc == FB_OK)
		rc = buf_adds(o, "  ");
	if (rc == FB_OK)
		rc = right(o, col_b, b);
	return rc == FB_OK ? buf_addc(o, '\n') : rc;
}

enum fb_code report_text_courses(struct fb_buf *o, const struct report *r,
				 const char *indent)
{
	char title[128];
	enum fb_code rc;
	int k;

	snprintf(title, sizeof(title), _("Courses by topic in %d"), r->year);
	rc = heading(o, indent, title, _("courses"), 7, _("attendances"), 11);
	for (k = 0; rc == FB_OK && model_topics[k]; k++)
		if (r->topic_courses[k])
			rc = row(o, indent, vocab_label(model_topics[k]), r->topic_courses[k],
				 r->topic_attendances[k]);
	if (rc == FB_OK)
		rc = row(o, indent, _("All courses"), r->courses, r->attendances);
	if (rc == FB_OK)
		rc = buf_printf(o, "%s  ", indent);
	if (rc == FB_OK)
		rc = buf_printf(o, _("%ld different members trained"), r->trainees);
	return rc == FB_OK ? buf_addc(o, '\n') : rc;
}

/* "<indent>  <label padded>  visits  amount" */
static enum fb_code visit_row(struct fb_buf *o, const char *indent, const char *lab,
			      long n, long long amount)
{
	char m[REPORT_MONEY_MAX];
	enum fb_code rc = buf_adds(o, indent);

	report_money(amount, m);
	if (rc == FB_OK)
		rc = label(o, "  ", lab, REPORT_LABEL_COLS);
	return rc == FB_OK ? buf_printf(o, "%6ld  %15s\n", n, m) : rc;
}

enum fb_code report_text_visits(struct fb_buf *o, const struct report *r,
				const char *indent)
{
	char title[128];
	enum fb_code rc;
	int k;

	snprintf(title, sizeof(title), _("Support visits in %d"), r->year);
	rc = heading(o, indent, title, _("visits"), 6, _("amount (VND)"), 15);
	for (k = 0; rc == FB_OK && model_reasons[k]; k++)
		if (r->visits_by_reason[k])
			rc = visit_row(o, indent, vocab_label(model_reasons[k]),
				       r->visits_by_reason[k], r->amount_by_reason[k]);
	return rc == FB_OK ? visit_row(o, indent, _("All visits"), r->visits, r->amount) : rc;
}
