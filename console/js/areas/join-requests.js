// Requests to join an org (GET /orgs/{org_id}/join-requests), by status; approve or deny the pending
// ones (POST .../{request_id}/approve | deny). Needs member:invite.
import { get, post, seg, withQuery } from "../api.js";
import { act, confirmAction, field, h, pagedTable, time } from "../ui.js";

const STATUSES = ["pending", "approved", "denied", "cancelled"];

export default {
  id: "join-requests",
  title: "Join requests",
  visible: (ctx) => ctx.grants.can("member:invite"),
  render(ctx) {
    const out = h("div", { class: "outcome" });
    const base = `/orgs/${seg(ctx.org.id)}/join-requests`;
    const filter = h("select", {}, h("option", { value: "" }, "Any status"),
      STATUSES.map((s) => h("option", { value: s, selected: s === "pending" }, s)));
    let list;
    const decide = (req, verb, button) => async () => {
      if (!(await confirmAction(`${verb === "approve" ? "Approve" : "Deny"} ${req.email}'s request to join ${ctx.org.name}?`, verb === "approve" ? "Approve" : "Deny"))) return;
      if (await act(button, out, () => post(`${base}/${seg(req.id)}/${verb}`), `${req.email}'s request was ${verb === "approve" ? "approved" : "denied"}.`)) list.reload();
    };
    const row = (req) => {
      const actions = h("div", { class: "inline" });
      if (req.status === "pending") {
        const approve = h("button", { type: "button", "aria-label": `Approve ${req.email}` }, "Approve");
        const deny = h("button", { type: "button", class: "danger", "aria-label": `Deny ${req.email}` }, "Deny");
        approve.addEventListener("click", decide(req, "approve", approve));
        deny.addEventListener("click", decide(req, "deny", deny));
        actions.append(approve, deny);
      }
      return h("tr", { dataset: { requestId: req.id } }, h("td", {}, req.email), h("td", {}, h("span", { class: `badge status-${req.status}` }, req.status)),
        h("td", {}, time(req.created_at)), h("td", {}, time(req.decided_at)), h("td", {}, actions));
    };
    const make = () => pagedTable({
      caption: `Join requests for ${ctx.org.name}`,
      columns: ["Email", "Status", "Asked", "Decided", "Actions"],
      fetchPage: (page) => get(withQuery(base, { ...page, status: filter.value })),
      renderRow: row,
      emptyText: filter.value ? `No ${filter.value} join requests.` : "No join requests yet.",
    });
    list = make();
    const holder = h("div", {}, list);
    filter.addEventListener("change", () => { list = make(); holder.replaceChildren(list); });
    return h("div", {}, h("div", { class: "toolbar" }, field("Filter by status", filter)), out, holder);
  },
};
