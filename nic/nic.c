// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * nsl_nic_add / nsl_nic_del / nsl_nic_list: hot-adding NICs to running targets.
 *
 * add is validate -> open the target -> decide (names, bridge, parent; reads only) ->
 * record -> create -> configure -> check the target is still there. Each applied step is
 * undone in reverse when a later one fails, so a failed add leaves nothing on the host or
 * in the target.
 */
#include <time.h>

#include "core.h"
#include "macro.h"
#include "nic-internal.h"
#include "nslab/addr.h"
#include "nslab/bridge.h"
#include "nslab/link.h"
#include "nslab/route.h"

struct add_run {
	struct nsl_ctx *ctx;
	const struct nsl_nic *nic;
	struct nic_plan p;
	const struct nic_kind *kind;
	int dirfd;
};

static int check_gws(const struct nsl_nic *nic, struct nsl_err *err)
{
	if (nic->n_gws > 2 || (nic->n_gws == 2 && nic->gws[0].family == nic->gws[1].family))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "at most one 'gw' per address family");
	return 0;
}

static int check_names(const struct nsl_nic *nic, struct nsl_err *err)
{
	const char *names[] = { nic->ifname, nic->bridge, nic->macvlan_parent };
	uint32_t mode;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (names[i] && (r = nsl_parse_ifname(names[i], err)) < 0)
			return r;
	if (nic->bridge && nic->macvlan_parent)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL,
				   "'bridge' and 'macvlan' exclude each other");
	if (nic->macvlan_mode && !nic->macvlan_parent)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "'mode' needs 'macvlan PARENT'");
	if (nic->macvlan_mode && nsli_nic_macvlan_mode(nic->macvlan_mode, &mode) < 0)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, nic->macvlan_mode,
				   "macvlan mode must be bridge, private, vepa, passthru or source");
	return 0;
}

/* Everything about the request that can be checked without the kernel. */
static int validate(const struct nsl_nic *nic, struct nsl_nic_info *info, struct nsl_err *err)
{
	int r;

	r = nsl_nic_target_id(&nic->target, info->target, sizeof(info->target), err);
	if (r >= 0)
		r = check_names(nic, err);
	if (r >= 0)
		r = check_gws(nic, err);
	if (r < 0)
		return r;
	if (nic->n_addrs > NSL_NIC_MAX_ADDRS)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "at most %d addresses",
				   NSL_NIC_MAX_ADDRS);
	if (nic->mtu && (nic->mtu < 68 || nic->mtu > 65535))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "mtu must be 68..65535");
	snprintf(info->kind, sizeof(info->kind), "%s", nic->macvlan_parent ? "macvlan" : "veth");
	info->n_addrs = nic->n_addrs;
	if (nic->n_addrs)
		memcpy(info->addrs, nic->addrs, nic->n_addrs * sizeof(*nic->addrs));
	info->n_gws = nic->n_gws;
	if (nic->n_gws)
		memcpy(info->gws, nic->gws, nic->n_gws * sizeof(*nic->gws));
	info->has_mac = nic->mac != NULL;
	if (nic->mac)
		memcpy(info->mac, nic->mac, 6);
	info->mtu = nic->mtu;
	return 0;
}

/*
 * The netns the host side lives in, as recorded: later calls may come with another `-n`
 * (or none), and must still find it. "/proc/self/ns/net" is the caller's own.
 */
static const char *recorded_host(const struct nsl_nic_info *info)
{
	return info->host_netns[0] ? info->host_netns : "/proc/self/ns/net";
}

static int set_names(struct nic_plan *p, const char *ifname)
{
	int n;

	snprintf(p->info.ifname, sizeof(p->info.ifname), "%s", ifname);
	n = snprintf(p->info.logical, sizeof(p->info.logical), "%s:%s", p->info.target, ifname);
	if (n < 0 || (size_t)n >= sizeof(p->info.logical))
		return -ENAMETOOLONG;
	snprintf(p->alias, sizeof(p->alias), NSL_NIC_ALIAS_PREFIX "%s", p->info.logical);
	return 0;
}

