// Areas whose API has not landed yet. Each names the route it waits for and has no render: the
// console shows none of them and calls none of their routes. When the route lands, write the area
// as a module beside members.js and add it to ORG_AREAS (areas/index.js), or as a support page
// (pages/, routed in main.js) as deleted orgs were when issue 15 landed and webhooks when issue 13 did.
// Empty since issue 14's domains, join requests and invite links landed; a unit test still fails as
// soon as a slot's route appears in template.yaml. A slot looks like:
//   { id: "sso", title: "Single sign-on", scope: "org", waitsFor: "GET /orgs/{org_id}/sso", issue: 99 },
export const PENDING = [];
