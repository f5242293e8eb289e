// The org's activity (audit log), newest first, filterable by action.
import { get, seg, withQuery } from "../api.js";
import { field, h, pagedTable, time } from "../ui.js";

function actor(a) {
  const who = a.email || a.user_id || a.client_id || "—";
  return a.support ? `${who} (support)` : who;
}

function details(d) {
  const entries = Object.entries(d || {});
  return entries.map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join("; ");
}

export const ACTIVITY_COLUMNS = ["When", "Action", "Actor", "Target", "Details"];

// One audit event as a table row (also used by the support console's app-wide activity).
export function activityRow(e, orgCell) {
  return h("tr", { dataset: { action: e.action } }, h("td", {}, time(e.at)), h("td", {}, h("code", { class: "action" }, e.action)),
    h("td", {}, actor(e.actor || {})), h("td", {}, `${e.target?.type || ""} ${e.target?.id || ""}`),
    h("td", { class: "details" }, details(e.details)), orgCell ? orgCell(e) : null);
}

export default {
  id: "activity",
  title: "Activity",
  visible: (ctx) => ctx.grants.can("audit:read"),
  render(ctx) {
    const action = h("input", { type: "search", autocomplete: "off", placeholder: "e.g. member.role_changed" });
    const apply = h("button", { type: "submit", class: "secondary" }, "Filter");
    let list;
    const make = () => pagedTable({
      caption: `Activity in ${ctx.org.name}`,
      columns: ACTIVITY_COLUMNS,
      fetchPage: (page) => get(withQuery(`/orgs/${seg(ctx.org.id)}/audit`, { ...page, action: action.value.trim() })),
      renderRow: (e) => activityRow(e),
      emptyText: "No activity recorded.",
    });
    list = make();
    const holder = h("div", {}, list);
    const form = h("form", { class: "toolbar" }, field("Action", action), h("div", { class: "actions" }, apply));
    form.addEventListener("submit", (event) => { event.preventDefault(); list = make(); holder.replaceChildren(list); });
    return h("div", {}, form, holder);
  },
};
