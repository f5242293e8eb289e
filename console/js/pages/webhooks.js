// Webhooks (support staff): the app's endpoints (GET/POST /admin/webhooks), enable or disable
// (PATCH), rotate the signing secret, send a test event, delete; one endpoint's delivery log
// (GET .../deliveries, newest first) and retry a finished delivery. A secret is shown once, when
// the endpoint is created or its secret rotated: the API never shows it again.
import { del, get, patch, post, seg, withQuery } from "../api.js";
import { act, confirmAction, field, h, pagedTable, replace, time } from "../ui.js";

// The secret, once, with what to do with it; it stays (other outcomes come and go below it) until
// its reader says it is stored.
function secretBox(slot, webhook, what) {
  const done = h("button", { type: "button", class: "secondary" }, "I have stored the secret");
  done.addEventListener("click", () => replace(slot));
  return replace(slot, h("div", { class: "secret", role: "status" },
    h("p", {}, h("strong", {}, `${what} for ${webhook.url}. Copy it now: it is shown only this once.`)),
    field("Signing secret", h("input", { type: "text", readonly: true, value: webhook.secret, class: "secret-value", spellcheck: "false", autocomplete: "off" })),
    h("div", { class: "actions" }, done)));
}

function deliveriesPanel(webhook, out) {
  const base = `/admin/webhooks/${seg(webhook.id)}`;
  let list;
  const row = (d) => {
    const cells = [h("td", {}, h("code", { class: "action" }, d.type)), h("td", {}, h("code", {}, d.event_id)),
      h("td", {}, h("span", { class: `badge status-${d.status}` }, d.status)), h("td", {}, String(d.attempts)),
      h("td", {}, d.last_status_code == null ? "—" : String(d.last_status_code)),
      h("td", {}, d.next_attempt_at ? time(d.next_attempt_at) : "—"), h("td", {}, d.delivered_at ? time(d.delivered_at) : "—")];
    const actions = h("td", {});
    if (d.status !== "pending") {
      const retry = h("button", { type: "button", class: "secondary", "aria-label": `Retry delivery ${d.id}` }, "Retry");
      retry.addEventListener("click", async () => {
        if (await act(retry, out, () => post(`${base}/deliveries/${seg(d.id)}/retry`), `Delivery ${d.id} is sent again.`)) panel.reload();
      });
      actions.append(retry);
    }
    cells.push(actions);
    return h("tr", { dataset: { deliveryId: d.id } }, cells);
  };
  list = pagedTable({
    caption: `Deliveries to ${webhook.url}`,
    columns: ["Event type", "Event id", "Status", "Attempts", "Last answer", "Next attempt", "Delivered", "Actions"],
    fetchPage: (page) => get(withQuery(`${base}/deliveries`, page)),
    renderRow: row,
    emptyText: "No deliveries yet: send a test event.",
  });
  const refresh = h("button", { type: "button", class: "secondary" }, "Refresh deliveries");
  refresh.addEventListener("click", () => list.reload());
  // While a shown delivery is pending, the log refreshes itself (after 0.5 s, 1 s, then every 2 s, for
  // about a minute, and only while it is on the page); "Refresh deliveries" does it by hand.
  let ticks = 0;
  const later = (tick) => { follow.timer = setTimeout(tick, ticks < 2 ? 500 * 2 ** ticks : 2000); };
  const follow = () => {
    ticks = 0;
    clearTimeout(follow.timer);
    const tick = async () => {
      if (!panel.isConnected || ++ticks > 30 || !list.querySelector(".status-pending")) return;
      await list.reload();
      later(tick);
    };
    later(tick);
  };
  const panel = h("section", { class: "deliveries", "aria-labelledby": `deliveries-${webhook.id}`, dataset: { webhook: webhook.id } },
    h("h2", { id: `deliveries-${webhook.id}` }, `Delivery log of ${webhook.url}`), h("div", { class: "actions" }, refresh), list);
  panel.reload = async () => { await list.reload(); follow(); };
  follow();
  return panel;
}

