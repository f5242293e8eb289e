// Teams of an org: list, create, and one team's members (add, change, remove) where allowed.
import { del, get, patch, post, put, seg, withQuery } from "../api.js";
import { TEAM_ROLES } from "../permissions.js";
import { act, confirmAction, errorBox, field, h, pagedTable, replace, time } from "../ui.js";

function teamPanel(ctx, team, out) {
  const base = `/orgs/${seg(ctx.org.id)}/teams/${seg(team.id)}/members`;
  const canManage = ctx.grants.canOnTeam("team:member:manage", team.id);
  // the org's members (first 100), for names in the team's list and the "add" choices
  const roster = get(withQuery(`/orgs/${seg(ctx.org.id)}/members`, { limit: 100 }));
  const emails = roster.then((page) => new Map(page.data.map((m) => [m.user_id, m.email])), () => new Map());
  let list;
  const row = (m) => {
    const who = h("td", {}, h("code", {}, m.user_id));
    emails.then((map) => { if (map.get(m.user_id)) who.prepend(`${map.get(m.user_id)} `); });
    const cells = [who, h("td", {}, m.role), h("td", {}, time(m.added_at))];
    if (canManage) {
      const remove = h("button", { type: "button", class: "danger" }, "Remove from team");
      remove.addEventListener("click", async () => {
        if (!(await confirmAction(`Remove ${m.user_id} from the team ${team.name}?`, "Remove from team"))) return;
        if ((await act(remove, out, () => del(`${base}/${seg(m.user_id)}`), `${m.user_id} left ${team.name}.`)) !== undefined) list.reload();
      });
      cells.push(h("td", {}, remove));
    }
    return h("tr", { dataset: { userId: m.user_id } }, cells);
  };
  list = pagedTable({
    caption: `Members of the team ${team.name}`,
    columns: canManage ? ["Member", "Team role", "Added", "Actions"] : ["Member", "Team role", "Added"],
    fetchPage: (page) => get(withQuery(base, { ...page })),
    renderRow: row,
    emptyText: "This team has no members yet.",
  });
  const title = h("h3", { id: "team-panel-title", tabindex: "-1" }, `Team ${team.name}`);
  const panel = h("section", { class: "card team-panel", "aria-labelledby": "team-panel-title" }, title,
    team.description ? h("p", {}, team.description) : null);
  if (ctx.grants.canOnTeam("team:update", team.id)) {
    const name = h("input", { type: "text", required: true, maxlength: 100, value: team.name, autocomplete: "off" });
    const description = h("input", { type: "text", maxlength: 500, value: team.description || "", autocomplete: "off" });
    const save = h("button", { type: "submit", class: "secondary" }, "Save team");
    const form = h("form", { class: "inline-form" }, field("Name", name), field("Description", description), h("div", { class: "actions" }, save));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = { name: name.value.trim(), description: description.value.trim() };
      const updated = await act(save, out, () => patch(`/orgs/${seg(ctx.org.id)}/teams/${seg(team.id)}`, body), `The team ${body.name} was saved.`);
      if (updated) {
        Object.assign(team, updated);
        replace(title, `Team ${updated.name}`);
        document.dispatchEvent(new Event("orgplane:teams-changed"));
      }
    });
    panel.append(form);
  }
  if (canManage) {
    const who = h("select", { required: true }, h("option", { value: "" }, "Loading members…"));
    const role = h("select", {}, TEAM_ROLES.map((r) => h("option", { value: r }, r)));
    const add = h("button", { type: "submit" }, "Add to team");
    const form = h("form", { class: "inline-form" }, field("Org member", who), field("Team role", role), h("div", { class: "actions" }, add));
    roster.then((page) => {
      replace(who, h("option", { value: "" }, "Choose a member"),
        page.data.map((m) => h("option", { value: m.user_id }, m.email ? `${m.email} (${m.user_id})` : m.user_id)));
    }, (error) => replace(out, errorBox(error)));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!who.value) { replace(out, h("p", { class: "error", role: "alert" }, "Choose a member to add.")); return; }
      const label = who.selectedOptions[0].textContent;
      if (await act(add, out, () => put(`${base}/${seg(who.value)}`, { role: role.value }), `${label} is on ${team.name} as ${role.value}.`)) list.reload();
    });
    panel.append(form);
  }
  panel.append(list);
  return panel;
}

export default {
  id: "teams",
  title: "Teams",
  visible: (ctx) => ctx.grants.can("org:read"),
  render(ctx) {
    const out = h("div", { class: "outcome" });
    const detail = h("div", {});
    const base = `/orgs/${seg(ctx.org.id)}/teams`;
    const canDelete = ctx.grants.can("team:delete");
    let list;
    const row = (team) => {
      const open = h("button", { type: "button", class: "link" }, team.name);
      open.setAttribute("aria-label", `Open the team ${team.name}`);
      open.addEventListener("click", () => {
        replace(detail, teamPanel(ctx, team, out));
        detail.querySelector("h3").focus();
      });
      const cells = [h("td", {}, open), h("td", {}, team.description || ""), h("td", {}, String(team.member_count ?? 0)), h("td", {}, time(team.created_at))];
      if (canDelete) {
        const remove = h("button", { type: "button", class: "danger" }, "Delete");
        remove.setAttribute("aria-label", `Delete the team ${team.name}`);
        remove.addEventListener("click", async () => {
          if (!(await confirmAction(`Delete the team ${team.name}? Its memberships end; org membership stays.`, "Delete team"))) return;
          if ((await act(remove, out, () => del(`${base}/${seg(team.id)}`), `The team ${team.name} was deleted.`)) !== undefined) {
            replace(detail);
            list.reload();
          }
        });
        cells.push(h("td", {}, remove));
      }
      return h("tr", { dataset: { teamId: team.id } }, cells);
    };
    list = pagedTable({
      caption: `Teams of ${ctx.org.name}`,
      columns: canDelete ? ["Name", "Description", "Members", "Created", "Actions"] : ["Name", "Description", "Members", "Created"],
      fetchPage: (page) => get(withQuery(base, { ...page })),
      renderRow: row,
      emptyText: "No teams yet.",
    });
    const parts = [];
    if (ctx.grants.can("team:create")) {
      const name = h("input", { type: "text", required: true, maxlength: 100, autocomplete: "off" });
      const description = h("input", { type: "text", maxlength: 500, autocomplete: "off" });
      const create = h("button", { type: "submit" }, "Create team");
      const form = h("form", { class: "card inline-form" }, field("Team name", name), field("Description (optional)", description), h("div", { class: "actions" }, create));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = { name: name.value.trim() };
        if (description.value.trim()) body.description = description.value.trim();
        const team = await act(create, out, () => post(base, body), `The team ${body.name} was created.`);
        if (team) {
          name.value = "";
          description.value = "";
          list.reload();
          replace(detail, teamPanel(ctx, team, out));
        }
      });
      parts.push(form);
    }
    document.addEventListener("orgplane:teams-changed", () => list.reload(), { signal: ctx.signal });
    return h("div", {}, parts, out, list, detail);
  },
};
