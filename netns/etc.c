// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ETC_DIR/NAME/{resolv.conf,hosts}: the files `ip netns exec` (and `nslab netns exec`)
 * bind-mount over /etc. Every path is opened relative to a directory fd with O_NOFOLLOW, so a
 * planted symlink cannot redirect a write, and every file is written to a temporary name and
 * renamed into place, so a reader sees the old file or the new one, never half. No fsync:
 * these files describe namespaces that do not outlive a reboot, and on a disk-backed /etc two
 * fsyncs a file would cost more than the rest of a node's setup.
 * Input is validated so that no value can add a line of its own (resolv.conf and hosts are
 * line-based: a newline in a domain would be an injected directive).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "core.h"
#include "netconf-internal.h"

#define MAX_NAMESERVERS 3  /* glibc MAXNS */
#define MAX_SEARCH 6	   /* the historical glibc MAXDNSRCH, still musl's */
#define MAX_SEARCH_LEN 256 /* total, likewise */
#define MAX_OPTIONS 16
#define MAX_OPTION_LEN 64
#define MAX_NAMES_PER_ENTRY 32
/*
 * The largest file nslab writes and reads back. No cap on the number of hosts entries: a lab
 * gets one per node, and a hosts file of 100,000 nodes at the longest line (a 45-byte address,
 * a 64-byte node name) is 11.1 MB.
 */
#define MAX_FILE (16 * 1024 * 1024)

static bool is_name_char(char c)
{
	return isascii((unsigned char)c) && (isalnum((unsigned char)c) || c == '-' || c == '_');
}

/* A DNS name: labels of [A-Za-z0-9_-], 1..63 bytes, joined by single dots; 1..253 bytes. */
static bool valid_dns_name(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (len == 0 || len > 253 || s[0] == '.' || s[0] == '-')
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == '.') {
			if (label == 0)
				return false; /* ".." */
			label = 0;
		} else if (is_name_char(*p)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

/* A host name: a DNS name whose last label is not all digits (it would read as an address). */
static bool valid_host_name(const char *s)
{
	const char *last;

	if (!valid_dns_name(s))
		return false;
	last = strrchr(s, '.');
	last = last && last[1] ? last + 1 : s;
	for (; *last && *last != '.'; last++)
		if (!isdigit((unsigned char)*last))
			return true;
	return false;
}

/* A resolver option: "rotate", "ndots:2", "single-request-reopen". */
static bool valid_option(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > MAX_OPTION_LEN || !isalpha((unsigned char)s[0]))
		return false;
	for (const char *p = s; *p; p++)
		if (!is_name_char(*p) && *p != ':' && *p != '.')
			return false;
	return true;
}

/* @s for a one-line message: control characters as \xNN, cut to fit @buf. */
static const char *printable(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; s && *s && o + 5 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f)
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	buf[o] = '\0';
	return buf;
}

static bool valid_ip(const struct nsl_prefix *p)
{
	return p && (p->family == AF_INET || p->family == AF_INET6);
}

/* The netns must be a real one under the run dir (not "pid:N" or a path, which nsli_ns_open also takes). */
static int check_netns(struct nsl_ctx *ctx, const char *netns, bool must_exist, struct nsl_err *err)
{
	_cleanup_close_ int fd = -1;
	char path[4096];
	struct stat st;
	int r;

	if (!netns)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "no netns given");
	r = nsl_parse_nsname(netns, err);
	if (r < 0 || !must_exist)
		return r;
	if (!nsli_ns_path(ctx, netns, path, sizeof(path)))
		return nsl_err_set(err, NSL_E_USAGE, -ENAMETOOLONG, netns, "netns path too long");
	if (lstat(path, &st) < 0)
		return nsl_err_set(err, NSL_E_USAGE, negerrno(), netns, "netns '%s' does not exist", netns);
	return nsli_ns_open(ctx, netns, &fd, err);
}

