// The console: sign-in, a header, and hash routes.
//   #/signin                    sign in
//   #/orgs                      your orgs (admin portal), create one
//   #/orgs/{org_id}/{area}      one org: members, invite, invitations, teams, activity
//   #/support                   find orgs and users (support staff)
//   #/support/users/{user_id}   one user's access
//   #/support/activity          the app's activity (GET /admin/audit)
//   #/support/deleted           deleted orgs and restore
//   #/support/settings          app settings and custom roles
//   #/support/webhooks          webhook endpoints and their delivery log
import { get, onUnauthorized } from "./api.js";
import { finishCognitoSignIn, loadConfig, session, signOut } from "./auth.js";
import { deletedOrgsPage } from "./pages/deleted.js";
import { orgPage } from "./pages/org.js";
import { orgsPage } from "./pages/portal.js";
import { settingsPage } from "./pages/settings.js";
import { signInPage } from "./pages/signin.js";
import { appActivityPage, searchPage, userPage } from "./pages/support.js";
import { webhooksPage } from "./pages/webhooks.js";
import { h, replace } from "./ui.js";

const main = document.getElementById("main");
const top = document.getElementById("top");
let config = { mode: "local" };
let current = null;
let signInProblem = null;

function decode(part) {
  try { return decodeURIComponent(part); } catch { return part; }
}

// A 401 means the token expired or was refused: back to sign-in, saying why.
onUnauthorized((error) => {
  signOut();
  signInProblem = error;
  go("#/signin");
});

function header() {
  const me = session.me;
  const links = me ? [["#/orgs", "Your orgs"]] : [];
  if (me?.support) links.unshift(["#/support", "Find orgs and users"], ["#/support/activity", "Activity"],
    ["#/support/deleted", "Deleted orgs"], ["#/support/webhooks", "Webhooks"], ["#/support/settings", "App settings"]);
  const route = location.hash.split("/").slice(0, 3).join("/");
  // which link is "here": an org's page belongs to "Your orgs" for members, to no link for support
  const here = (href) => (href === "#/support" ? route === "#/support"
    : href === "#/orgs" ? route === "#/orgs" || (route.startsWith("#/orgs/") && !me.support)
      : route.startsWith(href));
  const nav = h("nav", { "aria-label": "Main" }, h("ul", {}, links.map(([href, label]) =>
    h("li", {}, h("a", { href, "aria-current": here(href) ? "page" : false }, label)))));
  const who = me ? h("div", { class: "who" },
    h("span", {}, `${me.email || me.user_id} · app ${me.app_id}${me.support ? " · support" : ""}`),
    h("button", { type: "button", class: "secondary", onclick: () => { signOut(); go("#/signin"); } }, "Sign out")) : null;
  replace(top, h("span", { class: "brand" }, "orgplane console"), nav, who);
}

function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash; // the hashchange listener renders
}

async function signedIn() {
  session.me = await get("/me");
  go(session.me.support ? "#/support" : "#/orgs");
}

async function render() {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decode);
  header();
  if (!session.token || parts[0] === "signin" || parts[0] === "") {
    if (session.token && session.me) { go(session.me.support ? "#/support" : "#/orgs"); return; }
    const problem = signInProblem;
    signInProblem = null;
    await signInPage(main, controller.signal, config, signedIn, problem);
  } else if (parts[0] === "orgs" && parts[1]) {
    await orgPage(main, controller.signal, parts[1], parts[2]);
  } else if (parts[0] === "orgs") {
    orgsPage(main, controller.signal);
  } else if (parts[0] === "support" && !session.me?.support) {
    replace(main, h("h1", { tabindex: "-1" }, "Support staff only"),
      h("p", {}, "These pages are for the app's support staff. ", h("a", { href: "#/orgs" }, "Your orgs")));
  } else if (parts[0] === "support" && parts[1] === "users" && parts[2]) {
    await userPage(main, controller.signal, parts[2]);
  } else if (parts[0] === "support" && parts[1] === "deleted") {
    deletedOrgsPage(main);
  } else if (parts[0] === "support" && parts[1] === "activity") {
    appActivityPage(main);
  } else if (parts[0] === "support" && parts[1] === "webhooks") {
    webhooksPage(main);
  } else if (parts[0] === "support" && parts[1] === "settings") {
    await settingsPage(main, controller.signal);
  } else if (parts[0] === "support") {
    searchPage(main);
  } else {
    replace(main, h("h1", { tabindex: "-1" }, "Not found"), h("p", {}, h("a", { href: "#/orgs" }, "Your orgs")));
  }
  if (current === controller) {
    const title = main.querySelector("h1");
    document.title = `${title ? title.textContent : "orgplane"} · orgplane console`;
    title?.focus({ preventScroll: true });
  }
}

async function boot() {
  window.addEventListener("hashchange", render);
  try {
    config = await loadConfig();
    if (config.mode === "cognito" && (await finishCognitoSignIn(config))) {
      await signedIn();
      return;
    }
  } catch (error) {
    header();
    await signInPage(main, new AbortController().signal, config, signedIn, error);
    return;
  }
  await render();
}

boot();
