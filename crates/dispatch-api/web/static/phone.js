// The caregiver's phone page: today's visits in order, check-in and check-out with the
// phone's position, a call to the client or their family, the hand-off to the map app they
// navigate with, the family's rating link until the visit is rated, the route on a map, and
// the day as a calendar file. The caregiver's own
// stream (`/v1/me/events`) brings a re-planned route at once, with a notice. The last route is kept
// on the phone, and check-ins made without a connection are sent (under the same
// Idempotency-Key, so never twice) when it is back.

import { api, token, setToken, setUpSignIn, t, translate, languageSwitch, hhmm, serviceName, escapeHtml, ll, newKey, follow } from "./common.js";

const $ = (id) => document.getElementById(id);
const SAVED = "cc.route";
const QUEUE = "cc.outbox";
let route = null;
let stopNews = null;

function show(which) {
  $("signin").hidden = which !== "signin";
  $("day").hidden = which !== "day";
  $("signout").hidden = which === "signin";
}

async function start() {
  translate();
  languageSwitch($("lang"), () => route && render());
  setUpSignIn(enter, () => localStorage.removeItem(SAVED));
  $("calendar").onclick = downloadCalendar;
  window.addEventListener("online", flush);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" }).catch(() => {});
  if (token()) await enter();
  else show("signin");
}

async function enter() {
  try {
    route = await api("/v1/me/route");
    localStorage.setItem(SAVED, JSON.stringify({ at: Date.now(), route }));
    $("status").textContent = "";
  } catch (e) {
    const saved = JSON.parse(localStorage.getItem(SAVED) ?? "null");
    if (e instanceof TypeError && saved) {
      route = saved.route;
      $("status").textContent = t("live.offline", { at: new Date(saved.at).toLocaleTimeString() });
    } else {
      setToken(null);
      $("signin-error").textContent = t("signin.bad", { why: e.message });
      show("signin");
      return;
    }
  }
  show("day");
  render();
  drawMap();
  flush();
  stopNews?.();
  stopNews = follow("/v1/me/events", onNews);
  document.body.dataset.ready = "1";
}

/** A new plan changed my route: read it again, redraw, and say what changed. */
async function onNews(kind, news) {
  if (kind !== "route" || news.date !== route?.date) return;
  try {
    route = await api("/v1/me/route");
  } catch {
    return; // offline: the stream resumes, and the next news reads it again
  }
  localStorage.setItem(SAVED, JSON.stringify({ at: Date.now(), route }));
  render();
  drawMap();
  $("news").textContent = t("phone.changed", {
    at: new Date().toTimeString().slice(0, 5),
    added: news.added.length,
    removed: news.removed.length,
    moved: news.moved.length,
  });
  $("news").hidden = false;
  navigator.vibrate?.([200, 100, 200]);
  // When the news was on the screen, for benches/phone_news.rs.
  document.body.dataset.newsAt = String(Date.now());
  document.body.dataset.news = String(Number(document.body.dataset.news ?? 0) + 1);
}

function stateOf(stop) {
  if (stop.check_out !== null && stop.check_out !== undefined) return "done";
  if (stop.check_in !== null && stop.check_in !== undefined) return "started";
  return "planned";
}

function render() {
  $("date").textContent = route.date;
  $("times").textContent = route.departure === null ? "" :
    `${t("phone.depart", { at: hhmm(route.departure) })} · ${t("phone.back", { at: hhmm(route.return_time) })}`;
  if (route.stops.length === 0) {
    $("stops").innerHTML = `<li class="none">${t("phone.none")}</li>`;
    return;
  }
  const pending = queued().map((q) => `${q.visit}/${q.what}`);
  const next = nextVisit();
  $("stops").innerHTML = route.stops
    .map((s, i) => {
      if (s.kind === "pickup") return pickupItem(s, i);
      const st = stateOf(s);
      const waiting = pending.includes(`${s.visit}/check-in`) || pending.includes(`${s.visit}/check-out`);
      return `<li class="stop ${st}" data-visit="${escapeHtml(s.visit)}" data-state="${st}">
        <div class="when">${i + 1}. ${hhmm(s.start)}–${hhmm(s.end)}</div>
        <div class="who">${escapeHtml(s.client_name ?? s.client ?? "")}</div>
        <div class="what">${escapeHtml(serviceName(s.service))}</div>
        ${s.with ? `<div class="with">${escapeHtml(t("phone.with", { who: s.with }))}</div>` : ""}
        ${s.address ? `<div class="where">${escapeHtml(s.address)}</div>` : ""}
        ${s.notes ? `<div class="notes">${escapeHtml(s.notes)}</div>` : ""}
        ${reach(s)}
        ${navigate(s)}
        <div class="badge">${t(`visit.${st}`)}${waiting ? ` · ${t("phone.queued")}` : ""}${s.rated ? ` · ${t("phone.rated", { stars: "★".repeat(s.rated) })}` : ""}</div>
        ${rateLink(s)}
        <div class="buttons">
          <button type="button" class="big ${s.visit === next ? "primary" : ""}" data-act="check-in" ${st !== "planned" || waiting ? "disabled" : ""}>${t("phone.checkin")}</button>
          <button type="button" class="big" data-act="check-out" ${st !== "started" || waiting ? "disabled" : ""}>${t("phone.checkout")}</button>
        </div>
        <form class="reason" data-reason="${escapeHtml(s.visit)}" hidden>
          <label>${t("phone.why", { next: next ? visitName(next) : "" })}
            <textarea name="reason" rows="2" maxlength="500" required></textarea></label>
          <button type="submit" class="big primary">${t("phone.checkin")}</button>
        </form>
      </li>`;
    })
    .join("");
}

