// The status page of a background job: polls its JSON progress every second and moves the
// <progress> bar; when the job ends (or waits for confirmation) the page reloads to show the result.
"use strict";
(function () {
  var FINAL = ["done", "failed", "cancelled", "awaiting_confirmation"];

  function start() {
    var box = document.getElementById("job-progress");
    if (!box) { return; }
    if (FINAL.indexOf(box.dataset.status) !== -1) { return; }  // already over: nothing to poll
    var bar = document.getElementById("job-progress-bar");
    var status = document.getElementById("job-status");
    var count = document.getElementById("job-progress-count");
    var url = box.dataset.url;
    var failures = 0;

    function update(data) {
      if (data.total) {
        bar.max = data.total;
        bar.value = data.processed;
        count.textContent = data.processed + " / " + data.total + " (" + data.percent + " %)";
      } else {
        bar.removeAttribute("value");  // indeterminate until the total is known
      }
      bar.textContent = data.percent + " %";
      status.textContent = data.status_label + (data.phase_label ? " · " + data.phase_label : "");
      status.className = "jobs-status-" + data.status;
      if (FINAL.indexOf(data.status) !== -1) {
        window.location.reload();
        return false;
      }
      return true;
    }

    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          if (update(data)) { window.setTimeout(poll, 1000); }
        })
        .catch(function () {
          failures += 1;  // a lost connection: keep trying, more slowly
          window.setTimeout(poll, Math.min(30000, 1000 * Math.pow(2, failures)));
        });
    }

    window.setTimeout(poll, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
