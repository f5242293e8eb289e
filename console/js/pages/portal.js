// The admin portal's start: the caller's orgs (GET /orgs) and creating one.
import { get, post, withQuery } from "../api.js";
import { act, field, h, pagedTable, replace, time } from "../ui.js";

export function orgsPage(main) {
  const name = h("input", { type: "text", required: true, maxlength: 100, autocomplete: "organization" });
  const create = h("button", { type: "submit" }, "Create org");
  const out = h("div", { class: "outcome" });
  const form = h("form", { class: "card inline-form" }, field("New org name", name), h("div", { class: "actions" }, create));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const org = await act(create, out, () => post("/orgs", { name: name.value.trim() }), "Org created.");
    if (org) location.hash = `#/orgs/${encodeURIComponent(org.id)}`;
  });
  const list = pagedTable({
    caption: "Your orgs",
    columns: ["Org", "Slug", "Your role", "Members", "Created"],
    fetchPage: (page) => get(withQuery("/orgs", { ...page })),
    renderRow: (o) => h("tr", {}, h("td", {}, h("a", { href: `#/orgs/${encodeURIComponent(o.id)}` }, o.name)), h("td", {}, o.slug),
      h("td", {}, o.role), h("td", {}, String(o.member_count)), h("td", {}, time(o.created_at))),
    emptyText: "You are not a member of any org yet. Create one, or accept an invitation.",
  });
  replace(main, h("h1", { tabindex: "-1" }, "Your orgs"), list, h("h2", {}, "Create an org"), form, out);
}
