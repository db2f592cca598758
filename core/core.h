/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal core API: namespace switching and netlink sessions. Only core/ calls setns();
 * every other module reaches another namespace through these functions.
 */
#ifndef NSL_CORE_CORE_H
#define NSL_CORE_CORE_H

#include <libmnl/libmnl.h>
#include <netlink/msg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "nslab/ctx.h"
#include "nslab/error.h"
#include "macro.h"

struct nsl_nl;

/* ---- hashing (core/hash.c) ---- */

/**
 * nsli_hash64 - a stable 64-bit hash of @s in the name space @domain (NULL: none), varied by
 * @salt; the same on every machine and run. For derived names, MACs and signatures.
 */
uint64_t nsli_hash64(const char *domain, const char *s, unsigned salt);
/** nsli_crc32 - CRC-32 of @n bytes at @data, continuing @crc (0 to start); zlib's crc32(). */
uint32_t nsli_crc32(uint32_t crc, const void *data, size_t n);

/* ---- JSON (core/json.c) ---- */

/**
 * nsli_json_escape - write @s (NULL: "") to @f as a JSON string, quotes included: '"' and '\\'
 * escaped, \b \f \n \r \t by name, every other control byte, DEL and the C1 controls as
 * \u00XX; valid UTF-8 as is, a byte that is not UTF-8 as \u00XX (its Latin-1 reading).
 * The only JSON string escaper of the project: the library's graph and the CLI both use it.
 */
void nsli_json_escape(FILE *f, const char *s);

/**
 * nsli_json_indent - write the compact JSON text @json to @f with one member or element a
 * line, indented by two spaces, and ": " after keys (the CLI's -p layout); empty objects and
 * arrays stay "{}" and "[]". @json must be well-formed (the library's own output).
 */
void nsli_json_indent(FILE *f, const char *json);

/* ---- files (core/file.c) ---- */

/**
 * nsli_write_all - write the @n parts of @iov to @fd in full, EINTR and short writes retried;
 * @iov is not changed. Return: 0, or a negative errno of write(2).
 */
int nsli_write_all(int fd, const struct iovec *iov, int n);

/** nsl_write_buf - nsli_write_all() of one buffer. */
static inline int nsl_write_buf(int fd, const void *buf, size_t len)
{
	return nsli_write_all(fd, &(struct iovec){ .iov_base = (void *)buf, .iov_len = len }, 1);
}

enum {
	/* fsync the file before the rename and the directory after it: for state that must
	 * survive a crash (the directory's fsync is best effort). */
	NSL_WRITE_SYNC = 1 << 0,
	/* Temporary ".NAME.tmp", a stale one replaced, instead of ".NAME.nslab-XXXXXXXX" (random,
	 * O_EXCL): only where a lock serialises the writers of @name. */
	NSL_WRITE_FIXED_TMP = 1 << 1,
};

/**
 * nsli_write_atomic - replace @dirfd/@name by the @n parts of @iov, atomically: write a
 * temporary file beside it (O_NOFOLLOW, O_EXCL, mode exactly @mode), then rename it over
 * @name, so a reader sees the old file or the new one. @flags: NSL_WRITE_*.
 * On failure the temporary file is removed and @name is untouched.
 * Return: 0, or a negative errno: -ENAMETOOLONG (@name too long for a temporary name), or
 * that of open, fchmod, write, fsync or rename.
 */
int nsli_write_atomic(int dirfd, const char *name, const struct iovec *iov, int n, mode_t mode,
		     unsigned flags);

/* ---- namespaces (core/ns.c) ---- */

/**
 * nsli_ns_open - open a network namespace as an O_CLOEXEC fd.
 * @spec: NULL for the context's current netns; a string with '/' is a path; "pid:N" is
 *        the netns of process N (/proc/N/ns/net); anything else is a name, RUN_DIR/spec,
 *        digits too (unlike `ip link set … netns X`, a name is never taken for a PID).
 * Return: 0, -ENOENT (no such netns: @err says which), -ESRCH (no process N), -EINVAL
 * (empty or invalid spec, not a namespace file, or a namespace that is not a netns).
 */
int nsli_ns_open(struct nsl_ctx *ctx, const char *spec, int *ret_fd, struct nsl_err *err);

/**
 * nsli_ns_prepare_run_dir - make the run dir exist and be a recursive shared bind mount of
 * itself, as `ip netns add` does, under the same flock. Done once per context.
 */
int nsli_ns_prepare_run_dir(struct nsl_ctx *ctx, struct nsl_err *err);

/** nsli_ns_path - RUN_DIR/name into @buf. Return: @buf, or NULL when it does not fit. */
const char *nsli_ns_path(const struct nsl_ctx *ctx, const char *name, char *buf, size_t size);

/**
 * nsli_ns_call_in - run @fn(@data) on this thread while it is in the netns @nsfd, then return
 * to the context's home netns. Keep @fn short: open sockets or files, nothing else.
 * Return: @fn's value, or a negative errno of setns. A failed return to the home netns
 * marks the context broken and every later call fails with -ENOTRECOVERABLE.
 */
int nsli_ns_call_in(struct nsl_ctx *ctx, int nsfd, int (*fn)(void *), void *data);

/** struct nsl_sysctl_kv - a net sysctl as a path under /proc/sys, and its value. */
struct nsl_sysctl_kv {
	const char *path, *value;
};

