// The admin portal's start: the caller's orgs (GET /orgs) and creating one.
import { get, post, withQuery } from "../api.js";
import { act, confirmAction, field, h, pagedTable, replace, time } from "../ui.js";

// Invitations addressed to the caller's verified email (GET /invitations): accept or decline here.
function invitationsForYou(out) {
  let list;
  const answer = (inv, verb) => {
    const button = h("button", { type: "button", class: verb === "accept" ? "" : "danger" }, verb === "accept" ? "Accept" : "Decline");
    button.setAttribute("aria-label", `${verb === "accept" ? "Accept" : "Decline"} the invitation to ${inv.org_name}`);
    button.addEventListener("click", async () => {
      if (verb === "decline" && !(await confirmAction(`Decline the invitation to ${inv.org_name}?`, "Decline"))) return;
      const done = await act(button, out, () => post(`/invitations/${encodeURIComponent(inv.id)}/${verb}`),
        verb === "accept" ? `You joined ${inv.org_name}.` : `You declined the invitation to ${inv.org_name}.`);
      if (done !== undefined) document.dispatchEvent(new Event("orgplane:orgs-changed"));
    });
    return button;
  };
  list = pagedTable({
    caption: "Invitations for you",
    columns: ["Org", "Role", "Expires", "Answer"],
    fetchPage: (page) => get(withQuery("/invitations", { ...page })),
    renderRow: (inv) => h("tr", {}, h("td", {}, inv.org_name), h("td", {}, inv.role), h("td", {}, time(inv.expires_at)),
      h("td", {}, h("div", { class: "inline" }, answer(inv, "accept"), answer(inv, "decline")))),
    emptyText: "No invitations are waiting for you.",
  });
  return list;
}

export function orgsPage(main, signal) {
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
  const answers = h("div", { class: "outcome" });
  const invitations = invitationsForYou(answers);
  document.addEventListener("orgplane:orgs-changed", () => { list.reload(); invitations.reload(); }, { signal });
  replace(main, h("h1", { tabindex: "-1" }, "Your orgs"), list,
    h("h2", {}, "Invitations for you"), answers, invitations,
    h("h2", {}, "Create an org"), form, out);
}