/** Call links: the client's own phone and each contact's, with who they are. */
function reach(s) {
  const call = (dial, label, who) =>
    `<a class="call" href="tel:${escapeHtml(dial)}" data-call="${escapeHtml(who)}">${escapeHtml(label)}</a>`;
  const links = [];
  if (s.dial) links.push(call(s.dial, `${t("phone.call")} ${s.phone}`, "client"));
  for (const c of s.contacts ?? []) {
    const who = c.relation ? `${c.name}（${c.relation}）` : c.name;
    links.push(call(c.dial, `${t("phone.call")} ${who} ${c.phone}`, "contact"));
  }
  return links.length ? `<div class="reach">${links.join("")}</div>` : "";
}

/** The hand-off to the map app the caregiver navigates with, each in its own coordinates. */
function navigate(s) {
  if (!s.navigation) return "";
  const apps = ["amap", "baidu", "tencent"];
  return `<div class="navigate">${t("phone.navigate")} ${apps
    .map((app) => `<a href="${escapeHtml(s.navigation[app])}" data-nav="${app}" target="_blank" rel="noopener">${t(`map.${app}`)}</a>`)
    .join(" ")}</div>`;
}

/** The family's rating link, until the visit is rated: kept by the service, so a reload or
 *  another phone shows it again. */
function rateLink(s) {
  if (!s.rating_link) return "";
  const url = new URL(s.rating_link, location.origin).href;
  return `<p class="rate-link">${t("phone.rate")} <a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>
          <button type="button" class="big" data-share="${escapeHtml(url)}">${t(navigator.share ? "phone.share" : "phone.copy")}</button>`;
}

/** The next visit: the first of the route nobody checked in yet (pick-ups have none). */
function nextVisit() {
  return route.stops.find((s) => s.kind !== "pickup" && stateOf(s) === "planned")?.visit ?? null;
}

function visitName(visit) {
  const s = route.stops.find((x) => x.visit === visit);
  return s ? `${hhmm(s.start)} ${s.client_name ?? s.client ?? ""}` : visit;
}

/** A meal round's pick-up at a canteen: on the way to a client, nothing to check in. */
function pickupItem(s, i) {
  const canteen = s.canteen_name ?? s.canteen ?? "";
  return `<li class="stop pickup" data-pickup="${escapeHtml(s.visit)}">
        <div class="when">${i + 1}. ${hhmm(s.start)}–${hhmm(s.end)}</div>
        <div class="who">${escapeHtml(t("phone.pickup", { canteen }))}</div>
        <div class="what">${escapeHtml(t("phone.pickup_for", { client: s.client_name ?? s.client ?? "" }))}</div>
      </li>`;
}

$("stops").addEventListener("click", async (e) => {
  const share = e.target.closest("[data-share]")?.dataset.share;
  if (share) return shareLink(share);
  const act = e.target.closest("[data-act]")?.dataset.act;
  const visit = e.target.closest("[data-visit]")?.dataset.visit;
  if (!act || !visit) return;
  // Another visit than the next one: the dispatcher is told why.
  if (act === "check-in" && visit !== nextVisit()) {
    const form = document.querySelector(`form[data-reason="${CSS.escape(visit)}"]`);
    form.hidden = false;
    form.reason.focus();
    return;
  }
  e.target.disabled = true;
  await checkIn(visit, act, null, e.target);
});

