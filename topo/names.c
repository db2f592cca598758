// SPDX-License-Identifier: LGPL-2.1-or-later
/* The kernel names of the devices nslab names itself: derived from the logical names, kept
 * across an edit of the lab. */
#include "core.h"
#include "macro.h"
#include "model-internal.h"

uint32_t nsli_topo_hash(const char *s)
{
	return (uint32_t)nsli_hash64("nslab-topo\n", s, 0);
}

/*
 * nslab names two kinds of device itself: a bridge in the root netns ("LAB-BRIDGE") and the
 * bridge-side end of every port, in its bridge's netns ("LAB-NODE-IF"). That readable form is
 * used when it fits in 15 bytes, holds no '~', and is nobody else's in that netns: no other
 * derived name has the same readable form (node "a-b" + "c" and node "a" + "b-c" both lose it)
 * and no name the file gives (a node's interface, a bridge inside a node) or a kept one
 * (topo_names_keep()) is that string. Every other device gets HEAD~TAG: HEAD the readable form
 * cut to 9 bytes (trailing '-' dropped), TAG 5 base-36 digits of the hash of the full logical
 * name (the altname), the next free value when taken (linear probing).
 *
 * Why two devices never share a name: a name is only ever taken when it is not in @used, the
 * table of the names already taken in that netns, and it goes into @used at once. Readable
 * names carry no '~' and every tagged one does, so the two sets are disjoint whatever the
 * order. A netns holds fewer names than a 4 MiB file has bytes, far below the 36^5 TAGs of a
 * HEAD, so probing always finds a free one. Tags are given in the order of (netns, logical
 * name), not of the file: moving a node in the file renames nothing.
 */
#define TAG_SPACE 60466176u /* 36^5 */

struct dname {
	char *out;		/* b->ifname or i->host */
	const char *full;	/* the logical name, also the device's altname */
	char read[16];		/* readable form, "" when it does not fit or holds a '~' */
	char head[10];
	uint64_t g;		/* netns: 0 the root, node + 1 */
	int node, idx;		/* node and interface index, or -1 and the bridge index */
	bool dup, done;
};

struct namer {
	struct nsl_topo *t;
	struct dname *d;
	size_t n;
	struct topo_index used;	/* (netns, kernel name) -> 0, for every name taken */
};

static void namer_done(struct namer *nm)
{
	free(nm->d);
	nsli_topo_index_done(&nm->used);
}

/* @parts: lab, node, interface (ports) or lab, bridge; each under 65 bytes. */
static void dname_init(struct dname *d, const struct dname *from, const char *const *parts, size_t n)
{
	char s[256];
	size_t len = 0, h;

	/* By hand, not snprintf: this runs for every device of every lab validated. */
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(parts[i]);

		if (len + l + 2 > sizeof(s))
			l = sizeof(s) - len - 2;
		if (i)
			s[len++] = '-';
		memcpy(s + len, parts[i], l);
		len += l;
	}
	s[len] = '\0';
	*d = *from;
	if (len <= 15 && !strchr(s, '~'))
		memcpy(d->read, s, len + 1);
	for (h = len < 9 ? len : 9; h > 1 && s[h - 1] == '-'; h--)
		;
	memcpy(d->head, s, h);
	d->head[h] = '\0';
}

