// Live status without a page reload: refresh the document list, or reload a document page until
// its processing is over. No inline script, so a strict Content-Security-Policy holds.
// Refreshes say so (X-Live-Refresh), so they do not keep an idle session alive; when the session
// has ended the server answers 401 and the refresh stops, saying so, instead of showing a login form.
(function () {
  const PERIOD_MS = 2000;
  const HEADERS = { "X-Live-Refresh": "1" };
  const live = document.getElementById("document-live");
  const status = document.getElementById("document-status");
  const finished = (s) => s === "done" || s === "failed";

  function sessionEnded(where) {
    const note = document.createElement("p");
    note.className = "message error";
    note.id = "session-ended";
    note.setAttribute("role", "alert");
    note.textContent = "Your session has ended; live updates stopped. Reload the page to log in again.";
    where.before(note);
  }

  if (live) {
    const timer = setInterval(async () => {
      const response = await fetch(live.dataset.refresh, { credentials: "same-origin", headers: HEADERS,
                                                           redirect: "manual" });
      if (response.ok) {
        live.innerHTML = await response.text();
      } else {
        clearInterval(timer);
        sessionEnded(live);
      }
    }, PERIOD_MS);
  } else if (status && !finished(status.dataset.status)) {
    setTimeout(() => window.location.reload(), PERIOD_MS);
  }
})();