static bool name_taken(const struct nsl_link_info *l, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (STREQ(l[i].ifname, name))
			return true;
		for (int k = 0; k < l[i].n_altnames && k < 4; k++)
			if (STREQ(l[i].altnames[k], name))
				return true;
	}
	return false;
}

/* The given IF must be free in the target; without one, take the first free ethN. */
static int pick_ifname(struct add_run *a, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *l = NULL;
	const char *spec = a->p.tgt->spec;
	char name[NSL_IFNAMSIZ];
	size_t n = 0;
	int r;

	r = nsl_link_list(a->ctx, spec, NULL, &l, &n, err);
	if (r < 0)
		return r;
	if (a->nic->ifname) {
		if (name_taken(l, n, a->nic->ifname))
			return nsl_err_set(err, NSL_E_CONFLICT, -EEXIST, a->nic->ifname,
					   "'%s' already exists in the target", a->nic->ifname);
		return set_names(&a->p, a->nic->ifname);
	}
	for (int i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "eth%d", i);
		if (!name_taken(l, n, name))
			return set_names(&a->p, name);
	}
	return nsl_err_set(err, NSL_E_CONFLICT, -EEXIST, NULL, "no free ethN name in the target");
}

/*
 * A record for this logical name whose link is still there means "already added" (exit 3);
 * one whose link went away with an earlier target (a recycled PID, a re-created netns) is
 * stale and simply replaced.
 */
static int check_record(struct add_run *a, struct nsl_err *err)
{
	struct nic_plan old = { .tgt = a->p.tgt };
	const struct nic_kind *k;
	dev_t dev;
	ino_t ino;
	int r;

	r = nsli_nic_state_read(a->dirfd, a->p.info.logical, &old.info, &dev, &ino, err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	snprintf(old.alias, sizeof(old.alias), "%s", a->p.alias);
	old.host = recorded_host(&old.info);
	if (dev != a->p.tgt->dev || ino != a->p.tgt->ino)
		old.tgt = NULL;
	k = nsli_nic_kind_find(old.info.kind);
	if (k && k->present(a->ctx, &old, NULL) == 1)
		return nsl_err_set(err, NSL_E_CONFLICT, -EEXIST, a->p.info.logical,
				   "'%s' is already added (see 'nslab nic list')", a->p.info.logical);
	return 0;
}

/* The logical name becomes a host altname: nothing else may carry it. */
static int check_altname(struct add_run *a, struct nsl_err *err)
{
	int r = nsl_link_exists(a->ctx, NULL, a->p.info.logical, err);

	if (r > 0)
		return nsl_err_set(err, NSL_E_CONFLICT, -EEXIST, a->p.info.logical,
				   "a host link already carries the name '%s'", a->p.info.logical);
	return r < 0 ? r : 0;
}

static int same_netns_as_host(struct add_run *a, struct nsl_err *err)
{
	dev_t dev;
	ino_t ino;
	int r = nsli_ns_ident(a->ctx, NULL, &dev, &ino, err);

	if (r < 0)
		return r;
	if (dev == a->p.tgt->dev && ino == a->p.tgt->ino)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, a->p.info.target,
				   "the target is in the host's own network namespace");
	return 0;
}

static int make_bridge(struct add_run *a, struct nsl_err *err)
{
	struct nsl_bridge b = {
		.name = a->p.info.bridge,
		.mtu = a->p.info.mtu,
		.up = true,
		.alias = NSL_NIC_BRIDGE_ALIAS,
	};

	return nsl_bridge_add(a->ctx, &b, err);
}

