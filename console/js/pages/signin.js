// Sign-in: locally a list of demo users (tokens from the local server); deployed, one button per
// app that starts its Cognito managed login (authorization code + PKCE).
import { localSignIn, localUsers, startCognitoSignIn } from "../auth.js";
import { errorBox, h, replace } from "../ui.js";

export async function signInPage(main, signal, config, onSignedIn, problem) {
  const head = [h("h1", { tabindex: "-1" }, "Sign in"), problem ? errorBox(problem) : null];
  if (config.mode === "cognito") {
    replace(main, head, h("ul", { class: "choices" }, (config.apps || []).map((app) => {
      const button = h("button", { type: "button" }, `Sign in to ${app.label || app.id}`);
      button.addEventListener("click", () => startCognitoSignIn(app));
      return h("li", {}, button);
    })));
    return;
  }
  replace(main, head, h("p", { class: "loading", role: "status" }, "Loading demo users…"));
  let users;
  try {
    users = await localUsers();
  } catch (error) {
    if (!signal.aborted) replace(main, head, errorBox(error));
    return;
  }
  if (signal.aborted) return;
  const out = h("div", { class: "outcome" });
  replace(main, head,
    h("p", {}, "The local server signs you in as one of its demo users (a token of the local issuer, kept in memory: a reload signs out)."),
    h("ul", { class: "choices" }, users.map((user) => {
      const button = h("button", { type: "button", dataset: { user: user.id } }, `Sign in as ${user.id}`);
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          await localSignIn(user.id);
          await onSignedIn();
        } catch (error) {
          replace(out, errorBox(error));
        } finally {
          button.disabled = false;
        }
      });
      return h("li", { class: "choice" }, button, h("span", {}, ` ${user.label} · ${user.email} · app ${user.app}`));
    })), out);
}