/* Open ETC_DIR/@netns as a directory, creating both levels when @create. *@ret_parent,
 * when asked for, is ETC_DIR: the context's, not to be closed. */
static int open_netns_dir(struct nsl_ctx *ctx, const char *netns, bool create, int *ret_parent,
			  int *ret_fd, struct nsl_err *err)
{
	const char *etc = nsl_ctx_get_dir(ctx, NSL_DIR_ETC);
	int dfd = nsli_ctx_etc_fd(ctx, create), fd;

	if (dfd < 0)
		return nsl_err_set(err, dfd == -ENOENT ? NSL_E_USAGE : NSL_E_SYSTEM, dfd, netns,
				   "cannot %s %s: %s", create ? "create" : "open", etc, strerror(-dfd));
	fd = openat(dfd, netns, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(dfd, netns, 0755) < 0 && errno != EEXIST)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), netns, "cannot create %s/%s: %s",
					   etc, netns, strerror(errno));
		fd = openat(dfd, netns, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return nsl_err_set(err, errno == ENOENT ? NSL_E_USAGE : NSL_E_SYSTEM, negerrno(), netns,
				   "cannot open %s/%s: %s", etc, netns, strerror(errno));
	if (ret_parent)
		*ret_parent = dfd;
	*ret_fd = fd;
	return 0;
}

static int set_file(struct nsl_ctx *ctx, const char *netns, const char *name,
		    const struct iovec *iov, int n, struct nsl_err *err)
{
	_cleanup_close_ int fd = -1;
	int r;

	r = open_netns_dir(ctx, netns, true, NULL, &fd, err);
	if (r < 0)
		return r;
	r = nsli_write_atomic(fd, name, iov, n, 0644, 0);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, netns, "cannot write %s/%s/%s: %s",
				   nsl_ctx_get_dir(ctx, NSL_DIR_ETC), netns, name, strerror(-r));
	return 0;
}

static int get_file(struct nsl_ctx *ctx, const char *netns, const char *name, char **ret,
		    struct nsl_err *err)
{
	_cleanup_close_ int dfd = -1, fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int r;

	r = check_netns(ctx, netns, false, err);
	if (r < 0)
		return r;
	r = open_netns_dir(ctx, netns, false, NULL, &dfd, err);
	if (r == -ENOENT)
		return nsl_err_set(err, NSL_E_USAGE, r, netns, "no %s for netns '%s'", name, netns);
	if (r < 0)
		return r;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return nsl_err_set(err, NSL_E_USAGE, -ENOENT, netns, "no %s for netns '%s'", name, netns);
	if (fd < 0 || fstat(fd, &st) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), netns, "cannot read %s: %s", name,
				   strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_FILE)
		return nsl_err_set(err, NSL_E_SYSTEM, -EINVAL, netns, "%s is not a regular file of sane size",
				   name);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, netns, NULL);
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), netns, "cannot read %s: %s", name,
					   strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	return 0;
}

/* ETC_DIR/@netns for removals: -ENOENT when there is none. */
static int open_existing_dir(struct nsl_ctx *ctx, const char *netns, int *ret_parent, int *ret_fd,
			     struct nsl_err *err)
{
	int r = check_netns(ctx, netns, false, err);

	return r < 0 ? r : open_netns_dir(ctx, netns, false, ret_parent, ret_fd, err);
}

static int del_file(struct nsl_ctx *ctx, const char *netns, const char *name, struct nsl_err *err)
{
	_cleanup_close_ int dfd = -1;
	int parent = -1; /* the context's */
	int r;

	r = open_existing_dir(ctx, netns, &parent, &dfd, err);
	if (r == -ENOENT)
		return nsl_err_set(err, NSL_E_USAGE, r, netns, "no %s for netns '%s'", name, netns);
	if (r < 0)
		return r;
	if (unlinkat(dfd, name, 0) < 0) {
		r = negerrno();
		if (r == -ENOENT)
			return nsl_err_set(err, NSL_E_USAGE, r, netns, "no %s for netns '%s'", name, netns);
		return nsl_err_set(err, NSL_E_SYSTEM, r, netns, "cannot remove %s: %s", name, strerror(-r));
	}
	/* Leave the directory when other files (hosts, nsswitch.conf, ...) remain. */
	(void)unlinkat(parent, netns, AT_REMOVEDIR);
	return 0;
}