/**
 * nsli_ns_unshare_net - create a new network namespace and bind-mount it onto @path (which
 * must exist). While in it, before the bind mount: write the @n sysctls @kv (one the kernel
 * lacks is skipped), open the context's netlink session for it under the name @key, and call
 * @here (NULL: none) with that session ready; then return to the home netns. Doing that from
 * inside saves a setns pair each.
 */
typedef int (*nsl_ns_here_fn)(struct nsl_ctx *ctx, const char *key, void *data, struct nsl_err *err);
int nsli_ns_unshare_net(struct nsl_ctx *ctx, const char *path, const char *key,
		       const struct nsl_sysctl_kv *kv, size_t n, nsl_ns_here_fn here, void *data,
		       struct nsl_err *err);

/**
 * nsli_ns_open_file - open() @path while in the netns @spec (for /proc/sys/net). A path
 * under /proc/ is looked up in a procfs instance of the context's own (see ns.c).
 */
int nsli_ns_open_file(struct nsl_ctx *ctx, const char *spec, const char *path, int flags,
		     int *ret_fd, struct nsl_err *err);

/** nsli_ns_socket - socket(@domain, @type | SOCK_CLOEXEC, @proto) created inside netns @spec. */
int nsli_ns_socket(struct nsl_ctx *ctx, const char *spec, int domain, int type, int proto,
		  int *ret_fd, struct nsl_err *err);

/** nsli_ns_ident - device and inode of the netns @spec (to compare namespaces). */
int nsli_ns_ident(struct nsl_ctx *ctx, const char *spec, dev_t *ret_dev, ino_t *ret_ino,
		 struct nsl_err *err);

/**
 * nsli_ctx_etc_fd - NSL_DIR_ETC as a directory fd (O_NOFOLLOW; made first when @create),
 * kept by the context until the directory is unlinked or changed (do not close).
 * Return: the fd, or a negative errno of mkdir/open.
 */
int nsli_ctx_etc_fd(struct nsl_ctx *ctx, bool create);
/** nsli_ctx_home_fd - fd of the namespace the context was created in (do not close). */
int nsli_ctx_home_fd(const struct nsl_ctx *ctx);

/* ---- netlink sessions (core/nl.c) ---- */

/**
 * nsli_nl_get - the rtnetlink session of netns @spec (see nsli_ns_open), opened on first use
 * with NETLINK_EXT_ACK, NETLINK_CAP_ACK and NETLINK_GET_STRICT_CHK on, and kept.
 * The session belongs to @ctx: do not free it.
 */
int nsli_nl_get(struct nsl_ctx *ctx, const char *spec, struct nsl_nl **ret, struct nsl_err *err);

/** nsli_nl_open_here - open the session of the calling thread's netns, cached under @key. */
int nsli_nl_open_here(struct nsl_ctx *ctx, const char *key, struct nsl_err *err);
/** nsli_nl_forget - close the cached session of @spec (NULL: the current netns), if any. */
void nsli_nl_forget(struct nsl_ctx *ctx, const char *spec);

/**
 * nsli_nl_talk - send one request with NLM_F_ACK and wait for its ACK.
 * The kernel's extended-ACK text, if any, lands in @err->extack; the kernel's errno is
 * returned as is.
 */
int nsli_nl_talk(struct nsl_nl *nl, struct nlmsghdr *req, struct nsl_err *err);

/** nsli_nl_talk_msg - nsli_nl_talk() for a request built by libnl; does not free @msg. */
int nsli_nl_talk_msg(struct nsl_nl *nl, struct nl_msg *msg, struct nsl_err *err);

/**
 * nsli_nl_batch - send @n requests in as few sendmsg() calls as fit and collect every ACK.
 * Return: 0, or the errno of the first refused request, whose index goes to @ret_failed.
 * The kernel runs every request of a batch: later ones may have succeeded.
 */
int nsli_nl_batch(struct nsl_nl *nl, struct nlmsghdr **reqs, int n, int *ret_failed,
		 struct nsl_err *err);

/**
 * nsli_nl_dump - send a dump request and call @cb for every message. A dump interrupted by
 * a concurrent change (NLM_F_DUMP_INTR) is started again, after @reset(@data) if given.
 */
int nsli_nl_dump(struct nsl_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void (*reset)(void *),
		void *data, struct nsl_err *err);

/**
 * nsli_nl_query - send a non-dump GET request and call @cb for the reply. Errors are the
 * kernel's errno, with its extack text.
 */
int nsli_nl_query(struct nsl_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data,
		 struct nsl_err *err);

/** nsli_nl_ifindex - ifindex of @ifname in this session's netns; -ENODEV when absent. */
int nsli_nl_ifindex(struct nsl_nl *nl, const char *ifname, struct nsl_err *err);

/**
 * nsli_nl_parse_attrs - index the attributes of @h that follow @offset bytes of family header
 * into @tb[0..@max] (later types are ignored). Return: 0, -EINVAL on a malformed message.
 */
int nsli_nl_parse_attrs(const struct nlmsghdr *h, unsigned offset, const struct nlattr **tb,
		       unsigned max);

/** Translate a libnl NLE_* code (negative or positive) into a negative errno. */
int nsli_nle_errno(int nle);

#endif
