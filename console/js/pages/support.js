// The support console: find orgs (name or slug prefix) and users (email prefix), a user's access.
import { get, seg, withQuery } from "../api.js";
import { ACTIVITY_COLUMNS, activityRow } from "../areas/activity.js";
import { errorBox, field, h, pagedTable, replace, scroller, time } from "../ui.js";

function searchForm(name, label, input, onSearch) {
  const form = h("form", { class: "inline-form", role: "search", "aria-label": name }, field(label, input),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Search")));
  form.addEventListener("submit", (event) => { event.preventDefault(); onSearch(input.value.trim()); });
  return form;
}

export function searchPage(main) {
  const orgQuery = h("input", { type: "search", autocomplete: "off" });
  const orgResults = h("div", {});
  const showOrgs = (q) => replace(orgResults, pagedTable({
    caption: q ? `Orgs whose name or slug starts with “${q}”` : "All orgs",
    columns: ["Org", "Slug", "Members", "Teams", "Created"],
    fetchPage: (page) => get(withQuery("/admin/orgs", { ...page, q })),
    renderRow: (o) => h("tr", {}, h("td", {}, h("a", { href: `#/orgs/${seg(o.id)}` }, o.name)), h("td", {}, o.slug),
      h("td", {}, String(o.member_count)), h("td", {}, String(o.team_count)), h("td", {}, time(o.created_at))),
    emptyText: q ? `No org's name or slug starts with “${q}”.` : "This app has no orgs yet.",
  }));
  const userQuery = h("input", { type: "search", autocomplete: "off", inputmode: "email" });
  const userResults = h("div", {});
  const showUsers = (email) => {
    if (!email) { replace(userResults, h("p", { class: "error", role: "alert" }, "Type the start of an email address.")); return; }
    replace(userResults, pagedTable({
      caption: `Users whose email starts with “${email}”`,
      columns: ["Email", "User id", "Orgs"],
      fetchPage: (page) => get(withQuery("/admin/users", { ...page, email })),
      renderRow: (u) => h("tr", {}, h("td", {}, h("a", { href: `#/support/users/${seg(u.user_id)}` }, u.email)),
        h("td", {}, h("code", {}, u.user_id)), h("td", {}, String(u.org_ids.length))),
      emptyText: `No user's email starts with “${email}”.`,
    }));
  };
  replace(main, h("h1", { tabindex: "-1" }, "Support console"),
    h("section", { "aria-labelledby": "find-orgs" }, h("h2", { id: "find-orgs" }, "Find orgs"),
      searchForm("Find orgs", "Org name or slug starts with", orgQuery, showOrgs), orgResults),
    h("section", { "aria-labelledby": "find-users" }, h("h2", { id: "find-users" }, "Find users"),
      searchForm("Find users", "Email starts with", userQuery, showUsers), userResults));
}

export async function userPage(main, signal, userId) {
  replace(main, h("h1", { tabindex: "-1" }, `User ${userId}`), h("p", { class: "loading", role: "status" }, "Loading…"));
  let user;
  try {
    user = await get(`/admin/users/${seg(userId)}`);
  } catch (error) {
    if (!signal.aborted) replace(main, h("h1", { tabindex: "-1" }, `User ${userId}`), errorBox(error));
    return;
  }
  if (signal.aborted) return;
  const table = (caption, columns, rows, emptyText) => rows.length
    ? scroller(h("table", {}, h("caption", {}, caption),
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, rows)), caption)
    : h("p", { class: "empty" }, emptyText);
  replace(main, h("h1", { tabindex: "-1" }, `User ${user.user_id}`),
    h("p", { class: "muted" }, user.emails.length ? `Emails: ${user.emails.join(", ")}` : "No email on record."),
    h("h2", {}, "Memberships"),
    table("Org memberships", ["Org", "Role", "Joined"], user.memberships.map((m) => h("tr", {},
      h("td", {}, h("a", { href: `#/orgs/${seg(m.org_id)}` }, m.org_name)), h("td", {}, m.role), h("td", {}, time(m.joined_at)))), "Not a member of any org."),
    h("h2", {}, "Teams"),
    table("Team memberships", ["Org", "Team", "Role"], user.team_memberships.map((t) => h("tr", {},
      h("td", {}, h("code", {}, t.org_id)), h("td", {}, h("code", {}, t.team_id)), h("td", {}, t.role))), "On no team."),
    h("h2", {}, "Pending invitations"),
    table("Pending invitations", ["Org", "Email", "Role", "Expires"], user.invitations.map((i) => h("tr", {},
      h("td", {}, h("a", { href: `#/orgs/${seg(i.org_id)}/invitations` }, i.org_id)), h("td", {}, i.email), h("td", {}, i.role), h("td", {}, time(i.expires_at)))), "No pending invitations."));
}

// The app-wide activity (GET /admin/audit), filterable by org, actor and action.
export function appActivityPage(main) {
  const org = h("input", { type: "text", autocomplete: "off", placeholder: "org_…" });
  const actorId = h("input", { type: "text", autocomplete: "off" });
  const action = h("input", { type: "text", autocomplete: "off", placeholder: "e.g. member.removed" });
  const holder = h("div", {});
  const show = () => replace(holder, pagedTable({
    caption: "Activity in this app",
    columns: [...ACTIVITY_COLUMNS, "Org"],
    fetchPage: (page) => get(withQuery("/admin/audit", { ...page, org_id: org.value.trim(), actor: actorId.value.trim(), action: action.value.trim() })),
    renderRow: (e) => activityRow(e, (ev) => h("td", {}, ev.org_id ? h("a", { href: `#/orgs/${seg(ev.org_id)}/activity` }, ev.org_id) : "—")),
    emptyText: "No activity matches.",
  }));
  const form = h("form", { class: "inline-form", role: "search", "aria-label": "Filter activity" },
    field("Org id", org), field("Actor (user id)", actorId), field("Action", action),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Filter")));
  form.addEventListener("submit", (event) => { event.preventDefault(); show(); });
  replace(main, h("h1", { tabindex: "-1" }, "Activity in this app"), form, holder);
  show();
}
