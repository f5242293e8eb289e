// The org permissions of DESIGN section 5 (the same list as orgplane.access.PERMISSIONS; a unit test
// keeps the two equal) and the built-in roles.
export const PERMISSIONS = [
  "org:read", "org:update", "org:delete",
  "member:read", "member:invite", "member:update", "member:remove",
  "invitation:read", "invitation:revoke",
  "team:create", "team:update", "team:delete", "team:member:manage",
  "audit:read",
  "domain:manage",
];

export const BUILTIN_ROLES = ["owner", "admin", "member"];
export const TEAM_ROLES = ["member", "maintainer"];

// What the caller may do in one org: support staff may do everything; a member what
// GET /orgs/{id}/permissions says. `can(p)` and `canOnTeam(p, teamId)` decide what is shown
// (the API still refuses whatever is not allowed).
export function grants({ support, permissions = [], teams = [] }) {
  const held = new Set(support ? PERMISSIONS : permissions);
  const teamRoles = new Map(teams.map((t) => [t.team_id, t.role]));
  return {
    support: Boolean(support),
    can: (permission) => held.has(permission),
    canOnTeam: (permission, teamId) => held.has(permission) || teamRoles.get(teamId) === "maintainer",
  };
}
