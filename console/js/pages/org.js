// One org's page, for members (the admin portal) and support staff alike: a header with the org
// switcher, a nav of the areas the caller may see, and the chosen area.
import { get, seg } from "../api.js";
import { ORG_AREAS } from "../areas/index.js";
import { session } from "../auth.js";
import { BUILTIN_ROLES, grants } from "../permissions.js";
import { errorBox, field, h, replace } from "../ui.js";

async function roleNames(support, own) {
  const names = [...BUILTIN_ROLES];
  if (support) {
    try {
      const settings = await get("/admin/settings");
      names.push(...Object.keys(settings.roles || {}));
    } catch { /* the built-in roles still work */ }
  } else if (own && !names.includes(own)) {
    names.push(own);
  }
  return names;
}

function switcher(orgs, current) {
  if (!orgs.length) return null;
  const select = h("select", {}, orgs.map((o) => h("option", { value: o.id, selected: o.id === current.id }, `${o.name} (${o.role})`)));
  if (!orgs.some((o) => o.id === current.id)) select.prepend(h("option", { value: current.id, selected: true }, current.name));
  const go = h("button", { type: "submit", class: "secondary" }, "Switch");
  const form = h("form", { class: "switcher inline-form" }, field("Switch org", select), h("div", { class: "actions" }, go));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/orgs/${encodeURIComponent(select.value)}`;
  });
  return form;
}

export async function orgPage(main, signal, orgId, areaId) {
  const support = Boolean(session.me?.support);
  let org, perms, mine;
  replace(main, h("p", { class: "loading", role: "status" }, "Loading the org…"));
  try {
    [org, perms, mine] = await Promise.all([
      get(`/orgs/${seg(orgId)}`),
      get(`/orgs/${seg(orgId)}/permissions`),
      get("/orgs?limit=100").catch(() => ({ data: [] })),
    ]);
  } catch (error) {
    if (signal.aborted) return;
    replace(main, h("h1", { tabindex: "-1" }, "Org"), errorBox(error),
      h("p", {}, h("a", { href: support ? "#/support" : "#/orgs" }, support ? "Back to search" : "Back to your orgs")));
    return;
  }
  const roles = await roleNames(support, perms.role);
  if (signal.aborted) return; // the user went elsewhere meanwhile
  const ctx = {
    org,
    signal,
    grants: grants({ support, permissions: perms.permissions, teams: perms.teams }),
    roles,
  };
  const areas = ORG_AREAS.filter((a) => a.visible(ctx));
  const area = areas.find((a) => a.id === areaId) || areas[0];
  const nav = h("nav", { class: "tabs", "aria-label": "Org areas" }, h("ul", {}, areas.map((a) =>
    h("li", {}, h("a", { href: `#/orgs/${seg(org.id)}/${a.id}`, "aria-current": a === area ? "page" : false }, a.title)))));
  const facts = h("p", { class: "muted org-facts" },
    `Slug ${org.slug} · ${org.member_count} member${org.member_count === 1 ? "" : "s"} · ${org.team_count} team${org.team_count === 1 ? "" : "s"} · ${org.pending_invitation_count} pending invitation${org.pending_invitation_count === 1 ? "" : "s"} · `,
    support ? "you act as support staff" : `your role: ${perms.role}`);
  replace(main,
    h("div", { class: "page-head" }, h("div", {}, h("h1", { tabindex: "-1" }, org.name), facts), switcher(mine.data || [], org)),
    nav,
    area ? h("section", { class: "area", "aria-labelledby": "area-title", dataset: { area: area.id, org: org.id } },
      h("h2", { id: "area-title" }, area.title), area.render(ctx)) : h("p", { class: "empty" }, "Nothing here that your role may see."));
}