/* Every derived name of @t, and the names the file gives put in @used. */
static int namer_collect(struct namer *nm)
{
	struct nsl_topo *t = nm->t;
	size_t n = 0;

	for (size_t b = 0; b < t->n_bridges; b++)
		n += t->bridges[b].node_idx < 0;
	for (size_t ni = 0; ni < t->n_nodes; ni++)
		for (size_t ii = 0; ii < t->nodes[ni].n_ifaces; ii++)
			n += t->nodes[ni].ifaces[ii].bridge_idx >= 0;
	nm->d = calloc(n + 1, sizeof(*nm->d));
	if (!nm->d)
		return -ENOMEM;
	for (size_t b = 0; b < t->n_bridges; b++) {
		struct nsl_topo_bridge *br = &t->bridges[b];
		const char *parts[] = { t->name, br->name };

		if (br->node_idx >= 0) {
			if (nsli_topo_index_add(&nm->used, (uint64_t)br->node_idx + 1, br->ifname,
					   strlen(br->ifname), 0, NULL) < 0)
				return -ENOMEM;
			continue;
		}
		dname_init(&nm->d[nm->n++],
			   &(struct dname){ .out = br->ifname, .full = br->altname, .node = -1, .idx = (int)b },
			   parts, 2);
	}
	for (size_t ni = 0; ni < t->n_nodes; ni++)
		for (size_t ii = 0; ii < t->nodes[ni].n_ifaces; ii++) {
			struct nsl_topo_iface *i = &t->nodes[ni].ifaces[ii];
			const char *parts[] = { t->name, t->nodes[ni].name, i->name };

			if (nsli_topo_index_add(&nm->used, ni + 1, i->name, strlen(i->name), 0, NULL) < 0)
				return -ENOMEM;
			if (i->bridge_idx >= 0)
				dname_init(&nm->d[nm->n++],
					   &(struct dname){ .out = i->host, .full = i->altname,
							    .g = (uint64_t)(t->bridges[i->bridge_idx].node_idx + 1),
							    .node = (int)ni, .idx = (int)ii },
					   parts, 3);
		}
	return 0;
}

/* Take @name for @d when it is free in @d's netns. 1: taken, 0: not free. */
static int take(struct namer *nm, struct dname *d, const char *name)
{
	if (nsli_topo_index_find(&nm->used, d->g, name, strlen(name)) >= 0)
		return 0;
	memcpy(d->out, name, strlen(name) + 1); /* at most 15 bytes and its NUL, by construction */
	d->done = true;
	return nsli_topo_index_add(&nm->used, d->g, d->out, strlen(d->out), 0, NULL) < 0 ? -ENOMEM : 1;
}

/* The readable forms given to more than one derived name of a netns are nobody's. */
static int mark_dups(struct namer *nm)
{
	_cleanup_(nsli_topo_index_done) struct topo_index cand = { 0 };

	for (size_t k = 0; k < nm->n; k++) {
		struct dname *d = &nm->d[k];
		int first = -1, r;

		if (!d->read[0])
			continue;
		r = nsli_topo_index_add(&cand, d->g, d->read, strlen(d->read), (int)k, &first);
		if (r < 0)
			return r;
		if (r == 0)
			d->dup = nm->d[first].dup = true;
	}
	return 0;
}

static int dname_cmp(const void *a, const void *b)
{
	const struct dname *x = *(const struct dname *const *)a, *y = *(const struct dname *const *)b;
	int c;

	if (x->g != y->g)
		return x->g < y->g ? -1 : 1;
	c = strcmp(x->full, y->full);
	return c ? c : (x < y ? -1 : x > y);
}

/* HEAD~TAG for @d: the first free TAG from the hash of its logical name on. */
static int take_tagged(struct namer *nm, struct dname *d)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	uint32_t h = nsli_topo_hash(d->full) % TAG_SPACE;

	for (uint32_t k = 0; k < TAG_SPACE; k++) {
		uint32_t v = (h + k) % TAG_SPACE;
		char name[16], tag[6];
		size_t hl = strnlen(d->head, sizeof(name) - sizeof(tag) - 1);
		int r;

		for (int j = 4; j >= 0; j--, v /= 36)
			tag[j] = digits[v % 36];
		tag[5] = '\0';
		memcpy(name, d->head, hl);
		name[hl] = '~';
		memcpy(name + hl + 1, tag, sizeof(tag));
		r = take(nm, d, name);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	return -ENOSPC; /* more names in one netns than TAGs: not within a 4 MiB file */
}

/* The names not kept: readable where it is free, tagged in (netns, logical name) order. */
static int namer_assign(struct namer *nm)
{
	_cleanup_free_ struct dname **tagged = calloc(nm->n + 1, sizeof(*tagged));
	size_t n = 0;
	int r;

	if (!tagged)
		return -ENOMEM;
	r = mark_dups(nm);
	for (size_t k = 0; r >= 0 && k < nm->n; k++) {
		struct dname *d = &nm->d[k];

		if (d->done)
			continue;
		r = d->read[0] && !d->dup ? take(nm, d, d->read) : 0;
		if (r == 0)
			tagged[n++] = d;
	}
	if (r < 0)
		return r;
	qsort(tagged, n, sizeof(*tagged), dname_cmp);
	for (size_t k = 0; r >= 0 && k < n; k++)
		r = take_tagged(nm, tagged[k]);
	return r < 0 ? r : 0;
}

