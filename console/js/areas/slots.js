// Areas whose API has not landed yet. Each names the route it waits for and has no render: the
// console shows none of them and calls none of their routes. When the route lands, write the area
// as a module beside members.js and add it to ORG_AREAS (areas/index.js), or as a support page
// (pages/, routed in main.js) as deleted orgs were when issue 15 landed and webhooks when issue 13 did.
export const PENDING = [
  { id: "domains", title: "Domains and join policy", scope: "org", waitsFor: "GET /orgs/{org_id}/domains", issue: 14 },
  { id: "join-requests", title: "Join requests", scope: "org", waitsFor: "GET /orgs/{org_id}/join-requests", issue: 14 },
  { id: "invite-links", title: "Invite links", scope: "org", waitsFor: "GET /orgs/{org_id}/invite-links", issue: 14 },
];
