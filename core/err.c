// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdarg.h>

#include "nslab/error.h"
#include "macro.h"

_public_ void nsl_err_clear(struct nsl_err *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

_public_ int nsl_err_set(struct nsl_err *err, enum nsl_err_kind kind, int code, const char *object,
			 const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err->kind = kind;
	snprintf(err->object, sizeof(err->object), "%s", object ? object : "");
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	} else {
		snprintf(err->msg, sizeof(err->msg), "%s", strerror(code < 0 ? -code : code));
	}
	return code;
}

_public_ const char *nsl_err_format(const struct nsl_err *err, char *buf, unsigned long size)
{
	if (err->extack[0])
		snprintf(buf, size, "%s: %s", err->msg, err->extack);
	else
		snprintf(buf, size, "%s", err->msg);
	return buf;
}
