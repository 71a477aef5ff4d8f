// Live status without a page reload: refresh the document rows, or reload a document page
// until its processing is over. No inline script, so a strict Content-Security-Policy holds.
(function () {
  const PERIOD_MS = 2000;
  const rows = document.getElementById("document-rows");
  const status = document.getElementById("document-status");
  const finished = (s) => s === "done" || s === "failed";

  if (rows) {
    setInterval(async () => {
      const response = await fetch(rows.dataset.refresh, { credentials: "same-origin" });
      if (response.ok) rows.innerHTML = await response.text();
    }, PERIOD_MS);
  } else if (status && !finished(status.dataset.status)) {
    setTimeout(() => window.location.reload(), PERIOD_MS);
  }
})();