static int configure(struct add_run *a, struct nsl_err *err)
{
	const struct nsl_nic_info *i = &a->p.info;
	const char *spec = a->p.tgt->spec;
	unsigned flags = a->nic->flags & NSL_NIC_NODAD ? NSL_ADDR_NODAD : 0;
	int r;

	for (size_t k = 0; k < i->n_addrs; k++) {
		r = nsl_addr_add(a->ctx, spec, i->ifname, &i->addrs[k], flags, err);
		if (r < 0)
			return r;
	}
	for (size_t k = 0; k < i->n_gws; k++) {
		struct nsl_route rt = {
			.dst = { .family = i->gws[k].family, .len = 0 },
			.via = &i->gws[k],
			.dev = i->ifname,
		};

		r = nsl_route_replace(a->ctx, spec, &rt, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Test builds only (-DNSLAB_TEST_HOOKS, never libnslab or the installed nslab):
 * NSLAB_TEST_NIC_PAUSE_MS makes add wait after configuring, so that a test can kill the
 * target right then and watch the exit check and the rollback work.
 */
static void test_pause(void)
{
#ifdef NSLAB_TEST_HOOKS
	const char *e = secure_getenv("NSLAB_TEST_NIC_PAUSE_MS");
	long ms = e ? strtol(e, NULL, 10) : 0;
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	if (ms > 0 && ms <= 60000)
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
#endif
}

/* Record what the kernel chose (MTU, MAC) so that `nic list` shows the real values. */
static int read_back(struct add_run *a, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *l = NULL;
	struct nsl_nic_info *i = &a->p.info;
	size_t n = 0;
	int r;

	r = nsl_link_list(a->ctx, a->p.tgt->spec, i->ifname, &l, &n, err);
	if (r < 0 || n == 0)
		return r < 0 ? r : 0;
	i->mtu = l[0].mtu;
	i->has_mac = l[0].has_mac;
	memcpy(i->mac, l[0].mac, sizeof(i->mac));
	return nsli_nic_state_write(a->dirfd, i, a->p.tgt->dev, a->p.tgt->ino, err);
}

/* Undo what apply() did. Returns what is left behind, "" when nothing is. */
static const char *undo(struct add_run *a, bool link_made, bool bridge_made)
{
	const char *left = "";

	if (link_made && a->kind->remove(a->ctx, &a->p, NULL) < 0)
		left = a->p.info.host_ifname[0] ? a->p.info.host_ifname : a->p.info.ifname;
	if (bridge_made && !left[0] && nsl_bridge_del(a->ctx, NULL, a->p.info.bridge, NULL) < 0)
		left = a->p.info.bridge;
	if (!left[0])
		nsli_nic_state_remove(a->dirfd, a->p.info.logical, NULL);
	return left;
}

static int apply(struct add_run *a, struct nsl_err *err)
{
	bool bridge_made = false, link_made = false;
	const char *left;
	int r;

	r = nsli_nic_state_write(a->dirfd, &a->p.info, a->p.tgt->dev, a->p.tgt->ino, err);
	if (r < 0)
		return r;
	if (a->p.info.bridge_created) {
		r = make_bridge(a, err);
		bridge_made = r >= 0;
	}
	if (r >= 0) {
		r = a->kind->create(a->ctx, &a->p, err);
		link_made = r >= 0;
	}
	if (r >= 0)
		r = configure(a, err);
	if (r >= 0) {
		test_pause();
		r = nsli_nic_target_alive(a->ctx, a->p.tgt, err);
	}
	if (r >= 0)
		r = read_back(a, err);
	if (r >= 0)
		return 0;
	left = undo(a, link_made, bridge_made);
	if (left[0] && err) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		snprintf(err->msg, sizeof(err->msg), "%.120s; rollback failed, left behind: %s "
			 "(remove it with 'nslab nic del')", msg, left);
		err->kind = NSL_E_PARTIAL;
	}
	return r;
}

static int add_locked(struct add_run *a, struct nsl_err *err)
{
	int r;

	r = pick_ifname(a, err);
	if (r == -ENAMETOOLONG)
		return nsl_err_set(err, NSL_E_USAGE, r, NULL, "logical name too long");
	if (r >= 0)
		r = check_record(a, err);
	if (r >= 0)
		r = check_altname(a, err);
	if (r >= 0)
		r = a->kind->prepare(a->ctx, a->nic, &a->p, err);
	if (r >= 0)
		r = apply(a, err);
	return r;
}

_public_ int nsl_nic_add(struct nsl_ctx *ctx, const struct nsl_nic *nic, struct nsl_nic_info *ret,
			 struct nsl_err *err)
{
	_cleanup_(nic_target_closep) struct nic_target tgt = NIC_TARGET_NULL;
	struct add_run a = { .ctx = ctx, .nic = nic, .dirfd = -1 };
	_cleanup_close_ int dirfd = -1;
	int r;

	r = validate(nic, &a.p.info, err);
	if (r < 0)
		return r;
	snprintf(a.p.info.host_netns, sizeof(a.p.info.host_netns), "%s",
		 nsl_ctx_get_netns(ctx) ? nsl_ctx_get_netns(ctx) : "");
	a.kind = nsli_nic_kind_find(a.p.info.kind);
	r = nsli_nic_target_open(ctx, &nic->target, &tgt, err);
	if (r < 0)
		return r;
	a.p.tgt = &tgt;
	r = same_netns_as_host(&a, err);
	if (r < 0)
		return r;
	r = nsli_nic_state_open(ctx, true, true, &dirfd, err);
	if (r < 0)
		return r;
	a.dirfd = dirfd;
	r = add_locked(&a, err);
	if (r < 0) {
		/* The first add made the directory; a failure leaves no record, nor it. */
		nsli_nic_state_remove(dirfd, NULL, NULL);
		return r;
	}
	if (ret) {
		*ret = a.p.info;
		ret->present = true;
	}
	return 0;
}

/* ---- del and list ---- */

/* Best effort: a target that is gone, or whose netns is no longer the recorded one, is
 * not opened, and a NIC living only there has gone with it. */
static bool open_recorded(struct nsl_ctx *ctx, const struct nsl_nic_target *t, dev_t dev,
			  ino_t ino, struct nic_target *nt)
{
	if (nsli_nic_target_open(ctx, t, nt, NULL) < 0)
		return false;
	if (nt->dev == dev && nt->ino == ino)
		return true;
	nsli_nic_target_close(nt);
	return false;
}

/* Remove @br when nslab made it (its alias says so) and no port is left on it. */
static int prune_bridge(struct nsl_ctx *ctx, const char *host, const char *br, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *l = NULL;
	const struct nsl_link_info *b = NULL;
	size_t n = 0;
	int r;

	r = nsl_link_list(ctx, host, NULL, &l, &n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (STREQ(l[i].ifname, br))
			b = &l[i];
	if (!b || !STREQ(b->alias, NSL_NIC_BRIDGE_ALIAS))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (l[i].master == b->ifindex)
			return 0;
	r = nsl_bridge_del(ctx, host, br, err);
	return r == -ENODEV ? 0 : r;
}

static int read_for_del(int dirfd, struct nic_plan *p, dev_t *dev, ino_t *ino, struct nsl_err *err)
{
	char logical[sizeof(p->info.logical)];
	int r;

	memcpy(logical, p->info.logical, sizeof(logical));
	r = nsli_nic_state_read(dirfd, logical, &p->info, dev, ino, err);
	if (r == -ENOENT)
		return nsl_err_set(err, NSL_E_USAGE, -ENOENT, logical, "no NIC '%s' was added by nslab",
				   logical);
	if (r >= 0 && !nsli_nic_kind_find(p->info.kind))
		return nsl_err_set(err, NSL_E_SYSTEM, -EBADMSG, logical, "unknown kind '%s' in record",
				   p->info.kind);
	return r;
}

_public_ int nsl_nic_del(struct nsl_ctx *ctx, const struct nsl_nic_target *t, const char *ifname,
			 unsigned flags, struct nsl_err *err)
{
	_cleanup_(nic_target_closep) struct nic_target tgt = NIC_TARGET_NULL;
	_cleanup_close_ int dirfd = -1;
	struct nic_plan p = { 0 };
	dev_t dev;
	ino_t ino;
	int r;

	r = nsl_nic_target_id(t, p.info.target, sizeof(p.info.target), err);
	if (r >= 0)
		r = nsl_parse_ifname(ifname, err);
	if (r < 0)
		return r;
	if (set_names(&p, ifname) < 0)
		return nsl_err_set(err, NSL_E_USAGE, -ENAMETOOLONG, NULL, "logical name too long");
	r = nsli_nic_state_open(ctx, false, true, &dirfd, err);
	if (r == -ENOENT)
		return nsl_err_set(err, NSL_E_USAGE, -ENOENT, p.info.logical,
				   "no NIC '%s' was added by nslab", p.info.logical);
	if (r >= 0)
		r = read_for_del(dirfd, &p, &dev, &ino, err);
	if (r < 0)
		return r;
	if (open_recorded(ctx, t, dev, ino, &tgt))
		p.tgt = &tgt;
	p.host = recorded_host(&p.info);
	r = nsli_nic_kind_find(p.info.kind)->remove(ctx, &p, err);
	if (r < 0)
		return r;
	r = nsli_nic_state_remove(dirfd, p.info.logical, err);
	if (r >= 0 && (flags & NSL_NIC_PRUNE_BRIDGE) && p.info.bridge[0])
		r = prune_bridge(ctx, p.host, p.info.bridge, err);
	return r;
}

/* "pid1234" / "ns-NAME" / "ctr-NAME" back to a target, for listing every target. */
static int target_from_id(const char *id, struct nsl_nic_target *t)
{
	char *end;
	long v;

	if (strncmp(id, "ns-", 3) == 0) {
		*t = (struct nsl_nic_target){ .kind = NSL_NIC_TARGET_NETNS, .name = id + 3 };
		return 0;
	}
	if (strncmp(id, "ctr-", 4) == 0) {
		*t = (struct nsl_nic_target){ .kind = NSL_NIC_TARGET_CONTAINER, .name = id + 4 };
		return 0;
	}
	if (strncmp(id, "pid", 3) != 0)
		return -EINVAL;
	v = strtol(id + 3, &end, 10);
	if (*end || v <= 0)
		return -EINVAL;
	*t = (struct nsl_nic_target){ .kind = NSL_NIC_TARGET_PID, .pid = (pid_t)v };
	return 0;
}

static void fill_present(struct nsl_ctx *ctx, struct nsl_nic_info *info, dev_t dev, ino_t ino)
{
	_cleanup_(nic_target_closep) struct nic_target tgt = NIC_TARGET_NULL;
	const struct nic_kind *k = nsli_nic_kind_find(info->kind);
	struct nic_plan p = { .info = *info, .host = recorded_host(info) };
	struct nsl_nic_target t;

	info->present = false;
	if (!k)
		return;
	snprintf(p.alias, sizeof(p.alias), NSL_NIC_ALIAS_PREFIX "%s", info->logical);
	if (k->needs_target && target_from_id(info->target, &t) == 0 &&
	    open_recorded(ctx, &t, dev, ino, &tgt))
		p.tgt = &tgt;
	info->present = k->present(ctx, &p, NULL) == 1;
}

static int list_locked(struct nsl_ctx *ctx, int dirfd, const char *id, struct nsl_nic_info **ret,
		       size_t *ret_n, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_nic_info *v = NULL;
	char **names = NULL;
	size_t n = 0, k = 0;
	int r;

	r = nsli_nic_state_names(dirfd, id, &names, &n, err);
	if (r < 0)
		return r;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		nsli_nic_strv_free(names, n);
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		dev_t dev;
		ino_t ino;

		/* A record that cannot be read is skipped, not fatal to the whole list. */
		if (nsli_nic_state_read(dirfd, names[i], &v[k], &dev, &ino, NULL) < 0)
			continue;
		fill_present(ctx, &v[k++], dev, ino);
	}
	nsli_nic_strv_free(names, n);
	*ret = TAKE_PTR(v);
	*ret_n = k;
	return 0;
}

_public_ int nsl_nic_list(struct nsl_ctx *ctx, const struct nsl_nic_target *t,
			  struct nsl_nic_info **ret, size_t *ret_n, struct nsl_err *err)
{
	char id[NSL_ALTNAME_MAX + 1];
	_cleanup_close_ int dirfd = -1;
	struct nsl_err e = { 0 };
	int r;

	if (t && (r = nsl_nic_target_id(t, id, sizeof(id), err)) < 0)
		return r;
	r = nsli_nic_state_open(ctx, false, false, &dirfd, &e);
	if (r == -ENOENT) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	if (r < 0) {
		if (err)
			*err = e;
		return r;
	}
	return list_locked(ctx, dirfd, t ? id : NULL, ret, ret_n, err);
}
