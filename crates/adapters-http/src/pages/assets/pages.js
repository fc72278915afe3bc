// The emailed-link pages. Reads the token from the address once, takes it
// out of the address bar (and so out of the history entry) at once, and
// sends it to the flow's JSON endpoint on this origin only when the person
// presses the button: opening the page changes nothing.
"use strict";
(() => {
  const main = document.querySelector("main[data-flow]");
  const form = document.getElementById("form");
  if (!main || !form) return;
  const flow = main.dataset.flow;
  const token = new URLSearchParams(window.location.search).get("token");
  if (window.location.search || window.location.hash) {
    window.history.replaceState(null, "", window.location.pathname);
  }
  const problem = document.getElementById("problem");
  const submit = form.querySelector("button[type=submit]");

  const outcome = (name) => {
    form.hidden = true;
    problem.hidden = true;
    const section = main.querySelector(`[data-outcome="${name}"]`);
    section.hidden = false;
    section.querySelector("h2").focus();
  };
  const tell = (text) => {
    problem.textContent = text;
    problem.hidden = false;
  };
  const fieldError = (id, text) => {
    const input = document.getElementById(id);
    const error = document.getElementById(`${id}-error`);
    error.textContent = text;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    return input;
  };
  const clearErrors = () => {
    problem.hidden = true;
    for (const error of form.querySelectorAll(".field-error")) error.hidden = true;
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  };
  // "at least 12 characters" reads "At least 12 characters."
  const sentence = (text) => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;

  if (!token) {
    outcome("incomplete");
    return;
  }
  const show = document.getElementById("show-passwords");
  if (show) {
    show.addEventListener("change", () => {
      for (const input of form.querySelectorAll("input[autocomplete=new-password]")) {
        input.type = show.checked ? "text" : "password";
      }
    });
  }

  const send = async (body) => {
    let response;
    let answer = {};
    try {
      response = await fetch(`/api/v1/auth/${flow}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/problem+json, application/json" },
        body: JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
      });
      if (response.status !== 204) answer = await response.json().catch(() => ({}));
    } catch (_) {
      tell("The service could not be reached, and nothing was changed. Check your connection, then try again.");
      return;
    }
    if (response.ok) return outcome("done");
    switch (answer.code) {
      case "invalid_or_expired_token":
        return outcome("unusable");
      case "email_taken":
        return outcome("taken");
      case "validation_failed": {
        const others = [];
        let first = null;
        for (const error of answer.errors || []) {
          if (error.field === "new_password" && document.getElementById("new-password")) {
            const text = sentence(error.message);
            const element = document.getElementById("new-password-error");
            const input = fieldError("new-password", element.hidden ? text : `${element.textContent} ${text}`);
            first = first || input;
          } else {
            others.push(`${error.field}: ${error.message}`);
          }
        }
        if (others.length) tell(`The service refused this request (${others.join("; ")}). Open the link from your email again.`);
        if (first) first.focus();
        return;
      }
      case "too_many_requests": {
        const wait = Number(response.headers.get("Retry-After")) || 60;
        return tell(`Too many attempts from your network. Wait ${wait} seconds, then try again.`);
      }
      default:
        return tell("Something went wrong on our side, and nothing was changed. Try again in a moment.");
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearErrors();
    const body = { token };
    if (flow === "reset-password") {
      const password = form.elements.new_password.value;
      if (password !== form.elements.repeat_password.value) {
        fieldError("repeat-password", "The two passwords are not the same. Type the new password twice.").focus();
        return;
      }
      body.new_password = password;
    }
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      await send(body);
    } finally {
      submit.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });
  submit.disabled = false;
})();