$("stops").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = e.target.closest("form[data-reason]");
  const reason = form?.reason.value.trim();
  if (!form || !reason) return;
  form.querySelector("button").disabled = true;
  await checkIn(form.dataset.reason, "check-in", reason, form.querySelector("button"));
});

/** Finds the phone's position and queues the check-in or check-out (with its reason). */
async function checkIn(visit, act, reason, button) {
  $("status").textContent = t("phone.locating");
  let body = {};
  try {
    const position = await here();
    body = { lon: position.coords.longitude, lat: position.coords.latitude, crs: "wgs84" };
  } catch {
    // No position (refused, or none to be had): recorded all the same, as unverified.
    $("status").textContent = t("phone.unverified");
  }
  if (reason) body.reason = reason;
  const item = { visit, what: act, body, key: newKey() };
  localStorage.setItem(QUEUE, JSON.stringify([...queued(), item]));
  await flush();
}

/** Hands the rating link to the family: the phone's share sheet (WeChat, SMS), else a copy. */
async function shareLink(url) {
  try {
    if (navigator.share) await navigator.share({ title: t("rate.title"), url });
    else {
      await navigator.clipboard.writeText(url);
      $("status").textContent = t("phone.copied");
    }
  } catch (err) {
    if (err.name !== "AbortError") $("status").textContent = err.message;
  }
}

function here() {
  return new Promise((ok, fail) => {
    if (!navigator.geolocation) return fail(new Error("no geolocation"));
    navigator.geolocation.getCurrentPosition(ok, fail, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });
}

function queued() {
  return JSON.parse(localStorage.getItem(QUEUE) ?? "[]");
}

/** Sends what waits, in order; stops at the first network failure and tries again later. */
async function flush() {
  let waiting = queued();
  while (waiting.length) {
    const item = waiting[0];
    try {
      const done = await api(`/v1/me/visits/${encodeURIComponent(item.visit)}/${item.what}`, {
        method: "POST",
        body: item.body,
        headers: { "Idempotency-Key": item.key },
      });
      const stop = route.stops.find((s) => s.visit === item.visit);
      if (stop) stop[item.what === "check-in" ? "check_in" : "check_out"] = done.at;
      if (stop && done.rating_link) stop.rating_link = done.rating_link;
      $("status").textContent = done.verified === false ? t("phone.unverified") : "";
    } catch (e) {
      if (e instanceof TypeError || e.retryAfter != null) {
        // No connection, or the same check-in still being answered: kept, sent again later.
        $("status").textContent = t("phone.queued");
        setTimeout(flush, e.retryAfter != null ? e.retryAfter * 1000 : 10000);
        break;
      }
      $("status").textContent = e.message; // refused: it is dropped, the reason shown
    }
    waiting = waiting.slice(1);
    localStorage.setItem(QUEUE, JSON.stringify(waiting));
  }
  localStorage.setItem(SAVED, JSON.stringify({ at: Date.now(), route }));
  render();
}

let map = null;
let drawn = null;

async function drawMap() {
  const L = window.L;
  let geo;
  try {
    geo = await api("/v1/me/route.geojson");
  } catch {
    return; // offline: the list is what matters
  }
  const straight = geo.features.some((f) => f.properties.legs === "straight");
  if (!map) {
    map = L.map($("map"), { preferCanvas: true });
    if (!straight) map.attributionControl.addAttribution("© OpenStreetMap contributors");
  }
  drawn?.remove();
  $("map-note").hidden = !straight;
  $("map-note").textContent = t("route.straight");
  const layer = (drawn = L.geoJSON(geo, {
    coordsToLatLng: ([x, y]) => L.latLng(...ll(x, y)),
    style: (f) => ({ color: "#1d6fb8", weight: 4, dashArray: f.properties.legs === "straight" ? "6 6" : null }),
    pointToLayer: (f, latlng) =>
      L.circleMarker(latlng, { radius: f.properties.kind === "station" ? 8 : 10, color: "#1d6fb8", fillColor: f.properties.kind === "station" ? "#ffd400" : "#fff", fillOpacity: 1 })
        .bindTooltip(f.properties.kind === "stop" ? `${f.properties.seq}. ${f.properties.start}` : (f.properties.name ?? ""), { permanent: f.properties.kind === "stop" }),
  }).addTo(map));
  if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [20, 20] });
}

async function downloadCalendar() {
  const response = await api("/v1/me/route.ics", { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = `carecircle-${route.date}.ics`;
  a.click();
  URL.revokeObjectURL(url);
}

start();