/* The netns of bridge @b of @t by its node's name (NULL: the root), comparable across models. */
static const char *br_owner(const struct nsl_topo *t, int b)
{
	int ni = t->bridges[b].node_idx;

	return ni < 0 ? NULL : t->nodes[ni].name;
}

/* @prev's kernel name of the device @d stands for, or NULL when @prev has no such device. */
static const char *prev_name(const struct nsl_topo *t, const struct nsl_topo *prev,
			     const struct topo_index *ix, const struct dname *d)
{
	const struct nsl_topo_iface *i, *pi;
	const char *o, *po;
	int pn, pk;

	if (d->node < 0) {
		pk = nsli_topo_index_find(ix, 1, t->bridges[d->idx].name, strlen(t->bridges[d->idx].name));
		return pk >= 0 && prev->bridges[pk].node_idx < 0 ? prev->bridges[pk].ifname : NULL;
	}
	i = &t->nodes[d->node].ifaces[d->idx];
	pn = nsli_topo_index_find(ix, 0, t->nodes[d->node].name, strlen(t->nodes[d->node].name));
	pk = pn < 0 ? -1 : nsli_topo_index_find(ix, 2 + (uint64_t)pn, i->name, strlen(i->name));
	if (pk < 0)
		return NULL;
	pi = &prev->nodes[pn].ifaces[pk];
	if (pi->bridge_idx < 0)
		return NULL;
	o = br_owner(t, i->bridge_idx);
	po = br_owner(prev, pi->bridge_idx);
	return (!o && !po) || (o && po && STREQ(o, po)) ? pi->host : NULL;
}

/* Each device of @prev that is still there keeps its name (when nothing the file names took it). */
static int namer_keep(struct namer *nm, const struct nsl_topo *prev)
{
	_cleanup_(nsli_topo_index_done) struct topo_index ix = { 0 };
	int r = 0;

	if (!STREQ(nm->t->name, prev->name))
		return 0;
	for (size_t n = 0; n < prev->n_nodes; n++) {
		const struct nsl_topo_node *pn = &prev->nodes[n];

		if (nsli_topo_index_add(&ix, 0, pn->name, strlen(pn->name), (int)n, NULL) < 0)
			return -ENOMEM;
		for (size_t k = 0; k < pn->n_ifaces; k++)
			if (nsli_topo_index_add(&ix, 2 + n, pn->ifaces[k].name, strlen(pn->ifaces[k].name),
					   (int)k, NULL) < 0)
				return -ENOMEM;
	}
	for (size_t b = 0; b < prev->n_bridges; b++)
		if (nsli_topo_index_add(&ix, 1, prev->bridges[b].name, strlen(prev->bridges[b].name), (int)b,
				   NULL) < 0)
			return -ENOMEM;
	for (size_t k = 0; r >= 0 && k < nm->n; k++) {
		const char *name = prev_name(nm->t, prev, &ix, &nm->d[k]);

		if (name && name[0] && strlen(name) < 16)
			r = take(nm, &nm->d[k], name);
	}
	return r < 0 ? r : 0;
}

int nsli_derive_names(struct nsl_topo *t, const struct nsl_topo *prev)
{
	struct namer nm = { .t = t };
	int r = namer_collect(&nm);

	if (r == 0 && prev)
		r = namer_keep(&nm, prev);
	if (r == 0)
		r = namer_assign(&nm);
	namer_done(&nm);
	return r;
}

int nsli_topo_names_keep(struct nsl_topo *t, const struct nsl_topo *prev, struct nsl_err *err)
{
	int r = nsli_derive_names(t, prev);

	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, t->path, r == -ENOSPC ? "no free interface name" : NULL);
	return 0;
}