export function webhooksPage(main) {
  const out = h("div", { class: "outcome" });
  const secret = h("div", {});
  const log = h("div", {});
  const holder = h("div", {});
  let list;
  let shown = null; // the endpoint whose delivery log is open
  const openLog = (webhook) => {
    shown = deliveriesPanel(webhook, out);
    shown.dataset.webhook = webhook.id;
    replace(log, shown);
  };
  const row = (wh) => {
    const name = wh.url;
    const toggle = h("button", { type: "button", class: wh.enabled ? "danger" : "secondary", "aria-label": `${wh.enabled ? "Disable" : "Enable"} ${name}` }, wh.enabled ? "Disable" : "Enable");
    toggle.addEventListener("click", async () => {
      if (wh.enabled && !(await confirmAction(`Disable ${name}? Events wait for it until it is enabled again.`, "Disable endpoint"))) return;
      const done = await act(toggle, out, () => patch(`/admin/webhooks/${seg(wh.id)}`, { enabled: !wh.enabled }),
        `${name} is ${wh.enabled ? "disabled" : "enabled"}.`);
      if (done) list.reload();
    });
    const rotate = h("button", { type: "button", class: "secondary", "aria-label": `Rotate the secret of ${name}` }, "Rotate secret");
    rotate.addEventListener("click", async () => {
      if (!(await confirmAction(`Rotate the signing secret of ${name}? The old secret keeps signing, beside the new one, for 24 hours.`, "Rotate secret"))) return;
      const rotated = await act(rotate, out, () => post(`/admin/webhooks/${seg(wh.id)}/rotate-secret`));
      if (rotated) secretBox(secret, rotated, "New signing secret");
    });
    const test = h("button", { type: "button", class: "secondary", "aria-label": `Send a test event to ${name}` }, "Send test event");
    test.addEventListener("click", async () => {
      const sent = await act(test, out, () => post(`/admin/webhooks/${seg(wh.id)}/test`), `A test event is on its way to ${name}.`);
      if (sent) { if (shown?.dataset.webhook === wh.id) shown.reload(); else openLog(wh); }
    });
    const deliveries = h("button", { type: "button", class: "secondary", "aria-label": `Deliveries to ${name}` }, "Deliveries");
    deliveries.addEventListener("click", () => openLog(wh));
    const remove = h("button", { type: "button", class: "danger", "aria-label": `Delete ${name}` }, "Delete");
    remove.addEventListener("click", async () => {
      if (!(await confirmAction(`Delete the endpoint ${name}? It receives no more events.`, "Delete endpoint"))) return;
      if ((await act(remove, out, () => del(`/admin/webhooks/${seg(wh.id)}`), `${name} was deleted.`)) !== undefined) {
        if (shown?.dataset.webhook === wh.id) { replace(log); shown = null; }
        list.reload();
      }
    });
    const status = wh.enabled ? "enabled" : `disabled${wh.disabled_reason ? ` (${wh.disabled_reason})` : ""}`;
    return h("tr", { dataset: { webhookId: wh.id } }, h("td", {}, h("code", {}, wh.url)),
      h("td", {}, wh.types.length ? wh.types.join(", ") : "all events"), h("td", {}, wh.description || "—"),
      h("td", {}, h("span", { class: `badge status-${wh.enabled ? "enabled" : "disabled"}` }, status)), h("td", {}, time(wh.created_at)),
      h("td", {}, h("div", { class: "inline" }, deliveries, test, rotate, toggle, remove)));
  };
  const show = () => {
    list = pagedTable({
      caption: "Webhook endpoints",
      columns: ["URL", "Events", "Description", "Status", "Created", "Actions"],
      fetchPage: (page) => get(withQuery("/admin/webhooks", page)),
      renderRow: row,
      emptyText: "No webhook endpoints yet.",
    });
    replace(holder, list);
  };

  const url = h("input", { type: "url", required: true, autocomplete: "off", maxlength: 2048 });
  const types = h("input", { type: "text", autocomplete: "off" });
  const description = h("input", { type: "text", autocomplete: "off", maxlength: 500 });
  const submit = h("button", { type: "submit" }, "Add endpoint");
  const form = h("form", { class: "inline-form", "aria-label": "Add a webhook endpoint" },
    field("Endpoint URL", url, "An https URL that answers 2xx within 10 seconds; events are retried for about a day"), field("Event types (optional)", types, "Comma-separated, e.g. member.added, member.removed; empty: all events"),
    field("Description (optional)", description), h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { url: url.value.trim() };
    const wanted = types.value.split(",").map((t) => t.trim()).filter(Boolean);
    if (wanted.length) body.types = wanted;
    if (description.value.trim()) body.description = description.value.trim();
    const created = await act(submit, out, () => post("/admin/webhooks", body));
    if (created) {
      form.reset();
      secretBox(secret, created, "Endpoint added: its signing secret");
      list.reload();
    }
  });
  replace(main, h("h1", { tabindex: "-1" }, "Webhooks"),
    h("p", { class: "muted" }, "Endpoints receive the app's events, signed per Standard Webhooks, in order per org. A signing secret is shown once, when the endpoint is added or its secret rotated."),
    h("h2", {}, "Add an endpoint"), form, secret, out, h("h2", {}, "Endpoints"), holder, log);
  show();
}
