// The check-in desk without a network (issue 18). While online the desk
// works as always (the form posts to the server) and this script keeps the
// day's roster of the desk's clinic in IndexedDB, refreshed every few
// minutes. Offline, it answers scans from that roster with the desk's own
// words and colours, marked "offline — will sync", and queues them; when the
// network returns (or on the button) it sends the queue, in order, to
// POST /api/v1/checkins/sync/ and lists the scans whose answer changed.
// Everything is kept per staff user and clinic, and only for today; signing
// out wipes it all (Clear-Site-Data, accounts/signout.py).
(function () {
  "use strict";

  const configNode = document.getElementById("desk-offline-config");
  const wordsNode = document.getElementById("desk-words");
  const form = document.getElementById("desk-form");
  if (!configNode || !wordsNode || !form || !window.indexedDB) {
    return;
  }
  const config = JSON.parse(configNode.textContent);
  const words = JSON.parse(wordsNode.textContent);
  const scope = config.user + ":" + config.site;
  const codeField = form.querySelector("input[name=code]");
  const csrfField = form.querySelector("input[name=csrfmiddlewaretoken]");
  const statusBox = document.getElementById("desk-status");
  const networkBadge = document.getElementById("desk-network");
  const rosterAge = document.getElementById("desk-roster-age");
  const queueCount = document.getElementById("desk-queue-count");
  const syncButton = document.getElementById("desk-sync");
  const syncMessage = document.getElementById("desk-sync-message");
  const conflictsBox = document.getElementById("desk-conflicts");
  const conflictsList = document.getElementById("desk-conflicts-list");
  const conflictsClear = document.getElementById("desk-conflicts-clear");

  const ROSTER_EVERY_MS = 3 * 60 * 1000;
  const ROSTER_FRESH_MS = 60 * 1000;
  // Scans per request: well under the server's limit (config.maxScans), so
  // each request stays short on a slow link.
  const SYNC_BATCH = 50;
  const SEPARATORS = /[\s\-_.·/]+/g;

  let roster = null;
  let queued = [];
  let syncing = false;
  // The browser says online but the server did not answer (a weak signal):
  // scans are answered offline until it does.
  let unreachable = false;

  // IndexedDB, in promises.
  const DB_NAME = "vaxfleet-desk";
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        const request = window.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          const base = request.result;
          base.createObjectStore("rosters", { keyPath: "scope" });
          base.createObjectStore("queue", { keyPath: "attempt" });
          base.createObjectStore("conflicts", { keyPath: "attempt" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }
  function run(storeName, mode, work) {
    return db().then(function (base) {
      return new Promise(function (resolve, reject) {
        const transaction = base.transaction(storeName, mode);
        const request = work(transaction.objectStore(storeName));
        transaction.oncomplete = function () { resolve(request ? request.result : undefined); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }
  function mine(items) {
    return (items || []).filter(function (item) { return item.scope === scope; });
  }
  function bySequence(a, b) { return a.sequence - b.sequence; }

  // Dates and words.
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }
  // Dates as the server writes them (project/formats: "Thu 3 Dec 09:00",
  // "2 May 1948"), from the browser's own month and day names.
  function parts(moment, options, timeZone) {
    const found = {};
    new Intl.DateTimeFormat(config.language, Object.assign({ timeZone: timeZone || config.timeZone }, options))
      .formatToParts(new Date(moment))
      .forEach(function (part) { found[part.type] = part.value.replace(/\.$/, ""); });
    return found;
  }
  function clock(moment) {
    const p = parts(moment, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    return p.hour + ":" + p.minute;
  }
  function when(moment) {
    const p = parts(moment, { weekday: "short", day: "numeric", month: "short" });
    return p.weekday + " " + p.day + " " + p.month + " " + clock(moment);
  }
  function birthDate(isoDate) {
    const p = parts(isoDate + "T12:00:00Z", { day: "numeric", month: "short", year: "numeric" }, "UTC");
    return p.day + " " + p.month + " " + p.year;
  }
  // Today at the clinic, by the device's clock: the roster is kept only for it.
  function today() {
    return new Intl.DateTimeFormat("en-CA", {
      timeZone: config.timeZone, year: "numeric", month: "2-digit", day: "2-digit",
    }).format(new Date());
  }
  function normalize(typed) {
    return (typed || "").trim().replace(SEPARATORS, "").toUpperCase().slice(0, 32);
  }
  function newAttempt() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, function (byte) { return byte.toString(16).padStart(2, "0"); }).join("");
  }
  function isOffline() {
    return !navigator.onLine || unreachable;
  }

  // The roster: only today's, only this user's and clinic's.
  function loadRoster() {
    return run("rosters", "readonly", function (store) { return store.getAll(); }).then(function (all) {
      const stale = (all || []).filter(function (item) {
        return item.day !== today() || String(item.scope.split(":")[0]) !== String(config.user);
      });
      roster = mine(all).find(function (item) { return item.day === today(); }) || null;
      if (!stale.length) {
        return roster;
      }
      return run("rosters", "readwrite", function (store) {
        stale.forEach(function (item) { store.delete(item.scope); });
      }).then(function () { return roster; });
    });
  }
  function refreshRoster() {
    if (!navigator.onLine) {
      return Promise.resolve(roster);
    }
    return fetch(config.rosterUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        unreachable = false;
        if (response.status === 401 || response.status === 403) {
          // Signed out, or no longer staff here: nothing may stay on the device.
          roster = null;
          return run("rosters", "readwrite", function (store) { store.delete(scope); });
        }
        if (!response.ok) {
          return null;
        }
        return response.json().then(function (data) {
          roster = { scope: scope, day: data.day, fetchedAt: Date.now(), data: data };
          return run("rosters", "readwrite", function (store) { store.put(roster); });
        });
      })
      .catch(function () { unreachable = true; })
      .then(render);
  }
  function loadQueue() {
    return run("queue", "readonly", function (store) { return store.getAll(); }).then(function (all) {
      queued = mine(all).sort(bySequence);
      return queued;
    });
  }

  // What the status line says.
  function render() {
    if (!statusBox) {
      return;
    }
    statusBox.hidden = false;
    const offline = isOffline();
    networkBadge.textContent = offline ? words.offline : words.online;
    networkBadge.className = "badge " + (offline ? "text-bg-dark" : "text-bg-success");
    rosterAge.textContent = roster ? fill(words.roster_of, { time: clock(roster.fetchedAt) }) : words.no_roster;
    if (roster) {
      rosterAge.dataset.fetched = String(roster.fetchedAt);
    } else {
      delete rosterAge.dataset.fetched;
    }
    queueCount.textContent = fill(words.queued, { count: queued.length });
    queueCount.dataset.queued = String(queued.length);
    // Shown whenever the browser has a network: after a failed sync the nurse can try again.
    syncButton.hidden = !navigator.onLine || !queued.length;
    document.body.classList.toggle("desk-is-offline", offline);
  }
  function say(text) {
    if (syncMessage) {
      syncMessage.textContent = text;
    }
  }

  // An answer from the roster, as the server would word it.
  function answer(code) {
    if (queued.some(function (item) { return item.normalized === code; })) {
      const first = queued.find(function (item) { return item.normalized === code; });
      return { reason: "scanned_here", detail: fill(words.scanned_here, { time: clock(first.scanned_at) }), queue: false };
    }
    if (!roster) {
      return { reason: "pending", detail: words.offline_no_roster, queue: true };
    }
    const row = roster.data.appointments.find(function (item) { return item.code === code; });
    if (row) {
      if (row.status === "booked") {
        return { reason: "checked_in", row: row, queue: true };
      }
      if (row.status === "checked_in") {
        const detail = fill(words.already, {
          time: row.checked_in_at ? clock(row.checked_in_at) : "—", name: row.checked_in_by || words.someone,
        });
        return { reason: "already_checked_in", row: row, detail: detail, queue: true };
      }
      const template = row.status === "cancelled" ? words.cancelled : words.no_show;
      return { reason: row.status, row: row, detail: fill(template, { when: when(row.start) }), queue: true };
    }
    const other = roster.data.other_days.find(function (item) { return item.code === code; });
    if (other) {
      return { reason: "wrong_day", detail: fill(words.wrong_day, { when: when(other.start) }), queue: true };
    }
    return { reason: "unknown", detail: fill(words.unknown, { code: code || "—" }), queue: true };
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }
  function showAnswer(result, code, attempt) {
    const ok = result.reason === "checked_in";
    const pending = result.reason === "pending";
    const section = element("section", "desk-result desk-result-offline " +
      (ok ? "desk-result-ok" : pending ? "desk-result-pending" : "desk-result-refused"));
    section.setAttribute("role", ok ? "status" : "alert");
    section.setAttribute("aria-labelledby", "result-headline");
    section.dataset.reason = result.reason;
    if (attempt) {
      section.dataset.attempt = attempt;
    }
    section.appendChild(element("p", "desk-offline-mark", words.offline_mark));
    const headline = element("p", "desk-result-headline");
    headline.id = "result-headline";
    const icon = element("span", "desk-result-icon", ok ? "✓" : pending ? "?" : "✗");
    icon.setAttribute("aria-hidden", "true");
    headline.appendChild(icon);
    headline.appendChild(document.createTextNode(" " + (words.headlines[result.reason] || words.pending)));
    section.appendChild(headline);
    const row = result.row;
    if (ok) {
      const name = element("p", "desk-result-name", row.name);
      name.id = "result-person";
      section.appendChild(name);
      const facts = element("dl", "desk-result-facts");
      [
        [words.born, row.date_of_birth ? birthDate(row.date_of_birth) : words.not_given],
        [words.booked_for, clock(row.start)],
        [words.dose, row.vaccine + ", " + fill(words.dose_n, { n: row.dose_number })],
        [words.code, row.code],
      ].forEach(function (pair, index) {
        facts.appendChild(element("dt", "", pair[0]));
        facts.appendChild(element("dd", index === 3 ? "font-monospace" : "", pair[1]));
      });
      section.appendChild(facts);
      if (row.flags && row.flags.length) {
        section.appendChild(element("p", "desk-result-flag", fill(words.clinician, { questions: row.flags.join("; ") })));
      }
      section.appendChild(element("p", "mb-0 small mt-2 desk-provisional", words.provisional));
    } else {
      const detail = element("p", "desk-result-detail", result.detail);
      detail.id = "result-person";
      section.appendChild(detail);
      if (row) {
        section.appendChild(element("p", "desk-result-name mb-1", row.name));
      }
      const why = element("p", "desk-result-reason");
      why.appendChild(document.createTextNode(
        (result.reason === "already_checked_in" || result.reason === "scanned_here" ? words.nothing_changed
          : pending ? words.provisional : words.not_checked_in) + " " + words.code + " "));
      why.appendChild(element("span", "font-monospace", code || "—"));
      section.appendChild(why);
    }
    document.querySelectorAll(".desk-result, .desk-after").forEach(function (old) { old.remove(); });
    form.parentNode.insertBefore(section, form);
    if (ok && !row.dose_given) {
      form.parentNode.insertBefore(doseForm(row), form);
    }
    document.dispatchEvent(new CustomEvent("desk:result", { detail: { ok: ok } }));
    codeField.setAttribute("aria-describedby", "result-headline result-person");
    codeField.value = "";
    codeField.focus({ preventScroll: true });
    const box = section.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      section.scrollIntoView({ block: "start", behavior: "instant" });
    }
  }

  // The dose record offline: the lot picked from the roster's lots on hand
  // (or typed where no stock is kept), remembered for the session, queued
  // after its scan; then the desk is ready for the next person.
  function lotKey(vaccine) {
    return "vaxfleet-desk-lot:" + scope + ":" + vaccine;
  }
  function remembered(vaccine) {
    try {
      return window.sessionStorage.getItem(lotKey(vaccine)) || "";
    } catch (error) {
      return "";
    }
  }
  function doseForm(row) {
    const node = element("form", "card card-body desk-after desk-offline-dose dose-form mb-3");
    node.id = "desk-offline-dose";
    node.appendChild(element("h2", "h5", words.dose_heading));
    const offered = roster && roster.data.lots ? roster.data.lots[row.vaccine] : null;
    const last = remembered(row.vaccine);
    let field;
    let chosen;
    if (offered) {
      // One radio button a lot, as on the online desk: the whole label reads
      // on a phone and a lot is one tap.
      field = element("fieldset", "mb-3");
      field.id = "offline-lot";
      field.appendChild(element("legend", "form-label fs-6", words.lot));
      if (!offered.length) field.appendChild(element("p", "form-text", words.no_lot_here));
      offered.forEach(function (lot, index) {
        const option = element("div", "form-check");
        const radio = element("input", "form-check-input");
        radio.type = "radio";
        radio.name = "vaccine_lot";
        radio.value = lot.lot;
        radio.id = "offline-lot-" + index;
        radio.required = true;
        radio.checked = lot.lot === last || offered.length === 1;
        const text = element("label", "form-check-label", lot.label);
        text.htmlFor = radio.id;
        option.appendChild(radio);
        option.appendChild(text);
        field.appendChild(option);
      });
      chosen = function () {
        const radio = field.querySelector("input:checked");
        return radio ? radio.value : "";
      };
    } else {
      const label = element("label", "form-label", words.lot);
      label.htmlFor = "offline-lot";
      node.appendChild(label);
      field = element("input", "form-control mb-3");
      field.id = "offline-lot";
      field.name = "vaccine_lot";
      field.type = "text";
      field.autocomplete = "off";
      field.required = true;
      field.value = last;
      chosen = function () {
        return field.value.trim();
      };
    }
    node.appendChild(field);
    const button = element("button", "btn btn-primary btn-lg", words.dose_given);
    button.type = "submit";
    node.appendChild(button);
    node.addEventListener("submit", function (event) {
      event.preventDefault();
      const lot = chosen();
      if (!lot) {
        (field.querySelector("input") || field).focus();
        return;
      }
      queueDose(row, lot);
    });
    return node;
  }
  function queueDose(row, lot) {
    const item = {
      attempt: newAttempt(),
      scope: scope,
      kind: "dose",
      code: row.code,
      normalized: row.code,
      lot: lot,
      scanned_at: new Date().toISOString(),
      offline: "dose_recorded",
      name: row.name,
      sequence: Date.now() * 1000 + queued.length,
    };
    try {
      window.sessionStorage.setItem(lotKey(row.vaccine), lot);
    } catch (error) {
      // Private mode: the lot is picked again next time.
    }
    row.dose_given = true;
    queued.push(item);
    document.querySelectorAll(".desk-result, .desk-after").forEach(function (old) { old.remove(); });
    say(fill(words.dose_queued, { name: row.name, lot: lot }));
    render();
    codeField.focus();
    return run("queue", "readwrite", function (store) { store.put(item); });
  }

  function scanOffline(typed) {
    const code = normalize(typed);
    const result = answer(code);
    const attempt = newAttempt();
    showAnswer(result, code, result.queue ? attempt : "");
    if (!result.queue) {
      return Promise.resolve();
    }
    const item = {
      attempt: attempt,
      scope: scope,
      code: (typed || "").slice(0, 64),
      normalized: code,
      scanned_at: new Date().toISOString(),
      offline: result.reason,
      name: result.row ? result.row.name : "",
      sequence: Date.now() * 1000 + queued.length,
    };
    queued.push(item);
    render();
    return run("queue", "readwrite", function (store) { store.put(item); });
  }

  // Sync, in order, in batches the server accepts.
  function showConflicts() {
    return run("conflicts", "readonly", function (store) { return store.getAll(); }).then(function (all) {
      const conflicts = mine(all).sort(bySequence);
      conflictsList.replaceChildren();
      conflicts.forEach(function (conflict) {
        const item = element("li", "list-group-item desk-conflict");
        const title = element("p", "mb-1 fw-semibold");
        title.appendChild(element("span", "font-monospace", conflict.code));
        if (conflict.name) {
          title.appendChild(document.createTextNode(" · " + conflict.name));
        }
        title.appendChild(document.createTextNode(" · " + clock(conflict.scanned_at)));
        item.appendChild(title);
        item.appendChild(element("p", "mb-1 desk-conflict-now",
          fill(words.server_says, { headline: conflict.headline, message: conflict.message })));
        item.appendChild(element("p", "mb-0 small text-body-secondary",
          fill(words.offline_said, { headline: words.headlines[conflict.offline] || words.pending })));
        conflictsList.appendChild(item);
      });
      conflictsBox.hidden = !conflicts.length;
    });
  }

  // Scans the server would refuse for their age (and with them the whole
  // batch) leave the queue for the list of changes, where the nurse sees them.
  function dropTooOld() {
    const limit = Date.now() - config.maxAgeHours * 3600 * 1000 + 60 * 1000;
    const old = queued.filter(function (item) { return Date.parse(item.scanned_at) < limit; });
    if (!old.length) {
      return Promise.resolve();
    }
    const message = fill(words.too_old, { hours: config.maxAgeHours });
    return run("conflicts", "readwrite", function (store) {
      old.forEach(function (item) {
        store.put({
          attempt: item.attempt, scope: scope, sequence: item.sequence, code: item.normalized || item.code,
          name: item.name, scanned_at: item.scanned_at, offline: item.offline,
          headline: words.headlines.not_synced, message: message,
        });
      });
    })
      .then(function () {
        return run("queue", "readwrite", function (store) {
          old.forEach(function (item) { store.delete(item.attempt); });
        });
      })
      .then(loadQueue)
      .then(showConflicts);
  }

  function sync() {
    if (syncing || !navigator.onLine || !queued.length) {
      return Promise.resolve();
    }
    return dropTooOld().then(send);
  }

  function send() {
    if (syncing || !queued.length) {
      return Promise.resolve();
    }
    syncing = true;
    say(words.syncing);
    const batch = queued.slice(0, Math.min(SYNC_BATCH, config.maxScans));
    const body = JSON.stringify(batch.map(function (item) {
      return {
        kind: item.kind || "scan", code: item.code, attempt: item.attempt, scanned_at: item.scanned_at, lot: item.lot || "",
      };
    }));
    return fetch(config.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfField.value },
      body: body,
    })
      .then(function (response) {
        unreachable = false;
        return response.json().then(function (data) {
          if (!response.ok) {
            const message = data && data.error ? data.error.message : response.statusText;
            say(fill(words.sync_failed, { message: message }));
            return false;
          }
          return settle(batch, data).then(function () { return true; });
        });
      })
      .catch(function () {
        unreachable = true;
        say(fill(words.sync_failed, { message: words.sync_unreachable }));
        return false;
      })
      .then(function (done) {
        syncing = false;
        render();
        if (done && queued.length) {
          return sync();
        }
        if (done) {
          say(words.synced);
          return refreshRoster();
        }
        return null;
      });
  }

  function settle(batch, answers) {
    const byAttempt = {};
    answers.forEach(function (item) { byAttempt[item.attempt] = item; });
    const changed = [];
    batch.forEach(function (item) {
      const server = byAttempt[item.attempt];
      if (server && server.result !== item.offline) {
        changed.push({
          attempt: item.attempt, scope: scope, sequence: item.sequence, code: item.normalized || item.code,
          name: item.name, scanned_at: item.scanned_at, offline: item.offline,
          headline: server.headline, message: server.message,
        });
      }
    });
    const answered = batch.filter(function (item) { return byAttempt[item.attempt]; });
    // The offline answer still on screen: confirmed, or gone if the server
    // answered otherwise (the list of changes says why).
    const shown = document.querySelector(".desk-result-offline[data-attempt]");
    const server = shown && byAttempt[shown.dataset.attempt];
    if (server && server.result === shown.dataset.reason) {
      shown.querySelector(".desk-offline-mark").textContent = words.synced_mark;
      shown.querySelectorAll(".desk-provisional").forEach(function (line) { line.remove(); });
    } else if (server) {
      shown.remove();
    }
    return run("queue", "readwrite", function (store) {
      answered.forEach(function (item) { store.delete(item.attempt); });
    })
      .then(function () {
        return run("conflicts", "readwrite", function (store) {
          changed.forEach(function (item) { store.put(item); });
        });
      })
      .then(loadQueue)
      .then(showConflicts);
  }

  // A result the server just gave online updates the roster at once.
  function noteOnlineResult() {
    const result = document.querySelector(".desk-result[data-code]");
    if (!result || !roster || result.dataset.reason !== "checked_in") {
      return null;
    }
    const row = roster.data.appointments.find(function (item) { return item.code === result.dataset.code; });
    if (row) {
      row.status = "checked_in";
      row.checked_in_at = new Date().toISOString();
      row.checked_in_by = result.dataset.by || null;
      return run("rosters", "readwrite", function (store) { store.put(roster); });
    }
    return null;
  }

  form.addEventListener("submit", function (event) {
    if (!isOffline()) {
      return;
    }
    event.preventDefault();
    scanOffline(codeField.value);
  });
  if (syncButton) {
    syncButton.addEventListener("click", function () { sync(); });
  }
  if (conflictsClear) {
    conflictsClear.addEventListener("click", function () {
      run("conflicts", "readwrite", function (store) {
        return store.getAll();
      }).then(function (all) {
        return run("conflicts", "readwrite", function (store) {
          mine(all).forEach(function (item) { store.delete(item.attempt); });
        });
      }).then(showConflicts).then(function () { codeField.focus(); });
    });
  }
  window.addEventListener("online", function () {
    unreachable = false;
    render();
    refreshRoster().then(sync);
  });
  window.addEventListener("offline", render);
  // Leaving the desk (or signing out) with scans not yet synced loses them
  // on a shared device: the browser asks first.
  window.addEventListener("beforeunload", function (event) {
    if (queued.length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.serviceWorker, { scope: config.desk }).catch(function () {
      // Without a service worker the desk still works online, and offline while open.
    });
  }

  Promise.all([loadRoster(), loadQueue()])
    .then(function () {
      render();
      showConflicts();
      return noteOnlineResult();
    })
    .then(function () {
      if (!roster || Date.now() - roster.fetchedAt > ROSTER_FRESH_MS) {
        return refreshRoster();
      }
      return null;
    })
    .then(sync)
    .catch(function () {
      // IndexedDB refused (a private window's quota): the desk still works online.
    })
    .then(function () { document.documentElement.dataset.deskReady = "1"; });
  window.setInterval(function () { refreshRoster(); }, ROSTER_EVERY_MS);
  window.setInterval(function () {
    if (unreachable && navigator.onLine) {
      // The server did not answer last time: see whether it does now.
      refreshRoster().then(sync);
    } else {
      loadRoster().then(render);
    }
  }, 30 * 1000);
})();
