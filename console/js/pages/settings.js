// App settings (support staff): limits, invitation defaults and mail, and custom roles as a
// permission checklist. PATCH /admin/settings with the fields changed (roles: the whole map).
import { get, patch } from "../api.js";
import { PERMISSIONS } from "../permissions.js";
import { act, errorBox, field, h, replace } from "../ui.js";

const LIMITS = [
  ["max_members_per_org", "Members per org"],
  ["max_orgs_per_user", "Orgs per user"],
  ["max_teams_per_org", "Teams per org"],
];

function roleEditor(name, permissions, onRemove) {
  const boxes = PERMISSIONS.map((p) => {
    const box = h("input", { type: "checkbox", value: p, checked: permissions.includes(p), id: `role-${name}-${p.replace(/:/g, "-")}` });
    return h("li", {}, box, " ", h("label", { for: box.id }, p));
  });
  const remove = h("button", { type: "button", class: "danger" }, `Remove role ${name}`);
  const fieldset = h("fieldset", { class: "role", dataset: { role: name } }, h("legend", {}, `Role ${name}`),
    h("ul", { class: "checklist" }, boxes), remove);
  remove.addEventListener("click", () => { fieldset.remove(); onRemove(name); });
  return fieldset;
}

export async function settingsPage(main, signal) {
  replace(main, h("h1", { tabindex: "-1" }, "App settings"), h("p", { class: "loading", role: "status" }, "Loading…"));
  let settings;
  try {
    settings = await get("/admin/settings");
  } catch (error) {
    if (!signal.aborted) replace(main, h("h1", { tabindex: "-1" }, "App settings"), errorBox(error));
    return;
  }
  if (signal.aborted) return;
  const out = h("div", { class: "outcome" });
  const ttl = h("input", { type: "number", min: 60, step: 1, value: settings.invitation_ttl_seconds, required: true });
  const limits = LIMITS.map(([key, label]) => [key, h("input", { type: "number", min: 1, step: 1, value: settings[key] ?? "" }), label]);
  const mail = settings.invitation_email || {};
  const from = h("input", { type: "text", value: mail.from ?? "", autocomplete: "off" });
  const subject = h("input", { type: "text", value: mail.subject ?? "", autocomplete: "off" });
  const acceptUrl = h("input", { type: "url", value: mail.accept_url ?? "", autocomplete: "off" });
  const roles = h("div", { class: "roles" });
  const roleNames = new Set(Object.keys(settings.roles || {}));
  const forget = (name) => roleNames.delete(name);
  for (const [name, def] of Object.entries(settings.roles || {})) roles.append(roleEditor(name, def.permissions || [], forget));
  const newRole = h("input", { type: "text", pattern: "[a-z][a-z0-9_-]*", maxlength: 64, autocomplete: "off" });
  const addRole = h("button", { type: "button", class: "secondary" }, "Add role");
  addRole.addEventListener("click", () => {
    const name = newRole.value.trim();
    if (!name || roleNames.has(name)) { replace(out, h("p", { class: "error", role: "alert" }, name ? `A role ${name} is already listed.` : "Name the role first.")); return; }
    roleNames.add(name);
    roles.append(roleEditor(name, [], forget));
    newRole.value = "";
    roles.lastChild.querySelector("input").focus();
  });
  const save = h("button", { type: "submit" }, "Save settings");
  const form = h("form", { class: "settings" },
    h("fieldset", {}, h("legend", {}, "Invitations"), field("Invitation lifetime (seconds)", ttl),
      field("From address", from, "Empty: the deployment's default sender."), field("Subject", subject),
      field("Accept URL", acceptUrl, "Must hold {token}.")),
    h("fieldset", {}, h("legend", {}, "Limits (empty: unlimited)"), limits.map(([, input, label]) => field(label, input))),
    h("fieldset", {}, h("legend", {}, "Custom roles"), h("p", { class: "muted" }, "Built-in roles (owner, admin, member) are fixed; a custom role is a set of org permissions."),
      roles, h("div", { class: "inline-form" }, field("New role name", newRole, "Lower-case letters, digits, - and _."), h("div", { class: "actions" }, addRole))),
    h("div", { class: "actions" }, save), out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { invitation_ttl_seconds: Number(ttl.value) };
    for (const [key, input] of limits) body[key] = input.value === "" ? null : Number(input.value);
    const email = {};
    if (from.value.trim()) email.from = from.value.trim();
    if (subject.value.trim()) email.subject = subject.value.trim();
    if (acceptUrl.value.trim()) email.accept_url = acceptUrl.value.trim();
    if (Object.keys(email).length) body.invitation_email = email;
    body.roles = {};
    for (const set of roles.querySelectorAll("fieldset.role")) {
      body.roles[set.dataset.role] = { permissions: [...set.querySelectorAll("input:checked")].map((b) => b.value) };
    }
    await act(save, out, () => patch("/admin/settings", body), "Settings saved.");
  });
  replace(main, h("h1", { tabindex: "-1" }, "App settings"), form);
}
