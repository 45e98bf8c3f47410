/*
 * report_text.h - a report's sections as people read them in a table:
 * Vietnamese labels aligned by display width, amounts written 1.234.567.
 * The collector's `report` and the hub's `report` print their sections
 * through these, so that a figure reads the same in both.  Headings and
 * words go through _(); the lines are appended to a buffer, nothing is
 * printed here.
 */
#ifndef FB_REPORT_TEXT_H
#define FB_REPORT_TEXT_H

#include "buf.h"
#include "report.h"

#define REPORT_LABEL_COLS 40    /* the label column, in display columns */
#define REPORT_MONEY_MAX  32

/* Flags of report_text_targets(). */
#define REPORT_TEXT_ALL_GROUPS 1   /* every group, even one with nobody */
#define REPORT_TEXT_WHO        2   /* a person's birth year and branch too */

/* 1234567 -> "1.234.567" as Vietnamese write amounts (negative: "-1.234"). */
void report_money(long long v, char out[REPORT_MONEY_MAX]);

/*
 * Each section is a heading line and its rows, every line started by
 * indent.  Zero rows are left out (the totals stay).  The targets'
 * section lists the people not yet trained that r holds, one line each;
 * without REPORT_TEXT_ALL_GROUPS the second and third groups only when
 * they have someone.  FB_ENOMEM / FB_ETOOBIG from the buffer.
 */
enum fb_code report_text_roles(struct fb_buf *o, const struct report *r,
			       const char *indent);
enum fb_code report_text_targets(struct fb_buf *o, const struct report *r,
				 const char *indent, int flags);
enum fb_code report_text_courses(struct fb_buf *o, const struct report *r,
				 const char *indent);
enum fb_code report_text_visits(struct fb_buf *o, const struct report *r,
				const char *indent);

#endif