_public_ int nsl_netconf_del(struct nsl_ctx *ctx, const char *netns, struct nsl_err *err)
{
	static const char *const files[] = { "resolv.conf", "hosts" };
	_cleanup_close_ int dfd = -1;
	int parent = -1; /* the context's */
	int r;

	r = open_existing_dir(ctx, netns, &parent, &dfd, err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		if (unlinkat(dfd, files[i], 0) < 0 && errno != ENOENT)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), netns, "cannot remove %s: %s",
					   files[i], strerror(errno));
	/* Leave the directory when other files (nsswitch.conf, ...) remain. */
	(void)unlinkat(parent, netns, AT_REMOVEDIR);
	return 0;
}

/* ---- resolv.conf ---- */

static int dns_validate(const char *netns, const struct nsl_dns *dns, struct nsl_err *err)
{
	size_t total = 0;
	char pb[96];

	if (!dns || dns->n_nameservers == 0)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, netns, "at least one nameserver is needed");
	if (dns->n_nameservers > MAX_NAMESERVERS)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, netns,
				   "at most %d nameservers (the resolver ignores more)", MAX_NAMESERVERS);
	for (size_t i = 0; i < dns->n_nameservers; i++)
		if (!valid_ip(&dns->nameservers[i]))
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, netns, "invalid nameserver address");
	if (dns->n_search > MAX_SEARCH)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, netns, "at most %d search domains", MAX_SEARCH);
	for (size_t i = 0; i < dns->n_search; i++) {
		if (!dns->search[i] || !valid_dns_name(dns->search[i]))
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, netns, "invalid search domain '%s'",
					   printable(dns->search[i], pb, sizeof(pb)));
		total += strlen(dns->search[i]) + 1;
	}
	if (total > MAX_SEARCH_LEN)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, netns, "search list longer than %d bytes",
				   MAX_SEARCH_LEN);
	if (dns->n_options > MAX_OPTIONS)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, netns, "at most %d options", MAX_OPTIONS);
	for (size_t i = 0; i < dns->n_options; i++)
		if (!dns->options[i] || !valid_option(dns->options[i]))
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, netns, "invalid resolver option '%s'",
					   printable(dns->options[i], pb, sizeof(pb)));
	return 0;
}

static void list_line(FILE *f, const char *key, const char *const *v, size_t n)
{
	if (n == 0)
		return;
	fputs(key, f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " %s", v[i]);
	fputc('\n', f);
}

int nsli_dns_render(const char *netns, const struct nsl_dns *dns, char **ret, size_t *ret_len,
		   struct nsl_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	r = dns_validate(netns, dns, err);
	if (r < 0)
		return r;
	f = open_memstream(&buf, &len);
	if (!f)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, netns, NULL);
	fprintf(f, "# Generated by nslab for netns %s\n", netns);
	for (size_t i = 0; i < dns->n_nameservers; i++) {
		char a[64];

		fprintf(f, "nameserver %s\n", nsl_prefix_str(&dns->nameservers[i], false, a, sizeof(a)));
	}
	list_line(f, "search", dns->search, dns->n_search);
	list_line(f, "options", dns->options, dns->n_options);
	if (fclose(f) != 0 || !buf)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, netns, NULL);
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

_public_ int nsl_dns_set(struct nsl_ctx *ctx, const char *netns, const struct nsl_dns *dns,
			 struct nsl_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	r = check_netns(ctx, netns, false, err);
	if (r < 0)
		return r;
	r = nsli_dns_render(netns, dns, &buf, &len, err);
	if (r < 0)
		return r;
	r = check_netns(ctx, netns, true, err);
	if (r < 0)
		return r;
	return set_file(ctx, netns, "resolv.conf", &(struct iovec){ buf, len }, 1, err);
}

