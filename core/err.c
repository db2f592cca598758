// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdarg.h>

#include "nslab/error.h"
#include "nslab/parse.h"
#include "utf8.h"
#include "macro.h"

/* Length of the valid multi-byte UTF-8 sequence at @s, 0 when it is not one or is a C1
 * control (a terminal's CSI). */
static size_t utf8_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n = nsli_utf8_decode(s, SIZE_MAX, &cp);

	return n > 1 && cp >= 0xa0 ? n : 0;
}

_public_ const char *nsl_str_escape(const char *s, char *buf, unsigned long size)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t o = 0;

	if (!size)
		return buf;
	while (*p) {
		char esc[5];
		size_t n = 0, u = 0;

		if (*p == '\n')
			memcpy(esc, "\\n", n = 2);
		else if (*p == '\t')
			memcpy(esc, "\\t", n = 2);
		else if (*p == '\r')
			memcpy(esc, "\\r", n = 2);
		else if (*p < 0x20 || *p == 0x7f)
			n = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", *p);
		else if (*p >= 0x80 && !(u = utf8_len(p)))
			n = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", *p);
		if (n) {
			p++;
		} else {
			/* Plain ASCII, or a whole valid UTF-8 character (never cut in half). */
			n = *p < 0x80 ? 1 : u;
			memcpy(esc, p, n);
			p += n;
		}
		if (o + n >= size)
			break;
		memcpy(buf + o, esc, n);
		o += n;
	}
	buf[o] = '\0';
	return buf;
}

_public_ void nsl_err_clear(struct nsl_err *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

/*
 * Names reach the messages as the user typed them: a newline or an escape sequence in a netns
 * name, an interface name or a YAML key must not split the one error line or drive the
 * terminal. The object and the whole message are escaped here, once for every caller.
 */
_public_ int nsl_err_set(struct nsl_err *err, enum nsl_err_kind kind, int code, const char *object,
			 const char *fmt, ...)
{
	char raw[sizeof(err->msg)], obj[sizeof(err->object)];
	va_list ap;

	if (!err)
		return code;
	/* Through copies: @object or an argument may be this very err's text. */
	snprintf(obj, sizeof(obj), "%s", object ? object : "");
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(raw, sizeof(raw), fmt, ap);
		va_end(ap);
	} else {
		snprintf(raw, sizeof(raw), "%s", strerror(code < 0 ? -code : code));
	}
	err->code = code;
	err->kind = kind;
	nsl_str_escape(obj, err->object, sizeof(err->object));
	nsl_str_escape(raw, err->msg, sizeof(err->msg));
	return code;
}

_public_ const char *nsl_err_format(const struct nsl_err *err, char *buf, unsigned long size)
{
	char msg[sizeof(err->msg) * 4], ext[sizeof(err->extack) * 4];

	/* Callers may have written msg directly, and extack is the kernel's: escape both. */
	nsl_str_escape(err->msg, msg, sizeof(msg));
	nsl_str_escape(err->extack, ext, sizeof(ext));
	if (ext[0])
		snprintf(buf, size, "%s: %s", msg, ext);
	else
		snprintf(buf, size, "%s", msg);
	return buf;
}
