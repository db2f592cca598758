/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSLAB_ERROR_H
#define NSLAB_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * enum nsl_err_kind - what kind of failure, mapped 1:1 to the CLI exit codes.
 * @NSL_E_USAGE:    bad input, found before any change (exit 1)
 * @NSL_E_SYSTEM:   the kernel or a syscall refused; this call's changes were undone (exit 2)
 * @NSL_E_CONFLICT: a lock is held or an object exists that nslab does not own (exit 3)
 * @NSL_E_PARTIAL:  a failure that could not be rolled back (exit 4)
 */
enum nsl_err_kind {
	NSL_E_NONE = 0,
	NSL_E_USAGE = 1,
	NSL_E_SYSTEM = 2,
	NSL_E_CONFLICT = 3,
	NSL_E_PARTIAL = 4,
};

/**
 * struct nsl_err - optional, caller-owned detail of a failure.
 * @code:   the negative errno also returned by the failing call
 * @kind:   see enum nsl_err_kind
 * @object: the name of the object the failure is about ("" when none)
 * @msg:    what is wrong, one line, no trailing newline
 * @extack: the kernel's extended-ACK message, "" when the kernel sent none
 * @line:   with topology files: 1-based line of the offending node, else 0
 * @column: with topology files: 1-based column, else 0
 *
 * Every library call takes a `struct nsl_err *` last (NULL allowed). The negative return value
 * is the source of truth; the struct only adds words. Nothing in it needs freeing.
 */
struct nsl_err {
	int code;
	enum nsl_err_kind kind;
	char object[128];
	char msg[256];
	char extack[256];
	unsigned line;
	unsigned column;
};

/** nsl_err_clear - reset @err (NULL allowed) to "no error". */
void nsl_err_clear(struct nsl_err *err);

/**
 * nsl_err_set - record a failure in @err (NULL allowed) and return @code.
 * @err:    where to record it
 * @kind:   see enum nsl_err_kind
 * @code:   negative errno
 * @object: the object's name, or NULL
 * @fmt:    printf format of the message; NULL means strerror(-code)
 *
 * Return: @code, so that callers can write `return nsl_err_set(...)`.
 */
int nsl_err_set(struct nsl_err *err, enum nsl_err_kind kind, int code, const char *object,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/**
 * nsl_err_format - render @err as "MSG[: EXTACK]" into @buf.
 * Return: @buf.
 */
const char *nsl_err_format(const struct nsl_err *err, char *buf, unsigned long size);

#ifdef __cplusplus
}
#endif
#endif
