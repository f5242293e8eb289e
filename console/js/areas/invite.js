// Invite one or many: paste addresses (one a line, or separated by commas or spaces), pick a role,
// see a result per address. Until POST /orgs/{id}/invitations/bulk lands (issue 14) each address
// is one POST /orgs/{id}/invitations, sent one after another.
import { post, seg } from "../api.js";
import { field, fieldMessage, h, replace, scroller } from "../ui.js";

export function parseAddresses(text) {
  const seen = new Set();
  const out = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const email = raw.trim();
    if (!email || seen.has(email.toLowerCase())) continue;
    seen.add(email.toLowerCase());
    out.push(email);
  }
  return out;
}

export default {
  id: "invite",
  title: "Invite",
  visible: (ctx) => ctx.grants.can("member:invite"),
  render(ctx) {
    const addresses = h("textarea", { rows: 5, required: true, spellcheck: "false", autocomplete: "off" });
    const role = h("select", {}, ctx.roles.map((r) => h("option", { value: r, selected: r === "member" }, r)));
    const submit = h("button", { type: "submit" }, "Send invitations");
    const results = h("div", { class: "outcome" });
    const form = h("form", { class: "card", novalidate: true },
      field("Email addresses", addresses, "One address a line, or separated by commas. Each gets its own invitation."),
      field("Role", role), h("div", { class: "actions" }, submit));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const emails = parseAddresses(addresses.value);
      if (!emails.length) {
        replace(results, h("p", { class: "error", role: "alert" }, "Enter at least one email address."));
        return;
      }
      submit.disabled = true;
      const body = h("tbody");
      replace(results, h("p", { role: "status", class: "loading" }, `Inviting ${emails.length}…`),
        scroller(h("table", { class: "invite-results" }, h("caption", {}, "Invitation results"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Email"), h("th", { scope: "col" }, "Result"))), body), "Invitation results"));
      let invited = 0;
      for (const email of emails) {
        let result;
        try {
          await post(`/orgs/${seg(ctx.org.id)}/invitations`, { email, role: role.value });
          invited += 1;
          result = h("span", { class: "ok" }, "Invited");
        } catch (error) {
          const why = error.errors.length ? error.errors.map(fieldMessage).join("; ") : error.detail;
          result = h("span", { class: "error-text" }, `${error.title} `, h("code", {}, error.code), why ? `: ${why}` : "");
        }
        body.append(h("tr", {}, h("td", {}, email), h("td", {}, result)));
      }
      const summary = `${invited} of ${emails.length} invited.`;
      results.firstChild.replaceWith(h("p", { role: "status", class: invited === emails.length ? "ok" : "warn" }, summary));
      if (invited === emails.length) addresses.value = "";
      submit.disabled = false;
      document.dispatchEvent(new Event("orgplane:invitations-changed"));
    });
    return h("div", {}, form, results);
  },
};
