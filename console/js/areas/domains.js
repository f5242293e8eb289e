// An org's verified domains (GET/POST /orgs/{org_id}/domains): add one, see the TXT record that proves
// it, verify it now (POST .../{domain}/verify), remove it. Needs domain:manage. With org:update, the
// join policy too: who has a verified email of these domains may join off / by request / at once
// (PATCH /orgs/{org_id} {domain_join}).
import { del, get, patch, post, seg, withQuery } from "../api.js";
import { act, confirmAction, field, h, pagedTable, time } from "../ui.js";

export default {
  id: "domains",
  title: "Domains",
  visible: (ctx) => ctx.grants.can("domain:manage"),
  render(ctx) {
    const out = h("div", { class: "outcome" });
    const base = `/orgs/${seg(ctx.org.id)}/domains`;
    let list;
    const row = (d) => {
      const actions = h("div", { class: "inline" });
      if (d.status !== "verified") {
        const verify = h("button", { type: "button", class: "secondary", "aria-label": `Verify ${d.domain}` }, "Verify");
        verify.addEventListener("click", async () => {
          if (await act(verify, out, () => post(`${base}/${seg(d.domain)}/verify`), `${d.domain} is verified.`)) list.reload();
        });
        actions.append(verify);
      }
      const remove = h("button", { type: "button", class: "danger", "aria-label": `Remove ${d.domain}` }, "Remove");
      remove.addEventListener("click", async () => {
        if (!(await confirmAction(`Remove ${d.domain} from ${ctx.org.name}?`, "Remove domain"))) return;
        if ((await act(remove, out, () => del(`${base}/${seg(d.domain)}`), `${d.domain} was removed.`)) !== undefined) list.reload();
      });
      actions.append(remove);
      const record = d.verification ? h("span", {}, `${d.verification.type} `, h("code", {}, d.verification.name), " = ", h("code", {}, d.verification.value)) : "—";
      return h("tr", { dataset: { domain: d.domain } }, h("td", {}, d.domain), h("td", {}, h("span", { class: `badge status-${d.status}` }, d.status)),
        h("td", { class: "details" }, record), h("td", {}, time(d.verified_at)), h("td", {}, actions));
    };
    list = pagedTable({
      caption: `Domains of ${ctx.org.name}`,
      columns: ["Domain", "Status", "DNS record that proves it", "Verified", "Actions"],
      fetchPage: (page) => get(withQuery(base, page)),
      renderRow: row,
      emptyText: "No domains yet.",
    });
    const domain = h("input", { type: "text", autocomplete: "off", required: true, maxlength: 253 });
    const add = h("button", { type: "submit" }, "Add domain");
    const form = h("form", { class: "inline-form", "aria-label": "Add a domain" }, field("Domain", domain, "e.g. acme.com; then publish the TXT record shown and verify"), h("div", { class: "actions" }, add));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const added = await act(add, out, () => post(base, { domain: domain.value.trim() }), `${domain.value.trim()} was added: publish its TXT record, then verify.`);
      if (added) { form.reset(); list.reload(); }
    });
    const parts = [form, out, list];
    if (ctx.grants.can("org:update")) {
      const policy = ctx.org.domain_join || { mode: "off", role: "member" };
      const modes = [["off", "Nobody joins by domain"], ["request", "They ask; an admin approves"], ["auto", "They join at once"]];
      const mode = h("select", {}, modes.map(([value, label]) => h("option", { value, selected: value === policy.mode }, label)));
      const role = h("select", {}, ctx.roles.filter((r) => r !== "owner").map((r) => h("option", { value: r, selected: r === policy.role }, r)));
      const save = h("button", { type: "submit", class: "secondary" }, "Save join policy");
      const policyOut = h("div", { class: "outcome" });
      const policyForm = h("form", { class: "inline-form", "aria-label": "Join policy" },
        field("People with a verified email of a verified domain", mode), field("Role they get", role), h("div", { class: "actions" }, save));
      policyForm.addEventListener("submit", async (event) => {
        event.preventDefault();
        const updated = await act(save, policyOut, () => patch(`/orgs/${seg(ctx.org.id)}`, { domain_join: { mode: mode.value, role: role.value } }), "The join policy was saved.");
        if (updated) ctx.org.domain_join = updated.domain_join;
      });
      parts.push(h("h3", {}, "Join policy"), policyForm, policyOut);
    }
    return h("div", {}, parts);
  },
};
