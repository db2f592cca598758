/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Request builders shared by link/, veth/, bridge/ and unit tests; no kernel access. */
#ifndef NSL_LINK_INTERNAL_H
#define NSL_LINK_INTERNAL_H

#include <libmnl/libmnl.h>
#include <netlink/msg.h>

#include "nslab/link.h"

/** RTM_NEWLINK (no CREATE) for `link set`; master_index / ns_fd used when set asks for them. */
int nsli_link_build_set(const struct nsl_link_set *s, int ifindex, int master_index, int ns_fd,
		       struct nl_msg **ret);
/** RTM_DELLINK by ifindex, or by name when @ifindex is 0. */
int nsli_link_put_del(struct nlmsghdr *h, int ifindex, const char *ifname);
/** RTM_NEWLINKPROP adding @altname to @ifname. */
void nsli_link_put_altname(struct nlmsghdr *h, const char *ifname, const char *altname);
/** Parse one RTM_NEWLINK into @o. */
int nsli_link_parse(const struct nlmsghdr *h, struct nsl_link_info *o);

struct nsl_veth;
struct nsl_bridge;
/** veth/: the creating RTM_NEWLINK; fds -1 mean "the sending netns". */
int nsli_veth_build_add(const struct nsl_veth *v, int ns_fd, int peer_ns_fd, int master_index,
		       struct nl_msg **ret);
/** bridge/: the RTM_NEWLINK creating a bridge (@create) or changing its options. */
void nsli_bridge_put(struct nlmsghdr *h, const struct nsl_bridge *b, bool create);

#endif
