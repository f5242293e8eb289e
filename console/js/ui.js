// Small DOM helpers: elements, states (loading, empty, error), confirmation, paged lists.
// Text always goes in as text nodes (never parsed as HTML), so nothing from the API can become markup.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

let fieldCount = 0;
// A labelled control: <div class="field"><label for=id>..</label><control id=id></div>
export function field(label, control, hint) {
  const id = control.id || `f${++fieldCount}`;
  control.id = id;
  const hintNode = hint ? h("small", { id: `${id}-hint`, class: "hint" }, hint) : null;
  if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintNode);
}

export const loading = (what = "Loading…") => h("p", { class: "loading", role: "status" }, what);
export const empty = (what) => h("p", { class: "empty" }, what);

// One entry of a validation_error's `errors`: "email: value is not a valid email address".
export const fieldMessage = (e) => `${e.field || "request"}: ${e.message || ""}`;

// Every error in words, with its code (and request id, for support tickets).
export function errorBox(error) {
  const code = error.code || "error";
  const title = error.title || "Something went wrong";
  const detail = error.detail || (error.title ? "" : String(error.message || error));
  const fields = (error.errors || []).map((e) => h("li", {}, fieldMessage(e)));
  return h("div", { class: "error", role: "alert" },
    h("strong", {}, title), " ", h("code", { class: "error-code" }, code),
    detail ? h("p", {}, detail) : null,
    fields.length ? h("ul", {}, fields) : null,
    error.requestId ? h("p", { class: "muted" }, `Request id: ${error.requestId}`) : null);
}

export function time(iso) {
  if (!iso) return "";
  return h("time", { datetime: iso }, iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC"));
}

// A modal confirmation (native <dialog>: focus is trapped and Escape cancels). Resolves true/false.
export function confirmAction(question, confirmLabel = "Confirm") {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "confirm", "aria-labelledby": "confirm-title" },
      h("h2", { id: "confirm-title" }, "Please confirm"),
      h("p", {}, question),
      h("form", { method: "dialog", class: "actions" },
        h("button", { value: "cancel", class: "secondary" }, "Cancel"),
        h("button", { value: "confirm", class: "danger" }, confirmLabel)));
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

// A table's horizontal scroll container: a focusable, named region, so a keyboard can scroll it
// on a narrow screen.
export function scroller(table, name) {
  return h("div", { class: "table-scroll", role: "region", tabindex: "0", "aria-label": name || "Table" }, table);
}

export const PAGE_SIZE = 20;

// A list over a cursor: first page, then "Load more" while next_cursor is set.
// fetchPage({cursor, limit}) -> {data, next_cursor}; renderRow(item) -> Node; the container gets
// a table body (or list) plus the button, an empty state and errors.
export function pagedTable({ columns, fetchPage, renderRow, emptyText, caption }) {
  const body = h("tbody");
  const table = h("table", {}, caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))), body);
  const status = h("div", { class: "list-status" });
  const more = h("button", { type: "button", class: "secondary load-more", hidden: true }, "Load more");
  const wrap = h("div", { class: "paged" }, scroller(table, caption), status, more);
  let cursor = null;
  let count = 0;
  async function load(first) {
    more.disabled = true;
    replace(status, loading());
    try {
      const page = await fetchPage({ cursor: first ? null : cursor, limit: PAGE_SIZE });
      if (first) { body.replaceChildren(); count = 0; }
      for (const item of page.data) body.append(renderRow(item));
      count += page.data.length;
      cursor = page.next_cursor || null;
      replace(status, count ? null : empty(emptyText));
      table.hidden = count === 0;
      more.hidden = !cursor;
    } catch (error) {
      replace(status, errorBox(error));
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener("click", () => load(false));
  wrap.reload = () => load(true);
  load(true);
  return wrap;
}

// Run an action from a button: disables it while running, shows the result or the error in `out`.
export async function act(button, out, action, success) {
  button.disabled = true;
  replace(out);
  try {
    const result = await action();
    if (success) replace(out, h("p", { class: "ok", role: "status" }, success));
    return result;
  } catch (error) {
    replace(out, errorBox(error));
    return undefined;
  } finally {
    button.disabled = false;
  }
}
