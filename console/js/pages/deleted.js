// Deleted orgs (support staff): the orgs still inside their restore window (GET /admin/orgs?deleted=true)
// and restore (POST /admin/orgs/{org_id}/restore), under a new slug if the old one was taken meanwhile.
import { get, post, seg, withQuery } from "../api.js";
import { act, confirmAction, field, h, pagedTable, replace, time } from "../ui.js";

export function deletedOrgsPage(main) {
  const out = h("div", { class: "outcome" });
  const query = h("input", { type: "search", autocomplete: "off" });
  const holder = h("div", {});
  let list;
  const row = (org) => {
    const slug = h("input", { type: "text", autocomplete: "off", maxlength: 64, "aria-label": `New slug for ${org.name} (optional)`, placeholder: org.slug });
    const restore = h("button", { type: "button" }, "Restore");
    restore.setAttribute("aria-label", `Restore ${org.name}`);
    restore.addEventListener("click", async () => {
      const body = slug.value.trim() ? { slug: slug.value.trim() } : {};
      if (!(await confirmAction(`Restore ${org.name} with its members, teams and invitations${body.slug ? `, under the slug ${body.slug}` : ""}?`, "Restore org"))) return;
      const restored = await act(restore, out, () => post(`/admin/orgs/${seg(org.id)}/restore`, body), `${org.name} was restored.`);
      if (restored) {
        out.append(h("p", {}, h("a", { href: `#/orgs/${seg(restored.id)}` }, `Open ${restored.name}`)));
        list.reload();
      }
    });
    return h("tr", { dataset: { orgId: org.id } }, h("td", {}, org.name), h("td", {}, org.slug), h("td", {}, time(org.deleted_at)),
      h("td", {}, time(org.purge_at)), h("td", {}, h("div", { class: "inline" }, slug, restore)));
  };
  const show = () => {
    const q = query.value.trim();
    list = pagedTable({
      caption: "Deleted orgs",
      columns: ["Org", "Slug", "Deleted", "Purge at", "Restore (new slug optional)"],
      fetchPage: (page) => get(withQuery("/admin/orgs", { ...page, deleted: "true", q })),
      renderRow: row,
      emptyText: q ? `No deleted org's name or slug starts with “${q}”.` : "No deleted org is waiting for its purge.",
    });
    replace(holder, list);
  };
  const form = h("form", { class: "inline-form", role: "search", "aria-label": "Find deleted orgs" },
    field("Name or slug starts with", query), h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, "Search")));
  form.addEventListener("submit", (event) => { event.preventDefault(); show(); });
  replace(main, h("h1", { tabindex: "-1" }, "Deleted orgs"),
    h("p", { class: "muted" }, "Deleted orgs keep their members, teams and invitations until they are purged; restoring brings them all back."),
    form, out, holder);
  show();
}