_public_ int nsl_dns_get(struct nsl_ctx *ctx, const char *netns, char **ret, struct nsl_err *err)
{
	return get_file(ctx, netns, "resolv.conf", ret, err);
}

_public_ int nsl_dns_del(struct nsl_ctx *ctx, const char *netns, struct nsl_err *err)
{
	return del_file(ctx, netns, "resolv.conf", err);
}

/* ---- hosts ---- */

static int hosts_validate(const char *netns, const struct nsl_host_entry *entries, size_t n,
			  struct nsl_err *err)
{
	char pb[96];

	for (size_t i = 0; i < n; i++) {
		if (!valid_ip(&entries[i].addr))
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, netns, "invalid host address");
		if (entries[i].n_names == 0 || entries[i].n_names > MAX_NAMES_PER_ENTRY)
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, netns,
					   "each address needs 1 to %d names", MAX_NAMES_PER_ENTRY);
		for (size_t j = 0; j < entries[i].n_names; j++) {
			const char *name = entries[i].names[j];

			if (!name || !valid_host_name(name))
				return nsl_err_set(err, NSL_E_USAGE, -EINVAL, netns, "invalid host name '%s'",
						   printable(name, pb, sizeof(pb)));
		}
	}
	return 0;
}

/* The lines of every node's hosts but the first: localhost, then @entries. */
struct nsl_hosts {
	char *body;
	size_t len;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nsl_hosts *, nsl_hosts_free)

_public_ void nsl_hosts_free(struct nsl_hosts *h)
{
	if (!h)
		return;
	free(h->body);
	free(h);
}

_public_ int nsl_hosts_prepare(const struct nsl_host_entry *entries, size_t n, struct nsl_hosts **ret,
			       struct nsl_err *err)
{
	_cleanup_free_ struct nsl_hosts *h = calloc(1, sizeof(*h));
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	r = hosts_validate(NULL, entries, n, err);
	if (r < 0)
		return r;
	f = open_memstream(&buf, &len);
	if (!h || !f) {
		if (f)
			fclose(f);
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	}
	fputs("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n", f);
	for (size_t i = 0; i < n; i++) {
		char a[64];

		fputs(nsl_prefix_str(&entries[i].addr, false, a, sizeof(a)), f);
		for (size_t j = 0; j < entries[i].n_names; j++) {
			fputc(j ? ' ' : '\t', f);
			fputs(entries[i].names[j], f);
		}
		fputc('\n', f);
	}
	if (fclose(f) != 0 || !buf)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	/* What is written must be read back (get_file(), nsli_netconf_file_hash()). */
	if (len > MAX_FILE - 128)
		return nsl_err_set(err, NSL_E_USAGE, -EFBIG, NULL, "hosts: %zu bytes, more than %d MiB", len,
				   MAX_FILE >> 20);
	h->body = TAKE_PTR(buf);
	h->len = len;
	*ret = TAKE_PTR(h);
	return 0;
}

static int hosts_header(const char *netns, char *buf, size_t size)
{
	return snprintf(buf, size, "# Generated by nslab for netns %s\n", netns);
}

int nsli_hosts_render(const char *netns, const struct nsl_host_entry *entries, size_t n, char **ret,
		     size_t *ret_len, struct nsl_err *err)
{
	_cleanup_(nsl_hosts_freep) struct nsl_hosts *h = NULL;
	char head[128];
	int hl, r;

	r = nsl_hosts_prepare(entries, n, &h, err);
	if (r < 0) {
		if (err)
			snprintf(err->object, sizeof(err->object), "%s", netns);
		return r;
	}
	hl = hosts_header(netns, head, sizeof(head));
	*ret = malloc((size_t)hl + h->len + 1);
	if (!*ret)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, netns, NULL);
	memcpy(*ret, head, (size_t)hl);
	memcpy(*ret + hl, h->body, h->len + 1);
	*ret_len = (size_t)hl + h->len;
	return 0;
}

