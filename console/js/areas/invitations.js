// Invitations of an org: list by status; revoke and resend pending ones where allowed.
import { del, get, post, seg, withQuery } from "../api.js";
import { act, confirmAction, field, h, pagedTable, time } from "../ui.js";

const STATUSES = ["pending", "accepted", "declined", "revoked", "expired"];

export default {
  id: "invitations",
  title: "Invitations",
  visible: (ctx) => ctx.grants.can("invitation:read"),
  render(ctx) {
    const out = h("div", { class: "outcome" });
    const base = `/orgs/${seg(ctx.org.id)}/invitations`;
    const filter = h("select", {}, h("option", { value: "" }, "Any status"),
      STATUSES.map((s) => h("option", { value: s, selected: s === "pending" }, s)));
    const canRevoke = ctx.grants.can("invitation:revoke");
    const canResend = ctx.grants.can("member:invite");
    let list;
    const row = (inv) => {
      const actions = h("td", {});
      if (inv.status === "pending" && canResend) {
        const resend = h("button", { type: "button", class: "secondary" }, "Resend");
        resend.addEventListener("click", async () => {
          if (!(await confirmAction(`Send the invitation to ${inv.email} again? The link in the earlier mail stops working.`, "Resend"))) return;
          if (await act(resend, out, () => post(`${base}/${seg(inv.id)}/resend`), `The invitation to ${inv.email} was sent again.`)) list.reload();
        });
        actions.append(resend, " ");
      }
      if (inv.status === "pending" && canRevoke) {
        const revoke = h("button", { type: "button", class: "danger" }, "Revoke");
        revoke.addEventListener("click", async () => {
          if (!(await confirmAction(`Revoke the invitation to ${inv.email}? Its link stops working.`, "Revoke invitation"))) return;
          if ((await act(revoke, out, () => del(`${base}/${seg(inv.id)}`), `The invitation to ${inv.email} was revoked.`)) !== undefined) list.reload();
        });
        actions.append(revoke);
      }
      const delivery = inv.delivery ? `${inv.delivery.status} (${inv.delivery.attempts} attempt${inv.delivery.attempts === 1 ? "" : "s"})` : "—";
      const cells = [h("td", {}, inv.email), h("td", {}, inv.role), h("td", {}, h("span", { class: `badge status-${inv.status}` }, inv.status)),
        h("td", {}, delivery), h("td", {}, time(inv.expires_at))];
      if (canRevoke || canResend) cells.push(actions);
      return h("tr", { dataset: { invitationId: inv.id } }, cells);
    };
    const columns = ["Email", "Role", "Status", "Delivery", "Expires"];
    if (canRevoke || canResend) columns.push("Actions");
    const make = () => pagedTable({
      caption: `Invitations of ${ctx.org.name}`,
      columns,
      fetchPage: (page) => get(withQuery(base, { ...page, status: filter.value })),
      renderRow: row,
      emptyText: filter.value ? `No ${filter.value} invitations.` : "No invitations yet.",
    });
    list = make();
    const holder = h("div", {}, list);
    filter.addEventListener("change", () => { list = make(); holder.replaceChildren(list); });
    document.addEventListener("orgplane:invitations-changed", () => list.reload(), { signal: ctx.signal });
    return h("div", {}, h("div", { class: "toolbar" }, field("Filter by status", filter)), out, holder);
  },
};
