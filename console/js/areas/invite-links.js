// An org's invite links (GET/POST /orgs/{org_id}/invite-links): create one (its URL shown once), see
// uses and expiry, revoke (DELETE .../{link_id}). Creating needs member:invite, revoking invitation:revoke.
import { del, get, post, seg, withQuery } from "../api.js";
import { act, confirmAction, field, h, pagedTable, replace, time } from "../ui.js";

export default {
  id: "invite-links",
  title: "Invite links",
  visible: (ctx) => ctx.grants.can("invitation:read"),
  render(ctx) {
    const out = h("div", { class: "outcome" });
    const shown = h("div", {});
    const base = `/orgs/${seg(ctx.org.id)}/invite-links`;
    const canRevoke = ctx.grants.can("invitation:revoke");
    let list;
    const row = (link) => {
      const cells = [h("td", {}, h("code", {}, link.id)), h("td", {}, link.role), h("td", {}, h("span", { class: `badge status-${link.status}` }, link.status)),
        h("td", {}, link.max_uses ? `${link.uses} of ${link.max_uses}` : String(link.uses)), h("td", {}, time(link.expires_at))];
      if (canRevoke) {
        const actions = h("td", {});
        if (link.status === "active") {
          const revoke = h("button", { type: "button", class: "danger", "aria-label": `Revoke link ${link.id}` }, "Revoke");
          revoke.addEventListener("click", async () => {
            if (!(await confirmAction("Revoke this invite link? Nobody can join with it any more.", "Revoke link"))) return;
            if ((await act(revoke, out, () => del(`${base}/${seg(link.id)}`), "The invite link was revoked.")) !== undefined) list.reload();
          });
          actions.append(revoke);
        }
        cells.push(actions);
      }
      return h("tr", { dataset: { linkId: link.id } }, cells);
    };
    const columns = ["Link", "Role", "Status", "Uses", "Expires"];
    if (canRevoke) columns.push("Actions");
    list = pagedTable({
      caption: `Invite links of ${ctx.org.name}`,
      columns,
      fetchPage: (page) => get(withQuery(base, page)),
      renderRow: row,
      emptyText: "No invite links yet.",
    });
    const parts = [];
    if (ctx.grants.can("member:invite")) {
      const role = h("select", {}, ctx.roles.map((r) => h("option", { value: r, selected: r === "member" }, r)));
      const uses = h("input", { type: "number", min: 1, inputmode: "numeric" });
      const create = h("button", { type: "submit" }, "Create link");
      const form = h("form", { class: "inline-form", "aria-label": "Create an invite link" },
        field("Role", role), field("Most uses (optional)", uses), h("div", { class: "actions" }, create));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = { role: role.value };
        if (uses.value) body.max_uses = Number(uses.value);
        const made = await act(create, out, () => post(base, body));
        if (made) {
          form.reset();
          replace(shown, h("div", { class: "secret", role: "status" },
            h("p", {}, h("strong", {}, "Invite link created. Copy it now: it is shown only this once.")),
            field("Invite link URL", h("input", { type: "text", readonly: true, value: made.url, class: "secret-value", autocomplete: "off" }))));
          list.reload();
        }
      });
      parts.push(form);
    }
    return h("div", {}, parts, shown, out, list);
  },
};
