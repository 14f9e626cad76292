// Docs assistant: append answers and record feedback without a page reload. Every form also works without
// JavaScript (POST, then redirect); here the same POSTs carry `X-Requested-With: fetch` and the server answers
// with HTML fragments.
(() => {
  "use strict";

  const post = (form, submitter) => {
    const data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
  };

  const fromHtml = (html) => {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content;
  };

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("ask-form");
    const log = document.getElementById("chat-log");
    if (form && log) {
      const textarea = form.querySelector("textarea");
      const button = form.querySelector("button[type=submit]");
      const progress = document.getElementById("ask-progress");
      const errors = document.getElementById("ask-errors");

      textarea.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          form.requestSubmit();
        }
      });

      form.addEventListener("submit", async (event) => {
        if (!textarea.value.trim()) return; // let the browser's `required` message show
        event.preventDefault();
        form.setAttribute("aria-busy", "true");
        button.disabled = true;
        progress.textContent = "Searching the docs…";
        try {
          const response = await post(form);
          const html = await response.text();
          if (response.ok) {
            const fragment = fromHtml(html);
            const first = fragment.firstElementChild;
            log.appendChild(fragment);
            errors.textContent = "";
            textarea.value = "";
            const url = response.headers.get("X-Conversation-Url");
            if (url && url !== window.location.pathname) {
              window.history.pushState({}, "", url);
              form.action = url;
              const intro = document.getElementById("chat-intro");
              if (intro) intro.remove();
            }
            const answer = log.lastElementChild;
            if (answer) answer.scrollIntoView({ behavior: "smooth", block: "start" });
            if (first) first.setAttribute("tabindex", "-1");
            progress.textContent = "Answered.";
          } else if (response.status === 400) {
            errors.innerHTML = html;
            progress.textContent = "";
          } else {
            form.submit(); // anything unexpected: the plain form round trip
          }
        } catch (error) {
          form.submit();
        } finally {
          form.removeAttribute("aria-busy");
          button.disabled = false;
          textarea.focus();
        }
      });
    }

    // Feedback forms, including those appended later.
    document.addEventListener("submit", async (event) => {
      const feedback = event.target.closest(".feedback-form");
      if (!feedback) return;
      event.preventDefault();
      const submitter = event.submitter;
      const plainSubmit = () => {
        // form.submit() drops the clicked button's value: carry it in a hidden field
        if (submitter && submitter.name) {
          const hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = submitter.name;
          hidden.value = submitter.value;
          feedback.appendChild(hidden);
        }
        feedback.submit();
      };
      try {
        const response = await post(feedback, submitter);
        const holder = document.getElementById(feedback.dataset.fragment);
        if (holder && (response.status === 200 || response.status === 400)) {
          holder.replaceWith(fromHtml(await response.text()));
        } else {
          plainSubmit();
        }
      } catch (error) {
        plainSubmit();
      }
    });
  });
})();
