// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one JSON string escaper (RFC 8259 §7), used by the library's graph and the CLI's
 * printer alike, and an indenter for JSON the library wrote compactly.
 */
#include <stdio.h>

#include "core.h"
#include "utf8.h"

void nsli_json_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	while (*p) {
		uint32_t cp = 0;
		size_t n = nsli_utf8_decode(p, SIZE_MAX, &cp);

		if (n == 0) {
			/* Not UTF-8 (an interface name is bytes): its Latin-1 reading, so the
			 * output stays valid JSON and distinct names stay distinct. */
			fprintf(f, "\\u%04x", *p++);
			continue;
		}
		switch (cp) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			/* DEL and the C1 controls are legal JSON, but a terminal acts on them. */
			if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
				fprintf(f, "\\u%04x", (unsigned)cp);
			else
				fwrite(p, 1, n, f);
		}
		p += n;
	}
	fputc('"', f);
}

static void newline(FILE *f, int depth)
{
	fputc('\n', f);
	for (int i = 0; i < depth; i++)
		fputs("  ", f);
}

void nsli_json_indent(FILE *f, const char *json)
{
	bool in_str = false;
	int depth = 0;

	for (const char *p = json; *p; p++) {
		if (in_str) {
			fputc(*p, f);
			if (*p == '\\' && p[1])
				fputc(*++p, f);
			else if (*p == '"')
				in_str = false;
			continue;
		}
		switch (*p) {
		case '"':
			in_str = true;
			fputc('"', f);
			break;
		case '{':
		case '[':
			fputc(*p, f);
			if (p[1] == (*p == '{' ? '}' : ']')) {
				fputc(*++p, f); /* empty: {} and [] stay on their line */
				break;
			}
			newline(f, ++depth);
			break;
		case '}':
		case ']':
			newline(f, --depth);
			fputc(*p, f);
			break;
		case ',':
			fputc(',', f);
			newline(f, depth);
			break;
		case ':':
			fputs(": ", f);
			break;
		case ' ':
		case '\t':
		case '\r':
			break;
		default:
			fputc(*p, f);
		}
	}
}
