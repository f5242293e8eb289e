// Members of an org: list with roles; change a role and remove a member where allowed.
import { del, get, patch, seg, withQuery } from "../api.js";
import { act, confirmAction, field, h, pagedTable, time } from "../ui.js";

export default {
  id: "members",
  title: "Members",
  visible: (ctx) => ctx.grants.can("member:read"),
  render(ctx) {
    const out = h("div", { class: "outcome" });
    const base = `/orgs/${seg(ctx.org.id)}/members`;
    const filter = h("select", {}, h("option", { value: "" }, "Any role"), ctx.roles.map((r) => h("option", { value: r }, r)));
    const canUpdate = ctx.grants.can("member:update");
    const canRemove = ctx.grants.can("member:remove");
    const columns = ["Email", "User id", "Role", "Joined"];
    if (canUpdate || canRemove) columns.push("Actions");
    let list;
    const row = (member) => {
      const cells = [h("td", {}, member.email || "—"), h("td", {}, h("code", {}, member.user_id))];
      if (canUpdate) {
        const select = h("select", { "aria-label": `Role of ${member.email || member.user_id}`, class: "role-select" },
          ctx.roles.map((r) => h("option", { value: r, selected: r === member.role }, r)));
        if (!ctx.roles.includes(member.role)) select.prepend(h("option", { value: member.role, selected: true }, member.role));
        const save = h("button", { type: "button", class: "secondary" }, "Change role");
        save.addEventListener("click", async () => {
          const role = select.value;
          if (role === member.role) return;
          if (!(await confirmAction(`Change the role of ${member.email || member.user_id} from ${member.role} to ${role}?`, "Change role"))) return;
          const updated = await act(save, out, () => patch(`${base}/${seg(member.user_id)}`, { role }),
            `${member.email || member.user_id} is now ${role}.`);
          if (updated) member.role = updated.role;
        });
        cells.push(h("td", {}, h("div", { class: "inline" }, select, save)));
      } else {
        cells.push(h("td", {}, h("span", { class: "badge" }, member.role)));
      }
      cells.push(h("td", {}, time(member.joined_at)));
      if (canUpdate || canRemove) {
        const remove = canRemove ? h("button", { type: "button", class: "danger" }, "Remove") : null;
        remove?.addEventListener("click", async () => {
          if (!(await confirmAction(`Remove ${member.email || member.user_id} from ${ctx.org.name}? They also leave its teams.`, "Remove member"))) return;
          const done = await act(remove, out, () => del(`${base}/${seg(member.user_id)}`), `${member.email || member.user_id} was removed.`);
          if (done !== undefined) list.reload();
        });
        cells.push(h("td", {}, remove));
      }
      return h("tr", { dataset: { userId: member.user_id } }, cells);
    };
    const make = () => pagedTable({
      caption: `Members of ${ctx.org.name}`,
      columns,
      fetchPage: (page) => get(withQuery(base, { ...page, role: filter.value })),
      renderRow: row,
      emptyText: filter.value ? `No member holds the role ${filter.value}.` : "This org has no members.",
    });
    list = make();
    const holder = h("div", {}, list);
    filter.addEventListener("change", () => { list = make(); holder.replaceChildren(list); });
    document.addEventListener("orgplane:members-changed", () => list.reload(), { signal: ctx.signal });
    return h("div", {}, h("div", { class: "toolbar" }, field("Filter by role", filter)), out, holder);
  },
};