_public_ int nsl_hosts_set_prepared(struct nsl_ctx *ctx, const char *netns, const struct nsl_hosts *h,
				    struct nsl_err *err)
{
	char head[128];
	int r;

	r = check_netns(ctx, netns, true, err);
	if (r < 0)
		return r;
	struct iovec iov[2] = {
		{ head, (size_t)hosts_header(netns, head, sizeof(head)) },
		{ h->body, h->len },
	};
	return set_file(ctx, netns, "hosts", iov, 2, err);
}

_public_ int nsl_hosts_set(struct nsl_ctx *ctx, const char *netns,
			   const struct nsl_host_entry *entries, size_t n, struct nsl_err *err)
{
	_cleanup_(nsl_hosts_freep) struct nsl_hosts *h = NULL;
	int r;

	r = check_netns(ctx, netns, false, err);
	if (r < 0)
		return r;
	r = nsl_hosts_prepare(entries, n, &h, err);
	if (r < 0) {
		if (err)
			snprintf(err->object, sizeof(err->object), "%s", netns);
		return r;
	}
	return nsl_hosts_set_prepared(ctx, netns, h, err);
}

_public_ int nsl_hosts_get(struct nsl_ctx *ctx, const char *netns, char **ret, struct nsl_err *err)
{
	return get_file(ctx, netns, "hosts", ret, err);
}

_public_ int nsl_hosts_del(struct nsl_ctx *ctx, const char *netns, struct nsl_err *err)
{
	return del_file(ctx, netns, "hosts", err);
}

/* ---- what nslab wrote: content hashes, removal only of that ---- */

#define FNV_START 0xcbf29ce484222325ULL

/* FNV-1a 64 from @h on, over every byte of @data (NULs included). */
static uint64_t fnv_more(uint64_t h, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)data[i]) * 0x100000001b3ULL;
	return h;
}

uint64_t nsli_netconf_hash(const char *data, size_t len)
{
	return fnv_more(FNV_START, data, len) ^ len;
}

/* The hash of @name below @dfd, taken as it is read (no copy of the file): -ENOENT none,
 * -EEXIST not a regular file of sane size, which is nobody's output of ours. */
static int hash_at(int dfd, const char *name, uint64_t *ret)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char buf[32 * 1024]; /* a 1,500-node lab's hosts file in one read */
	uint64_t h = FNV_START;
	struct stat st;
	size_t len = 0;

	if (fd < 0)
		return errno == ELOOP ? -EEXIST : negerrno(); /* a symlink is nobody's output of ours */
	if (fstat(fd, &st) < 0)
		return negerrno();
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_FILE)
		return -EEXIST;
	while (len < (size_t)st.st_size) {
		size_t want = (size_t)st.st_size - len;
		ssize_t n = read(fd, buf, want < sizeof(buf) ? want : sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negerrno();
		if (n == 0)
			break;
		h = fnv_more(h, buf, (size_t)n);
		len += (size_t)n;
	}
	*ret = h ^ len;
	return 0;
}

int nsli_netconf_file_hash(struct nsl_ctx *ctx, const char *netns, const char *name, uint64_t *ret)
{
	_cleanup_close_ int dfd = -1;
	int r = open_netns_dir(ctx, netns, false, NULL, &dfd, NULL);

	return r < 0 ? r : hash_at(dfd, name, ret);
}

/* The hash of header and body, as nsli_netconf_hash() of the file: without copying the body,
 * which is every node's line (a 5,000-node lab hashes 5,000 of them for each node). */
