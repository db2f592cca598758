/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Qdiscs on the ends of a link: tbf for `rate`, netem for the impairments, netem as the root
 * with tbf as its child when a link has both (see qdisc.c).
 */
#ifndef NSL_TOPO_QDISC_H
#define NSL_TOPO_QDISC_H

#include <netlink/msg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nslab/ctx.h"
#include "nslab/error.h"
#include "nslab/topo.h"

#define TOPO_QDISC_ROOT 0x00010000u	    /* 1:   the root qdisc nslab adds (tbf or netem) */
#define TOPO_QDISC_NETEM_CLASS 0x00010001u  /* 1:1  netem's one class, parent of its child */
#define TOPO_QDISC_TBF_CHILD 0x000a0000u    /* 10:  tbf under netem */

/**
 * topo_qdisc_netem - give the egress of @ifname in @netns what one end of a link needs:
 * netem with @n's impairments as the root qdisc, with a tbf child shaping to @rate bytes/s
 * when @rate is not 0; only tbf (as topo_qdisc_tbf) when @n is NULL or has nothing set;
 * nothing when neither. A root qdisc the device already has (an earlier up's) is replaced.
 * When the tbf child fails, the netem root is removed again.
 * Errors: -ENODEV (no such device), -ENOENT (kernel lacks sch_netem / sch_tbf; @err says
 * which), the kernel's errno with its extended ACK otherwise.
 */
int nsli_topo_qdisc_netem(struct nsl_ctx *ctx, const char *netns, const char *ifname,
		     const struct nsl_topo_netem *n, uint64_t rate, struct nsl_err *err);

/**
 * topo_qdisc_netem_available - whether this kernel has sch_netem: loaded, built in, or a
 * module it loads on demand (kmod's modules.builtin / modules.dep of the running kernel).
 * For the preflight of up; no kernel change.
 */
bool nsli_topo_qdisc_netem_available(void);

/** topo_qdisc_tbf - shape egress of @ifname in @netns to @rate bytes/s with a tbf root qdisc. */
int nsli_topo_qdisc_tbf(struct nsl_ctx *ctx, const char *netns, const char *ifname, uint64_t rate,
		   struct nsl_err *err);

/**
 * topo_qdisc_del - remove the root qdisc of @ifname in @netns (tbf, netem, netem with its
 * tbf child), whatever its kind. A device that has only its default qdisc is fine (0).
 */
int nsli_topo_qdisc_del(struct nsl_ctx *ctx, const char *netns, const char *ifname, struct nsl_err *err);

/*
 * The request builders, no kernel: each returns 0 and a request in *@ret (free it with
 * nlmsg_free()), or a negative errno. Adds are NLM_F_CREATE | NLM_F_EXCL.
 */
/** netem root (parent root, handle 1:) with @n's impairments. */
int nsli_topo_qdisc_build_netem(int ifindex, const struct nsl_topo_netem *n, struct nl_msg **ret);
/** tbf at @parent: TC_H_ROOT (handle 1:) or TOPO_QDISC_NETEM_CLASS (handle 10:). */
int nsli_topo_qdisc_build_tbf(int ifindex, uint32_t parent, uint64_t rate, struct nl_msg **ret);
/** delete of the root qdisc, no kind, no handle. */
int nsli_topo_qdisc_build_del(int ifindex, struct nl_msg **ret);

/** topo_netem_prob - a probability in NSL_TOPO_PCT units as the kernel's u32 (UINT32_MAX = 100 %). */
uint32_t nsli_topo_netem_prob(uint32_t pct);

/**
 * topo_netem_str - @n as text, "delay 10ms jitter 1.5ms loss 0.5%" (exact, for
 * plan keys and graph labels); "netem" when set with every value 0, "" when not set.
 * Return: the length it needs, as snprintf.
 */
size_t nsli_topo_netem_str(const struct nsl_topo_netem *n, char *buf, size_t size);

/* ---- read back: what the kernel holds, for the drift of a link's qdiscs (live.c) ---- */

/* One qdisc as the kernel reports it (RTM_NEWQDISC), in the kernel's units. */
struct nsli_qdisc_info {
	int ifindex;
	uint32_t parent, handle;
	char kind[16];
	uint64_t rate;		      /* tbf: bytes/s */
	uint64_t delay_ns, jitter_ns; /* netem */
	uint32_t prob[4];	      /* netem: loss, duplicate, corrupt, reorder (UINT32_MAX: 100 %) */
};

/**
 * topo_qdisc_parse - read one RTM_NEWQDISC message @h (a dump's part, or a request libnl
 * built: both carry tbf's TCA_TBF_PARMS and netem's tc_netem_qopt with its attributes).
 * Return: 0, -EINVAL when it is not a well-formed qdisc message.
 */
int nsli_topo_qdisc_parse(const struct nlmsghdr *h, struct nsli_qdisc_info *ret);

/**
 * topo_qdisc_list - every qdisc of netns @netns (NULL: the context's own), into *@ret (free())
 * and *@ret_n. Errors: those of the dump, -ENOMEM.
 */
int nsli_topo_qdisc_list(struct nsl_ctx *ctx, const char *netns, struct nsli_qdisc_info **ret, size_t *ret_n,
			 struct nsl_err *err);

/**
 * topo_qdisc_check - whether the qdiscs @v (@n, of one netns) give device @ifindex what
 * nsli_topo_qdisc_netem(@ne, @rate) makes: the root kind, the tbf rate, the netem values, and
 * nothing of someone else's under that root. When not, @why (@size bytes) says how, starting
 * with @what ("the first end"). No kernel.
 */
bool nsli_topo_qdisc_check(const struct nsli_qdisc_info *v, size_t n, int ifindex, const struct nsl_topo_netem *ne,
			   uint64_t rate, const char *what, char *why, size_t size);

#endif
