// The areas of an org's page, in order. Support staff and members see the same modules; what a
// member may not do is not shown (grants from GET /orgs/{id}/permissions).
import activity from "./activity.js";
import domains from "./domains.js";
import invitations from "./invitations.js";
import invite from "./invite.js";
import inviteLinks from "./invite-links.js";
import joinRequests from "./join-requests.js";
import members from "./members.js";
import teams from "./teams.js";

export const ORG_AREAS = [members, invite, invitations, inviteLinks, joinRequests, domains, teams, activity];