int nsli_hosts_prepared_hash(const char *netns, const struct nsl_hosts *h, uint64_t *ret)
{
	char head[128];
	size_t hl = (size_t)hosts_header(netns, head, sizeof(head));

	*ret = fnv_more(fnv_more(FNV_START, head, hl), h->body, h->len) ^ (hl + h->len);
	return 0;
}

int nsli_dns_hash(const char *netns, const struct nsl_dns *dns, uint64_t *ret, struct nsl_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = nsli_dns_render(netns, dns, &buf, &len, err);

	if (r < 0)
		return r;
	*ret = nsli_netconf_hash(buf, len);
	return 0;
}

/* Remove @name below @dfd when its hash is one of @hashes: 1 removed, 0 none, -EEXIST not ours. */
static int del_owned_at(int dfd, const char *name, const uint64_t *hashes, size_t n)
{
	uint64_t h;
	int r = hash_at(dfd, name, &h);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (hashes[i] == h)
			return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? negerrno() : 1;
	return -EEXIST;
}

int nsli_netconf_del_owned(struct nsl_ctx *ctx, const char *netns, const char *name, const uint64_t *hashes,
			  size_t n)
{
	_cleanup_close_ int dfd = -1;
	int r = open_netns_dir(ctx, netns, false, NULL, &dfd, NULL);

	if (r < 0)
		return r == -ENOENT ? 0 : r;
	return del_owned_at(dfd, name, hashes, n);
}

/* Remove @name below @dfd when it starts with nslab's header for @netns (down --force). */
static int del_generated_at(int dfd, const char *netns, const char *name)
{
	_cleanup_close_ int fd = -1;
	char head[128], buf[128];
	int hl = hosts_header(netns, head, sizeof(head));
	ssize_t n;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : negerrno();
	n = read(fd, buf, (size_t)hl);
	if (n != hl || memcmp(buf, head, (size_t)hl))
		return -EEXIST;
	return unlinkat(dfd, name, 0) < 0 ? negerrno() : 1;
}

/* A write that died between its temporary file and the rename leaves ".NAME.nslab-XXXXXXXX"
 * (replace_file); only those of nslab's own two files are swept. */
static bool is_our_tmp(const char *d)
{
	static const char *const names[] = { ".hosts.nslab-", ".resolv.conf.nslab-" };

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		size_t k = strlen(names[i]);

		if (!strncmp(d, names[i], k) && strlen(d + k) == 8 && strspn(d + k, "0123456789abcdef") == 8)
			return true;
	}
	return false;
}

/* ETC_DIR/@netns (@dfd, in @parent) goes when empty. Only when it is not (a temporary file
 * of ours, or somebody else's file) is it read, for nslab's temporary files: no scan of
 * each node's directory when down has already removed all it holds. */
static int sweep_at(int parent, int dfd, const char *netns)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int fd;

	if (unlinkat(parent, netns, AT_REMOVEDIR) == 0 || (errno != ENOTEMPTY && errno != EEXIST))
		return 0;
	fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return negerrno();
	}
	while ((de = readdir(d)))
		if (is_our_tmp(de->d_name))
			unlinkat(dfd, de->d_name, 0);
	(void)unlinkat(parent, netns, AT_REMOVEDIR); /* only when empty */
	return 0;
}

int nsli_netconf_clear(struct nsl_ctx *ctx, const char *netns, struct nsli_etc_file *files, size_t n)
{
	_cleanup_close_ int dfd = -1;
	int parent = -1; /* the context's */
	int r;

	for (size_t i = 0; i < n; i++)
		files[i].result = 0;
	r = open_netns_dir(ctx, netns, false, &parent, &dfd, NULL);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (size_t i = 0; i < n; i++) {
		if (files[i].n_hashes)
			files[i].result = del_owned_at(dfd, files[i].name, files[i].hashes, files[i].n_hashes);
		else if (files[i].generated)
			files[i].result = del_generated_at(dfd, netns, files[i].name);
	}
	return sweep_at(parent, dfd, netns);
}
